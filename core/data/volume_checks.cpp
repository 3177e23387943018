#include "core/data/volume_checks.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "core/data/file_checks.h"
#include "core/data/read_limits.h"
#include "core/data/volume_io.h"

namespace genlab::core::data::detail {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw VolumeError(path + ": " + what);
}

// Reads a plain or gzip-compressed file as one stream (zlib reads plain
// files through unchanged), so a header check and a length count work the
// same on .nii and .nii.gz.
class Stream {
 public:
  explicit Stream(const std::string& path) : m_path(path) {
    m_file = gzopen(path.c_str(), "rb");
    if (!m_file) fail(path, std::string("cannot open: ") + std::strerror(errno));
    gzbuffer(m_file, 1 << 16);
  }
  ~Stream() {
    if (m_file) gzclose(m_file);
  }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // Up to n bytes into out; the count read. Throws on corrupt compressed data.
  std::size_t read(char* out, std::size_t n) {
    std::size_t done = 0;
    while (done < n) {
      const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(n - done, 1u << 20));
      const int got = gzread(m_file, out + done, chunk);
      if (got < 0) corrupt();
      if (got == 0) break;
      done += static_cast<std::size_t>(got);
    }
    // A stream cut short reads as a short count, with Z_BUF_ERROR set.
    int code = Z_OK;
    gzerror(m_file, &code);
    if (code != Z_OK && code != Z_BUF_ERROR) corrupt();
    return done;
  }
  // Skips up to n bytes; the count skipped.
  std::uint64_t skip(std::uint64_t n) {
    std::vector<char> buf(1 << 16);
    std::uint64_t done = 0;
    while (done < n) {
      const std::size_t got = read(buf.data(), std::min<std::uint64_t>(n - done, buf.size()));
      if (got == 0) break;
      done += got;
    }
    return done;
  }
  bool compressed() const { return gzdirect(m_file) == 0; }

 private:
  [[noreturn]] void corrupt() {
    int code = Z_OK;
    const char* msg = gzerror(m_file, &code);
    fail(m_path, std::string("corrupt gzip data (") + (msg ? msg : "unknown zlib error") + ")");
  }
  std::string m_path;
  gzFile m_file = nullptr;
};

std::int16_t i16(const char* p, bool swap) {
  std::uint16_t v;
  std::memcpy(&v, p, 2);
  if (swap) v = static_cast<std::uint16_t>(v >> 8 | v << 8);
  return static_cast<std::int16_t>(v);
}
std::int32_t i32(const char* p, bool swap) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  if (swap) v = __builtin_bswap32(v);
  return static_cast<std::int32_t>(v);
}
float f32(const char* p, bool swap) {
  const std::int32_t bits = i32(p, swap);
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

struct NiftiType {
  int code, bits;
  const char* name;
};
const NiftiType kNiftiTypes[] = {{2, 8, "uint8"},    {4, 16, "int16"},   {8, 32, "int32"},
                                 {16, 32, "float32"}, {64, 64, "float64"}, {256, 8, "int8"},
                                 {512, 16, "uint16"}, {768, 32, "uint32"}};

std::string plural(std::uint64_t n, const char* unit) {
  return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
}

}  // namespace

std::uint64_t regularFile(const std::string& path) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (st.type() == fs::file_type::not_found) fail(path, "file not found");
  if (ec) fail(path, "cannot access: " + ec.message());
  if (fs::is_directory(st)) fail(path, "is a folder, not a file");
  if (!fs::is_regular_file(st)) fail(path, "is not a regular file");
  const std::uint64_t size = fs::file_size(path, ec);
  if (ec) fail(path, "cannot read its size: " + ec.message());
  return size;
}

std::string readHead(const std::string& path, std::size_t n) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot open: ") + std::strerror(errno));
  std::string bytes(n, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(n));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  return bytes;
}

std::string lowerExtension(const std::string& path) {
  std::string name = fs::path(path).filename().string();
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto ends = [&](const std::string& s) {
    return name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
  };
  if (ends(".nii.gz")) return ".nii.gz";
  const auto dot = name.rfind('.');
  return dot == std::string::npos || dot == 0 ? "" : name.substr(dot);
}

void checkVoxelCount(const std::string& path, std::uint64_t voxels) {
  const std::uint64_t limit = readLimits().maxVoxels;
  if (voxels > limit)
    fail(path, "the volume is too large: " + std::to_string(voxels) + " voxels is " +
                   overLimit(limit, "voxels per volume", kMaxVoxelsOption));
}

