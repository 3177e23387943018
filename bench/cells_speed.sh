#!/usr/bin/env bash
# Training throughput of genlab-cli's Cells VAE against the identical model in
# Python PyTorch (bench/cells_vae_reference.py; Debian python3-torch, the same
# LibTorch), same threads, same batch (128), on 100 000 simulated cells x
# 2 000 genes; best of $REPEATS, alternating. Also times loading the
# 100 000-cell .h5ad (genlab-cli cells info).
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-1}
REPEATS=${REPEATS:-2}
CELLS=${CELLS:-100000}
GENES=${GENES:-2000}
CLI=build/bin/genlab-cli
[ -x "$CLI" ] || { echo "build first" >&2; exit 1; }
work=${WORK:-$(mktemp -d)}
[ -n "${WORK:-}" ] || trap 'rm -rf "$work"' EXIT
field() { python3 -c "import json,sys; print(json.loads(sys.stdin.readlines()[-1])['$1'])"; }
[ -f "$work/big.h5ad" ] || "$CLI" cells simulate --regime shift --cells "$CELLS" --genes "$GENES" --seed 1 \
  --no-truth --out "$work/big.h5ad" --json >/dev/null
echo "load: $("$CLI" cells info --data "$work/big.h5ad" --json | field load_seconds) s for $CELLS cells x $GENES genes (.h5ad, CSR)"
g=(); p=()
for _ in $(seq "$REPEATS"); do
  g+=("$("$CLI" cells perturb --data "$work/big.h5ad" --condition-key condition --control control \
          --treated stimulated --cell-type-key cell_type --holdout type0 --method vae --epochs 1 --latent 10 --beta 0.05 \
          --hvg 0 --threads "$THREADS" --seed 1 --json | field cells_per_second)")
  p+=("$(/usr/bin/python3 bench/cells_vae_reference.py --cells "$CELLS" --genes "$GENES" \
          --epochs 1 --threads "$THREADS" | field cells_per_second)")
done
G=$(printf '%s\n' "${g[@]}" | sort -g | tail -1)
P=$(printf '%s\n' "${p[@]}" | sort -g | tail -1)
printf 'threads %s: genlab %.0f cells/s, PyTorch %.0f cells/s, ratio %.2f\n' "$THREADS" "$G" "$P" \
  "$(awk -v g="$G" -v p="$P" 'BEGIN{print g/p}')"
