#!/usr/bin/env bash
# Checkerboard artifacts in the AdaIN decoder (docs/style-gan.md, "In the
# AdaIN decoder"): the same decoder with nearest-resize-conv upsampling (the
# default), with transposed convs k3/s2, with transposed convs k3/s2 plus the
# overlap-add balance regulariser (weights 1 and 10), and with transposed
# convs k4/s2 (a kernel the stride divides; alone and with the regulariser at
# weight 10), trained as `make data` trained the default one until stop 13
# (600 steps in worker slices, 128 px crops, pretrained encoder), seeds
# 1-3. Prints the table of checkerboard energies (stylised outputs at
# alpha = 1, reconstructions at alpha = 0, the content photos themselves),
# phase imbalance and the AdaIN loss on the fixed crops (the quality), and
# renders chelsea x gravel at alpha = 1 through the seed-1 decoders side by
# side into OUT/decoders.png.
# Each run's JSON lines go to OUT; a run whose output is there is not repeated.
# Two runs at a time, one thread each: about 30 minutes on 2 quiet cores.
#
#   bench/style_decoder_checkerboard.sh [BUILD_DIR] [OUT] [STEPS] [SEEDS]
set -euo pipefail
BUILD=${1:-build}
OUT=${2:-/tmp/style-decoder-checkerboard}
STEPS=${3:-600}
SEEDS=${4:-"1 2 3"}
CLI="$BUILD/bin/genlab-cli"
[[ -x "$CLI" ]] || { echo "no $CLI: build genlab-cli first" >&2; exit 2; }
PY=/usr/bin/python3
mkdir -p "$OUT"
run() {  # run NAME SEED UPSAMPLE [WEIGHT]: once
  local name=$1 seed=$2 up=$3 w=${4:-}
  local file="$OUT/${name}_s${seed}.jsonl"
  [[ -s "$file" ]] && return 0
  local extra=()
  [[ -n "$w" ]] && extra=(--balance-weight "$w")
  echo "+ genlab-cli style train-decoder --steps $STEPS --size 128 --seed $seed --upsample $up ${extra[*]} --threads 1" >&2
  "$CLI" style train-decoder --steps "$STEPS" --size 128 --seed "$seed" --upsample "$up" "${extra[@]}" \
      --threads 1 --out "$OUT/${name}_s${seed}.genlab" --json > "$file.tmp" && mv "$file.tmp" "$file"
}
jobs_=()
for seed in $SEEDS; do
  jobs_+=("nearest $seed nearest" "transposed3 $seed transposed3"
          "balanced-w1 $seed transposed3-balanced 1" "balanced-w10 $seed transposed3-balanced 10"
          "transposed4 $seed transposed4" "t4-balanced-w10 $seed transposed4 10")
done
for ((i = 0; i < ${#jobs_[@]}; i += 2)); do
  run ${jobs_[i]} &
  if ((i + 1 < ${#jobs_[@]})); then run ${jobs_[i + 1]} & fi
  wait
done

"$PY" - "$OUT" $SEEDS <<'EOF'
import json, sys
out, seeds = sys.argv[1], sys.argv[2:]
def load(name, seed):
    lines = [json.loads(l) for l in open(f"{out}/{name}_s{seed}.jsonl") if l.startswith("{")]
    return next(l for l in lines if l.get("event") == "result")
def f(x, d=4):
    return "—" if x is None else f"{x:.{d}f}"
print("| seed | decoder upsampling | energy at init | energy after, stylised (α = 1) | after, reconstructed (α = 0) | content photos | phase imbalance | AdaIN loss (quality) | cut vs transposed3 | loss change |")
print("|---|---|---|---|---|---|---|---|---|---|")
for s in seeds:
    t3 = load("transposed3", s)
    for name, label in [("nearest", "nearest + conv (default)"), ("transposed3", "transposed k3/s2"),
                        ("balanced-w1", "transposed k3/s2 + balance, weight 1"),
                        ("balanced-w10", "transposed k3/s2 + balance, weight 10"),
                        ("transposed4", "transposed k4/s2"),
                        ("t4-balanced-w10", "transposed k4/s2 + balance, weight 10")]:
        r = load(name, s)
        a, i = r["checkerboard"]["after"], r["checkerboard"]["at_init"]
        cut = t3["checkerboard"]["after"]["energy_stylised"] / a["energy_stylised"] if a["energy_stylised"] else None
        dl = r["loss_after"]["total"] / t3["loss_after"]["total"] - 1
        print(f"| {s} | {label} | {f(i['energy_stylised'])} | {f(a['energy_stylised'])} | {f(a['energy_reconstructed'])} "
              f"| {f(a['energy_content_photos'], 5)} | {f(a['phase_imbalance'], 3)} | {f(r['loss_after']['total'])} "
              f"| {'—' if name == 'transposed3' else f(cut, 2) + '×'} | {'—' if name == 'transposed3' else f'{dl:+.1%}'} |")
EOF

# chelsea x gravel at alpha = 1 through the seed-1 decoders, side by side.
first=${SEEDS%% *}
DATA=${GENLAB_DATA_DIR:-data}/style
pngs=()
for name in nearest transposed3 balanced-w10 transposed4; do
  "$CLI" style transfer --content "$DATA/chelsea.png" --style "$DATA/gravel.png" --alpha 1 --size 256 \
      --decoder "$OUT/${name}_s${first}.genlab" --out "$OUT/${name}.png" > /dev/null
  pngs+=("$OUT/${name}.png")
done
"$PY" - "$OUT/decoders.png" "${pngs[@]}" <<'EOF'
import sys
from PIL import Image, ImageDraw
out, files = sys.argv[1], sys.argv[2:]
ims = [Image.open(f).convert("RGB") for f in files]
labels = ["nearest + conv (default)", "transposed k3/s2", "k3/s2 + balance (weight 10)", "transposed k4/s2"]
w, h = ims[0].size
sheet = Image.new("RGB", (len(ims) * (w + 8) - 8, h + 18), "white")
d = ImageDraw.Draw(sheet)
for k, (im, lab) in enumerate(zip(ims, labels)):
    sheet.paste(im, (k * (w + 8), 18))
    d.text((k * (w + 8) + 4, 3), lab, fill="black")
sheet.save(out)
print("wrote", out)
EOF
