#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, ASan + UBSan) and runs each for a
# set time on a corpus seeded from fuzz/seeds and the test fixtures
# (pydicom's DICOM files, the embedded digits). Prints one line per target:
# executions, crashes, peak memory, seconds.
#
#   fuzz/run.sh [SECONDS] [TARGET...]     (make fuzz: FUZZ_SECONDS, default 60)
#   FUZZ_RUNS=1000000 fuzz/run.sh 1800    stop each target after that many runs (or the time)
#   FUZZ_TIMEOUT=30                       seconds one input may take (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
build=${FUZZ_BUILD_DIR:-build-fuzz}
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(fuzz_model_file fuzz_png_folder fuzz_idx fuzz_csv2d fuzz_dicom fuzz_nifti fuzz_metaimage)

if [[ ! -f $build/build.ninja ]]; then
  mkdir -p "$build"
  cmake -S fuzz -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 > "$build/configure.log"
fi
cmake --build "$build" -j "${JOBS:-2}" --target "${targets[@]}"

pydicom=/usr/lib/python3/dist-packages/pydicom/data/test_files
printf '%-16s %12s %8s %12s %8s\n' target executions crashes peak_rss_mb seconds | tee -a "$build/summary.txt"
for t in "${targets[@]}"; do
  corpus=$build/corpus/$t
  mkdir -p "$corpus" "$build/crashes/$t"
  cp -n fuzz/seeds/$t/* "$corpus"/ 2>/dev/null || true
  if [[ $t == fuzz_dicom && -d $pydicom ]]; then
    for f in CT_small.dcm MR_small.dcm MR_small_RLE.dcm MR_small_jpeg_ls_lossless.dcm MR_small_jp2klossless.dcm \
             JPEG2000.dcm rtdose.dcm MR_small_bigendian.dcm; do cp -n "$pydicom/$f" "$corpus"/ 2>/dev/null || true; done
  fi
  if [[ $t == fuzz_idx ]]; then
    # The embedded digits, as one input: a split byte, then images and labels.
    python3 - "$corpus/digits.idx" <<'PY'
import sys, gzip
i = open('resources/embedded/digits-images-idx3-ubyte.gz', 'rb').read()
l = open('resources/embedded/digits-labels-idx1-ubyte.gz', 'rb').read()
open(sys.argv[1], 'wb').write(bytes([int(255 * len(i) / (len(i) + len(l)))]) + i + l)
PY
  fi
  leaks=1
  [[ $t == fuzz_dicom || $t == fuzz_nifti || $t == fuzz_metaimage ]] && leaks=0
  log=$build/$t.log
  start=$(date +%s)
  set +e
  # The volume readers leak what GDCM had allocated when it aborts (caught in
  # dicom_gdcm.cpp): no leak check for them, neither per input nor at exit.
  ASAN_OPTIONS=detect_leaks=$leaks "$build/$t" "$corpus" -max_total_time="$secs" -runs="${FUZZ_RUNS:--1}" \
      -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout="${FUZZ_TIMEOUT:-10}" -detect_leaks=$leaks -print_final_stats=1 \
      -artifact_prefix="$build/crashes/$t/" > "$log" 2>&1
  rc=$?
  set -e
  end=$(date +%s)
  execs=$(grep -ao 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' | tail -1)
  rss=$(grep -ao 'stat::peak_rss_mb: *[0-9]*' "$log" | awk '{print $2}' | tail -1)
  crashes=$(ls "$build/crashes/$t" | wc -l)
  printf '%-16s %12s %8s %12s %8s\n' "$t" "${execs:-?}" "$crashes" "${rss:-?}" "$((end - start))" |
    tee -a "$build/summary.txt"
  [[ $rc -eq 0 ]] || echo "  $t exited $rc: see $log and $build/crashes/$t/" >&2
done
