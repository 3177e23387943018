// Hostile files, generated here: each must be refused with a message that
// names the limit, before anything large is allocated, and the CLI must exit
// non-zero without crashing.
#include <png.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "cli_test_util.h"
#include "core/data/image_dataset.h"
#include "core/data/png_folder_reader.h"
#include "core/data/read_limits.h"
#include "core/data/volume_io.h"
#include "core/util/model_file.h"

namespace fs = std::filesystem;
using namespace genlab::core;
using Catch::Contains;

namespace {

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
      m_path = fs::temp_directory_path() / ("genlab-test-hostile-" + std::to_string(rd()));
      if (fs::create_directory(m_path)) return;
    }
    FAIL("cannot create a temp dir");
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(m_path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string operator/(const std::string& name) const { return (m_path / name).string(); }

 private:
  fs::path m_path;
};

void putU32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// A model file with this header text and payload, with a correct checksum, so
// that only the header's content can be the reason it is refused.
std::string modelBytes(const std::string& header, const std::string& payload) {
  std::string out("GENLABMF");
  putU32(out, 1);
  putU32(out, static_cast<std::uint32_t>(header.size()));
  out += header;
  out += payload;
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(out.data() + 16), static_cast<uInt>(out.size() - 16));
  putU32(out, static_cast<std::uint32_t>(crc));
  return out;
}

std::string writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string tensorEntry(const std::string& name, std::uint64_t count, std::uint64_t offset) {
  return R"({"name":")" + name + R"(","dtype":"f32","shape":[)" + std::to_string(count) +
         R"(],"offset":)" + std::to_string(offset) + R"(,"bytes":)" + std::to_string(count * 4) + "}";
}

std::string headerWith(const std::string& meta, const std::string& tensors, const std::string& lab = "vae") {
  return R"({"format":"genlab-model","lab":")" + lab + R"(","meta":)" + meta + R"(,"tensors":[)" + tensors + "]}";
}

void putBE32(std::string& out, std::uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::string pngChunk(const std::string& type, const std::string& data) {
  std::string out;
  putBE32(out, static_cast<std::uint32_t>(data.size()));
  const std::string body = type + data;
  out += body;
  putBE32(out, static_cast<std::uint32_t>(
                   crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))));
  return out;
}

// A PNG of a few hundred bytes whose header declares width x height at this
// bit depth and colour type (6 = RGBA); its image data is a token zlib stream.
std::string pngBomb(std::uint32_t width, std::uint32_t height, int bitDepth, int colorType) {
  std::string ihdr;
  putBE32(ihdr, width);
  putBE32(ihdr, height);
  ihdr += {static_cast<char>(bitDepth), static_cast<char>(colorType), 0, 0, 0};
  const std::string zeros(4096, '\0');
  std::string z(compressBound(zeros.size()), '\0');
  uLongf zn = z.size();
  compress2(reinterpret_cast<Bytef*>(z.data()), &zn, reinterpret_cast<const Bytef*>(zeros.data()),
            zeros.size(), 9);
  z.resize(zn);
  return std::string("\x89PNG\r\n\x1a\n", 8) + pngChunk("IHDR", ihdr) + pngChunk("IDAT", z) +
         pngChunk("IEND", "");
}

void writeGreyPng(const std::string& path, int width, int height) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(width);
  image.height = static_cast<png_uint_32>(height);
  image.format = PNG_FORMAT_GRAY;
  const std::vector<std::uint8_t> pixels(static_cast<std::size_t>(width) * height, 100);
  REQUIRE(png_image_write_to_file(&image, path.c_str(), 0, pixels.data(), 0, nullptr) != 0);
}

// A gzip-compressed NIfTI-1 file: a header declaring nx x ny x nz voxels of
// `datatype`, then only `dataBytes` zero bytes of data (written by zlib).
void writeNiftiGz(const std::string& path, int nx, int ny, int nz, int datatype, int bitpix,
                  std::size_t dataBytes) {
  char h[352] = {};
  auto i32 = [&](int at, std::int32_t v) { std::memcpy(h + at, &v, 4); };
  auto i16 = [&](int at, std::int16_t v) { std::memcpy(h + at, &v, 2); };
  auto f32 = [&](int at, float v) { std::memcpy(h + at, &v, 4); };
  i32(0, 348);
  i16(40, nz > 1 ? 3 : 2);
  i16(42, static_cast<std::int16_t>(nx));
  i16(44, static_cast<std::int16_t>(ny));
  i16(46, static_cast<std::int16_t>(nz));
  for (int i = 4; i < 8; ++i) i16(40 + 2 * i, 1);
  i16(70, static_cast<std::int16_t>(datatype));
  i16(72, static_cast<std::int16_t>(bitpix));
  for (int i = 0; i < 4; ++i) f32(76 + 4 * i, 1.f);
  f32(108, 352.f);
  std::memcpy(h + 344, "n+1\0", 4);
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  gzwrite(f, h, sizeof h);
  const std::string zeros(1 << 16, '\0');
  for (std::size_t done = 0; done < dataBytes; done += zeros.size())
    gzwrite(f, zeros.data(), static_cast<unsigned>(std::min(zeros.size(), dataBytes - done)));
  gzclose(f);
}

