#include "core/data/idx_reader.h"

#include "core/data/file_checks.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

namespace genlab::core {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw DataError(name + ": " + what);
}

bool startsLikeGzip(const unsigned char* p, std::size_t n) {
  return n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

// A stream of bytes, raw or decompressed, so one parser serves files, memory
// and gzip.
class ByteSource {
 public:
  explicit ByteSource(std::string name) : m_name(std::move(name)) {}
  virtual ~ByteSource() = default;
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;

  // Up to n bytes; fewer (0 included) only at the end of the data. Throws
  // DataError for read errors and corrupt compressed data.
  virtual std::size_t read(std::uint8_t* out, std::size_t n) = 0;
  // Bytes still to come when that is known without reading them (raw data),
  // so sizes can be checked before allocating; nullopt for gzip.
  virtual std::optional<std::uint64_t> remaining() const = 0;
  virtual bool compressed() const { return false; }
  // True when compressed data ended in the middle of a stream.
  virtual bool cutOff() const { return false; }

  const std::string& name() const { return m_name; }

  std::size_t readFully(std::uint8_t* out, std::size_t n) {
    std::size_t done = 0;
    while (done < n) {
      const std::size_t got = read(out + done, n - done);
      if (got == 0) break;
      done += got;
    }
    return done;
  }

 protected:
  std::string m_name;
};

class FileSource : public ByteSource {
 public:
  FileSource(std::string name, std::FILE* file, std::uint64_t size)
      : ByteSource(std::move(name)), m_file(file), m_left(size) {}
  ~FileSource() override { std::fclose(m_file); }

  std::size_t read(std::uint8_t* out, std::size_t n) override {
    const std::size_t got = std::fread(out, 1, n, m_file);
    if (got < n && std::ferror(m_file)) fail(m_name, std::string("read error: ") + std::strerror(errno));
    m_left -= std::min<std::uint64_t>(m_left, got);
    return got;
  }
  std::optional<std::uint64_t> remaining() const override { return m_left; }

 private:
  std::FILE* m_file;
  std::uint64_t m_left;
};

class MemorySource : public ByteSource {
 public:
  MemorySource(std::string name, std::string_view bytes) : ByteSource(std::move(name)), m_bytes(bytes) {}

  std::size_t read(std::uint8_t* out, std::size_t n) override {
    const std::size_t got = std::min(n, m_bytes.size() - m_pos);
    if (got) std::memcpy(out, m_bytes.data() + m_pos, got);
    m_pos += got;
    return got;
  }
  std::optional<std::uint64_t> remaining() const override { return m_bytes.size() - m_pos; }

 private:
  std::string_view m_bytes;
  std::size_t m_pos = 0;
};

// Decompresses gzip from any raw source with zlib's inflate, so files and
// embedded resources behave identically (concatenated members included).
class InflateSource : public ByteSource {
 public:
  explicit InflateSource(std::unique_ptr<ByteSource> raw)
      : ByteSource(raw->name()), m_raw(std::move(raw)), m_buffer(256 * 1024) {
    // 15 + 16: maximum window, gzip wrapper only.
    if (inflateInit2(&m_z, 15 + 16) != Z_OK) fail(m_name, "cannot start gzip decompression");
  }
  ~InflateSource() override { inflateEnd(&m_z); }

  std::size_t read(std::uint8_t* out, std::size_t n) override {
    std::size_t done = 0;
    while (done < n && !m_end) {
      if (m_z.avail_in == 0) refill();
      // inflate counts in uInt; ask for at most 1 GiB per call.
      const std::size_t ask = std::min<std::size_t>(n - done, std::size_t{1} << 30);
      m_z.next_out = out + done;
      m_z.avail_out = static_cast<uInt>(ask);
      const int ret = inflate(&m_z, Z_NO_FLUSH);
      done += ask - m_z.avail_out;
      if (ret == Z_STREAM_END) {
        // Another gzip member may follow; anything else after the end is
        // ignored, as gzip -d does.
        if (m_z.avail_in == 0) refill();
        if (m_z.avail_in > 0 && m_z.next_in[0] == 0x1f) {
          if (inflateReset(&m_z) != Z_OK) fail(m_name, "cannot restart gzip decompression");
        } else {
          m_end = true;
        }
      } else if (ret == Z_OK || ret == Z_BUF_ERROR) {
        // No progress is possible only when the input is used up before the
        // stream says it is complete: the file was cut off.
        if (m_z.avail_in == 0 && m_rawEnd && m_z.avail_out > 0) {
          m_end = true;
          m_cutOff = true;
        }
      } else {
        fail(m_name, std::string("corrupt gzip data (") + (m_z.msg ? m_z.msg : "inflate error") + ")");
      }
    }
    return done;
  }
  std::optional<std::uint64_t> remaining() const override { return std::nullopt; }
  bool compressed() const override { return true; }
  bool cutOff() const override { return m_cutOff; }

 private:
  void refill() {
    if (m_rawEnd) return;
    const std::size_t got = m_raw->read(m_buffer.data(), m_buffer.size());
    if (got == 0) m_rawEnd = true;
    m_z.next_in = m_buffer.data();
    m_z.avail_in = static_cast<uInt>(got);
  }

  std::unique_ptr<ByteSource> m_raw;
  std::vector<std::uint8_t> m_buffer;
  z_stream m_z{};
  bool m_rawEnd = false;
  bool m_end = false;
  bool m_cutOff = false;
};

std::unique_ptr<ByteSource> openFile(const std::string& path) {
  const std::uint64_t size = regularFileSize(path);
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) fail(path, std::string("cannot open: ") + std::strerror(errno));
  auto raw = std::make_unique<FileSource>(path, file, size);
  // Sniff the gzip magic rather than trusting the name: a ".gz" that was
  // already unpacked, or a gzip without the suffix, both still read.
  unsigned char magic[2] = {0, 0};
  const std::size_t got = std::fread(magic, 1, 2, file);
  if (std::fseek(file, 0, SEEK_SET) != 0) fail(path, std::string("cannot seek: ") + std::strerror(errno));
  if (startsLikeGzip(magic, got)) return std::make_unique<InflateSource>(std::move(raw));
  return raw;
}

