#!/usr/bin/env bash
# The 2-D lab's quality criteria (issue "Architects and Alchemists"): with the
# default settings and at most 5 000 steps, on moons, rings and 8 Gaussians,
# every model's MMD^2 must be at most a quarter of the Gaussian baseline's,
# and the flow's held-out NLL at least 0.5 nats below the baseline's.
#
#   bench/toy2d_quality.sh [BUILD_DIR] [STEPS] [SEED]
#
# Prints one table row per run (and the exact command), and exits non-zero
# when any criterion fails. Needs `jq` or python3 to read the JSON lines.
set -euo pipefail
BUILD=${1:-build}
STEPS=${2:-5000}
SEED=${3:-1}
CLI="$BUILD/bin/genlab-cli"
[[ -x "$CLI" ]] || { echo "no $CLI: build genlab-cli first" >&2; exit 2; }

field() {  # field JSON KEY
  python3 -c 'import json,sys; v=json.loads(sys.argv[1]).get(sys.argv[2]); print("null" if v is None else v)' "$1" "$2"
}

fail=0
printf '%-10s %-11s %10s %10s %6s %8s %8s %7s %9s  %s\n' model data mmd baseline ratio nll nll_base secs it/s verdict
for data in moons rings 8gaussians; do
  for model in flow gan diffusion vae; do
    cmd="$CLI toy2d train --model $model --data $data --steps $STEPS --seed $SEED --json"
    start=$(date +%s.%N)
    line=$($cmd | tail -n 1)
    wall=$(python3 -c "import sys; print(f'{float(sys.argv[2])-float(sys.argv[1]):.1f}')" "$start" "$(date +%s.%N)")
    mmd=$(field "$line" mmd)
    base=$(field "$line" mmd_gaussian_baseline)
    nll=$(field "$line" nll)
    nllb=$(field "$line" nll_gaussian_baseline)
    ips=$(field "$line" iterations_per_second)
    verdict=$(python3 - "$model" "$mmd" "$base" "$nll" "$nllb" <<'EOF'
import sys
model, mmd, base, nll, nllb = sys.argv[1:]
ok = mmd != "null" and float(mmd) <= 0.25 * float(base)
why = [] if ok else ["mmd"]
if model == "flow":
    if nll == "null" or float(nll) > float(nllb) - 0.5:
        ok = False; why.append("nll")
print("pass" if ok else "FAIL(" + ",".join(why) + ")")
EOF
)
    ratio=$(python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.3f}')" "$mmd" "$base")
    fmt() { python3 -c "import sys; v=sys.argv[1]; print('-' if v=='null' else f'{float(v):.{sys.argv[2]}}')" "$1" "$2"; }
    printf '%-10s %-11s %10s %10s %6s %8s %8s %7s %9s  %s\n' "$model" "$data" "$(fmt "$mmd" 5f)" \
      "$(fmt "$base" 5f)" "$ratio" "$(fmt "$nll" 3f)" "$(fmt "$nllb" 3f)" "$wall" "$(fmt "$ips" 0f)" "$verdict"
    echo "    $cmd"
    [[ $verdict == pass ]] || fail=1
  done
done
exit $fail