void checkExpansion(const std::string& path, std::uint64_t decodedBytes, std::uint64_t compressedBytes) {
  const std::uint64_t ratio = readLimits().maxExpansion;
  const std::uint64_t allowed = std::max(kExpansionFloorBytes, compressedBytes * ratio);
  if (decodedBytes > allowed)
    fail(path, "its header says " + plural(compressedBytes, "byte") + " of compressed data expand to " +
                   std::to_string(decodedBytes) + " bytes, " +
                   overLimit(ratio, "times the compressed size", kMaxExpansionOption));
}

NiftiInfo checkNifti(const std::string& path) {
  const std::uint64_t fileSize = regularFile(path);
  if (fileSize == 0) fail(path, "the file is empty");
  NiftiInfo info;
  Stream s(path);
  char h[348];
  const std::size_t got = s.read(h, sizeof h);
  info.gzipped = s.compressed();
  if (got < sizeof h)
    fail(path, "too short for a NIfTI-1 header (" + plural(got, "byte") +
                   (info.gzipped ? " after decompression" : "") + "; a header is 348)");
  bool swap = false;
  const std::int32_t sizeField = i32(h, false);
  if (sizeField != 348) {
    swap = true;
    if (i32(h, true) != 348) {
      if (sizeField == 540 || i32(h, true) == 540)
        fail(path, "NIfTI-2 files are not supported (NIfTI-1 only)");
      fail(path, "not a NIfTI-1 file (its header-size field is " + std::to_string(sizeField) +
                     ", not 348)");
    }
  }
  if (std::memcmp(h + 344, "ni1\0", 4) == 0)
    fail(path, "a NIfTI header/image pair (.hdr + .img) is not supported; save it as one .nii");
  if (std::memcmp(h + 344, "n+1\0", 4) != 0)
    fail(path, "no NIfTI-1 magic 'n+1' (an old Analyze 7.5 header, or not NIfTI)");
  std::array<int, 8> dim{};
  for (int i = 0; i < 8; ++i) dim[i] = i16(h + 40 + 2 * i, swap);
  if (dim[0] < 1 || dim[0] > 7) fail(path, "absurd number of dimensions " + std::to_string(dim[0]));
  for (int i = 1; i <= dim[0]; ++i)
    if (dim[i] < 1 || dim[i] > kVolumeMaxSide)
      fail(path, "absurd size " + std::to_string(dim[i]) + " along dimension " + std::to_string(i));
  for (int i = 5; i <= dim[0]; ++i)
    if (dim[i] > 1) fail(path, "NIfTI data of more than 4 dimensions is not supported");
  for (int i = 0; i < 3; ++i) info.dims[i] = i + 1 <= dim[0] ? dim[i + 1] : 1;
  info.volumes = dim[0] >= 4 ? dim[4] : 1;
  info.datatype = i16(h + 70, swap);
  const int bitpix = i16(h + 72, swap);
  const NiftiType* type = nullptr;
  for (const auto& t : kNiftiTypes)
    if (t.code == info.datatype) type = &t;
  if (!type)
    fail(path, "NIfTI datatype " + std::to_string(info.datatype) +
                   " is not supported (greyscale integers and floats only; no RGB or complex)");
  if (bitpix != type->bits)
    fail(path, "bitpix " + std::to_string(bitpix) + " does not match datatype " + type->name);
  info.typeName = type->name;
  for (int i = 1; i <= 3; ++i)
    if (!std::isfinite(f32(h + 76 + 4 * i, swap))) fail(path, "a voxel size (pixdim) is not a number");
  const double offset = f32(h + 108, swap);
  if (!std::isfinite(offset) || offset < 348 || offset > (1 << 30) || offset != std::floor(offset))
    fail(path, "absurd data offset (vox_offset " + std::to_string(offset) + ")");
  info.slope = f32(h + 112, swap);
  info.intercept = f32(h + 116, swap);
  if (!std::isfinite(info.slope) || !std::isfinite(info.intercept))
    fail(path, "the intensity scaling (scl_slope, scl_inter) is not a number");
  const std::uint64_t voxels = std::uint64_t(info.dims[0]) * info.dims[1] * info.dims[2];
  checkVoxelCount(path, voxels);
  const std::uint64_t need = static_cast<std::uint64_t>(offset) + voxels * (type->bits / 8);
  if (info.gzipped) checkExpansion(path, need, fileSize);
  // Compressed data is inflated as far as needed (never further: no gzip bomb).
  const std::uint64_t have = info.gzipped ? sizeof h + s.skip(need - sizeof h) : fileSize;
  if (have < need)
    fail(path, "the image data is truncated: the file holds " + plural(have, "byte") +
                   (info.gzipped ? " (decompressed)" : "") + " of the " + std::to_string(need) +
                   " its header promises");
  return info;
}

