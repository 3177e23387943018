#!/usr/bin/env bash
# Training throughput of genlab-cli's family VAE against the identical model in
# Python PyTorch (bench/protein_vae_reference.py; Debian python3-torch, the
# same LibTorch), same threads, same batch, on a Ras-sized family (a Potts
# family of 1000 x 160). $PAIRS alternated pairs per OpenBLAS kernel; prints
# each pair's ratio and their median.
#   bench/protein_speed.sh                          the kernels the CPU can run
#   KERNELS=default bench/protein_speed.sh          OpenBLAS's own choice only
#   THREADS=2 PAIRS=5 EPOCHS=20 bench/protein_speed.sh
# OPENBLAS_CORETYPE is set for the benchmark's commands only.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-1}
PAIRS=${PAIRS:-5}
EPOCHS=${EPOCHS:-20}
LENGTH=${LENGTH:-160}
CLI=build/bin/genlab-cli
[ -x "$CLI" ] || { echo "build first: make build" >&2; exit 1; }
if [[ -z ${KERNELS:-} ]]; then
  KERNELS="Prescott"
  grep -qw avx2 /proc/cpuinfo && KERNELS="$KERNELS Haswell"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$CLI" protein simulate-potts --length "$LENGTH" --n 1000 --seed 1 --out "$work/fam.fasta" --json >/dev/null
field() { sed -n "s/.*\"$1\": *\([-0-9.e]*\).*/\1/p" | tail -1; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
echo "family: Potts 1000 x $LENGTH; batch 128; $EPOCHS epochs; torch threads $THREADS; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %12s %12s %7s  %s\n' kernel genlab_seq_s torch_seq_s median "pair ratios"
for kernel in $KERNELS; do
  envs=()
  [[ $kernel != default ]] && envs=(OPENBLAS_CORETYPE="$kernel")
  gs=() ps=() ratios=()
  for _ in $(seq "$PAIRS"); do
    g=$(env "${envs[@]}" "$CLI" protein train --family "$work/fam.fasta" --epochs "$EPOCHS" \
          --threads "$THREADS" --seed 1 --json | tail -1 | field sequences_per_second)
    p=$(env "${envs[@]}" /usr/bin/python3 bench/protein_vae_reference.py --family "$work/fam.fasta" \
          --epochs "$EPOCHS" --threads "$THREADS" | tail -1 | field sequences_per_second)
    gs+=("$g"); ps+=("$p")
    ratios+=("$(awk -v g="$g" -v p="$p" 'BEGIN{printf "%.3f", g/p}')")
  done
  printf '%-10s %12.0f %12.0f %7s  %s\n' "$kernel" "$(printf '%s\n' "${gs[@]}" | median)" \
    "$(printf '%s\n' "${ps[@]}" | median)" "$(printf '%s\n' "${ratios[@]}" | median)" "${ratios[*]}"
done
