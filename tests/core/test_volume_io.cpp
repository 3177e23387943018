// Medical volumes in and out (core/data/volume_io): real files from Debian
// packages (pydicom's CT slice, mricron's MRI volume), generated DICOM series,
// exact round trips, PNG export, and hostile files that must each fail with a
// VolumeError saying what is wrong: never a crash, a hang or a silent zero.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

#include "core/data/volume_io.h"
#include "dicom_test_writer.h"
#include "../test_skips.h"

using namespace genlab::core::data;
using genlab::testing::DicomSpec;
using genlab::testing::makeDicom;
using genlab::testing::writeBytes;
namespace fs = std::filesystem;

namespace {

const std::string kPydicom = "/usr/lib/python3/dist-packages/pydicom/data/test_files/";
const std::string kCtSmall = kPydicom + "CT_small.dcm";
const std::string kCh2 = "/usr/share/mricron/templates/ch2.nii.gz";

fs::path tempRoot() { return fs::temp_directory_path() / ("genlab-volume-test-" + std::to_string(::getpid())); }

// Removes this process's scratch files when the test run ends.
struct RemoveAtExit {
  ~RemoveAtExit() {
    std::error_code ec;
    fs::remove_all(tempRoot(), ec);
  }
} removeAtExit;

fs::path tempDir(const std::string& name) {
  auto dir = tempRoot() / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// False (the test returns, counted as skipped; under CI it fails) when a fixture is missing.
bool have(const std::string& path) {
  return genlab::test::fixturePresent(
      fs::exists(path), path + " (scripts/setup.sh installs mricron-data and python3-pydicom)");
}

// The VolumeError message of reading `path` ("" if it read).
std::string readError(const std::string& path) {
  try {
    readVolume(path);
  } catch (const VolumeError& e) {
    return e.what();
  }
  return "";
}

Volume smallVolume(int nx, int ny, int nz, std::uint32_t seed) {
  Volume v;
  v.nx = nx;
  v.ny = ny;
  v.nz = nz;
  v.spacing = {0.5, 0.75, 2.0};   // exact in float32, as NIfTI stores them
  v.origin = {-10.5, 3.25, 7.0};
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(100.f, 40.f);
  for (std::size_t i = 0; i < v.voxelCount(); ++i) v.voxels.push_back(normal(rng));
  return v;
}

}  // namespace

TEST_CASE("volume: the real CT slice (pydicom CT_small.dcm) loads with plausible HU", "[data][volume][dicom]") {
  if (!have(kCtSmall)) return;
  const Volume v = readVolume(kCtSmall);
  CHECK(v.format == "dicom");
  CHECK(v.nx == 128);
  CHECK(v.ny == 128);
  CHECK(v.nz == 1);
  CHECK(v.spacing[0] == Approx(0.661468));
  CHECK(v.origin[2] == Approx(-75.7));
  const auto [lo, hi] = std::minmax_element(v.voxels.begin(), v.voxels.end());
  CHECK(*lo == Approx(-896));  // rescale intercept -1024 applied
  CHECK(*hi == Approx(1167));
  // Top row first in sliceImage, as pydicom shows it: raw 175 and 334 at
  // (row 0, col 0) and (row 20, col 10), minus 1024.
  const auto img = sliceImage(v, 0);
  CHECK(img.at(0, 0) == Approx(175 - 1024));
  CHECK(img.at(10, 20) == Approx(334 - 1024));
  CHECK(v.description.find("CT") != std::string::npos);
}

TEST_CASE("volume: a generated DICOM series folder reads in slice order", "[data][volume][dicom]") {
  const auto dir = tempDir("series");
  const int n = 5;
  for (int k = 0; k < n; ++k) {
    DicomSpec s;
    s.rows = 12;
    s.columns = 10;
    s.intercept = -1024;
    s.position = {-20, -30, 10 + 2.5 * k};
    s.instance = n - k;  // instance numbers run the other way: position must win
    for (int i = 0; i < s.rows * s.columns; ++i) s.pixels.push_back(1000 + 100 * k + i);
    // File names in neither order.
    writeBytes((dir / ("IM" + std::to_string((k * 3) % n))).string(), makeDicom(s));
  }
  writeBytes((dir / "README.txt").string(), "not DICOM\n");
  const Volume v = readVolume(dir.string());
  CHECK(v.format == "dicom-series");
  REQUIRE(v.nx == 10);
  REQUIRE(v.ny == 12);
  REQUIRE(v.nz == n);
  CHECK(v.spacing[0] == Approx(0.75));  // column spacing
  CHECK(v.spacing[1] == Approx(0.5));   // row spacing
  CHECK(v.spacing[2] == Approx(2.5));
  CHECK(v.origin[2] == Approx(10));
  for (int k = 0; k < n; ++k) {
    const auto img = sliceImage(v, k);
    CHECK(img.at(0, 0) == Approx(1000 + 100 * k - 1024));
    CHECK(img.at(3, 2) == Approx(1000 + 100 * k + 2 * 10 + 3 - 1024));
  }

  SECTION("two series: the larger is read, and the description says so") {
    DicomSpec other;
    other.seriesUid = "1.2.826.0.1.3680043.9.7777.2";
    writeBytes((dir / "OTHER").string(), makeDicom(other));
    const Volume w = readVolume(dir.string());
    CHECK(w.nz == n);
    CHECK(w.description.find("2 series") != std::string::npos);
  }
  SECTION("two images at one position are refused") {
    DicomSpec twin;
    twin.rows = 12;
    twin.columns = 10;
    twin.position = {-20, -30, 10};
    writeBytes((dir / "TWIN").string(), makeDicom(twin));
    CHECK_THAT(readError(dir.string()), Catch::Contains("same slice position"));
  }
  SECTION("a slice of another size is refused, naming the file") {
    DicomSpec odd;
    odd.rows = 8;
    odd.position = {-20, -30, 30};
    writeBytes((dir / "ODD").string(), makeDicom(odd));
    CHECK_THAT(readError(dir.string()), Catch::Contains("ODD") && Catch::Contains("8"));
  }
}

TEST_CASE("volume: pydicom's MR700 folder (7 radial slices) reads in instance order", "[data][volume][dicom]") {
  const std::string dir = kPydicom + "dicomdirtests/98892003/MR700";
  if (!have(dir)) return;
  const Volume v = readVolume(dir);
  CHECK(v.format == "dicom-series");
  CHECK(v.nx == 16);
  CHECK(v.ny == 16);
  CHECK(v.nz == 7);
  CHECK(v.description.find("not parallel") != std::string::npos);
  CHECK(v.description.find("instance number") != std::string::npos);
  // Instance 1 (its largest value 339, says pydicom) comes first, instance 7 (87) last.
  const auto first = sliceImage(v, 0), last = sliceImage(v, 6);
  CHECK(*std::max_element(first.values.begin(), first.values.end()) == 339);
  CHECK(*std::max_element(last.values.begin(), last.values.end()) == 87);
}

TEST_CASE("volume: DICOM variants VTK reads right", "[data][volume][dicom]") {
  const auto dir = tempDir("variants");
  SECTION("implicit VR, 8-bit unsigned, fractional rescale, no geometry") {
    DicomSpec s;
    s.transferSyntax = "1.2.840.10008.1.2";
    s.bitsAllocated = 8;
    s.signedPixels = false;
    s.slope = 2.5;
    s.intercept = -3;
    s.withGeometry = false;
    for (int i = 0; i < s.rows * s.columns; ++i) s.pixels.push_back(i % 251);
    const auto path = (dir / "implicit.dcm").string();
    writeBytes(path, makeDicom(s));
    const Volume v = readVolume(path);
    const auto img = sliceImage(v, 0);
    CHECK(img.at(5, 3) == Approx((3 * 16 + 5) * 2.5 - 3));
    CHECK(img.at(15, 15) == Approx((15 * 16 + 15) % 251 * 2.5 - 3));
  }
  SECTION("real pydicom MR files: explicit, implicit and padded read alike") {
    if (!have(kPydicom + "MR_small.dcm")) return;
    const Volume a = readVolume(kPydicom + "MR_small.dcm");
    CHECK(a.nx == 64);
    for (const char* f : {"MR_small_implicit.dcm", "MR_small_padded.dcm"}) {
      const Volume b = readVolume(kPydicom + f);
      CHECK(b.voxels == a.voxels);
    }
  }
}

TEST_CASE("volume: the MRI volume ch2.nii.gz loads 181 x 217 x 181", "[data][volume][nifti]") {
  if (!have(kCh2)) return;
  const Volume v = readVolume(kCh2);
  CHECK(v.format == "nifti");
  CHECK(v.nx == 181);
  CHECK(v.ny == 217);
  CHECK(v.nz == 181);
  CHECK(v.spacing == std::array<double, 3>{1, 1, 1});
  CHECK(v.origin == std::array<double, 3>{-90, -125, -71});  // from the sform
  const auto [lo, hi] = std::minmax_element(v.voxels.begin(), v.voxels.end());
  CHECK(*lo == 0);
  CHECK(*hi == 254);
  CHECK(v.description.find("gzip") != std::string::npos);
}

TEST_CASE("volume: NIfTI and MetaImage round-trip exactly, atomically", "[data][volume][roundtrip]") {
  const auto dir = tempDir("roundtrip");
  const Volume v = smallVolume(7, 5, 3, 11);
  for (const char* ext : {".nii", ".nii.gz", ".mha", ".NII.GZ"}) {
    INFO(ext);
    const auto path = (dir / (std::string("vol") + ext)).string();
    writeVolume(v, path);
    writeVolume(v, path);  // over an existing file
    const Volume r = readVolume(path);
    CHECK(r.nx == 7);
    CHECK(r.ny == 5);
    CHECK(r.nz == 3);
    CHECK(r.voxels == v.voxels);
    CHECK(r.spacing == v.spacing);
    CHECK(r.origin == v.origin);
  }
  // No temporary file is left behind.
  for (const auto& e : fs::directory_iterator(dir))
    CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
  CHECK_THROWS_AS(writeVolume(v, (dir / "v.mhd").string()), VolumeError);
  CHECK_THROWS_WITH(writeVolume(v, (dir / "v.xyz").string()), Catch::Contains("unknown extension"));
  CHECK_THROWS_WITH(writeVolume(v, (dir / "missing" / "v.nii").string()), Catch::Contains("cannot save"));
  CHECK_THROWS_WITH(checkVolumeSavePath((dir / "missing" / "v.nii").string()), Catch::Contains("does not exist"));
  Volume bad = v;
  bad.voxels.pop_back();
  CHECK_THROWS_WITH(writeVolume(bad, (dir / "bad.nii").string()), Catch::Contains("values for"));
}

TEST_CASE("volume: PNG export (16-bit exact, 8-bit windowed) reads back", "[data][volume][png]") {
  const auto dir = tempDir("png");
  Volume v;
  v.nx = 9;
  v.ny = 4;
  v.nz = 3;
  for (std::size_t i = 0; i < v.voxelCount(); ++i) v.voxels.push_back(static_cast<float>(i * 37 % 1001));
  const auto p16 = (dir / "slice16.png").string();
  writeVolume(v, p16);  // integers that fit: stored as they are, middle slice
  const Volume r = readVolume(p16);
  CHECK(r.format == "png");
  REQUIRE(r.nz == 1);
  const auto a = sliceImage(r, 0), b = sliceImage(v, 1);
  CHECK(a.values == b.values);  // same values and the same orientation

  PngExport eight;
  eight.bits = 8;
  eight.slice = 0;
  eight.windowLo = 0;
  eight.windowHi = 1000;
  const auto p8 = (dir / "slice8.png").string();
  writeVolume(v, p8, eight);
  const auto c = sliceImage(readVolume(p8), 0), d = sliceImage(v, 0);
  for (std::size_t i = 0; i < c.values.size(); ++i)
    CHECK(c.values[i] == std::round(std::clamp(d.values[i] / 1000.f, 0.f, 1.f) * 255));

  Volume f = smallVolume(6, 6, 1, 3);  // floats: windowed to min..max
  const auto pf = (dir / "float.png").string();
  writeVolume(f, pf);
  const auto g = readVolume(pf);
  CHECK(*std::max_element(g.voxels.begin(), g.voxels.end()) == 65535);
  CHECK(*std::min_element(g.voxels.begin(), g.voxels.end()) == 0);
}

TEST_CASE("volume: hostile files fail with a VolumeError that says what is wrong", "[data][volume][hostile]") {
  const auto dir = tempDir("hostile");
  auto file = [&](const std::string& name, const std::string& bytes) {
    const auto p = (dir / name).string();
    writeBytes(p, bytes);
    return p;
  };
  const Volume v = smallVolume(8, 8, 4, 5);
  const auto goodNii = (dir / "good.nii").string();
  writeVolume(v, goodNii);
  const std::string nii = readAll(goodNii);
  const auto goodGz = (dir / "good.nii.gz").string();
  writeVolume(v, goodGz);
  const std::string gz = readAll(goodGz);
  auto patched = [&](std::size_t at, const std::string& with) {
    std::string b = nii;
    b.replace(at, with.size(), with);
    return b;
  };
  auto dims = [](int a, int b, int c) {
    std::string s(8, '\0');
    const int d[4] = {3, a, b, c};
    for (int i = 0; i < 4; ++i) {
      s[2 * i] = static_cast<char>(d[i] & 0xFF);
      s[2 * i + 1] = static_cast<char>((d[i] >> 8) & 0xFF);
    }
    return s;
  };
  DicomSpec truncated;
  truncated.truncatePixelsTo = 100;
  DicomSpec noSyntax;
  noSyntax.transferSyntax = "";
  std::mt19937 rng(7);
  std::string garbage(5000, '\0');
  for (char& c : garbage) c = static_cast<char>(rng());
  const std::string raw(4 * 4 * 4, 'x');
  const std::string mhaHead = "ObjectType = Image\nNDims = 3\nDimSize = 4 4 4\nElementType = MET_UCHAR\n";
  fs::create_directories(dir / "empty-folder");
  writeBytes((dir / "empty-folder" / "notes.txt").string(), "hello\n");
  writeBytes((dir / "short.raw").string(), raw.substr(0, 10));
  const std::string fifo = (dir / "fifo.nii").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);