namespace {

// MetaIO (inside VTK) prints to stdout and gives up on a header it cannot
// parse; so the header must be one it parses: printable ASCII lines
// "Key = Value" up to ElementDataFile, numbers where numbers belong, in the
// right count, NDims before the fields sized by it.
struct MetaHeader {
  std::map<std::string, std::string> keys;
  std::size_t dataStart = 0;  // offset just after the ElementDataFile line
};

std::string trimmed(const std::string& t) {
  const auto a = t.find_first_not_of(" \t\r");
  const auto b = t.find_last_not_of(" \t\r");
  return a == std::string::npos ? std::string() : t.substr(a, b - a + 1);
}

bool numbers(const std::string& value, int count, bool integers) {
  std::istringstream in(value);
  std::string token;
  int n = 0;
  while (in >> token) {
    char* end = nullptr;
    const double v = std::strtod(token.c_str(), &end);
    if (*end != '\0' || !std::isfinite(v) || (integers && v != std::floor(v))) return false;
    ++n;
  }
  return n == count;
}

// How many bytes the zlib stream at `offset` of `path` inflates to, counting
// no further than `need`. Throws on corrupt data.
std::uint64_t inflatedLength(const std::string& path, std::uint64_t offset, std::uint64_t need) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  z_stream z{};
  if (inflateInit(&z) != Z_OK) fail(path, "cannot start zlib");
  std::vector<unsigned char> src(1 << 16), dst(1 << 16);
  std::uint64_t produced = 0;
  int rc = Z_OK;
  while (produced < need && rc != Z_STREAM_END) {
    if (z.avail_in == 0) {
      in.read(reinterpret_cast<char*>(src.data()), static_cast<std::streamsize>(src.size()));
      z.avail_in = static_cast<uInt>(in.gcount());
      z.next_in = src.data();
      if (z.avail_in == 0) break;
    }
    z.next_out = dst.data();
    z.avail_out = static_cast<uInt>(dst.size());
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      const std::string msg = z.msg ? z.msg : "error";
      inflateEnd(&z);
      fail(path, "the compressed image data is corrupt (zlib: " + msg + ")");
    }
    produced += dst.size() - z.avail_out;
  }
  inflateEnd(&z);
  return produced;
}

MetaHeader parseMetaHeader(const std::string& path, const std::string& head) {
  MetaHeader h;
  std::size_t pos = 0;
  int ndims = 0;
  while (pos < head.size()) {
    const std::size_t eol = head.find('\n', pos);
    if (eol == std::string::npos) break;
    const std::string line = head.substr(pos, eol - pos);
    pos = eol + 1;
    for (unsigned char c : line)
      if ((c < 0x20 && c != '\t' && c != '\r') || c > 0x7E)
        fail(path, "not a MetaImage header (binary or non-ASCII bytes in its header)");
    const auto eq = line.find('=');
    if (eq == std::string::npos) {
      if (trimmed(line).empty()) continue;
      fail(path, "not a MetaImage header (a line without 'Key = Value': '" + line.substr(0, 40) + "')");
    }
    const std::string key = trimmed(line.substr(0, eq)), value = trimmed(line.substr(eq + 1));
    if (key.empty() || key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") !=
                           std::string::npos)
      fail(path, "not a MetaImage header (a bad key '" + key.substr(0, 40) + "')");
    auto bad = [&](const std::string& what) {
      fail(path, "MetaImage " + key + " '" + value.substr(0, 60) + "' " + what);
    };
    static const char* const kPerDim[] = {"DimSize", "ElementSpacing", "ElementSize", "Offset",
                                          "Origin", "Position", "CenterOfRotation"};
    static const char* const kPerDim2[] = {"TransformMatrix", "Rotation", "Orientation"};
    static const char* const kInts[] = {"NDims", "HeaderSize", "ElementNumberOfChannels",
                                        "CompressedDataSize", "ID", "ParentID"};
    static const char* const kBools[] = {"BinaryData", "BinaryDataByteOrderMSB", "ElementByteOrderMSB",
                                         "CompressedData"};
    for (const char* k : kPerDim)
      if (key == k) {
        if (ndims == 0) bad("comes before NDims");
        if (!numbers(value, ndims, key == "DimSize")) bad("needs " + std::to_string(ndims) + " numbers");
      }
    for (const char* k : kPerDim2)
      if (key == k) {
        if (ndims == 0) bad("comes before NDims");
        if (!numbers(value, ndims * ndims, false)) bad("needs " + std::to_string(ndims * ndims) + " numbers");
      }
    for (const char* k : kInts)
      if (key == k && !numbers(value, 1, true)) bad("is not an integer");
    for (const char* k : kBools)
      if (key == k && value != "True" && value != "False" && value != "true" && value != "false" &&
          value != "1" && value != "0")
        bad("is not True or False");
    if (key == "NDims") {
      ndims = std::atoi(value.c_str());
      if (ndims < 2 || ndims > 3) fail(path, "MetaImage NDims must be 2 or 3 (found '" + value + "')");
    }
    h.keys[key] = value;
    if (key == "ElementDataFile") {
      h.dataStart = pos;
      return h;
    }
  }
  fail(path, "not a MetaImage header (no 'ElementDataFile' line in its first 64 KiB)");
}

}  // namespace

