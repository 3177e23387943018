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
