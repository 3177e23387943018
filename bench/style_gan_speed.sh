#!/usr/bin/env bash
# Training speed of the Style lab's parts 2 and 3 (headless, CPU):
#   - checkerboard: mini-batches (64 MNIST images) per second for each
#     upsampling choice, as a GAN (one discriminator and one generator update)
#     and as an autoencoder (train_seconds counts training steps only, not the
#     judge's training or the final evaluation);
#   - style generator: generator steps (batch 32, 32x32) per second.
# Needs `genlab-cli style ...` (the Style lab registered) and MNIST (make data).
#
#   bench/style_gan_speed.sh [BUILD_DIR] [STEPS]
set -euo pipefail
BUILD=${1:-build}
STEPS=${2:-200}
CLI="$BUILD/bin/genlab-cli"
[[ -x "$CLI" ]] || { echo "no $CLI: build genlab-cli first" >&2; exit 2; }
for objective in gan reconstruction; do
for up in transposed3 transposed4 resize-nearest resize-bilinear icnr transposed3-balanced; do
  cmd="$CLI style checkerboard --objective $objective --upsample $up --steps $STEPS --seed 1 --json"
  $cmd | tail -n 1 | python3 -c "
import json, sys
r = json.load(sys.stdin)
print(f\"checkerboard {r['objective']:>14} {r['upsample']:>22}: {r['steps'] / r['train_seconds']:7.1f} steps/s \"
      f\"({1000 * r['train_seconds'] / r['steps']:.1f} ms per step of 64 images)\")"
done
done
cmd="$CLI style train-gan --steps $STEPS --classifier-steps 0 --seed 1 --json"
$cmd | tail -n 1 | python3 -c "
import json, sys
r = json.load(sys.stdin)
print(f\"style generator: {r['steps_per_second']:.1f} steps/s \"
      f\"({1000 / r['steps_per_second']:.1f} ms per step of 32 images)\")"