MetaImageInfo checkMetaImage(const std::string& path) {
  const std::uint64_t fileSize = regularFile(path);
  if (fileSize == 0) fail(path, "the file is empty");
  MetaHeader header = parseMetaHeader(path, readHead(path, 1 << 16));
  auto& keys = header.keys;
  const std::size_t dataStart = header.dataStart;
  auto value = [&](const char* k) { return keys.count(k) ? keys[k] : std::string(); };
  auto isTrue = [&](const char* k) {
    const std::string v = value(k);
    return v == "True" || v == "true" || v == "1";
  };
  MetaImageInfo info;
  if (!value("ObjectType").empty() && value("ObjectType") != "Image")
    fail(path, "MetaImage object type '" + value("ObjectType") + "' is not an image");
  info.ndims = std::atoi(value("NDims").c_str());
  if (info.ndims < 2 || info.ndims > 3) fail(path, "MetaImage NDims must be 2 or 3 (it is missing)");
  std::istringstream ds(value("DimSize"));
  std::uint64_t voxels = 1;
  for (int i = 0; i < info.ndims; ++i) {
    long d = 0;
    if (!(ds >> d) || d < 1 || d > kVolumeMaxSide)
      fail(path, "MetaImage DimSize '" + value("DimSize") + "' is missing or absurd");
    info.dims[i] = static_cast<int>(d);
    voxels *= static_cast<std::uint64_t>(d);
  }
  checkVoxelCount(path, voxels);
  static const std::map<std::string, int> kTypes = {
      {"MET_CHAR", 1}, {"MET_UCHAR", 1}, {"MET_SHORT", 2}, {"MET_USHORT", 2},
      {"MET_INT", 4},  {"MET_UINT", 4},  {"MET_FLOAT", 4}, {"MET_DOUBLE", 8}};
  info.elementType = value("ElementType");
  const auto type = kTypes.find(info.elementType);
  if (type == kTypes.end())
    fail(path, "MetaImage element type '" + info.elementType + "' is not supported");
  if (!value("ElementNumberOfChannels").empty() && value("ElementNumberOfChannels") != "1")
    fail(path, "MetaImage with " + value("ElementNumberOfChannels") +
                   " channels per voxel is not supported (greyscale only)");
  if (!value("BinaryData").empty() && !isTrue("BinaryData"))
    fail(path, "ASCII MetaImage data (BinaryData = False) is not supported");
  info.compressed = isTrue("CompressedData");
  info.dataFile = value("ElementDataFile");
  const std::uint64_t need = voxels * static_cast<std::uint64_t>(type->second);

  std::string dataPath = path;
  std::uint64_t offset = dataStart;
  if (info.dataFile != "LOCAL") {
    if (info.dataFile == "LIST" || info.dataFile.find('%') != std::string::npos ||
        info.dataFile.find(' ') != std::string::npos)
      fail(path, "MetaImage data split over several files is not supported");
    const fs::path rel(info.dataFile);
    if (rel.is_absolute() || std::find(rel.begin(), rel.end(), "..") != rel.end())
      fail(path, "MetaImage data file '" + info.dataFile +
                     "' must lie beside the header (a relative path without '..')");
    dataPath = (fs::path(path).parent_path() / rel).string();
    try {
      regularFile(dataPath);
    } catch (const VolumeError& e) {
      fail(path, std::string("its data file is unusable: ") + e.what());
    }
    const fs::path headerDir = fs::path(path).parent_path();
    if (!resolvesInside(headerDir.empty() ? "." : headerDir.string(), dataPath))
      fail(path, "MetaImage data file '" + info.dataFile +
                     "' leads outside the header's folder (through a symbolic link)");
    long headerSize = 0;
    if (!value("HeaderSize").empty()) headerSize = std::atol(value("HeaderSize").c_str());
    offset = headerSize > 0 ? static_cast<std::uint64_t>(headerSize) : 0;
    if (headerSize == -1 && !info.compressed) {
      const std::uint64_t size = regularFile(dataPath);
      offset = size >= need ? size - need : 0;
    }
    info.dataFile = dataPath;
  }
  const std::uint64_t size = regularFile(dataPath);
  const std::uint64_t avail = size > offset ? size - offset : 0;
  if (!info.compressed) {
    if (avail < need)
      fail(dataPath, "the image data is truncated: " + plural(avail, "byte") + " where the header (" +
                         path + ") promises " + std::to_string(need));
    return info;
  }
  // Compressed: a zlib stream that must inflate to at least `need` bytes.
  checkExpansion(dataPath, need, avail);
  const std::uint64_t produced = inflatedLength(dataPath, offset, need);
  if (produced < need)
    fail(dataPath, "the compressed image data is truncated: it inflates to " + plural(produced, "byte") +
                       " where the header promises " + std::to_string(need));
  return info;
}