// genlab-cli latent eval --model F, in-process: the exit code and stderr.
int evalModel(const std::string& path, std::string& err) {
  std::vector<std::string> lines;
  return genlab::test::runCli({"latent", "eval", "--model", path}, lines, &err);
}

}  // namespace

TEST_CASE("a model header nested a million levels deep is refused, not recursed into",
          "[hostile][model]") {
  TempDir dir;
  const std::string deep = std::string(1000000, '[') + std::string(1000000, ']');
  const auto path = writeFile(dir / "deep.genlab", modelBytes(headerWith(deep, ""), ""));
  REQUIRE_THROWS_AS(ModelFile::load(path), ModelFileError);
  REQUIRE_THROWS_WITH(ModelFile::load(path), Contains("nests deeper than 64 levels"));
  std::string err;
  CHECK(evalModel(path, err) != 0);
  CHECK_THAT(err, Contains("nests deeper than 64 levels"));

  // Unbalanced (never closed) is refused the same way; brackets inside strings do not count.
  const auto open = writeFile(dir / "open.genlab", modelBytes(headerWith(std::string(100, '['), ""), ""));
  CHECK_THROWS_WITH(ModelFile::load(open), Contains("nests deeper than 64 levels"));
  const auto inString = writeFile(
      dir / "str.genlab",
      modelBytes(headerWith(R"({"note":")" + std::string(1000, '[') + R"("})", ""), ""));
  CHECK(ModelFile::load(inString).lab == "vae");
}

TEST_CASE("20 000 tensor entries aliasing one payload are refused before any is allocated",
          "[hostile][model]") {
  TempDir dir;
  const std::uint64_t floats = 256 * 1024;  // a 1 MiB payload
  const std::string payload(floats * 4, '\0');
  std::string list;
  for (int i = 0; i < 20000; ++i) list += (i ? "," : "") + tensorEntry("t" + std::to_string(i), floats, 0);
  const auto path = writeFile(dir / "alias.genlab", modelBytes(headerWith("{}", list), payload));
  REQUIRE_THROWS_AS(ModelFile::load(path), ModelFileError);
  REQUIRE_THROWS_WITH(ModelFile::load(path), Contains("20000 tensors") && Contains("limit is 4096"));
  std::string err;
  CHECK(evalModel(path, err) != 0);
  CHECK_THAT(err, Contains("limit is 4096"));

  // Under the count limit, two tensors sharing bytes are refused by name.
  const auto two = writeFile(dir / "two.genlab",
                             modelBytes(headerWith("{}", tensorEntry("a", floats, 0) + "," +
                                                             tensorEntry("b", floats / 2, 4 * 1000)),
                                        payload));
  CHECK_THROWS_WITH(ModelFile::load(two), Contains("tensors a and b share bytes"));
  CHECK(evalModel(two, err) != 0);
  // A tensor running past the payload, and one listed twice.
  const auto past = writeFile(dir / "past.genlab",
                              modelBytes(headerWith("{}", tensorEntry("a", floats, 8)), payload));
  CHECK_THROWS_WITH(ModelFile::load(past), Contains("outside the file"));
  const auto twice = writeFile(dir / "twice.genlab",
                               modelBytes(headerWith("{}", tensorEntry("a", 4, 0) + "," +
                                                               tensorEntry("a", 4, 16)),
                                          payload));
  CHECK_THROWS_WITH(ModelFile::load(twice), Contains("listed twice"));
  // Adjacent, non-overlapping tensors are fine.
  const auto fine = writeFile(dir / "fine.genlab",
                              modelBytes(headerWith("{}", tensorEntry("a", floats / 2, 0) + "," +
                                                              tensorEntry("b", floats / 2, floats * 2)),
                                         payload));
  const auto mf = ModelFile::load(fine);
  CHECK(mf.tensors.size() == 2);
  CHECK(mf.tensors.at("b").values.size() == floats / 2);
}

TEST_CASE("a small PNG declaring 16384 x 16384 16-bit RGBA is refused before decoding",
          "[hostile][png]") {
  TempDir dir;
  const auto path = writeFile(dir / "bomb.png", pngBomb(16384, 16384, 16, 6));
  REQUIRE(fs::file_size(path) < 10000);
  REQUIRE_THROWS_AS(data::readVolume(path), data::VolumeError);
  REQUIRE_THROWS_WITH(data::readVolume(path),
                      Contains("16384x16384 = 268435456 pixels") && Contains("--max-pixels"));
  std::vector<std::string> lines;
  std::string err;
  CHECK(genlab::test::runCli({"ct", "reconstruct", "--phantom", path, "--size", "32"}, lines, &err) != 0);
  CHECK_THAT(err, Contains("--max-pixels"));
  // As a training image, the same file is refused by the side limit of image folders.
  CHECK_THROWS_WITH(readPngGrey(path), Contains("larger than 4096x4096"));
}