  const std::vector<std::pair<std::string, std::string>> table = {
      {file("empty.nii", ""), "empty"},
      {file("empty.dcm", ""), "empty"},
      {file("header-only.nii", nii.substr(0, 352)), "truncated"},
      {file("half-data.nii", nii.substr(0, 352 + (nii.size() - 352) / 2)), "truncated"},
      {file("half.nii.gz", gz.substr(0, gz.size() / 2)), "truncated"},
      {file("short-header.nii", nii.substr(0, 200)), "too short for a NIfTI-1 header"},
      {file("wrong-magic.nii", patched(344, std::string("ni2\0", 4))), "magic"},
      {file("pair.nii", patched(344, std::string("ni1\0", 4))), ".hdr + .img"},
      {file("wrong-size-field.nii", patched(0, std::string("\x10\x01\0\0", 4))), "not a NIfTI-1 file"},
      {file("nifti2.nii", patched(0, std::string("\x1c\x02\0\0", 4))), "NIfTI-2"},
      {file("absurd-dims.nii", patched(40, dims(30000, 30000, 30000))), "absurd size"},
      {file("huge-dims.nii", patched(40, dims(16000, 16000, 16000))), "too large"},
      {file("zero-dim.nii", patched(40, dims(8, 0, 4))), "absurd size"},
      {file("rgb.nii", patched(70, std::string("\x80\0\x18\0", 4))), "not supported"},
      {file("bad-offset.nii", patched(108, std::string("\0\0\xc0\x7f", 4))), "vox_offset"},
      {file("garbage.nii.gz", std::string("\x1f\x8b\x08\0", 4) + garbage), "gzip"},
      {file("plain-garbage.nii.gz", garbage), "not a NIfTI-1 file"},
      {file("truncated.dcm", makeDicom(truncated)), "pixel data is truncated"},
      {file("no-syntax.dcm", makeDicom(noSyntax)), "transfer syntax"},
      {file("no-dicm.dcm", garbage), "no 'DICM' marker"},
      {file("cut-meta.dcm", makeDicom(DicomSpec{}).substr(0, 150)), "truncated"},
      {file("missing-raw.mhd", mhaHead + "ElementDataFile = nothere.raw\n"), "data file"},
      {file("short-raw.mhd", mhaHead + "ElementDataFile = short.raw\n"), "truncated"},
      {file("escape.mhd", mhaHead + "ElementDataFile = ../../etc/passwd\n"), "beside the header"},
      {file("short-local.mha", mhaHead + "ElementDataFile = LOCAL\n" + raw.substr(0, 5)), "truncated"},
      {file("ndims.mha", "NDims = 5\nDimSize = 2 2 2 2 2\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n"), "NDims"},
      {file("type.mha", "NDims = 2\nDimSize = 2 2\nElementType = MET_STRING\nElementDataFile = LOCAL\n"), "element type"},
      {file("not-meta.mha", garbage), "MetaImage"},
      {file("bad-zlib.mha", mhaHead + "CompressedData = True\nElementDataFile = LOCAL\n" + garbage), "corrupt"},
      {file("truncated.png", std::string("\x89PNG\r\n\x1a\n", 8) + garbage.substr(0, 30)), "png"},
      {file("p2.pgm", "P2\n2 2\n255\n1 2 3 4\n"), "not supported"},
      {file("short.pgm", "P5\n64 64\n255\n" + garbage.substr(0, 100)), "truncated"},
      {file("huge.pgm", "P5\n99999 99999\n255\n"), "absurd"},
      {file("mystery.bin", garbage), "unknown file type"},
      {(dir / "empty-folder").string(), "no DICOM images"},
      {(dir / "does-not-exist.nii").string(), "not found"},
      {fifo, "not a regular file"},
  };
  for (const auto& [path, expected] : table) {
    INFO(path);
    const std::string message = readError(path);
    CHECK_THAT(message, Catch::Contains(expected, Catch::CaseSensitive::No));
    CHECK_THAT(message, Catch::Contains(fs::path(path).filename().string()));
  }
}

