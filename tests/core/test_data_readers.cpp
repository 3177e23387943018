// Image readers (IDX raw/gzip, PNG folders) against good and hostile inputs,
// the embedded digits, and the real MNIST when it has been fetched.
#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/data/idx_reader.h"
#include "core/data/image_data.h"
#include "core/data/png_folder_reader.h"
#include "../test_skips.h"

namespace fs = std::filesystem;
using namespace genlab::core;
using Catch::Contains;

// Checks the type AND that the message names the problem (the expression runs
// twice, which is harmless for these readers).
#define REQUIRE_DATA_ERROR(expr, matcher)  \
  do {                                     \
    REQUIRE_THROWS_AS(expr, DataError);    \
    REQUIRE_THROWS_WITH(expr, matcher);    \
  } while (0)

namespace {

// A fresh folder under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
      m_path = fs::temp_directory_path() / ("genlab-test-data-" + std::to_string(rd()) + std::to_string(attempt));
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
  const fs::path& path() const { return m_path; }
  std::string operator/(const std::string& name) const { return (m_path / name).string(); }

 private:
  fs::path m_path;
};

// Sets an environment variable for one scope, restoring it afterwards.
class EnvGuard {
 public:
  EnvGuard(const char* name, const std::string& value) : m_name(name) {
    if (const char* old = std::getenv(name)) m_old = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~EnvGuard() {
    if (m_old)
      ::setenv(m_name, m_old->c_str(), 1);
    else
      ::unsetenv(m_name);
  }

 private:
  const char* m_name;
  std::optional<std::string> m_old;
};

void writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string gzip(const std::string& data) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

std::uint8_t pixelValue(std::size_t i) { return static_cast<std::uint8_t>((i * 7 + 3) & 255); }

std::string idxImages(std::uint32_t count, std::uint32_t rows, std::uint32_t cols, bool withPixels = true) {
  std::string s = be32(0x803) + be32(count) + be32(rows) + be32(cols);
  if (withPixels)
    for (std::size_t i = 0; i < std::size_t{count} * rows * cols; ++i) s += static_cast<char>(pixelValue(i));
  return s;
}

std::string idxLabels(std::uint32_t count) {
  std::string s = be32(0x801) + be32(count);
  for (std::uint32_t i = 0; i < count; ++i) s += static_cast<char>(i % 10);
  return s;
}

void checkGoodIdx(const ImageDataset& ds) {
  REQUIRE(ds.count == 3);
  REQUIRE(ds.height == 4);
  REQUIRE(ds.width == 5);
  REQUIRE(ds.pixels.size() == 60);
  for (std::size_t i = 0; i < ds.pixels.size(); ++i) REQUIRE(ds.pixels[i] == pixelValue(i));
  REQUIRE(ds.labels == std::vector<int>{0, 1, 2});
  REQUIRE_FALSE(ds.provenance.empty());
}

void writePng(const std::string& path, int width, int height, png_uint_32 format, const void* data,
              const void* colormap = nullptr, int colormapEntries = 0) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(width);
  image.height = static_cast<png_uint_32>(height);
  image.format = format;
  image.colormap_entries = static_cast<png_uint_32>(colormapEntries);
  REQUIRE(png_image_write_to_file(&image, path.c_str(), 0, data, 0, colormap) != 0);
}

void writeGreyPng(const std::string& path, int width, int height, std::uint8_t value) {
  const std::vector<std::uint8_t> pixels(static_cast<std::size_t>(width) * height, value);
  writePng(path, width, height, PNG_FORMAT_GRAY, pixels.data());
}

}  // namespace

// --- IDX ----------------------------------------------------------------------

TEST_CASE("IDX: good raw and gzip files read identically", "[data][idx]") {
  TempDir dir;
  writeFile(dir / "images", idxImages(3, 4, 5));
  writeFile(dir / "labels", idxLabels(3));
  writeFile(dir / "images.gz", gzip(idxImages(3, 4, 5)));
  writeFile(dir / "labels.gz", gzip(idxLabels(3)));

  SECTION("raw") { checkGoodIdx(readIdxImages(dir / "images", dir / "labels")); }
  SECTION("gzip") { checkGoodIdx(readIdxImages(dir / "images.gz", dir / "labels.gz")); }
  SECTION("mixed, and gzip detected by content not name") {
    writeFile(dir / "images-named-raw", gzip(idxImages(3, 4, 5)));
    checkGoodIdx(readIdxImages(dir / "images-named-raw", dir / "labels"));
  }
  SECTION("concatenated gzip members") {
    const std::string raw = idxImages(3, 4, 5);
    writeFile(dir / "multi.gz", gzip(raw.substr(0, 30)) + gzip(raw.substr(30)));
    checkGoodIdx(readIdxImages(dir / "multi.gz", dir / "labels.gz"));
  }
  SECTION("from memory, raw and gzip") {
    checkGoodIdx(readIdxImagesFromMemory(idxImages(3, 4, 5), idxLabels(3), "mem-images", "mem-labels"));
    const std::string gi = gzip(idxImages(3, 4, 5)), gl = gzip(idxLabels(3));
    checkGoodIdx(readIdxImagesFromMemory(gi, gl, "mem-images.gz", "mem-labels.gz"));
  }
}

