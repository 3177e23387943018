#!/usr/bin/env bash
# The Protein lab's figures, each from genlab-cli:
#   1. Ras PF00071: held-out ELBO per sequence vs the PSSM's log-likelihood, seeds 1-3;
#   2. Potts families with planted couplings: Spearman of ΔELBO and of the PSSM's
#      log-ratio against the true single-mutant energy changes, seeds 1-3, and the
#      seed-to-seed Spearman of ΔELBO (same family, model seeds 1 vs 2);
#   3. weighting PF00171 (16 528 sequences) at theta 0.2: seconds.
# Usage: bench/protein_check.sh [BUILD_DIR] [OUT_DIR]   (needs scripts/fetch-data.sh first)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cli=${1:-$root/build}/bin/genlab-cli
out=${2:-$(mktemp -d)}
ras=$root/data/protein/PF00071_ras.fa
aldh=$root/data/protein/PF00171_aldh.a2m
RAS_EPOCHS=${RAS_EPOCHS:-200}
mkdir -p "$out"
field() { python3 -c "import json,sys; print(json.loads(sys.stdin.readlines()[-1])['$1'])"; }

echo "== Ras PF00071 ($RAS_EPOCHS epochs, latent 2): held-out ELBO vs PSSM"
for s in 1 2 3; do
  "$cli" protein train --family "$ras" --latent-dim 2 --epochs "$RAS_EPOCHS" --theta 0.2 --seed $s \
    --out "$out/ras$s.glm" --json | tail -1 | tee "$out/ras$s.json" |
    python3 -c "import json,sys; r=json.load(sys.stdin); print('seed $s: ELBO', round(r['held_out_elbo'],2), 'PSSM', round(r['pssm_held_out_loglik'],2), 'Neff', round(r['neff'],1), 'train s', round(r['train_seconds'],1))"
done

echo "== Potts L=30 n=3000: Spearman against the true effects"
for s in 1 2 3; do
  "$cli" protein simulate-potts --length 30 --n 3000 --seed $s --out "$out/potts$s.fasta" --json >/dev/null
  "$cli" protein train --family "$out/potts$s.fasta" --latent-dim 2 --epochs 60 --seed $s \
    --out "$out/potts$s.glm" --json | tail -1 > "$out/potts$s.train.json"
  "$cli" protein scan --model "$out/potts$s.glm" --wildtype wt --truth "$out/potts$s.effects.csv" \
    --out "$out/potts$s.scan.csv" --json | tee "$out/potts$s.scan.json" |
    python3 -c "import json,sys; r=json.load(sys.stdin); print('seed $s: VAE', round(r['spearman_vae_truth'],3), 'PSSM', round(r['spearman_pssm_truth'],3))"
done
"$cli" protein train --family "$out/potts1.fasta" --latent-dim 2 --epochs 60 --seed 2 \
  --out "$out/potts1_model2.glm" --json >/dev/null
"$cli" protein scan --model "$out/potts1_model2.glm" --wildtype wt --out "$out/potts1_model2.scan.csv" --json >/dev/null
python3 - "$out/potts1.scan.csv" "$out/potts1_model2.scan.csv" <<'PY'
import csv, sys
def load(p): return {(r['position'], r['mut']): float(r['delta_elbo']) for r in csv.DictReader(open(p))}
a, b = load(sys.argv[1]), load(sys.argv[2])
keys = sorted(a)
def ranks(v):
    o = sorted(range(len(v)), key=lambda i: v[i]); r = [0.0]*len(v)
    for k, i in enumerate(o): r[i] = k
    return r
x, y = ranks([a[k] for k in keys]), ranks([b[k] for k in keys])
n = len(x); mx = sum(x)/n; my = sum(y)/n
num = sum((p-mx)*(q-my) for p, q in zip(x, y))
den = (sum((p-mx)**2 for p in x) * sum((q-my)**2 for q in y)) ** 0.5
print('seed-to-seed Spearman of ΔELBO (family 1, model seeds 1 vs 2):', round(num/den, 3))
PY

echo "== PF00171 weights (theta 0.2)"
"$cli" protein train --family "$aldh" --epochs 0 --json > "$out/aldh.json"
head -1 "$out/aldh.json" |
  python3 -c "import json,sys; r=json.load(sys.stdin); print('sequences', r['sequences'], 'focus', r['focus_columns'], 'Neff', round(r['neff'],1), 'weights s', round(r['weight_seconds'],2), 'load s', round(r['load_seconds'],2))"
echo "outputs in $out"