TEST_CASE("a .nii.gz declaring 16384^2 float64 is refused before it is inflated", "[hostile][nifti]") {
  TempDir dir;
  const auto path = dir / "bomb.nii.gz";
  writeNiftiGz(path, 16384, 16384, 1, 64, 64, 1 << 20);
  REQUIRE(fs::file_size(path) < 100000);
  REQUIRE_THROWS_AS(data::readVolume(path), data::VolumeError);
  REQUIRE_THROWS_WITH(data::readVolume(path), Contains("268435456 voxels") && Contains("--max-voxels"));
  std::vector<std::string> lines;
  std::string err;
  CHECK(genlab::test::runCli({"ct", "reconstruct", "--phantom", path, "--size", "32"}, lines, &err) != 0);
  CHECK_THAT(err, Contains("--max-voxels"));

  // Under the voxel limit, a file that would expand 1000-fold is refused by
  // the expansion limit (2048 x 2048 x 8 float64 = 256 MiB from a few KiB).
  const auto dense = dir / "dense.nii.gz";
  writeNiftiGz(dense, 2048, 2048, 8, 64, 64, 1 << 16);
  CHECK_THROWS_WITH(data::readVolume(dense), Contains("--max-expansion"));
  // The option raises it: the file then fails on its real problem, its truncated data.
  std::vector<std::string> lines2;
  std::string err2;
  CHECK(genlab::test::runCli({"ct", "reconstruct", "--phantom", dense, "--size", "32", "--max-expansion",
                              "1000000000"},
                             lines2, &err2) != 0);
  CHECK_THAT(err2, Contains("truncated"));
}

TEST_CASE("a MetaImage of 16384 x 1 x 1 is not padded into a 16384^2 phantom", "[hostile][mha]") {
  TempDir dir;
  const auto path = dir / "line.mha";
  std::string text =
      "ObjectType = Image\nNDims = 3\nDimSize = 16384 1 1\nElementType = MET_UCHAR\n"
      "ElementDataFile = LOCAL\n";
  text += std::string(16384, '\x40');
  writeFile(path, text);
  std::vector<std::string> lines;
  std::string err;
  CHECK(genlab::test::runCli({"ct", "reconstruct", "--phantom", path, "--size", "32"}, lines, &err) != 0);
  CHECK_THAT(err, Contains("268435456 pixels") && Contains("--max-pixels"));
  // The volume itself is fine: only the padded square is refused.
  CHECK(data::readVolume(path).voxelCount() == 16384);
}

TEST_CASE("a PNG folder of images too large to train on is refused on its first image",
          "[hostile][png]") {
  TempDir dir;
  writeFile(dir / "labels.csv", "file,label\nbig0.png,0\nbig1.png,1\n");
  writeFile(dir / "big0.png", pngBomb(4096, 4096, 8, 0));
  writeFile(dir / "big1.png", pngBomb(4096, 4096, 8, 0));
  const std::string folder = dir / "";
  CHECK_THROWS_WITH(readPngFolder(folder), Contains("16777216 pixels") &&
                                               Contains("pixels per training image") &&
                                               Contains("--max-train-pixels"));
  std::vector<std::string> lines;
  std::string err;
  CHECK(genlab::test::runCli({"latent", "train", "--data", folder, "--epochs", "1"}, lines, &err) != 0);
  CHECK_THAT(err, Contains("--max-train-pixels"));

  // 300 x 300 is over the default 256 x 256 and loads once the limit is raised.
  writeFile(dir / "labels.csv", "file,label\nmid.png,3\n");
  writeGreyPng(dir / "mid.png", 300, 300);
  CHECK_THROWS_WITH(readPngFolder(folder), Contains("--max-train-pixels"));
  ReadLimits raised = readLimits();
  raised.maxTrainPixels = 300 * 300;
  const ScopedReadLimits scoped(raised);
  const auto ds = readPngFolder(folder);
  CHECK(ds.width == 300);
  CHECK(ds.count == 1);
}

TEST_CASE("a model whose description asks for more weights than it holds is refused before building",
          "[hostile][model]") {
  TempDir dir;
  // An 8x8 MLP VAE with 8192 hidden units needs 524288 first-layer weights; the file holds none.
  const std::string meta =
      R"({"options":{"data":"digits","latent_dim":2,"hidden":8192},"image_height":8,"image_width":8})";
  const auto path = writeFile(dir / "big.genlab", modelBytes(headerWith(meta, ""), ""));
  std::string err;
  std::vector<std::string> lines;
  CHECK(genlab::test::runCli({"latent", "eval", "--model", path, "--data", "digits"}, lines, &err) != 0);
  CHECK_THAT(err, Contains("needs at least 524288 weights") && Contains("holds 0"));
}
