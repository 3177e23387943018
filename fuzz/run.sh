#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, ASan + UBSan) and runs each for a
# set time on a corpus seeded from fuzz/seeds and the test fixtures
# (pydicom's DICOM files, the embedded digits, the lab data `make data`
# fetched). Prints one line per target: executions, crashes (and, in fork
# mode, out-of-memory inputs and timeouts), peak memory, seconds.
#
#   fuzz/run.sh [SECONDS] [TARGET...]     (make fuzz: FUZZ_SECONDS, default 60)
#   FUZZ_RUNS=1000000 fuzz/run.sh 7200    stop each target after that many runs (or the time)
#   FUZZ_FORK=1                           libFuzzer's -fork=N: the inputs run in child
#                                         processes, restarted batch by batch, so what a
#                                         library leaks dies with its child (the DICOM target
#                                         needs it to reach a million executions)
#   FUZZ_TIMEOUT=30                       seconds one input may take (default 10)
#   FUZZ_ARGS='-ignore_crashes=1'         more libFuzzer options (with FUZZ_FORK: go on
#                                         after a crash, as for fuzz_h5ad, whose HDF5 crashes)
#   FUZZ_PGID_FILE=/work/fuzz-pgid        write the run's process group there (the run
#                                         survives kill -STOP / -CONT of that group)
#
# Seconds are wall-clock: a paused run stops with its time spent. In fork mode
# an input that ran past FUZZ_TIMEOUT (a pause makes one) or out of memory is
# counted and saved, and fuzzing goes on; a crash stops the target.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
build=${FUZZ_BUILD_DIR:-build-fuzz}
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(fuzz_model_file fuzz_png_folder fuzz_idx fuzz_csv2d fuzz_dicom fuzz_nifti
                                       fuzz_metaimage fuzz_msa fuzz_cells_text fuzz_mtx fuzz_rda fuzz_h5ad
                                       fuzz_h5ad_app
                                       fuzz_style_image)
[[ -z ${FUZZ_PGID_FILE:-} ]] || ps -o pgid= $$ | tr -d ' ' > "$FUZZ_PGID_FILE"

if [[ ! -f $build/build.ninja ]]; then
  mkdir -p "$build"
  cmake -S fuzz -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 > "$build/configure.log"
fi
cmake --build "$build" -j "${JOBS:-2}" --target "${targets[@]}"

pydicom=/usr/lib/python3/dist-packages/pydicom/data/test_files
data=${GENLAB_DATA_DIR:-data}
printf '%-17s %12s %8s %12s %12s %8s\n' target executions crashes oom/timeout peak_rss_mb seconds |
  tee -a "$build/summary.txt"