TEST_CASE("IDX: hostile files fail with a DataError naming file and problem", "[data][idx]") {
  TempDir dir;
  writeFile(dir / "labels", idxLabels(3));
  const std::string images = dir / "train-images-idx3-ubyte";
  const std::string labels = dir / "labels";

  SECTION("missing file") {
    REQUIRE_DATA_ERROR(readIdxImages(dir / "nope", labels), Contains("nope") && Contains("not found"));
  }
  SECTION("a folder instead of a file") {
    fs::create_directory(dir.path() / "sub");
    REQUIRE_DATA_ERROR(readIdxImages(dir / "sub", labels), Contains("sub") && Contains("not a regular file"));
  }
  SECTION("zero-byte file") {
    writeFile(images, "");
    REQUIRE_DATA_ERROR(readIdxImages(images, labels), Contains("train-images-idx3-ubyte") && Contains("empty"));
  }
  SECTION("zero-byte gzip content") {
    writeFile(images, gzip(""));
    REQUIRE_DATA_ERROR(readIdxImages(images, labels), Contains("train-images-idx3-ubyte") && Contains("empty"));
  }
  SECTION("too short for a magic number") {
    writeFile(images, std::string("\0\0", 2));
    REQUIRE_DATA_ERROR(readIdxImages(images, labels), Contains("train-images-idx3-ubyte") && Contains("too short"));
  }
  SECTION("truncated header") {
    writeFile(images, idxImages(3, 4, 5).substr(0, 10));
    REQUIRE_DATA_ERROR(readIdxImages(images, labels),
                       Contains("train-images-idx3-ubyte") && Contains("truncated header") && Contains("10 bytes"));
  }
  SECTION("truncated header, gzip") {
    writeFile(images, gzip(idxImages(3, 4, 5).substr(0, 10)));
    REQUIRE_DATA_ERROR(readIdxImages(images, labels), Contains("truncated header"));
  }
  SECTION("truncated pixels, raw") {
    writeFile(images, idxImages(3, 4, 5).substr(0, 16 + 50));
    REQUIRE_DATA_ERROR(readIdxImages(images, labels),
                       Contains("train-images-idx3-ubyte: truncated: header says 3 images of 4x5 but the file holds "
                                "50 bytes of pixel data"));
  }
  SECTION("truncated pixels, complete gzip of short data") {
    writeFile(images, gzip(idxImages(3, 4, 5).substr(0, 16 + 50)));
    REQUIRE_DATA_ERROR(readIdxImages(images, labels),
                       Contains("truncated") && Contains("50 bytes of pixel data") && Contains("decompression"));
  }
  SECTION("gzip stream cut off") {
    std::string big = idxImages(200, 28, 28);
    // Incompressible pixels so that cutting the .gz cuts the pixel data.
    std::mt19937 rng(5);
    for (std::size_t i = 16; i < big.size(); ++i) big[i] = static_cast<char>(rng());
    const std::string gz = gzip(big);
    writeFile(images, gz.substr(0, gz.size() / 2));
    writeFile(dir / "labels200", idxLabels(200));
    REQUIRE_DATA_ERROR(readIdxImages(images, dir / "labels200"), Contains("truncated") && Contains("cut off"));
  }
  SECTION("corrupt gzip data") {
    // The first deflate block claims the reserved block type 3.
    std::string gz = gzip(idxImages(3, 4, 5));
    gz[10] = 0x07;
    writeFile(images, gz);
    REQUIRE_DATA_ERROR(readIdxImages(images, labels),
                       Contains("train-images-idx3-ubyte") && Contains("corrupt gzip"));
  }
  SECTION("gzip trailer missing") {
    const std::string gz = gzip(idxImages(3, 4, 5));
    writeFile(images, gz.substr(0, gz.size() - 8));
    REQUIRE_DATA_ERROR(readIdxImages(images, labels),
                       Contains("train-images-idx3-ubyte") && Contains("truncated") && Contains("cut off"));
  }
  SECTION("gzip checksum mismatch") {
    std::string gz = gzip(idxImages(3, 4, 5));
    gz[gz.size() - 8] = static_cast<char>(gz[gz.size() - 8] ^ 1);  // the CRC-32 in the trailer
    writeFile(images, gz);
    REQUIRE_DATA_ERROR(readIdxImages(images, labels),
                       Contains("train-images-idx3-ubyte") && Contains("corrupt gzip") && Contains("check"));
  }
  SECTION("wrong magic: not IDX at all") {
    writeFile(images, "PK\x03\x04 this is a zip file, not IDX");
    REQUIRE_DATA_ERROR(readIdxImages(images, labels),
                       Contains("train-images-idx3-ubyte") && Contains("not an IDX image file"));
  }
  SECTION("wrong magic: label file given as images") {
    REQUIRE_DATA_ERROR(readIdxImages(labels, labels), Contains("wrong magic") && Contains("label file"));
  }
  SECTION("wrong magic: image file given as labels") {
    writeFile(images, idxImages(3, 4, 5));
    REQUIRE_DATA_ERROR(readIdxImages(images, images), Contains("wrong magic") && Contains("not a label file"));
  }
  SECTION("wrong magic: float data") {
    std::string s = idxImages(3, 4, 5);
    s[2] = 0x0D;
    writeFile(images, s);
    REQUIRE_DATA_ERROR(readIdxImages(images, labels), Contains("wrong magic") && Contains("float"));
  }
  SECTION("image/label count mismatch") {
    writeFile(images, idxImages(4, 4, 5));
    REQUIRE_DATA_ERROR(readIdxImages(images, labels),
                       Contains("count mismatch") && Contains("4 images") && Contains("3 labels") &&
                           Contains("train-images-idx3-ubyte"));
  }
  SECTION("absurd count, raw: rejected before allocating") {
    writeFile(images, be32(0x803) + be32(0xFFFFFFFFu) + be32(28) + be32(28));
    REQUIRE_DATA_ERROR(readIdxImages(images, labels), Contains("implausible") && Contains("4294967295 images"));
  }
  SECTION("absurd dimensions") {
    writeFile(images, be32(0x803) + be32(3) + be32(100000) + be32(28));
    REQUIRE_DATA_ERROR(readIdxImages(images, labels), Contains("implausible") && Contains("100000x28"));
    writeFile(images, be32(0x803) + be32(3) + be32(0) + be32(28));
    REQUIRE_DATA_ERROR(readIdxImages(images, labels), Contains("implausible") && Contains("0x28"));
  }
  SECTION("zero images") {
    writeFile(images, be32(0x803) + be32(0) + be32(28) + be32(28));
    REQUIRE_DATA_ERROR(readIdxImages(images, labels), Contains("holds no images"));
  }
  SECTION("within caps each, but too large in total") {
    writeFile(images, be32(0x803) + be32(10'000'000) + be32(4096) + be32(4096));
    REQUIRE_DATA_ERROR(readIdxImages(images, labels), Contains("too large"));
  }
  SECTION("big header, tiny raw file: truncated, nothing allocated") {
    writeFile(images, be32(0x803) + be32(5'000'000) + be32(28) + be32(28) + "abc");
    writeFile(dir / "labels9m", be32(0x801) + be32(5'000'000));
    REQUIRE_DATA_ERROR(readIdxImages(images, dir / "labels9m"),
                       Contains("truncated: header says 5000000 images of 28x28 but the file holds 3 bytes"));
  }
  SECTION("big header, tiny gzip file: truncated") {
    writeFile(images, gzip(be32(0x803) + be32(5'000'000) + be32(28) + be32(28) + "abc"));
    writeFile(dir / "labels9m", be32(0x801) + be32(5'000'000));
    REQUIRE_DATA_ERROR(readIdxImages(images, dir / "labels9m"), Contains("truncated") && Contains("3 bytes"));
  }
  SECTION("truncated labels") {
    writeFile(images, idxImages(3, 4, 5));
    writeFile(dir / "short-labels", idxLabels(3).substr(0, 9));
    REQUIRE_DATA_ERROR(readIdxImages(images, dir / "short-labels"),
                       Contains("short-labels") && Contains("truncated") && Contains("3 labels"));
  }
  SECTION("trailing bytes after the declared data") {
    writeFile(images, idxImages(3, 4, 5) + "junk");
    REQUIRE_DATA_ERROR(readIdxImages(images, labels), Contains("4 bytes more than its header declares"));
    writeFile(images, gzip(idxImages(3, 4, 5) + "junk"));
    REQUIRE_DATA_ERROR(readIdxImages(images, labels), Contains("more data than its header declares"));
  }
  SECTION("from memory: empty and truncated") {
    REQUIRE_DATA_ERROR(readIdxImagesFromMemory("", idxLabels(3), "mem-images", "mem-labels"),
                       Contains("mem-images") && Contains("empty"));
    const std::string gz = gzip(idxImages(3, 4, 5));
    REQUIRE_DATA_ERROR(readIdxImagesFromMemory(gz.substr(0, gz.size() - 12), idxLabels(3), "mem-images", "l"),
                       Contains("mem-images") && Contains("truncated"));
  }
}

