// DICOM through GDCM: compressed files made here by GDCM's own gdcmconv
// (RLE, JPEG lossless, JPEG-LS, JPEG 2000) from an uncompressed file this
// test writes, compared with gdcmconv --raw's output and with the values
// written; trailing bytes after the pixel data; a series with broken files.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/data/volume_io.h"
#include "dicom_test_writer.h"
#include "../test_skips.h"

namespace fs = std::filesystem;
using namespace genlab::core::data;
using genlab::testing::DicomSpec;
using genlab::testing::makeDicom;
using genlab::testing::writeBytes;
using Catch::Contains;

namespace {

const std::string kPydicom = "/usr/lib/python3/dist-packages/pydicom/data/test_files/";

struct TempDir {
  fs::path path;
  TempDir() {
    static int count = 0;
    path = fs::temp_directory_path() /
           ("genlab-test-dicom-" + std::to_string(::getpid()) + "-" + std::to_string(++count));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

bool haveGdcmconv() { return std::system("gdcmconv --version > /dev/null 2>&1") == 0; }

// gdcmconv with these options; its exit status.
int gdcmconv(const std::string& options, const std::string& in, const std::string& out) {
  const std::string cmd = "gdcmconv " + options + " '" + in + "' '" + out + "' > /dev/null 2>&1";
  return std::system(cmd.c_str());
}

// A 64 x 48 CT slice with signed values over the whole 12-bit range and a
// rescale intercept: every pixel distinct enough that a decoder error shows.
DicomSpec ctSpec() {
  DicomSpec s;
  s.rows = 48;
  s.columns = 64;
  s.intercept = -1024;
  for (int i = 0; i < s.rows * s.columns; ++i) s.pixels.push_back((i * 37) % 4096 - 1000);
  return s;
}

// The values readVolume must give for `s`, in sliceImage order (top row first).
std::vector<float> expected(const DicomSpec& s) {
  std::vector<float> v;
  for (int i = 0; i < s.rows * s.columns; ++i) v.push_back(static_cast<float>(s.pixels[i] * s.slope + s.intercept));
  return v;
}

std::string readError(const std::string& path) {
  try {
    readVolume(path);
  } catch (const VolumeError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("DICOM: RLE, JPEG lossless, JPEG-LS and JPEG 2000 from gdcmconv load with gdcmconv --raw's pixels",
          "[data][dicom][gdcm]") {
  GENLAB_REQUIRE_FIXTURE(haveGdcmconv(), "gdcmconv (scripts/setup.sh installs libgdcm-tools)");
  TempDir dir;
  const DicomSpec spec = ctSpec();
  const std::string plain = dir / "plain.dcm";
  writeBytes(plain, makeDicom(spec));
  const Volume original = readVolume(plain);
  REQUIRE(sliceImage(original, 0).values == expected(spec));

  const std::pair<const char*, const char*> syntaxes[] = {
      {"--rle", "RLE lossless"}, {"--jpeg", "JPEG lossless"}, {"--jpegls", "JPEG-LS lossless"}, {"--j2k", "JPEG 2000"}};
  for (const auto& [option, name] : syntaxes) {
    INFO(option);
    const std::string packed = dir / (std::string(option + 2) + ".dcm");
    const std::string raw = dir / (std::string(option + 2) + "-raw.dcm");
    REQUIRE(gdcmconv(option, plain, packed) == 0);
    REQUIRE(gdcmconv("--raw", packed, raw) == 0);
    // The compressed file really is compressed, and names its syntax.
    const Volume v = readVolume(packed);
    CHECK_THAT(v.description, Contains(name));
    CHECK(v.nx == 64);
    CHECK(v.ny == 48);
    CHECK(v.voxels == readVolume(raw).voxels);
    CHECK(sliceImage(v, 0).values == expected(spec));  // lossless: the values written
    CHECK(v.spacing[0] == Approx(0.75));
    CHECK(v.spacing[1] == Approx(0.5));
  }

  // A codestream declaring a larger image than the header (found by fuzzing:
  // OpenJPEG then asked for 60 GB) is refused before it is decoded.
  std::ifstream in(dir / "j2k.dcm", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t siz = bytes.find("\xFF\x4F\xFF\x51");
  REQUIRE(siz != std::string::npos);
  for (int k : {8, 12}) bytes.replace(siz + k, 4, std::string("\x00\x00\xEA\x60", 4));  // 60000
  const std::string huge = dir / "huge-j2k.dcm";
  writeBytes(huge, bytes);
  CHECK_THAT(readError(huge), Contains("declares a 60000 x 60000 image") && Contains("64 x 48"));
}

TEST_CASE("DICOM: a file with bytes after its pixel data loads", "[data][dicom][gdcm]") {
  TempDir dir;
  const DicomSpec spec = ctSpec();
  for (const std::string& tail : {std::string(4096, '\0'), std::string("\xFE\xFF\x0D\xE0junk", 8)}) {
    const std::string path = dir / "trailing.dcm";
    writeBytes(path, makeDicom(spec) + tail);
    INFO(tail.size() << " trailing bytes");
    const Volume v = readVolume(path);
    CHECK(sliceImage(v, 0).values == expected(spec));
  }
}

TEST_CASE("DICOM: a series with unreadable files loads the rest and names them", "[data][dicom][gdcm]") {
  TempDir dir;
  const int n = 5;
  for (int k = 0; k < n; ++k) {
    DicomSpec s = ctSpec();
    s.position = {-20, -30, 10 + 2.5 * k};
    s.instance = k + 1;
    for (int& p : s.pixels) p += 10 * k;
    writeBytes(dir / ("IM" + std::to_string(k)), makeDicom(s));
  }
  // A header cut short, and a file whose pixel data stops half way.
  writeBytes(dir / "BROKEN", makeDicom(ctSpec()).substr(0, 300));
  DicomSpec cut = ctSpec();
  cut.position = {-20, -30, 100};
  cut.instance = 99;
  cut.truncatePixelsTo = 1000;
  writeBytes(dir / "CUT", makeDicom(cut));
  const Volume v = readVolume(dir.path.string());
  CHECK(v.format == "dicom-series");
  CHECK(v.nz == n);
  CHECK(v.spacing[2] == Approx(2.5));
  CHECK_THAT(v.description, Contains("skipped 2 unreadable files") && Contains("BROKEN") && Contains("CUT"));
  // In slice order: slice k holds the values written for position k.
  for (int k = 0; k < n; ++k) CHECK(sliceImage(v, k).values[0] == Approx(expected(ctSpec())[0] + 10 * k));

  // A symbolic link to a file outside the folder is left out and named.
  TempDir other;
  DicomSpec far = ctSpec();
  far.position = {-20, -30, 500};
  far.instance = 500;
  writeBytes(other / "far.dcm", makeDicom(far));
  fs::create_symlink(other / "far.dcm", dir.path / "LINK");
  const Volume w = readVolume(dir.path.string());
  CHECK(w.nz == n);
  CHECK_THAT(w.description, Contains("LINK") && Contains("outside the folder"));

  // Nothing readable at all: an error naming what was skipped.
  TempDir bad;
  writeBytes(bad / "ONLY", makeDicom(ctSpec()).substr(0, 300));
  CHECK_THAT(readError(bad.path.string()), Contains("ONLY"));
}

TEST_CASE("DICOM: pydicom's compressed MR files load with the uncompressed file's pixels", "[data][dicom][gdcm]") {
  GENLAB_REQUIRE_FIXTURE(fs::exists(kPydicom + "MR_small.dcm"), kPydicom + " (python3-pydicom)");
  const Volume plain = readVolume(kPydicom + "MR_small.dcm");
  for (const char* name : {"MR_small_RLE.dcm", "MR_small_jpeg_ls_lossless.dcm", "MR_small_jp2klossless.dcm",
                           "MR_small_bigendian.dcm", "MR_small_implicit.dcm", "MR_small_padded.dcm"}) {
    INFO(name);
    const Volume v = readVolume(kPydicom + name);
    CHECK(v.voxels == plain.voxels);
  }
}

namespace {
// The file makeDicom writes for `spec`, as JPEG 2000, with its pixel data
// replaced by encapsulated fragments: an empty offset table, one fragment,
// and a sequence delimiter declaring `delimiterLength`.
std::string encapsulated(DicomSpec spec, std::uint32_t delimiterLength) {
  using genlab::testing::detail::put16;
  using genlab::testing::detail::put32;
  spec.transferSyntax = "1.2.840.10008.1.2.4.91";
  std::string plain = makeDicom(spec);
  const std::size_t pixelData = plain.find(std::string("\xE0\x7F\x10\x00", 4));
  REQUIRE(pixelData != std::string::npos);
  plain.resize(pixelData);
  std::string b = plain;
  b += std::string("\xE0\x7F\x10\x00OB\0\0\xFF\xFF\xFF\xFF", 12);
  put16(b, 0xFFFE);
  put16(b, 0xE000);
  put32(b, 0);  // the basic offset table, empty
  const std::string fragment = std::string("\xFF\x4F\xFF\x51", 4) + std::string(60, '\0');
  put16(b, 0xFFFE);
  put16(b, 0xE000);
  put32(b, static_cast<std::uint32_t>(fragment.size()));
  b += fragment;
  put16(b, 0xFFFE);
  put16(b, 0xE0DD);
  put32(b, delimiterLength);
  return b;
}
}  // namespace

TEST_CASE("DICOM: a delimiter declaring a length is refused before GDCM allocates it", "[data][dicom][gdcm]") {
  // Found by fuzzing: the pixel data's sequence delimiter declared 0x30000000
  // bytes, and GDCM allocated all 805 MB of them for a 2.5 KB file
  // (fuzz/seeds/fuzz_dicom/j2k-delimiter-declares-805mb.dcm).
  TempDir dir;
  const DicomSpec spec = ctSpec();
  const std::string base = makeDicom(spec);
  const std::string good = dir / "good.dcm", bad = dir / "bad.dcm";
  writeBytes(good, encapsulated(spec, 0));
  writeBytes(bad, encapsulated(spec, 0x30000000u));
  // The well-formed one gets past the structure check, to the check of the
  // size its (empty) codestream declares.
  CHECK_THAT(readError(good), Contains("declares a 0 x 0 image"));
  CHECK_THAT(readError(bad), Contains("bad.dcm") && Contains("a delimiter declares a length of 805306368 bytes"));

  // An item delimiter in a sequence declaring a length: refused the same way.
  const auto withSequence = [&](const std::string& itemEndLength) {
    std::string b = base;
    const std::size_t modality = b.find(std::string("\x08\x00\x60\x00", 4));
    REQUIRE(modality != std::string::npos);
    // (0008,0051), a sequence of undefined length holding one empty item of
    // undefined length, inserted before (0008,0060): tags stay in order.
    b.insert(modality, std::string("\x08\x00\x51\x00SQ\0\0\xFF\xFF\xFF\xFF", 12) +
                           std::string("\xFE\xFF\x00\xE0\xFF\xFF\xFF\xFF", 8) + std::string("\xFE\xFF\x0D\xE0", 4) +
                           itemEndLength + std::string("\xFE\xFF\xDD\xE0\0\0\0\0", 8));
    return b;
  };
  writeBytes(good, withSequence(std::string(4, '\0')));
  CHECK(sliceImage(readVolume(good), 0).values == expected(spec));
  writeBytes(bad, withSequence(std::string("\0\0\0\x40", 4)));
  CHECK_THAT(readError(bad), Contains("a delimiter declares a length of 1073741824 bytes"));

  // The file fuzzing found, if this is a source tree.
  const std::string found = std::string(GENLAB_SOURCE_DIR) + "/fuzz/seeds/fuzz_dicom/j2k-delimiter-declares-805mb.dcm";
  GENLAB_REQUIRE_FIXTURE(fs::exists(found), found);
  CHECK_THAT(readError(found), Contains("a delimiter declares a length of 805306368 bytes"));
}
