#!/usr/bin/env bash
# Training throughput of genlab-cli against the identical model in Python
# PyTorch (Debian python3-torch, same LibTorch 1.13), same batch, same threads,
# same MNIST files; one epoch each, alternating, best of $REPEATS.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-1}
REPEATS=${REPEATS:-2}
DATA=${DATA:-data/mnist}
CLI=build/bin/genlab-cli
PY=/usr/bin/python3
[ -x "$CLI" ] || { echo "build first: make build" >&2; exit 1; }
best() { sort -g | tail -1; }
field() { sed -n "s/.*\"$1\": *\([-0-9.e]*\).*/\1/p" | tail -1; }
printf '%-6s %14s %14s %8s\n' batch genlab_img_s pytorch_img_s ratio
for B in 32 128; do
  g=(); p=()
  for _ in $(seq "$REPEATS"); do
    g+=("$(GENLAB_DATA_DIR=$(dirname "$DATA") $CLI latent train --data mnist --latent-dim 20 --epochs 1 \
            --batch "$B" --threads "$THREADS" --seed 1 --json | tail -1 | field samples_per_second)")
    p+=("$($PY bench/vae_reference.py --data "$DATA" --latent-dim 20 --epochs 1 --batch "$B" \
            --threads "$THREADS" --seed 1 | tail -1 | field samples_per_second)")
  done
  G=$(printf '%s\n' "${g[@]}" | best); P=$(printf '%s\n' "${p[@]}" | best)
  printf '%-6s %14.0f %14.0f %8.2f\n' "$B" "$G" "$P" "$(awk -v g="$G" -v p="$P" 'BEGIN{print g/p}')"
done