// --- PNG folders ---------------------------------------------------------------

TEST_CASE("PNG: colour types are converted to 8-bit grey", "[data][png]") {
  TempDir dir;
  SECTION("grey") {
    const std::vector<std::uint8_t> px = {0, 10, 200, 255, 7, 8};
    writePng(dir / "g.png", 3, 2, PNG_FORMAT_GRAY, px.data());
    const GreyImage img = readPngGrey(dir / "g.png");
    REQUIRE(img.width == 3);
    REQUIRE(img.height == 2);
    REQUIRE(img.pixels == px);
  }
  SECTION("RGB: Rec. 601 luma") {
    const std::vector<std::uint8_t> px = {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255};
    writePng(dir / "rgb.png", 4, 1, PNG_FORMAT_RGB, px.data());
    REQUIRE(readPngGrey(dir / "rgb.png").pixels == std::vector<std::uint8_t>{76, 150, 29, 255});
  }
  SECTION("grey + alpha: composited on black") {
    const std::vector<std::uint8_t> px = {200, 255, 200, 0, 255, 128};
    writePng(dir / "ga.png", 3, 1, PNG_FORMAT_GA, px.data());
    REQUIRE(readPngGrey(dir / "ga.png").pixels == std::vector<std::uint8_t>{200, 0, 128});
  }
  SECTION("RGBA") {
    const std::vector<std::uint8_t> px = {255, 255, 255, 255, 255, 255, 255, 0};
    writePng(dir / "rgba.png", 2, 1, PNG_FORMAT_RGBA, px.data());
    REQUIRE(readPngGrey(dir / "rgba.png").pixels == std::vector<std::uint8_t>{255, 0});
  }
  SECTION("palette") {
    const std::uint8_t colormap[] = {0, 0, 0, 255, 255, 255};
    const std::uint8_t indices[] = {1, 0, 1, 1};
    writePng(dir / "pal.png", 2, 2, PNG_FORMAT_RGB_COLORMAP, indices, colormap, 2);
    REQUIRE(readPngGrey(dir / "pal.png").pixels == std::vector<std::uint8_t>{255, 0, 255, 255});
  }
  SECTION("16-bit grey") {
    const std::uint16_t px[] = {0, 65535};
    writePng(dir / "g16.png", 2, 1, PNG_FORMAT_LINEAR_Y, px);
    REQUIRE(readPngGrey(dir / "g16.png").pixels == std::vector<std::uint8_t>{0, 255});
  }
}

