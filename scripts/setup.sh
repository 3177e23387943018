#!/usr/bin/env bash
# Installs the Debian 12 packages GenLab needs to build, test and run.
#
#   scripts/setup.sh            install whatever is missing (no-op when all present)
#   scripts/setup.sh --check    list missing packages; exit 1 if any, install nothing
#   scripts/setup.sh --list     print the package list, one per line
#
# Checks with dpkg-query first; apt-get (update + install) runs only when
# something is missing. Uses sudo only when not root.
set -euo pipefail

# ---- The package list: the one place to edit. -------------------------------
PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git ca-certificates dpkg-dev
  file                   # CPack's dpkg-shlibdeps step (make package) runs `file`
  clang-14               # make fuzz: libFuzzer with ASan/UBSan
  # libraries
  qt6-base-dev libqt6opengl6-dev qt6-charts-dev
  libtorch-dev
  libopenblas0-pthread   # must be named: otherwise LibTorch runs on the reference BLAS (~13x slower)
  libvtk9-dev catch2 nlohmann-json3-dev zlib1g-dev libpng-dev
  libgdcm-dev libgdcm-tools   # DICOM (RLE, JPEG lossless, JPEG 2000); gdcmconv makes the tests' fixtures
  libhdf5-dev                 # AnnData .h5ad (Cells lab): HDF5 C and C++ APIs
  python3-anndata             # tests/cells: cross-checks GenLab's .h5ad with anndata 0.8
  # headless GL for tests, screenshots
  xvfb xauth libgl1-mesa-dri imagemagick
  # reference runs and data preparation
  python3-torch python3-sklearn
  # data sources (DATA.md): MRI volume ch2.nii.gz, real and compressed DICOM test files, photos
  mricron-data python3-pydicom python3-skimage
  # protein families (docs/protein.md): Ras PF00071, ALDH PF00171, Stockholm examples
  freecontact augustus-doc hmmer-examples
)
# Only when the `npm` command is missing (a nodejs from elsewhere conflicts with Debian's npm).
NPM_PACKAGES=(nodejs npm)
# -----------------------------------------------------------------------------

mode=install
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  --list) mode=list ;;
  -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "setup.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
esac

wanted=("${PACKAGES[@]}")
if ! command -v npm >/dev/null 2>&1; then
  wanted+=("${NPM_PACKAGES[@]}")
fi

if [[ $mode == list ]]; then
  printf '%s\n' "${wanted[@]}"
  exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "setup.sh: dpkg-query not found; this script supports Debian 12 (bookworm) only." >&2
  exit 1
fi

# One dpkg-query call for all packages; unknown packages simply do not appear.
installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${wanted[@]}" 2>/dev/null \
            | awk '$2 == "ii" { print $1 }' || true)
missing=()
for p in "${wanted[@]}"; do
  grep -qxF "$p" <<<"$installed" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#wanted[@]} packages present."
  exit 0
fi

echo "setup: missing ${#missing[@]} package(s): ${missing[*]}"
if [[ $mode == check ]]; then
  exit 1
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "setup.sh: not root and sudo is not installed; run as root:" >&2
    echo "  apt-get update && apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-y -q -o Dpkg::Use-Pty=0)

if [[ -r /etc/os-release ]]; then
  # shellcheck disable=SC1091
  . /etc/os-release
  if [[ ${ID:-} != debian || ${VERSION_ID:-} != 12 ]]; then
    echo "setup: warning: written for Debian 12, this is ${PRETTY_NAME:-unknown}; trying anyway." >&2
  fi
fi

start=$SECONDS
echo "setup: apt-get update"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" update \
  || { echo "setup.sh: apt-get update failed (is the Debian mirror reachable?)" >&2; exit 1; }
echo "setup: apt-get install --no-install-recommends ${missing[*]}"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install \
  --no-install-recommends "${missing[@]}" \
  || { echo "setup.sh: apt-get install failed for: ${missing[*]}" >&2; exit 1; }
echo "setup: installed ${#missing[@]} package(s) in $((SECONDS - start)) s."
