#!/bin/bash
# The inverse-problems table: mean PSNR / SSIM / seconds of FBP, TV and the
# score prior on 10 held-out random-ellipse phantoms (seeds 1..10 of the
# held-out stream, which prior training never draws from), 128 px, 1e5 photons:
#   limited angle: 60 views over a 90-degree arc
#   sparse view:   23 views over 180 degrees
#   bench/ct_table.sh PRIOR.glm [BUILD_DIR] [SAMPLES] [THREADS] [EXTRA SCORE ARGS...]
# SAMPLES defaults to 8 (the lab's default K), THREADS to 2 (the issue's 2 cores).
# FBP uses the ramp filter and TV its automatic weight (1e-4 for the 90-degree
# arc, 3e-4 for 180 degrees: the best of a sweep on tuning seeds 1001-1006).
# Prints one JSON line per reconstruction to ct_table.jsonl (in the current
# folder) and a Markdown table at the end.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
prior=${1:?usage: ct_table.sh PRIOR.glm [BUILD_DIR] [SAMPLES] [THREADS] [EXTRA...]}
build=${2:-$here/../build}
samples=${3:-8}
threads=${4:-2}
shift $(( $# < 4 ? $# : 4 ))
extra=("$@")
cli=$build/bin/genlab-cli
out=ct_table.jsonl
: > "$out"
declare -A scans=(["limited-angle"]="--views 60 --arc 90" ["sparse-view"]="--views 23 --arc 180")
for scan in limited-angle sparse-view; do
  for seed in 1 2 3 4 5 6 7 8 9 10; do
    for method in fbp tv score; do
      args=(ct reconstruct --phantom ellipses --size 128 ${scans[$scan]} --photons 1e5
            --method "$method" --seed "$seed" --threads "$threads" --json)
      if [ "$method" = score ]; then args+=(--prior "$prior" --samples "$samples" "${extra[@]}"); fi
      line=$("$cli" "${args[@]}" | tail -1)
      echo "{\"scan\":\"$scan\",\"seed\":$seed,${line#\{}" | tee -a "$out"
    done
  done
done
/usr/bin/python3 - "$out" <<'PY'
import json, sys, collections
rows = [json.loads(l) for l in open(sys.argv[1])]
agg = collections.defaultdict(list)
for r in rows:
    agg[(r["scan"], r["method"])].append(r)
print("\n| scan | method | PSNR (dB) | SSIM | seconds / reconstruction |")
print("|---|---|---|---|---|")
for scan in ("limited-angle", "sparse-view"):
    for m in ("fbp", "tv", "score"):
        rs = agg[(scan, m)]
        if not rs:
            continue
        mean = lambda k: sum(r[k] for r in rs) / len(rs)
        print(f"| {scan} | {m} | {mean('psnr'):.2f} | {mean('ssim'):.3f} | {mean('seconds'):.1f} |")
print()
for scan in ("limited-angle", "sparse-view"):
    m = {k: sum(r["psnr"] for r in agg[(scan, k)]) / max(1, len(agg[(scan, k)]))
         for k in ("fbp", "tv", "score")}
    wins = sum(s["psnr"] > t["psnr"] for s, t in zip(agg[(scan, "score")], agg[(scan, "tv")]))
    print(f"{scan}: score - TV {m['score'] - m['tv']:+.2f} dB (better on {wins} of "
          f"{len(agg[(scan, 'score')])} phantoms), TV - FBP {m['tv'] - m['fbp']:+.2f} dB")
PY
