#!/usr/bin/env bash
# Training throughput of genlab-cli's family VAE against the identical model in
# Python PyTorch (bench/protein_vae_reference.py; Debian python3-torch, the
# same LibTorch), same threads, same batch, on a Ras-sized family (a Potts
# family of 1000 x 160); best of $REPEATS, alternating.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-1}
REPEATS=${REPEATS:-2}
EPOCHS=${EPOCHS:-20}
CLI=build/bin/genlab-cli
[ -x "$CLI" ] || { echo "build first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$CLI" protein simulate-potts --length 160 --n 1000 --seed 1 --out "$work/fam.fasta" --json >/dev/null
field() { python3 -c "import json,sys; print(json.loads(sys.stdin.readlines()[-1])['$1'])"; }
g=(); p=()
for _ in $(seq "$REPEATS"); do
  g+=("$("$CLI" protein train --family "$work/fam.fasta" --epochs "$EPOCHS" --threads "$THREADS" \
          --seed 1 --json | field sequences_per_second)")
  p+=("$(/usr/bin/python3 bench/protein_vae_reference.py --family "$work/fam.fasta" \
          --epochs "$EPOCHS" --threads "$THREADS" | field sequences_per_second)")
done
G=$(printf '%s\n' "${g[@]}" | sort -g | tail -1)
P=$(printf '%s\n' "${p[@]}" | sort -g | tail -1)
printf 'threads %s: genlab %.0f seq/s, PyTorch %.0f seq/s, ratio %.2f\n' "$THREADS" "$G" "$P" \
  "$(awk -v g="$G" -v p="$P" 'BEGIN{print g/p}')"