TEST_CASE("PNG folder: good folders", "[data][png]") {
  TempDir dir;
  SECTION("grey and RGB, labels.csv with header, CRLF, comments and quotes") {
    writeGreyPng(dir / "a.png", 6, 4, 100);
    const std::vector<std::uint8_t> rgb(6 * 4 * 3, 255);
    fs::create_directory(dir.path() / "sub");
    writePng(dir / "sub/b, c.png", 6, 4, PNG_FORMAT_RGB, rgb.data());
    writeFile(dir / "labels.csv", "\xEF\xBB\xBF" "File,Label\r\n# a comment\r\n\r\na.png,3\r\n\"sub/b, c.png\", 7 \r\n");
    const ImageDataset ds = readPngFolder(dir.path().string());
    REQUIRE(ds.count == 2);
    REQUIRE(ds.width == 6);
    REQUIRE(ds.height == 4);
    REQUIRE(ds.labels == std::vector<int>{3, 7});
    REQUIRE(ds.pixels.size() == 48);
    REQUIRE(ds.pixels[0] == 100);
    REQUIRE(ds.pixels[24] == 255);
    REQUIRE_THAT(ds.provenance, Contains("PNG folder"));
  }
  SECTION("the header names other tools write are accepted, in any case") {
    writeGreyPng(dir / "a.png", 3, 3, 50);
    for (const char* header : {"filename,label", "file,class", "PATH,Target", "image,label", "Filename,Class"}) {
      writeFile(dir / "labels.csv", std::string(header) + "\na.png,4\n");
      const ImageDataset ds = readPngFolder(dir.path().string());
      REQUIRE(ds.count == 1);
      REQUIRE(ds.labels == std::vector<int>{4});
    }
    // Anything else on the first line is data, and the error says which names a header may use.
    writeFile(dir / "labels.csv", "name,label\na.png,4\n");
    REQUIRE_DATA_ERROR(readPngFolder(dir.path().string()),
                       Contains("line 1") && Contains("filename, file, path or image"));
  }
  SECTION("no header; loadImageData holds out a seeded 1/6") {
    std::string csv;
    for (int i = 0; i < 12; ++i) {
      writeGreyPng(dir / ("img" + std::to_string(i) + ".png"), 5, 5, static_cast<std::uint8_t>(i * 10));
      csv += "img" + std::to_string(i) + ".png," + std::to_string(i % 4) + "\n";
    }
    writeFile(dir / "labels.csv", csv);
    const ImageSplit a = loadImageData(dir.path().string(), 7);
    REQUIRE(a.train.count == 10);
    REQUIRE(a.test.count == 2);
    REQUIRE(a.train.pixels.size() == 250);
    REQUIRE(a.test.height == 5);
    REQUIRE_THAT(a.train.provenance, Contains("10 train / 2 test"));
    const ImageSplit b = loadImageData(dir.path().string(), 7);
    REQUIRE(a.test.pixels == b.test.pixels);
    // Every image lands in exactly one part, with its own label.
    std::set<int> seen;
    for (const ImageDataset* part : {&a.train, &a.test})
      for (int i = 0; i < part->count; ++i) {
        const int id = part->pixels[static_cast<std::size_t>(i) * 25] / 10;
        REQUIRE(part->labels[static_cast<std::size_t>(i)] == id % 4);
        seen.insert(id);
      }
    REQUIRE(seen.size() == 12);
  }
}

