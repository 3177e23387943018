#!/usr/bin/env bash
# Training throughput of genlab-cli against the identical model in Python
# PyTorch (Debian python3-torch, same LibTorch 1.13), same batch, same threads,
# same MNIST files; one epoch each, in $PAIRS alternated pairs; prints each
# pair's ratio, their median, and GenLab's throughput as a share of the GEMM
# floor of a step (gemm_peak: the same sgemm shapes alone, bench/gemm_peak.py).
#   OPENBLAS_CORETYPE=Prescott bench/vae_speed.sh   one OpenBLAS kernel (both sides)
#   KERNELS="Prescott Haswell" bench/vae_speed.sh   each kernel in turn
# OPENBLAS_CORETYPE is set for the benchmark's commands only.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-1}
PAIRS=${PAIRS:-5}
BATCHES=${BATCHES:-"32 128"}
DATA=${DATA:-data/mnist}
CLI=build/bin/genlab-cli
PY=/usr/bin/python3
[ -x "$CLI" ] || { echo "build first: make build" >&2; exit 1; }
field() { sed -n "s/.*\"$1\": *\([-0-9.e]*\).*/\1/p" | tail -1; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

run_kernel() {
  local kernel=$1
  local envs=()
  [[ -n $kernel ]] && envs=(OPENBLAS_CORETYPE="$kernel")
  echo "OpenBLAS kernel: ${kernel:-default (not set)}; torch threads: $THREADS; pairs: $PAIRS"
  printf '%-6s %12s %12s %7s %10s  %s\n' batch genlab_img_s torch_img_s median gemm_peak "pair ratios"
  for B in $BATCHES; do
    local ratios=() gs=() ps=()
    for _ in $(seq "$PAIRS"); do
      g=$(env "${envs[@]}" GENLAB_DATA_DIR="$(dirname "$DATA")" $CLI latent train --data mnist \
            --latent-dim 20 --epochs 1 --batch "$B" --threads "$THREADS" --seed 1 --json |
          tail -1 | field samples_per_second)
      p=$(env "${envs[@]}" $PY bench/vae_reference.py --data "$DATA" --latent-dim 20 --epochs 1 \
            --batch "$B" --threads "$THREADS" --seed 1 | tail -1 | field samples_per_second)
      gs+=("$g"); ps+=("$p")
      ratios+=("$(awk -v g="$g" -v p="$p" 'BEGIN{printf "%.3f", g/p}')")
    done
    # The GEMM floor of a step (bench/gemm_peak.py: the step's 11 sgemm calls alone).
    peak=$(env "${envs[@]}" $PY bench/gemm_peak.py --batch "$B" --latent 20 | field peak_images_per_second)
    G=$(printf '%s\n' "${gs[@]}" | median)
    printf '%-6s %12.0f %12.0f %7s %9.0f%%  %s\n' "$B" "$G" \
      "$(printf '%s\n' "${ps[@]}" | median)" "$(printf '%s\n' "${ratios[@]}" | median)" \
      "$(awk -v g="$G" -v p="$peak" 'BEGIN{print 100 * g / p}')" "${ratios[*]}"
  done
}

if [[ -n ${KERNELS:-} ]]; then
  for k in $KERNELS; do run_kernel "$k"; echo; done
else
  run_kernel "${OPENBLAS_CORETYPE:-}"
fi