TEST_CASE("volume: pydicom's compressed and odd DICOM files load through GDCM or are refused by name",
          "[data][volume][dicom][hostile]") {
  if (!have(kPydicom + "JPEG2000.dcm")) return;
  // Every transfer syntax GDCM decodes loads, multi-frame files as volumes.
  const std::vector<std::pair<std::string, std::string>> loads = {
      {"JPEG2000.dcm", "JPEG 2000"},
      {"MR_small_jp2klossless.dcm", "JPEG 2000 lossless"},
      {"JPEG-lossy.dcm", "JPEG extended"},
      {"MR_small_jpeg_ls_lossless.dcm", "JPEG-LS lossless"},
      {"MR_small_RLE.dcm", "RLE lossless"},
      {"rtdose_rle.dcm", "15 frames"},
      {"rtdose.dcm", "15 frames"},
      {"MR_small_bigendian.dcm", "MR 64 x 64"},
      {"badVR.dcm", "RTDOSE"},
  };
  for (const auto& [name, description] : loads) {
    INFO(name);
    CHECK(readError(kPydicom + name).empty());
    if (readError(kPydicom + name).empty()) CHECK_THAT(readVolume(kPydicom + name).description, Catch::Contains(description));
  }
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"SC_jpeg_no_color_transform.dcm", "colour"},
      {"SC_rgb_jpeg_dcmd.dcm", "colour"},
      {"SC_rgb_small_odd.dcm", "colour"},
      {"SC_ybr_full_422_uncompressed.dcm", "colour"},
      {"image_dfl.dcm", "Deflated"},
      {"MR_truncated.dcm", "truncated"},
      {"liver_1frame.dcm", "1 bits"},
      {"rtdose_1frame.dcm", "GDCM stopped"},  // GDCM asserts on it: caught, not a crash
      {"no_meta.dcm", "DICM"},
      {"rtplan.dcm", "no image"},
      {"test-SR.dcm", "no image"},
      {"meta_missing_tsyntax.dcm", "transfer syntax"},
  };
  for (const auto& [name, expected] : refused) {
    INFO(name);
    CHECK_THAT(readError(kPydicom + name), Catch::Contains(expected) && Catch::Contains(name));
  }
  // A folder of pydicom's mixed test files: the unreadable one is skipped and named.
  const auto dir = tempDir("mixed-folder");
  fs::copy_file(kPydicom + "CT_small.dcm", dir / "a.dcm");
  fs::copy_file(kPydicom + "MR_truncated.dcm", dir / "b.dcm");
  const Volume v = readVolume(dir.string());
  CHECK(v.nz == 1);
  CHECK_THAT(v.description, Catch::Contains("b.dcm") && Catch::Contains("truncated"));
}