for t in "${targets[@]}"; do
  corpus=$build/corpus/$t
  mkdir -p "$corpus" "$build/crashes/$t"
  cp -n fuzz/seeds/$t/* "$corpus"/ 2>/dev/null || true
  maxlen=()
  case $t in
    fuzz_dicom)
      if [[ -d $pydicom ]]; then
        for f in CT_small.dcm MR_small.dcm MR_small_RLE.dcm MR_small_jpeg_ls_lossless.dcm MR_small_jp2klossless.dcm \
                 JPEG2000.dcm rtdose.dcm MR_small_bigendian.dcm; do cp -n "$pydicom/$f" "$corpus"/ 2>/dev/null || true; done
      fi
      # MR_small's 9.8 KB hold a whole image; CT_small (39 KB) is cut there.
      maxlen=(-max_len=10240) ;;
    fuzz_idx)
      # The embedded digits, as one input: a split byte, then images and labels.
      python3 - "$corpus/digits.idx" <<'PY'
import sys, gzip
i = open('resources/embedded/digits-images-idx3-ubyte.gz', 'rb').read()
l = open('resources/embedded/digits-labels-idx1-ubyte.gz', 'rb').read()
open(sys.argv[1], 'wb').write(bytes([int(255 * len(i) / (len(i) + len(l)))]) + i + l)
PY
      ;;
    fuzz_msa)
      # The first byte picks the alignment; then the file.
      for f in globins4.sto RRM_1.sto.gz; do
        [[ -f $data/protein/$f ]] && { printf '\0'; cat "$data/protein/$f"; } > "$corpus/$f"
      done
      [[ -f $data/protein/PF00071_ras.fa ]] && { printf '\0'; head -c 6000 "$data/protein/PF00071_ras.fa"; } > "$corpus/ras.fa"
      maxlen=(-max_len=16384) ;;
    fuzz_h5ad_app)
      # The same files as fuzz_h5ad, through the app's reader (a child process per input).
      cp -n fuzz/seeds/fuzz_h5ad/* "$corpus"/ 2>/dev/null || true
      [[ -d $build/corpus/fuzz_h5ad ]] && cp -n "$build/corpus/fuzz_h5ad"/* "$corpus"/ 2>/dev/null || true
      ;;
    fuzz_cells_text)
      [[ -f $data/cells/pbmc_raw.txt ]] && { printf '\0'; head -c 6000 "$data/cells/pbmc_raw.txt"; } > "$corpus/pbmc.txt"
      maxlen=(-max_len=8192) ;;
    fuzz_rda)
      # The sample sheet, un-gzipped (the reader takes both).
      [[ -f $data/cells/HSMM_sample_sheet.rda ]] && gzip -dc "$data/cells/HSMM_sample_sheet.rda" > "$corpus/HSMM_sample_sheet.rdx"
      ;;
  esac
  leaks=1
  # HDF5 leaks a few bytes on some damaged files (56 in one, allocated inside
  # libhdf5): no leak check for fuzz_h5ad either.
  [[ $t == fuzz_dicom || $t == fuzz_nifti || $t == fuzz_metaimage || $t == fuzz_h5ad || $t == fuzz_h5ad_app ]] && leaks=0
  fork=()
  [[ -z ${FUZZ_FORK:-} || ${FUZZ_FORK:-0} == 0 ]] || fork=(-fork="$FUZZ_FORK")
  log=$build/$t.log
  start=$(date +%s)
  set +e
  # The volume readers leak what GDCM had allocated when it aborts (caught in
  # dicom_gdcm.cpp): no leak check for them, neither per input nor at exit.
  # /usr/bin/time's peak is the largest of the process and its children.
  ASAN_OPTIONS=detect_leaks=$leaks /usr/bin/time -f '%M' -o "$build/$t.rss" \
    "$build/$t" "$corpus" -max_total_time="$secs" -runs="${FUZZ_RUNS:--1}" "${fork[@]}" "${maxlen[@]}" ${FUZZ_ARGS:-} \
      -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout="${FUZZ_TIMEOUT:-10}" -detect_leaks=$leaks -print_final_stats=1 \
      -artifact_prefix="$build/crashes/$t/" > "$log" 2>&1
  rc=$?
  set -e
  end=$(date +%s)
  if [[ ${#fork[@]} -gt 0 ]]; then
    # The parent's status lines: "#N: cov: ... oom/timeout/crash: a/b/c ...".
    last=$(grep -a '^#[0-9]*: cov' "$log" | tail -1)
    execs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
    oomto=$(grep -o 'oom/timeout/crash: [0-9]*/[0-9]*' <<<"$last" | awk '{print $2}')
    crashes=$(grep -o 'oom/timeout/crash: [0-9/]*' <<<"$last" | awk -F/ '{print $NF}')
  else
    execs=$(grep -ao 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' | tail -1)
    oomto=-
    crashes=$(ls "$build/crashes/$t" | wc -l)  # any artifact: crash, leak, oom, timeout
  fi
  rss=$(( $(tail -1 "$build/$t.rss" 2>/dev/null | grep -o '^[0-9]*' || echo 0) / 1024 ))
  printf '%-17s %12s %8s %12s %12s %8s\n' "$t" "${execs:-?}" "${crashes:-?}" "${oomto:--}" "$rss" "$((end - start))" |
    tee -a "$build/summary.txt"
  [[ $rc -eq 0 ]] || echo "  $t exited $rc: see $log and $build/crashes/$t/" >&2
done
