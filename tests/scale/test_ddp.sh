#!/usr/bin/env bash
# torchrun + DDP (scale/train_ddp.py) on this machine: 2 processes on loopback
# (gloo) against 1 process with the same global batch, for the MLP and the
# conv VAE; then the written TorchScript must be what GenLab opens
# (tests/scale/check_ddp.py says what is checked and why the tolerance).
#
#   bash tests/scale/test_ddp.sh [SOURCE_DIR] [GENLAB_CLI]
#
# Needs Debian's /usr/bin/python3 with python3-torch and /usr/bin/torchrun.
# Without them it SKIPS (exit 77, loudly), except under CI=true where it fails.
# With GENLAB_CLI given and its usage listing `latent decode`, it also opens
# the model with `genlab-cli latent decode --model FILE.pt`.
set -u
SRC=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
CLI=${2:-}
# The overrides exist to exercise the skip path; leave them unset.
PY=${GENLAB_TEST_PYTHON:-/usr/bin/python3}
TORCHRUN=${GENLAB_TEST_TORCHRUN:-/usr/bin/torchrun}

missing=""
[[ -x $TORCHRUN ]] || missing+=" $TORCHRUN (Debian package python3-torch)"
if [[ ! -x $PY ]]; then
  missing+=" $PY"
elif ! "$PY" -c 'import torch, torch.distributed as d; assert d.is_available() and d.is_gloo_available()' 2>/dev/null; then
  missing+=" python3-torch with torch.distributed/gloo (import torch failed in $PY)"
fi
if [[ -n $missing ]]; then
  if [[ ${CI:-} == true ]]; then
    echo "FAIL: CI=true but missing:$missing. Install python3-torch (scripts/setup.sh)." >&2
    exit 1
  fi
  {
    echo "################################################################"
    echo "SKIPPED: scale/torchrun DDP test: missing:$missing"
    echo "Install python3-torch (apt-get install python3-torch) to run it."
    echo "################################################################"
  } | tee /dev/stderr
  exit 77
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/genlab-scale.XXXXXX")
keep=0
cleanup() { if [[ $keep == 0 ]]; then rm -rf "$WORK"; else echo "logs kept in $WORK" >&2; fi; }
trap cleanup EXIT
die() { echo "FAIL: $*" >&2; keep=1; exit 1; }

# MNIST when the checkout has it (make data); otherwise synthetic IDX files:
# the 1-vs-2-process agreement does not depend on what the images show.
DATA=""
for d in "${GENLAB_DATA_DIR:+$GENLAB_DATA_DIR/mnist}" "$SRC/data/mnist"; do
  [[ -n $d && ( -e $d/train-images-idx3-ubyte || -e $d/train-images-idx3-ubyte.gz ) ]] && { DATA=$d; break; }
done
if [[ -z $DATA ]]; then
  DATA=$WORK/synthetic
  echo "NOTE: no MNIST found (make data); using synthetic 28x28 IDX images in $DATA"
  "$PY" - "$DATA" <<'PYEOF' || die "could not write synthetic IDX data"
import os, struct, sys, torch
out = sys.argv[1]; os.makedirs(out)
g = torch.Generator().manual_seed(0)
for name, n in (("train-images-idx3-ubyte", 6000), ("t10k-images-idx3-ubyte", 1000)):
    yy, xx = torch.meshgrid(torch.arange(28.), torch.arange(28.), indexing="ij")
    c = torch.rand(n, 2, generator=g) * 16 + 6
    img = torch.exp(-((yy - c[:, :1, None]) ** 2 + (xx - c[:, 1:, None]) ** 2) / 18)
    with open(os.path.join(out, name), "wb") as f:
        f.write(struct.pack(">IIII", 0x803, n, 28, 28) + (img * 255).round().to(torch.uint8).numpy().tobytes())
PYEOF
fi
echo "data: $DATA"

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# run NAME ARCH HIDDEN MAX_TRAIN EPOCHS: 1 process, then torchrun with 2.
run() {
  local name=$1 arch=$2 hidden=$3 max=$4 epochs=$5
  local opts=$WORK/$name.options.json
  cat > "$opts" <<JSON
{"data": "mnist", "architecture": "$arch", "latent_dim": 2, "hidden": $hidden, "beta": 1.0,
 "kl_warmup_epochs": 0, "lr": 0.001, "batch": 128, "epochs": $epochs, "seed": 1, "threads": 1,
 "max_train_images": 0}
JSON
  local common=(--options "$opts" --data "$DATA" --max-train "$max" --epochs "$epochs" --log-every 1 --no-eval)
  mkdir -p "$WORK/$name-1" "$WORK/$name-2"
  echo "== $name: 1 process"
  local t0=$SECONDS
  timeout 240 "$PY" "$SRC/scale/train_ddp.py" --single "${common[@]}" --out "$WORK/$name-1/model.pt" \
    > "$WORK/$name-1.log" 2> "$WORK/$name-1.err" || { cat "$WORK/$name-1.err" >&2; die "$name: 1-process run failed"; }
  echo "   $((SECONDS - t0)) s wall"
  echo "== $name: torchrun --nproc_per_node 2 (gloo, loopback)"
  t0=$SECONDS
  # --redirects 1 --tee 1: Debian's torch 1.13 on Python 3.11 cannot parse the
  # default "0" (its Std enum loses NONE), so name stdout explicitly.
  timeout 240 "$TORCHRUN" --nnodes 1 --nproc_per_node 2 --master_addr 127.0.0.1 --master_port "$(free_port)" \
    --monitor_interval 0.5 --redirects 1 --tee 1 --log_dir "$WORK/$name-torchrun" \
    "$SRC/scale/train_ddp.py" "${common[@]}" --out "$WORK/$name-2/model.pt" \
    > "$WORK/$name-2.log" 2> "$WORK/$name-2.err" || { tail -40 "$WORK/$name-2.err" >&2; die "$name: torchrun run failed"; }
  echo "   $((SECONDS - t0)) s wall"
  "$PY" "$SRC/tests/scale/check_ddp.py" "$WORK/$name-1.log" "$WORK/$name-2.log" \
    "$WORK/$name-1/model.pt" "$WORK/$name-2/model.pt" --arch "$arch" --latent 2 \
    || die "$name: checks failed"
}

run mlp mlp 400 6000 2
run conv conv 256 1024 1

if [[ -n $CLI ]]; then
  [[ -x $CLI ]] || die "$CLI is not built"
  echo "== genlab-cli latent decode --model (the exported model opens in GenLab)"
  "$CLI" latent decode --model "$WORK/mlp-2/model.pt" --z "0,0;1,-1" --json \
    || die "genlab-cli could not open the torchrun model"
fi
echo "PASS: torchrun DDP matches one process; the models load as GenLab expects"