TEST_CASE("volume: corrupted files give a volume or a VolumeError, nothing else", "[data][volume][fuzz]") {
  const auto dir = tempDir("fuzz");
  std::vector<std::string> seeds;
  if (fs::exists(kCtSmall)) seeds.push_back(readAll(kCtSmall));
  DicomSpec s;
  s.transferSyntax = "1.2.840.10008.1.2";
  seeds.push_back(makeDicom(s));
  const Volume v = smallVolume(6, 5, 4, 9);
  std::vector<std::pair<std::string, std::string>> kinds = {{"dcm", ""}};
  for (const char* ext : {"nii", "nii.gz", "mha", "png"}) {
    const auto seed = (dir / (std::string("seed.") + ext)).string();
    writeVolume(v, seed);
    kinds.emplace_back(ext, readAll(seed));
  }
  std::string pgm = "P5\n# made by hand\n6 5\n255\n";
  for (int i = 0; i < 30; ++i) pgm.push_back(static_cast<char>(i * 8));
  kinds.emplace_back("pgm", pgm);
  // GENLAB_FUZZ_ROUNDS=20000 for a longer run by hand.
  const char* env = std::getenv("GENLAB_FUZZ_ROUNDS");
  const int rounds = env ? std::max(1, std::atoi(env)) : 500;
  std::mt19937 rng(2024);
  int read = 0, refused = 0;
  for (int trial = 0; trial < rounds; ++trial) {
    const auto& kind = kinds[trial % kinds.size()];
    std::string bytes = kind.first == "dcm" ? seeds[trial % seeds.size()] : kind.second;
    const int mode = static_cast<int>(rng() % 3);
    const std::size_t head = std::min<std::size_t>(bytes.size(), kind.first == "dcm" ? 1200 : 400);
    if (mode == 0) {
      bytes.resize(rng() % bytes.size());
    } else {
      const int flips = 1 + static_cast<int>(rng() % 6);
      for (int i = 0; i < flips; ++i) bytes[rng() % (mode == 1 ? head : bytes.size())] = static_cast<char>(rng());
    }
    const auto path = (dir / ("f." + kind.first)).string();
    writeBytes(path, bytes);
    try {
      const Volume r = readVolume(path);
      CHECK(r.voxels.size() == r.voxelCount());
      ++read;
    } catch (const VolumeError&) {
      ++refused;
    }
  }
  CHECK(read + refused == rounds);
  CHECK(refused > 0);
}

TEST_CASE("volume: slices, stacks and file filters", "[data][volume]") {
  std::vector<genlab::core::physics::FloatImage> slices(3, genlab::core::physics::FloatImage(4, 2));
  for (int z = 0; z < 3; ++z)
    for (std::size_t i = 0; i < 8; ++i) slices[z].values[i] = static_cast<float>(z * 10 + i);
  const Volume v = volumeFromImages(slices, {1, 1, 3});
  CHECK(v.nz == 3);
  CHECK(v.at(0, 1, 2) == 20);  // VTK order: the image's top row is y = ny - 1
  CHECK(v.at(0, 0, 2) == 24);
  for (int z = 0; z < 3; ++z) CHECK(sliceImage(v, z).values == slices[z].values);
  CHECK_THROWS_AS(sliceImage(v, 3), VolumeError);
  CHECK(volumeFileFilter().find("*.nii.gz") != std::string::npos);
  CHECK(volumeFileFilter().find("*.dcm") != std::string::npos);
  CHECK(volumeSaveFilter().find("*.mha") != std::string::npos);
}
