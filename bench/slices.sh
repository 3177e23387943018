#!/usr/bin/env bash
# The worker's longest uninterrupted piece of work ("slice") in the labs whose
# steps were split for issue 16: CT prior training (one image of an Adam step
# per slice), a score-prior reconstruction (one chain's denoiser call per
# slice) and protein training on the large family with the map evaluated as
# the GUI does (a few rows per piece). Each line: the command's own
# longest_step_ms, as the engine measured it (Engine::longestStepMs).
#
#   bench/slices.sh [BUILD_DIR] [OUT_DIR]
set -euo pipefail
build=${1:-build}
out=${2:-$(mktemp -d)}
cli=$build/bin/genlab-cli
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$out"
last() { tail -n 1 "$1"; }
field() { python3 -c "import json,sys; print(json.loads(sys.stdin.read()).get('$1'))"; }

"$cli" ct train-prior --size 128 --steps 40 --seed 1 --out "$out/prior.glm" --json > "$out/prior.jsonl"
echo "{\"case\":\"ct train-prior 128 px, 40 steps\",\"longest_step_ms\":$(last "$out/prior.jsonl" | field longest_step_ms)}"

"$cli" ct reconstruct --method score --prior "$out/prior.glm" --size 128 --seed 1 --score-steps 20 \
  --score-init sirt --json > "$out/recon.jsonl"
echo "{\"case\":\"ct reconstruct score, 20 levels, 8 chains, SIRT start\",\"longest_step_ms\":$(last "$out/recon.jsonl" | field longest_step_ms)}"

family=$root/data/protein/PF00171_aldh.a2m
if [[ -f $family ]]; then
  "$cli" protein train --family "$family" --epochs 1 --seed 1 --maps --json > "$out/protein.jsonl"
  echo "{\"case\":\"protein train PF00171 (16k x 462), 1 epoch, maps\",\"longest_step_ms\":$(last "$out/protein.jsonl" | field longest_step_ms)}"
else
  echo "{\"case\":\"protein train PF00171\",\"longest_step_ms\":null,\"_note\":\"$family missing: make data\"}"
fi