PnmInfo checkPnm(const std::string& path) {
  const std::uint64_t size = regularFile(path);
  if (size == 0) fail(path, "the file is empty");
  const std::string head = readHead(path, 4096);
  if (head.size() < 2 || head[0] != 'P' || head[1] < '1' || head[1] > '7')
    fail(path, "not a PGM/PPM file (no 'P5' or 'P6' magic)");
  if (head[1] != '5' && head[1] != '6')
    fail(path, std::string("PNM type P") + head[1] + " is not supported (binary P5 grey or P6 colour only)");
  PnmInfo info;
  info.channels = head[1] == '6' ? 3 : 1;
  std::size_t pos = 2;
  std::array<long, 3> field{};
  for (int i = 0; i < 3; ++i) {
    while (pos < head.size() && (std::isspace(static_cast<unsigned char>(head[pos])) || head[pos] == '#')) {
      if (head[pos] == '#') pos = std::min(head.find('\n', pos), head.size());
      else ++pos;
    }
    const std::size_t start = pos;
    while (pos < head.size() && std::isdigit(static_cast<unsigned char>(head[pos])) && pos - start < 9) ++pos;
    if (pos == start) fail(path, "the PNM header is malformed or truncated");
    field[i] = std::atol(head.substr(start, pos - start).c_str());
  }
  if (pos >= head.size() || !std::isspace(static_cast<unsigned char>(head[pos])))
    fail(path, "the PNM header is malformed or truncated");
  ++pos;
  if (field[0] < 1 || field[1] < 1 || field[0] > kVolumeMaxSide || field[1] > kVolumeMaxSide)
    fail(path, "absurd PNM image size " + std::to_string(field[0]) + " x " + std::to_string(field[1]));
  if (field[2] < 1 || field[2] > 255)
    fail(path, "PNM maximum value " + std::to_string(field[2]) + " is not supported (8-bit only; use PNG for 16-bit)");
  info.width = static_cast<int>(field[0]);
  info.height = static_cast<int>(field[1]);
  const std::uint64_t pixels = std::uint64_t(info.width) * info.height;
  if (pixels > readLimits().maxPixels)
    fail(path, std::to_string(info.width) + "x" + std::to_string(info.height) + " = " + std::to_string(pixels) +
                   " pixels is " + overLimit(readLimits().maxPixels, "pixels per image", kMaxPixelsOption));
  const std::uint64_t need = pos + std::uint64_t(info.width) * info.height * info.channels;
  if (size < need)
    fail(path, "the image data is truncated: " + plural(size, "byte") + " of " + std::to_string(need));
  return info;
}

}  // namespace genlab::core::data::detail
