#!/usr/bin/env bash
# Checks GenLab's MobileNetV2 conversion against tfjs itself (docs/style.md):
# installs @tensorflow/tfjs@4.22.0 (pure JS) into a temp folder, runs the
# model from the same nsfwjs@4.3.0 tarball that `make data` converts on two
# fixed inputs, and writes tests/fixtures/mobilenet_v2_tfjs.json, which the
# core test "style: the converted MobileNetV2 matches tfjs ..." compares with.
#
#   scripts/validate-mobilenet.sh [OUT.json]
# Needs node and npm, and the tarball in data/.cache (run `make data` first).
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data_dir=${GENLAB_DATA_DIR:-$repo_root/data}
tgz=$data_dir/.cache/nsfwjs-4.3.0.tgz
out=${1:-$repo_root/tests/fixtures/mobilenet_v2_tfjs.json}
[[ -f $tgz ]] || { echo "validate-mobilenet: $tgz missing; run \`make data\` first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$tgz" -C "$work" --no-same-owner package/dist/models/mobilenet_v2
(cd "$work" && npm_config_cache="$work/npm-cache" npm install --loglevel=error --no-fund --no-audit \
   @tensorflow/tfjs@4.22.0 >/dev/null)
NODE_PATH=$work/node_modules node "$repo_root/scripts/validate-mobilenet.js" "$work/package" "$out"
