#!/usr/bin/env bash
# GPU check: build GenLab's core against a CUDA LibTorch,
# run the core tests on the GPU, and print VAE training samples/s on GPU vs CPU.
# For a machine WITH an NVIDIA GPU; on one without, it stops at step 1.
#
#   bash bench/gpu_check.sh [BUILD_DIR]          (default: build-gpu in the checkout)
#
# Environment:
#   TORCH_DIR   a CUDA LibTorch: the folder holding TorchConfig.cmake, or the
#               LibTorch prefix (unzipped libtorch/). Without it, the torch of
#               $PYTHON is used: $(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')/Torch
#   PYTHON      the interpreter whose torch to use (default python3)
#   JOBS        build parallelism (default: all cores)
#   GPU_CHECK_TESTS  a Catch2 test spec to run only some core tests (default: all)
#   GPU_CHECK_ALLOW_CPU=1  self-test of this script on a machine without a GPU:
#               goes through every step with whatever LibTorch is found; the
#               "GPU" figures are then CPU figures and say so. Not a GPU check.
#
# Needs what scripts/setup.sh installs (cmake, g++, VTK, Catch2, nlohmann-json,
# libpng, zlib; the GUI is not built). Exit status: 0 when everything built,
# the core tests passed and the GPU run really ran on CUDA; 1 otherwise.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build-gpu}
PY=${PYTHON:-python3}
JOBS=${JOBS:-$(nproc)}
ALLOW_CPU=${GPU_CHECK_ALLOW_CPU:-0}
step() { echo; echo "=== $*"; }
die() { echo "gpu_check: FAIL: $*" >&2; exit 1; }
status=0

step "1/6 Is there a GPU?"
if [[ $ALLOW_CPU == 1 ]]; then
  echo "GPU_CHECK_ALLOW_CPU=1: self-test without a GPU; the figures below are NOT GPU figures"
elif ! command -v nvidia-smi > /dev/null; then
  die "nvidia-smi not found: no NVIDIA driver on this machine, so no GPU to check. Run this on a machine with an NVIDIA GPU; nothing was built."
elif ! nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader; then
  die "nvidia-smi is installed but cannot talk to a GPU (driver not loaded, or no device visible). Nothing was built."
fi

step "2/6 A CUDA LibTorch"
TORCH_CMAKE=""
if [[ -n ${TORCH_DIR:-} ]]; then
  for c in "$TORCH_DIR" "$TORCH_DIR/share/cmake/Torch" "$TORCH_DIR/lib/cmake/Torch"; do
    [[ -f $c/TorchConfig.cmake ]] && { TORCH_CMAKE=$(cd "$c" && pwd); break; }
  done
  [[ -n $TORCH_CMAKE ]] || die "TORCH_DIR=$TORCH_DIR holds no TorchConfig.cmake (nor share/cmake/Torch/ under it)"
  echo "TORCH_DIR: $TORCH_CMAKE"
else
  prefix=$("$PY" -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null) \
    || die "no TORCH_DIR, and '$PY' cannot import torch. Set TORCH_DIR to a CUDA LibTorch, or PYTHON to a python3 with a CUDA torch."
  "$PY" -c 'import torch; print("python torch", torch.__version__, "| CUDA", torch.version.cuda,
                              "| cuda available", torch.cuda.is_available(),
                              "| device", torch.cuda.get_device_name(0) if torch.cuda.is_available() else "-")'
  if ! "$PY" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)'; then
    [[ $ALLOW_CPU == 1 ]] || die "torch.cuda.is_available() is false in $PY (a CPU-only torch, or a driver too old for torch $("$PY" -c 'import torch;print(torch.version.cuda)') CUDA). Install a CUDA torch or set TORCH_DIR."
  fi
  for c in "$prefix/Torch" /usr/lib/x86_64-linux-gnu/cmake/Torch; do  # Debian moves it
    [[ -f $c/TorchConfig.cmake ]] && { TORCH_CMAKE=$c; break; }
  done
  [[ -n $TORCH_CMAKE ]] || die "$PY's torch has no CMake files under $prefix/Torch (a wheel without LibTorch?); set TORCH_DIR"
  echo "from $PY: $TORCH_CMAKE"
fi
# <prefix>/share/cmake/Torch -> <prefix>; the libraries are in <prefix>/lib.
TORCH_ROOT=$(cd "$TORCH_CMAKE/../../.." && pwd)
libs=$(ls "$TORCH_ROOT"/lib/libtorch_cuda*.so "$TORCH_ROOT"/lib/libc10_cuda.so 2>/dev/null | head -3)
if [[ -z $libs ]]; then
  [[ $ALLOW_CPU == 1 ]] && echo "(self-test: this LibTorch has no libtorch_cuda, it is CPU-only)" \
    || die "the LibTorch at $TORCH_ROOT has no libtorch_cuda*.so / libc10_cuda.so: it is CPU-only"
else
  echo "CUDA libraries: $(echo $libs | tr '\n' ' ')"
fi
if grep -q "_GLIBCXX_USE_CXX11_ABI=0" "$TORCH_CMAKE/TorchConfig.cmake" && [[ ${GPU_CHECK_OLD_ABI:-0} != 1 ]]; then
  die "this LibTorch uses the pre-C++11 libstdc++ ABI (_GLIBCXX_USE_CXX11_ABI=0, as older pip wheels do), but Debian's VTK and Catch2 use the C++11 ABI: linking would fail. Use the 'cxx11 ABI' LibTorch zip from pytorch.org (TORCH_DIR=.../libtorch) or a torch wheel built with it (GPU_CHECK_OLD_ABI=1 tries anyway)."
