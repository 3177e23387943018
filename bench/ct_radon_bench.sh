#!/bin/bash
# Radon transform and adjoint: GenLab (genlab-cli ct radon-bench) against
# scikit-image's radon / iradon on the same input, and the speed-up ratios.
#   bench/ct_radon_bench.sh [BUILD_DIR] [SIZE] [ANGLES] [THREADS]
# Needs Debian's python3-skimage (apt-get install python3-skimage).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
size=${2:-256}
angles=${3:-180}
threads=${4:-1}
cli=$build/bin/genlab-cli
input=$(mktemp /tmp/genlab-radon-input.XXXXXX)
trap 'rm -f "$input"' EXIT

ours=$("$cli" ct radon-bench --size "$size" --angles "$angles" --repeats 20 \
        --threads "$threads" --dump-input "$input" --json | tail -1)
theirs=$(/usr/bin/python3 "$here/ct_radon_skimage.py" --input "$input" --size "$size" \
        --angles "$angles" --repeats 10 | tail -1)
echo "genlab:       $ours"
echo "scikit-image: $theirs"
/usr/bin/python3 - "$ours" "$theirs" <<'PY'
import json, sys
o, t = json.loads(sys.argv[1]), json.loads(sys.argv[2])
# Ratios of best-of-N wall times, and of CPU time per call (robust to other
# processes; with threads > 1 GenLab's CPU time adds up all its threads).
print(json.dumps({"event": "result", "forward_ms": o["forward_ms"], "adjoint_ms": o["adjoint_ms"],
                  "skimage_radon_ms": t["radon_ms"], "skimage_iradon_ms": t["iradon_ms"],
                  "forward_speedup": round(t["radon_ms"] / o["forward_ms"], 1),
                  "adjoint_speedup": round(t["iradon_ms"] / o["adjoint_ms"], 1),
                  "adjoint_vs_iradon_ramp": round(t["iradon_ramp_ms"] / o["adjoint_ms"], 1),
                  "forward_cpu_speedup": round(t["radon_cpu_ms"] / o["forward_cpu_ms"], 1),
                  "adjoint_cpu_speedup": round(t["iradon_cpu_ms"] / o["adjoint_cpu_ms"], 1),
                  "threads": o["threads"]}))
PY
