#!/usr/bin/env bash
# The figures of docs/scale.md: one process vs torchrun with N processes
# (gloo on CPU; NCCL where CUDA is present), same options, same global batch.
#
#   bash scale/compare.sh OPTIONS.json DATA_DIR MAX_TRAIN EPOCHS [REPEATS] [NPROC]
#
# Prints the load average, each run's wall time (the whole command, torchrun's
# start-up included) and training time (the training loop only, from the
# result line), then the loss every 20 steps of the first 1-process and the
# first N-process run side by side, as a Markdown table.
set -eu
OPTS=$1 DATA=$2 MAX=$3 EPOCHS=$4 REPS=${5:-1} NPROC=${6:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PYTHON:-/usr/bin/python3}
TORCHRUN=${TORCHRUN:-/usr/bin/torchrun}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/genlab-compare.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
ARGS=(--options "$OPTS" --data "$DATA" --max-train "$MAX" --epochs "$EPOCHS")
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

timed() {  # timed LOG command...: wall seconds of the command
  local log=$1; shift
  local t0=$EPOCHREALTIME
  "$@" > "$log" 2> "$log.err" || { cat "$log.err" >&2; exit 1; }
  "$PY" -c "print(f'{$EPOCHREALTIME - $t0:.2f}')"
}
train_s() { sed -n 's/.*"event": "result", "train_seconds": \([0-9.]*\).*/\1/p' "$1" | xargs printf '%.2f'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; options $OPTS"
for r in $(seq 1 "$REPS"); do
  w=$(timed "$WORK/single$r.log" "$PY" "$HERE/train_ddp.py" --single "${ARGS[@]}" --out "$WORK/single.pt")
  echo "1 process,  run $r: wall ${w} s, training $(train_s "$WORK/single$r.log") s"
  # --redirects 1 --tee 1: needed by Debian's torch 1.13 on Python 3.11 (docs/scale.md).
  w=$(timed "$WORK/ddp$r.log" "$TORCHRUN" --nnodes 1 --nproc_per_node "$NPROC" --master_addr 127.0.0.1 \
      --master_port "$PORT" --monitor_interval 0.5 --redirects 1 --tee 1 \
      "$HERE/train_ddp.py" "${ARGS[@]}" --out "$WORK/ddp.pt")
  echo "$NPROC processes, run $r: wall ${w} s, training $(train_s "$WORK/ddp$r.log") s"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" - "$WORK/single1.log" "$WORK/ddp1.log" "$NPROC" <<'PYEOF'
import json, re, sys
def progress(path):
    out = {}
    for line in open(path):
        line = re.sub(r"^\[[^\]]*\]:", "", line.strip())
        if line.startswith("{"):
            j = json.loads(line)
            if j["event"] == "progress":
                out[j["step"]] = j["loss"]
    return out
a, b = progress(sys.argv[1]), progress(sys.argv[2])
print(f"\n| step | loss, 1 process | loss, {sys.argv[3]} processes | relative difference |")
print("|---:|---:|---:|---:|")
for k in sorted(a):
    if k in b:
        print(f"| {k} | {a[k]:.6f} | {b[k]:.6f} | {abs(a[k] - b[k]) / abs(a[k]):.1e} |")
PYEOF
