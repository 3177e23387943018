#!/usr/bin/env bash
# The simulator tables of docs/cells.md: held-out cell type (type0), seeds
# 1-3, both regimes, the VAE (or $METHOD) beside every baseline, as Markdown.
# Every row comes from one `genlab-cli cells perturb` run, printed above it.
set -euo pipefail
cd "$(dirname "$0")/.."
CLI=build/bin/genlab-cli
[ -x "$CLI" ] || { echo "build first" >&2; exit 1; }
METHOD=${METHOD:-vae}
EPOCHS=${EPOCHS:-30}
for regime in ${REGIMES:-shift additive}; do
  for seed in ${SEEDS:-1 2 3}; do
    cmd="$CLI cells perturb --data sim-$regime --method $METHOD --epochs $EPOCHS --seed $seed --json"
    echo
    echo "\`$cmd\`"
    echo
    echo "| method | r² means | r² means top-100 | R²-Δ | R²-Δ top-100 | Pearson-Δ | Pearson-Δ top-100 | RMSE vs truth Δ | RMSE vs truth Δ top-100 |"
    echo "|---|---|---|---|---|---|---|---|---|"
    $cmd | python3 -c '
import json, sys
f = lambda j, k: ("%.3f" % j[k]) if j.get(k) is not None else "—"
keys = ["r2_means_all", "r2_means_top100", "r2_delta_all", "r2_delta_top100", "pearson_delta",
        "pearson_delta_top100", "rmse_truth_delta_all", "rmse_truth_delta_top100"]
for line in sys.stdin:
    j = json.loads(line)
    if j["event"] == "method":
        name = j["method"] + (" (model)" if j["is_model"] else "")
        print("| " + name + " | " + " | ".join(f(j, k) for k in keys) + " |")
    elif j["event"] == "banner":
        print("\nBanner: " + j["message"])
'
  done
done