std::unique_ptr<ByteSource> openMemory(std::string_view bytes, const std::string& name) {
  auto raw = std::make_unique<MemorySource>(name, bytes);
  if (startsLikeGzip(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()))
    return std::make_unique<InflateSource>(std::move(raw));
  return raw;
}

std::string hexBytes(const std::uint8_t* p, std::size_t n) {
  std::string s;
  char buf[4];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", p[i]);
    if (i) s += ' ';
    s += buf;
  }
  return s;
}

const char* idxTypeName(std::uint8_t type) {
  switch (type) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "short";
    case 0x0C: return "int";
    case 0x0D: return "float";
    case 0x0E: return "double";
    default: return "unknown";
  }
}

struct IdxHeader {
  std::uint32_t count = 0;
  std::uint32_t rows = 1;
  std::uint32_t cols = 1;
  std::uint64_t bodyBytes() const { return std::uint64_t{count} * rows * cols; }
};

std::uint32_t bigEndian32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

std::string describe(const IdxHeader& h, bool images) {
  if (!images) return std::to_string(h.count) + " labels";
  return std::to_string(h.count) + " images of " + std::to_string(h.rows) + "x" + std::to_string(h.cols);
}

// dims: 3 for an image file, 1 for a label file.
IdxHeader readHeader(ByteSource& src, int dims) {
  const bool images = dims == 3;
  const std::string& name = src.name();
  const char* what = images ? "image" : "label";
  std::uint8_t buf[16] = {};
  const std::size_t got = src.readFully(buf, 4);
  if (got == 0) fail(name, src.compressed() ? "is empty (no data after decompression)" : "is empty (0 bytes)");
  if (got < 4)
    fail(name, "is too short to be an IDX file (" + std::to_string(got) + " bytes" +
                   (src.cutOff() ? ", gzip data cut off" : "") + ")");
  if (buf[0] != 0 || buf[1] != 0)
    fail(name, "is not an IDX " + std::string(what) + " file: it starts with bytes " + hexBytes(buf, 4) +
                   " where one starts with 00 00 08 0" + std::to_string(dims));
  if (buf[2] != 0x08)
    fail(name, "wrong magic: holds IDX data of type 0x" + hexBytes(buf + 2, 1) + " (" + idxTypeName(buf[2]) +
                   "); only unsigned-byte IDX files (type 0x08) can be read");
  if (buf[3] != dims) {
    if (images && buf[3] == 1) fail(name, "wrong magic: this is an IDX label file (1 dimension), not an image file");
    if (!images && buf[3] == 3) fail(name, "wrong magic: this is an IDX image file (3 dimensions), not a label file");
    fail(name, "wrong magic: the header declares " + std::to_string(buf[3]) + " dimensions where an IDX " + what +
                   " file has " + std::to_string(dims));
  }
  const std::size_t headerBytes = 4 + 4 * static_cast<std::size_t>(dims);
  const std::size_t more = src.readFully(buf + 4, headerBytes - 4);
  if (more < headerBytes - 4)
    fail(name, "truncated header: " + std::to_string(4 + more) + " bytes where an IDX " + what + " header has " +
                   std::to_string(headerBytes));

  IdxHeader h;
  h.count = bigEndian32(buf + 4);
  if (images) {
    h.rows = bigEndian32(buf + 8);
    h.cols = bigEndian32(buf + 12);
  }
  if (h.count == 0) fail(name, std::string("the header says it holds no ") + what + "s");
  if (h.count > kIdxMaxCount)
    fail(name, "implausible header: it claims " + std::to_string(h.count) + " " + what + "s (at most " +
                   std::to_string(kIdxMaxCount) + " are accepted); the file is probably corrupt");
  if (images && (h.rows == 0 || h.cols == 0 || h.rows > kIdxMaxSide || h.cols > kIdxMaxSide))
    fail(name, "implausible header: it claims images of " + std::to_string(h.rows) + "x" + std::to_string(h.cols) +
                   " (each side must be 1.." + std::to_string(kIdxMaxSide) + "); the file is probably corrupt");
  if (h.bodyBytes() > kIdxMaxPixelBytes ||
      h.bodyBytes() > std::numeric_limits<std::size_t>::max())
    fail(name, "too large: the header says " + describe(h, images) + ", " + std::to_string(h.bodyBytes()) +
                   " bytes, more than the " + std::to_string(kIdxMaxPixelBytes >> 30) + " GiB that can be read");
  return h;
}

