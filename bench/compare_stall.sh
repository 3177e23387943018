#!/usr/bin/env bash
# The GUI stall benchmark of two builds, alternated in one run on one machine:
#   bench/compare_stall.sh BASE_BIN_DIR NEW_BIN_DIR [runs=3] [seconds=12]
# e.g. a build of the previous commit against this one. For each lab (the
# Latent Explorer on MNIST, the 2-D lab with its default preset) it prints one
# JSON line per run and build, then the medians of max_stall_ms and gap_p99_ms.
set -euo pipefail
base=${1:?base bin dir}
new=${2:?new bin dir}
runs=${3:-3}
secs=${4:-12}
cd "$(dirname "$0")/.."
export GENLAB_DATA_DIR=${GENLAB_DATA_DIR:-$PWD/data}
declare -A results
for lab in latent toy2d; do
  data=mnist
  [[ $lab == toy2d ]] && data=-
  for ((i = 1; i <= runs; i++)); do
    for which in base new; do
      bin=$base
      [[ $which == new ]] && bin=$new
      line=$(xvfb-run -a -s "-screen 0 1920x1200x24" "$bin/genlab-bench-gui-stall" "$lab" "$data" "$secs" 2>/dev/null | tail -1)
      echo "$which $lab run $i: $line"
      results[$which,$lab]+="$line"$'\n'
    done
  done
done
for lab in latent toy2d; do
  for which in base new; do
    printf '%s' "${results[$which,$lab]}" | /usr/bin/python3 -c '
import json, statistics, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
print("%-5s %-6s median max_stall_ms %.1f, median gap_p99_ms %.2f, all training: %s" % (
    sys.argv[1], sys.argv[2], statistics.median(r["max_stall_ms"] for r in rows),
    statistics.median(r["gap_p99_ms"] for r in rows), all(r["training"] for r in rows)))
' "$which" "$lab"
  done
done
