#!/usr/bin/env bash
# Style lab: AdaIN slider latency (post -> reply on an idle engine, content
# and style features cached, 256 x 256 content) and the default decoder's
# training time (genlab-cli style train-decoder, as `make data` runs it).
#   bench/style_slider.sh            both
#   SKIP_TRAIN=1 bench/style_slider.sh   latency only (uses the default decoder)
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
  STEPS=${STEPS:-300}
  /usr/bin/time -f 'train-decoder wall %e s, max RSS %M kB' \
    "$CLI" style train-decoder --steps "$STEPS" --size 128 --seed 1 --out "$work/decoder.genlab" --json \
    | tail -1
  [[ -f $DEC ]] || DEC=$work/decoder.genlab
fi
# One style, then four on the pad (the same work per move: the mix is of statistics).
"$BENCH" "$DEC" "$DATA/astronaut.png" "$DATA/brick.png" 256 100
"$BENCH" "$DEC" "$DATA/astronaut.png" "$DATA/brick.png,$DATA/gravel.png,$DATA/flower.png,$DATA/hubble_deep_field.png" 256 100
"$BENCH" "$DEC" "$DATA/astronaut.png" "$DATA/brick.png" 512 40