std::vector<std::uint8_t> readBody(ByteSource& src, const IdxHeader& h, bool images) {
  const std::string& name = src.name();
  const std::uint64_t want = h.bodyBytes();
  const char* unit = images ? "pixel data" : "label data";
  auto truncated = [&](std::uint64_t have) {
    fail(name, "truncated: header says " + describe(h, images) + " but the file holds " + std::to_string(have) +
                   " bytes of " + unit + " (" + std::to_string(want) + " needed)" +
                   (src.compressed() ? " after decompression" : "") + (src.cutOff() ? "; the gzip data is cut off" : ""));
  };
  auto tooLong = [&](const std::string& extra) {
    fail(name, "holds " + extra + " than its header declares (" + describe(h, images) +
                   "); it is corrupt or not the file its header claims");
  };

  std::vector<std::uint8_t> data;
  if (const auto left = src.remaining()) {
    // Raw data: the size is known, so a lying header fails before allocating.
    if (*left < want) truncated(*left);
    if (*left > want) tooLong(std::to_string(*left - want) + " bytes more");
    data.resize(static_cast<std::size_t>(want));
    const std::size_t got = src.readFully(data.data(), data.size());
    if (got < want) truncated(got);  // the file shrank while being read
    return data;
  }
  // Compressed: the real size is only known by decompressing, so grow in
  // chunks and let short data fail before the declared size is ever reserved.
  constexpr std::size_t kChunk = std::size_t{1} << 20;
  std::size_t have = 0;
  while (have < want) {
    const std::size_t step = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, want - have));
    data.resize(have + step);
    const std::size_t got = src.readFully(data.data() + have, step);
    have += got;
    if (got < step) truncated(have);
  }
  // Reading on to the end of the stream also verifies gzip's CRC-32.
  std::uint8_t probe = 0;
  if (src.readFully(&probe, 1) != 0) tooLong("more data");
  if (src.cutOff()) fail(name, "truncated: the gzip data is cut off after the " + std::string(unit) +
                                   ", so it cannot be verified");
  return data;
}

ImageDataset readIdx(ByteSource& images, ByteSource& labels) {
  // Both headers first, so a count mismatch is reported before reading any
  // pixel data.
  const IdxHeader ih = readHeader(images, 3);
  const IdxHeader lh = readHeader(labels, 1);
  if (ih.count != lh.count)
    fail(images.name(), "image/label count mismatch: it holds " + std::to_string(ih.count) + " images but " +
                            labels.name() + " holds " + std::to_string(lh.count) + " labels");
  ImageDataset ds;
  ds.count = static_cast<int>(ih.count);
  ds.height = static_cast<int>(ih.rows);
  ds.width = static_cast<int>(ih.cols);
  ds.pixels = readBody(images, ih, true);
  const std::vector<std::uint8_t> raw = readBody(labels, lh, false);
  ds.labels.assign(raw.begin(), raw.end());  // unsigned bytes: always 0..255
  ds.provenance = "IDX " + images.name() + " + " + labels.name();
  return ds;
}

}  // namespace

ImageDataset readIdxImages(const std::string& imagesPath, const std::string& labelsPath) {
  const auto images = openFile(imagesPath);
  const auto labels = openFile(labelsPath);
  return readIdx(*images, *labels);
}

ImageDataset readIdxImagesFromMemory(std::string_view imagesBytes, std::string_view labelsBytes,
                                     const std::string& imagesName, const std::string& labelsName) {
  const auto images = openMemory(imagesBytes, imagesName);
  const auto labels = openMemory(labelsBytes, labelsName);
  return readIdx(*images, *labels);
}

}  // namespace genlab::core
