#!/usr/bin/env bash
# Style lab: AdaIN slider latency (post -> reply on an idle engine, content
# and style features cached, 256 x 256 content) and the default decoder's
# training time (genlab-cli style train-decoder, as `make data` runs it).
#   bench/style_slider.sh            both
#   SKIP_TRAIN=1 bench/style_slider.sh   latency only (uses the default decoder)
#   MOVES=30 THREADS_LIST=1 ...            fewer moves / one thread count
# Numbers go in docs/style.md with the machine they came from.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD_DIR:-build}
CLI=$BUILD/bin/genlab-cli
BENCH=$BUILD/bin/genlab-bench-style-slider
[ -x "$CLI" ] && [ -x "$BENCH" ] || { echo "build genlab-cli and genlab-bench-style-slider first" >&2; exit 1; }
DATA=${GENLAB_DATA_DIR:-data}/style
[ -f "$DATA/astronaut.png" ] || { echo "run \`make data\` first (photos in $DATA)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
DEC=$DATA/decoder.genlab
if [[ -z ${SKIP_TRAIN:-} || ! -f $DEC ]]; then
  STEPS=${STEPS:-1800}
  /usr/bin/time -f 'train-decoder wall %e s, max RSS %M kB' \
    "$CLI" style train-decoder --steps "$STEPS" --size 128 --seed 1 --whole-steps --out "$work/decoder.genlab" --json \
    | tail -1
  [[ -f $DEC ]] || DEC=$work/decoder.genlab
fi
# Each case at 1 and at 2 torch intra-op threads (THREADS_LIST to change):
# one style, four on the pad (the same work per move: the mix is of
# statistics), and 512 px. The drag path is "image only"; "with stats" is what
# a release sends (the result encoded again for the chart). "CPU" is the worker
# thread's CPU time per image-only move (1 thread only): what a move costs on
# a quiet machine, even when this one is loaded; the verdict uses wall time.
MOVES=${MOVES:-100}
printf '%-34s %7s  %-24s %-24s %-22s %s\n' "case" threads "image only p50 / p95" "with stats p50 / p95" "image only CPU p50/p95" "p95 < 100 ms (image only, 256 px)"
run() {  # label size moves styles
  local label=$1 size=$2 moves=$3 styles=$4 t line
  for t in ${THREADS_LIST:-1 2}; do
    line=$(THREADS=$t "$BENCH" "$DEC" "$DATA/astronaut.png" "$styles" "$size" "$moves")
    echo "$line" >> "$work/all.jsonl"
    python3 - "$label" "$t" "$size" "$line" <<'PY'
import json, sys
label, t, size, j = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
verdict = ("met" if j["image_only_p95_ms"] < 100 else "NOT met") if size <= 256 else "-"
cpu = (f'{j["image_only_cpu_p50_ms"]:6.1f} / {j["image_only_cpu_p95_ms"]:6.1f} ms'
       if j.get("image_only_cpu_p50_ms") is not None else "-")
print(f'{label:<34} {t:>7}  {j["image_only_p50_ms"]:7.1f} / {j["image_only_p95_ms"]:7.1f} ms  '
      f'{j["p50_ms"]:7.1f} / {j["p95_ms"]:7.1f} ms  {cpu:<22} {verdict}')
PY
  done
}
run "astronaut 256, 1 style (brick)" 256 "$MOVES" "$DATA/brick.png"
run "astronaut 256, 4 styles on the pad" 256 "$MOVES" "$DATA/brick.png,$DATA/gravel.png,$DATA/flower.png,$DATA/hubble_deep_field.png"
run "astronaut 512, 1 style (brick)" 512 40 "$DATA/brick.png"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg) (a number above ~0.5 on 2 cores means these are upper bounds)"
echo "raw JSON lines:"
cat "$work/all.jsonl"