TEST_CASE("PNG folder: hostile folders fail with a DataError naming file and problem", "[data][png]") {
  TempDir dir;
  const std::string folder = dir.path().string();
  writeGreyPng(dir / "a.png", 4, 4, 1);
  writeGreyPng(dir / "b.png", 4, 4, 2);

  SECTION("different sizes") {
    writeGreyPng(dir / "big.png", 5, 4, 3);
    writeFile(dir / "labels.csv", "a.png,1\nbig.png,2\n");
    REQUIRE_DATA_ERROR(readPngFolder(folder),
                       Contains("big.png") && Contains("5x4") && Contains("same size") && Contains("a.png"));
  }
  SECTION("random bytes named .png") {
    std::mt19937 rng(1);
    std::string junk(300, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    writeFile(dir / "junk.png", junk);
    writeFile(dir / "labels.csv", "a.png,1\njunk.png,2\n");
    REQUIRE_DATA_ERROR(readPngFolder(folder),
                       Contains("junk.png") && Contains("not a PNG file") && Contains("line 2"));
  }
  SECTION("zero-byte .png") {
    writeFile(dir / "empty.png", "");
    writeFile(dir / "labels.csv", "empty.png,1\n");
    REQUIRE_DATA_ERROR(readPngFolder(folder), Contains("empty.png") && Contains("empty"));
  }
  SECTION("truncated real PNG") {
    std::vector<std::uint8_t> noise(64 * 64);
    std::mt19937 rng(2);
    for (auto& v : noise) v = static_cast<std::uint8_t>(rng());
    writePng(dir / "full.png", 64, 64, PNG_FORMAT_GRAY, noise.data());
    const std::string bytes = readFile(dir / "full.png");
    writeFile(dir / "cut.png", bytes.substr(0, bytes.size() / 2));
    writeFile(dir / "labels.csv", "cut.png,1\n");
    REQUIRE_DATA_ERROR(readPngFolder(folder),
                       Contains("cut.png") && Contains("not a valid PNG") && Contains("truncated"));
  }
  SECTION("corrupted PNG data (CRC)") {
    std::vector<std::uint8_t> noise(32 * 32, 9);
    writePng(dir / "full.png", 32, 32, PNG_FORMAT_GRAY, noise.data());
    std::string bytes = readFile(dir / "full.png");
    const std::size_t idat = bytes.find("IDAT");
    REQUIRE(idat != std::string::npos);
    bytes[idat + 6] = static_cast<char>(bytes[idat + 6] ^ 0x55);
    writeFile(dir / "crc.png", bytes);
    writeFile(dir / "labels.csv", "crc.png,1\n");
    REQUIRE_DATA_ERROR(readPngFolder(folder), Contains("crc.png") && Contains("not a valid PNG"));
  }
  SECTION("too large") {
    writeGreyPng(dir / "wide.png", 5000, 1, 0);
    writeFile(dir / "labels.csv", "wide.png,1\n");
    REQUIRE_DATA_ERROR(readPngFolder(folder), Contains("wide.png") && Contains("larger than 4096x4096"));
  }
  SECTION("labels.csv missing") {
    REQUIRE_DATA_ERROR(readPngFolder(folder), Contains("no labels.csv"));
  }
  SECTION("labels.csv empty") {
    writeFile(dir / "labels.csv", "file,label\n\n");
    REQUIRE_DATA_ERROR(readPngFolder(folder), Contains("labels.csv") && Contains("lists no images"));
  }
  SECTION("file listed but missing") {
    writeFile(dir / "labels.csv", "file,label\na.png,1\nghost.png,2\n");
    REQUIRE_DATA_ERROR(readPngFolder(folder),
                       Contains("labels.csv line 3") && Contains("ghost.png") && Contains("does not exist"));
  }
  SECTION("malformed lines") {
    writeFile(dir / "labels.csv", "a.png,1\nb.png\n");
    REQUIRE_DATA_ERROR(readPngFolder(folder), Contains("labels.csv line 2: malformed") && Contains("1 field"));
    writeFile(dir / "labels.csv", "a.png,1\n\nb.png,1,2\n");
    REQUIRE_DATA_ERROR(readPngFolder(folder), Contains("line 3: malformed") && Contains("3 fields"));
    writeFile(dir / "labels.csv", "a.png,one\n");
    REQUIRE_DATA_ERROR(readPngFolder(folder),
                       Contains("line 1: malformed") && Contains("\"one\" is not an integer") && Contains("header"));
    writeFile(dir / "labels.csv", "a.png,1\nb.png,2.5\n");
    REQUIRE_DATA_ERROR(readPngFolder(folder), Contains("line 2") && Contains("not an integer"));
    writeFile(dir / "labels.csv", "a.png,\n");
    REQUIRE_DATA_ERROR(readPngFolder(folder), Contains("line 1") && Contains("not an integer"));
    writeFile(dir / "labels.csv", "\"a.png,1\n");
    REQUIRE_DATA_ERROR(readPngFolder(folder), Contains("line 1: malformed: unterminated quote"));
    writeFile(dir / "labels.csv", ",1\n");
    REQUIRE_DATA_ERROR(readPngFolder(folder), Contains("line 1: malformed: the file name is empty"));
  }
  SECTION("labels outside 0..255") {
    const std::pair<const char*, const char*> cases[] = {
        {"a.png,1\nb.png,256\n", "line 2: label 256 is outside 0..255"},
        {"a.png,-1\n", "line 1: label -1 is outside 0..255"},
        {"a.png,99999999999999999999\n", "outside 0..255"}};
    for (const auto& [labels, message] : cases) {
      writeFile(dir / "labels.csv", labels);
      REQUIRE_DATA_ERROR(readPngFolder(folder), Contains(message));
    }
  }
  SECTION("paths escaping the folder") {
    const std::pair<const char*, const char*> cases[] = {
        {"a.png,1\n../a.png,2\n", "line 2"},
        {"sub/../../x.png,2\n", "line 1"},
        {"..\\x.png,2\n", "line 1"}};
    for (const auto& [labels, line] : cases) {
      writeFile(dir / "labels.csv", labels);
      REQUIRE_DATA_ERROR(readPngFolder(folder), Contains(line) && Contains("outside the folder"));
    }
    writeFile(dir / "labels.csv", "/etc/passwd,2\n");
    REQUIRE_DATA_ERROR(readPngFolder(folder), Contains("line 1") && Contains("absolute path"));
  }
  SECTION("a symlink inside the folder pointing outside it") {
    TempDir outside;
    writeGreyPng(outside / "secret.png", 4, 4, 9);
    fs::create_symlink(outside.path() / "secret.png", dir.path() / "link.png");
    writeFile(dir / "labels.csv", "a.png,1\nlink.png,2\n");
    REQUIRE_DATA_ERROR(readPngFolder(folder),
                       Contains("line 2") && Contains("link.png") && Contains("leads outside"));
    // A symlinked folder whose target shares the folder's name as a prefix is outside too.
    fs::create_directory_symlink(outside.path(), dir.path() / "sub");
    writeFile(dir / "labels.csv", "sub/secret.png,2\n");
    REQUIRE_DATA_ERROR(readPngFolder(folder), Contains("leads outside"));
    // A symlink that stays inside is fine.
    fs::create_symlink(dir.path() / "b.png", dir.path() / "alias.png");
    writeFile(dir / "labels.csv", "a.png,1\nalias.png,2\n");
    REQUIRE(readPngFolder(folder).count == 2);
  }
  SECTION("file listed twice") {
    writeFile(dir / "labels.csv", "a.png,1\nb.png,1\na.png,2\n");
    REQUIRE_DATA_ERROR(readPngFolder(folder), Contains("line 3") && Contains("listed twice (also on line 1)"));
  }
  SECTION("binary labels.csv") {
    writeFile(dir / "labels.csv", std::string("a.png,1\n\x89PNG\0\0\x01,2\n", 18));
    REQUIRE_DATA_ERROR(readPngFolder(folder), Contains("line 2") && Contains("NUL byte"));
  }
  SECTION("a single image cannot be split") {
    writeFile(dir / "labels.csv", "a.png,1\n");
    REQUIRE(readPngFolder(folder).count == 1);
    REQUIRE_DATA_ERROR(loadImageData(folder, 1), Contains("only 1 image"));
  }
}

// --- loadImageData ----------------------------------------------------------------

TEST_CASE("loadImageData: embedded digits", "[data][digits]") {
  const ImageSplit split = loadImageData("digits", 1);
  REQUIRE(split.train.count == 1497);
  REQUIRE(split.test.count == 300);
  for (const ImageDataset* part : {&split.train, &split.test}) {
    REQUIRE(part->height == 8);
    REQUIRE(part->width == 8);
    REQUIRE(part->pixels.size() == static_cast<std::size_t>(part->count) * 64);
    REQUIRE(part->labels.size() == static_cast<std::size_t>(part->count));
    REQUIRE(*std::min_element(part->labels.begin(), part->labels.end()) == 0);
    REQUIRE(*std::max_element(part->labels.begin(), part->labels.end()) == 9);
    REQUIRE(*std::max_element(part->pixels.begin(), part->pixels.end()) == 255);
    REQUIRE(*std::min_element(part->pixels.begin(), part->pixels.end()) == 0);
    REQUIRE_THAT(part->provenance, Contains("digits") && Contains("1497 train / 300 test"));
  }
  // The same seed gives the same split; another seed a different one.
  const ImageSplit again = loadImageData("digits", 1);
  REQUIRE(again.test.pixels == split.test.pixels);
  REQUIRE(again.train.labels == split.train.labels);
  const ImageSplit other = loadImageData("digits", 2);
  REQUIRE(other.test.pixels != split.test.pixels);
  REQUIRE(other.train.count == 1497);
}

TEST_CASE("loadImageData: IDX folders and bad specs", "[data][idx]") {
  TempDir dir;
  const std::string folder = dir.path().string();
  SECTION("an IDX quartet, raw and gzip mixed") {
    writeFile(dir / "train-images-idx3-ubyte.gz", gzip(idxImages(3, 4, 5)));
    writeFile(dir / "train-labels-idx1-ubyte", idxLabels(3));
    writeFile(dir / "t10k-images-idx3-ubyte", idxImages(2, 4, 5));
    writeFile(dir / "t10k-labels-idx1-ubyte.gz", gzip(idxLabels(2)));
    const ImageSplit s = loadImageData(folder);
    checkGoodIdx(s.train);
    REQUIRE(s.test.count == 2);
    REQUIRE_THAT(s.train.provenance, Contains(folder) && Contains("3 train / 2 test"));
  }
  SECTION("train and test of different sizes") {
    writeFile(dir / "train-images-idx3-ubyte", idxImages(3, 4, 5));
    writeFile(dir / "train-labels-idx1-ubyte", idxLabels(3));
    writeFile(dir / "t10k-images-idx3-ubyte", idxImages(2, 5, 5));
    writeFile(dir / "t10k-labels-idx1-ubyte", idxLabels(2));
    REQUIRE_DATA_ERROR(loadImageData(folder), Contains("t10k-images-idx3-ubyte") && Contains("5x5"));
  }
  SECTION("an incomplete quartet") {
    writeFile(dir / "train-images-idx3-ubyte", idxImages(3, 4, 5));
    REQUIRE_DATA_ERROR(loadImageData(folder), Contains("missing") && Contains("t10k-labels-idx1-ubyte"));
  }
  SECTION("an empty folder") {
    REQUIRE_DATA_ERROR(loadImageData(folder), Contains("nothing to load") && Contains("labels.csv"));
  }
  SECTION("a file, not a folder") {
    writeFile(dir / "x.txt", "hi");
    REQUIRE_DATA_ERROR(loadImageData(dir / "x.txt"), Contains("x.txt") && Contains("not a folder"));
  }
  SECTION("unknown name") {
    REQUIRE_DATA_ERROR(loadImageData("cifar-99"), Contains("unknown data set \"cifar-99\""));
    REQUIRE_DATA_ERROR(loadImageData(""), Contains("no data set given"));
  }
  SECTION("mnist absent: tells the user to run make data") {
    EnvGuard env("GENLAB_DATA_DIR", folder);
    REQUIRE(mnistDirectory() == (dir.path() / "mnist").string());
    REQUIRE_DATA_ERROR(loadImageData("mnist"), Contains("make data") && Contains(folder));
  }
}

TEST_CASE("loadImageData: real MNIST when fetched", "[data][mnist]") {
  const fs::path dir = mnistDirectory();
  auto has = [&](const std::string& name) {
    return fs::exists(dir / name) || fs::exists(dir / (name + ".gz"));
  };
  GENLAB_REQUIRE_FIXTURE(has("train-images-idx3-ubyte") && has("train-labels-idx1-ubyte") &&
                             has("t10k-images-idx3-ubyte") && has("t10k-labels-idx1-ubyte"),
                         "MNIST in " + dir.string() + " (run `make data`)");
  const ImageSplit s = loadImageData("mnist");
  REQUIRE(s.train.count == 60000);
  REQUIRE(s.test.count == 10000);
  REQUIRE(s.train.height == 28);
  REQUIRE(s.train.width == 28);
  REQUIRE(s.test.height == 28);
  REQUIRE(*std::max_element(s.train.labels.begin(), s.train.labels.end()) == 9);
  REQUIRE(*std::max_element(s.train.pixels.begin(), s.train.pixels.end()) == 255);
  REQUIRE_THAT(s.train.provenance, Contains("MNIST") && Contains("60000 train / 10000 test"));
}

TEST_CASE("Readers survive random corruption: a result or a DataError, nothing else", "[data][fuzz]") {
  // Seeded byte flips, truncations and insertions of good files; a crash,
  // hang or any other exception fails the test (run it under a sanitizer too).
  TempDir dir;
  std::vector<std::uint8_t> px(12 * 10 * 3);
  for (std::size_t i = 0; i < px.size(); ++i) px[i] = static_cast<std::uint8_t>(i * 13);
  writePng(dir / "rgb.png", 12, 10, PNG_FORMAT_RGB, px.data());
  const std::string png = readFile(dir / "rgb.png");
  const std::string idxRaw = idxImages(6, 5, 4);
  const std::string idxGz = gzip(idxRaw);
  const std::string labels = idxLabels(6);
  std::mt19937 rng(42);
  auto mutate = [&](std::string s) {
    switch (rng() % 3) {
      case 0:
        for (int k = 0, n = 1 + static_cast<int>(rng() % 4); k < n && !s.empty(); ++k)
          s[rng() % s.size()] = static_cast<char>(rng());
        break;
      case 1: s.resize(rng() % (s.size() + 1)); break;
      default: s.insert(rng() % (s.size() + 1), std::string(1 + rng() % 8, static_cast<char>(rng()))); break;
    }
    return s;
  };
  int ok = 0, rejected = 0;
  for (int i = 0; i < 600; ++i) {
    const std::string a = mutate(png), b = mutate(idxRaw), c = mutate(idxGz);
    for (int which = 0; which < 3; ++which) {
      try {
        if (which == 0) decodePngGrey(a, "fuzz.png");
        if (which == 1) readIdxImagesFromMemory(b, labels, "fuzz-images", "fuzz-labels");
        if (which == 2) readIdxImagesFromMemory(c, labels, "fuzz-images.gz", "fuzz-labels");
        ++ok;
      } catch (const DataError& e) {
        REQUIRE_THAT(e.what(), Contains("fuzz"));
        ++rejected;
      }
    }
  }
  REQUIRE(rejected > 0);
  REQUIRE(ok + rejected == 1800);
}
