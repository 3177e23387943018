#!/usr/bin/env bash
# The worker's longest uninterrupted piece of work ("slice") in the labs whose
# steps were split for issue 16: CT prior training (one image of an Adam step
# per slice), a score-prior reconstruction (one chain's denoiser call per
# slice), the Style lab's AdaIN decoder training (pieces of one sample's
# forward or backward pass, about 40 ms each) and protein training on the
# large family with the map evaluated as the GUI does (a few rows per piece;
# a 128-row step in pieces of about 1e8 multiply-adds), and the Style lab's
# generator (a step in two pieces, its end in pieces).
# Each line: the command's own
# longest_step_ms, as the engine measured it (Engine::longestStepMs).
#
#   bench/slices.sh [BUILD_DIR] [OUT_DIR]
#
# With GENLAB_TRACE_SLICES=MS in the environment the engine also names, on
# stderr, every begin / step / end / request longer than MS ms (OUT_DIR/*.err).
set -euo pipefail
build=${1:-build}
out=${2:-$(mktemp -d)}
cli=$build/bin/genlab-cli
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$out"
last() { tail -n 1 "$1"; }
field() { python3 -c "import json,sys; print(json.loads(sys.stdin.read()).get('$1'))"; }

"$cli" ct train-prior --size 128 --steps 40 --seed 1 --out "$out/prior.glm" --json > "$out/prior.jsonl" 2> "$out/prior.err"
echo "{\"case\":\"ct train-prior 128 px, 40 steps\",\"longest_step_ms\":$(last "$out/prior.jsonl" | field longest_step_ms)}"

"$cli" ct reconstruct --method score --prior "$out/prior.glm" --size 128 --seed 1 --score-steps 20 \
  --score-init sirt --json > "$out/recon.jsonl" 2> "$out/recon.err"
echo "{\"case\":\"ct reconstruct score, 20 levels, 8 chains, SIRT start\",\"longest_step_ms\":$(last "$out/recon.jsonl" | field longest_step_ms)}"

style=$root/data/style
if [[ -f $style/astronaut.png ]]; then
  "$cli" style train-decoder --steps 3 --size 128 --seed 1 --data "$style" --out "$out/decoder.genlab" --json \
    > "$out/style.jsonl" 2> "$out/style.err"
  echo "{\"case\":\"style train-decoder 128 px, batch 4, 3 steps\",\"longest_step_ms\":$(last "$out/style.jsonl" | field longest_step_ms)}"
else
  echo "{\"case\":\"style train-decoder\",\"longest_step_ms\":null,\"_note\":\"$style/astronaut.png missing: make data\"}"
fi

if [[ -f $root/data/mnist/train-images-idx3-ubyte || -f $root/data/mnist/train-images-idx3-ubyte.gz ]]; then
  GENLAB_DATA_DIR=$root/data "$cli" style train-gan --steps 60 --classifier-steps 20 --seed 1 --out "$out/gan.glm" --json \
    > "$out/gan.jsonl" 2> "$out/gan.err"
  echo "{\"case\":\"style train-gan (mixing on), 60 steps, end with test evaluation\",\"longest_step_ms\":$(last "$out/gan.jsonl" | field longest_step_ms)}"
else
  echo "{\"case\":\"style train-gan\",\"longest_step_ms\":null,\"_note\":\"MNIST missing: make data\"}"
fi

family=$root/data/protein/PF00171_aldh.a2m
if [[ -f $family ]]; then
  "$cli" protein train --family "$family" --epochs 1 --seed 1 --maps --json > "$out/protein.jsonl" 2> "$out/protein.err"
  echo "{\"case\":\"protein train PF00171 (16k x 462), 1 epoch, maps\",\"longest_step_ms\":$(last "$out/protein.jsonl" | field longest_step_ms)}"
else
  echo "{\"case\":\"protein train PF00171\",\"longest_step_ms\":null,\"_note\":\"$family missing: make data\"}"
fi