fi
CUDA_ARGS=()
if ! command -v nvcc > /dev/null; then
  echo "note: nvcc not on PATH. LibTorch's CMake config looks for the CUDA toolkit; if the configure step fails on CUDA, install it or pass its root with CUDAToolkit_ROOT=/usr/local/cuda (also CUDA_TOOLKIT_ROOT_DIR for LibTorch 1.x)."
fi
[[ -n ${CUDAToolkit_ROOT:-} ]] && CUDA_ARGS+=(-DCUDAToolkit_ROOT="$CUDAToolkit_ROOT" -DCUDA_TOOLKIT_ROOT_DIR="$CUDAToolkit_ROOT")

step "3/6 Configure $BUILD against it"
if [[ -f $BUILD/CMakeCache.txt ]]; then
  cached=$(sed -n 's/^Torch_DIR:PATH=//p' "$BUILD/CMakeCache.txt")
  [[ $cached == "$TORCH_CMAKE" ]] || die "$BUILD was configured with Torch_DIR=$cached; remove it or pass another BUILD_DIR"
fi
gen=()
command -v ninja > /dev/null && gen=(-G Ninja)
cmake -S "$SRC" -B "$BUILD" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DGENLAB_BUILD_GUI=OFF \
  -DTorch_DIR="$TORCH_CMAKE" "${CUDA_ARGS[@]}" || die "cmake configure failed (see above)"

step "4/6 Build genlab-cli and genlab_core_tests (-j $JOBS)"
t0=$SECONDS
cmake --build "$BUILD" --target genlab-cli genlab_core_tests -j "$JOBS" || die "build failed (see above)"
echo "built in $((SECONDS - t0)) s"
CLI=$BUILD/bin/genlab-cli
TESTS=$BUILD/bin/genlab_core_tests

step "5/6 Core tests (the GPU is visible to them, so the engine picks CUDA)"
device=$("$CLI" latent train --data digits --epochs 0 --json 2>/dev/null | grep -o '"device":"[a-z]*"' | head -1)
echo "genlab-cli's engine device: ${device:-unknown}"
if [[ $device != '"device":"cuda"' && $ALLOW_CPU != 1 ]]; then
  echo "gpu_check: FAIL: built against $TORCH_ROOT, but the engine did not choose CUDA ($device)" >&2
  status=1
fi
LOG=$BUILD/gpu_check-core-tests.log
t0=$SECONDS
# GPU_CHECK_TESTS: Catch2 test spec to run a subset (e.g. "[vae]"); default all.
timeout 3600 "$TESTS" ${GPU_CHECK_TESTS:+"$GPU_CHECK_TESTS"} > "$LOG" 2>&1
rc=$?
tail -n 4 "$LOG"
echo "core tests: exit $rc in $((SECONDS - t0)) s (full log: $LOG)"
if [[ $rc != 0 ]]; then
  status=1
  echo "failed test cases:"; grep -B1 -A3 "FAILED:" "$LOG" | head -60
fi

step "6/6 VAE training samples/s: GPU vs CPU (genlab-cli latent train --epochs 1 --json)"
DATA=digits
for d in "${GENLAB_DATA_DIR:+$GENLAB_DATA_DIR/mnist}" "$SRC/data/mnist"; do
  [[ -n $d && ( -e $d/train-images-idx3-ubyte || -e $d/train-images-idx3-ubyte.gz ) ]] && { DATA=$d; break; }
done
echo "data: $DATA ($(nproc) CPU cores)"
field() { grep '"event":"result"' "$1" | grep -o "\"$2\":[-0-9.e+]*" | head -1 | cut -d: -f2; }
startdev() { grep '"event":"start"' "$1" | grep -o '"device":"[a-z]*"' | cut -d'"' -f4; }
printf '\n%-5s %-30s %-7s %14s %10s\n' arch run device samples/s train_s
for arch in mlp conv; do
  args=(latent train --data "$DATA" --arch "$arch" --latent-dim 2 --epochs 1 --json)
  [[ $arch == conv ]] && args+=(--max-train 10000)
  for run in "cpu, GenLab's default threads" "cpu, --threads $(nproc)" "gpu"; do
    log=$BUILD/gpu_check-$arch-${run%%,*}-$RANDOM.log
    case $run in
      gpu) "$CLI" "${args[@]}" > "$log" 2>&1 ;;
      *default*) CUDA_VISIBLE_DEVICES= "$CLI" "${args[@]}" > "$log" 2>&1 ;;
      *) CUDA_VISIBLE_DEVICES= "$CLI" "${args[@]}" --threads "$(nproc)" > "$log" 2>&1 ;;
    esac || { echo "gpu_check: FAIL: genlab-cli ${args[*]} ($run) failed:"; tail -5 "$log"; status=1; continue; }
    printf '%-5s %-30s %-7s %14.0f %10.2f\n' "$arch" "$run" "$(startdev "$log")" \
      "$(field "$log" samples_per_second)" "$(field "$log" train_seconds)"
    if [[ $run == gpu && $(startdev "$log") != cuda && $ALLOW_CPU != 1 ]]; then
      echo "gpu_check: FAIL: the GPU run trained on $(startdev "$log")"; status=1
    fi
  done
done
echo
echo "commands: $CLI latent train --data $DATA --arch mlp|conv --latent-dim 2 --epochs 1 --json [--max-train 10000 for conv]"
echo "          CPU runs with CUDA_VISIBLE_DEVICES= (and --threads $(nproc) for the second)"
[[ $status == 0 ]] && echo "gpu_check: PASS" || echo "gpu_check: FAIL (see above)"
exit $status
