#include "core/data/dicom_structure.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string_view>
#include <utility>
#include <vector>

#include "core/data/volume_checks.h"
#include "core/data/volume_io.h"

namespace genlab::core::data::detail {

namespace {

constexpr std::uint32_t kUndefined = 0xFFFFFFFFu;
constexpr std::uint32_t kItem = 0xFFFEE000u, kItemEnd = 0xFFFEE00Du, kSequenceEnd = 0xFFFEE0DDu;
constexpr std::uint32_t kPixelData = 0x7FE00010u;
constexpr int kMaxDepth = 16;

// VRs whose length is a 4-byte field after two reserved bytes (PS3.5 7.1.2).
bool longVr(std::string_view vr) {
  for (const char* v : {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"})
    if (vr == v) return true;
  return false;
}
bool knownVr(std::string_view vr) {
  if (longVr(vr)) return true;
  for (const char* v : {"AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO", "LT", "PN",
                        "SH", "SL", "SS", "ST", "TM", "UI", "UL", "US"})
    if (vr == v) return true;
  return false;
}

std::string hexTag(std::uint32_t tag) {
  char s[16];
  std::snprintf(s, sizeof s, "(%04X,%04X)", tag >> 16, tag & 0xFFFF);
  return s;
}

class Walker {
 public:
  Walker(const std::string& path, const std::string& bytes) : m_path(path), m_b(bytes) {}

  std::vector<std::pair<std::size_t, std::size_t>> fragments;

  [[noreturn]] void fail(const std::string& what, std::size_t at) const {
    throw VolumeError(m_path + ": not a readable DICOM file: " + what + " (at byte " + std::to_string(at) + ")");
  }

  // The meta group (always explicit VR little endian); returns the transfer syntax UID.
  std::string meta(std::size_t& pos) {
    std::string syntax;
    const bool saved = m_bigEndian;
    m_bigEndian = false;
    while (m_b.size() - pos >= 2 && u16(pos) == 0x0002) {
      const std::size_t at = pos;
      const Element e = header(pos, m_b.size(), true);
      if (e.length == kUndefined || e.length > m_b.size() - pos)
        fail("the file meta header is malformed or truncated", at);
      if (e.tag == 0x00020010) syntax = trimmed(std::string_view(m_b.data() + pos, e.length));
      pos += e.length;
    }
    m_bigEndian = saved;
    return syntax;
  }

  void dataset(std::size_t& pos, std::size_t end, int depth, bool untilItemEnd) {
    while (pos < end) {
      const std::size_t at = pos;
      const Element e = header(pos, end, m_explicit);
      if (e.tag == kItemEnd) {
        if (!untilItemEnd) fail("an item delimiter outside an item", at);
        delimiterLength(e.length, at);
        return;
      }
      if (e.tag == kPixelData && depth == 0) {
        pixelData(e, pos, end, at);
        return;  // what follows the pixel data (padding, junk) is cut off before GDCM reads
      }
      if (e.length == kUndefined) {
        if (m_explicit && e.vr != "SQ" && e.vr != "UN") fail("element " + hexTag(e.tag) + " has an undefined length", at);
        sequence(pos, end, true, depth + 1);
        continue;
      }
      if (e.length > end - pos) fail("element " + hexTag(e.tag) + " runs past the end of the file (truncated?)", at);
      if (e.vr == "SQ") {
        std::size_t p = pos;
        sequence(p, pos + e.length, false, depth + 1);
      }
      pos += e.length;
    }
    if (untilItemEnd) fail("an item has no end", pos);
  }

  bool m_explicit = true, m_bigEndian = false;

 private:
  struct Element {
    std::uint32_t tag = 0;
    std::string vr;  // empty in implicit VR and for items
    std::uint32_t length = 0;
  };

  std::uint16_t u16(std::size_t p) const {
    const unsigned a = static_cast<unsigned char>(m_b[p]), b = static_cast<unsigned char>(m_b[p + 1]);
    return static_cast<std::uint16_t>(m_bigEndian ? a << 8 | b : b << 8 | a);
  }
  std::uint32_t u32(std::size_t p) const {
    return m_bigEndian ? std::uint32_t(u16(p)) << 16 | u16(p + 2) : std::uint32_t(u16(p + 2)) << 16 | u16(p);
  }
  static std::string trimmed(std::string_view v) {
    while (!v.empty() && (v.back() == ' ' || v.back() == '\0')) v.remove_suffix(1);
    return std::string(v);
  }

  Element header(std::size_t& pos, std::size_t end, bool explicitVr) const {
    if (end - pos < 8) fail("an element header is cut off (truncated file?)", pos);
    Element e;
    e.tag = std::uint32_t(u16(pos)) << 16 | u16(pos + 2);
    if (!explicitVr || (e.tag >> 16) == 0xFFFE) {
      e.length = u32(pos + 4);
      pos += 8;
      return e;
    }
    e.vr = m_b.substr(pos + 4, 2);
    if (!knownVr(e.vr)) fail("element " + hexTag(e.tag) + " has an invalid VR", pos);
    if (longVr(e.vr)) {
      if (end - pos < 12) fail("an element header is cut off (truncated file?)", pos);
      e.length = u32(pos + 8);
      pos += 12;
    } else {
      e.length = u16(pos + 6);
      pos += 8;
    }
    return e;
  }

  // A delimiter's length must be 0 (PS3.5 7.5). GDCM reads the value a
  // delimiter declares, allocating its length first: a pixel data delimiter
  // declaring 0x30000000 made it allocate 805 MB from a file of 2.5 KB.
  void delimiterLength(std::uint32_t length, std::size_t at) const {
    if (length != 0)
      fail("a delimiter declares a length of " + std::to_string(length) + " bytes where it must be 0", at);
  }

  // Items of a sequence, up to `end` (defined length) or its delimiter.
  void sequence(std::size_t& pos, std::size_t end, bool undefined, int depth) {
    if (depth > kMaxDepth) fail("sequences nested too deeply", pos);
    while (undefined || pos < end) {
      const std::size_t at = pos;
      const Element e = header(pos, end, false);
      if (e.tag == kSequenceEnd) {
        if (!undefined) fail("a sequence delimiter inside a sequence of known length", at);
        delimiterLength(e.length, at);
        return;
      }
      if (e.tag != kItem) fail("expected an item in a sequence, found " + hexTag(e.tag), at);
      if (e.length == kUndefined) {
        dataset(pos, end, depth + 1, true);
      } else {
        if (e.length > end - pos) fail("an item runs past its sequence or the file", at);
        std::size_t p = pos;
        dataset(p, pos + e.length, depth + 1, false);
        pos += e.length;
      }
    }
  }

  void pixelData(const Element& e, std::size_t& pos, std::size_t end, std::size_t at) {
    if (e.length != kUndefined) {
      if (e.length > end - pos)
        throw VolumeError(m_path + ": the pixel data is truncated: the file holds " + std::to_string(end - pos) +
                          " of its " + std::to_string(e.length) + " bytes");
      pos += e.length;
      return;
    }
    // Encapsulated: an offset table and fragments, as items, then a delimiter.
    for (;;) {
      const std::size_t item = pos;
      if (end - pos < 8) throw VolumeError(m_path + ": the compressed pixel data is truncated");
      const std::uint32_t tag = std::uint32_t(u16(pos)) << 16 | u16(pos + 2);
      const std::uint32_t length = u32(pos + 4);
      pos += 8;
      if (tag == kSequenceEnd) {
        delimiterLength(length, item);
        return;
      }
      if (tag != kItem || length == kUndefined) fail("malformed compressed pixel data", item);
      if (length > end - pos) throw VolumeError(m_path + ": the compressed pixel data is truncated");
      if (fragments.size() < 100000) fragments.emplace_back(pos, length);
      pos += length;
    }
    (void)at;
  }

  const std::string& m_path;
  const std::string& m_b;
};

}  // namespace

DicomBytes checkDicomStructure(const std::string& path) {
  const std::uint64_t size = regularFile(path);
  if (size > (std::uint64_t{1} << 30)) throw VolumeError(path + ": the file is too large for one DICOM image (over 1 GiB)");
  std::string bytes(static_cast<std::size_t>(size), '\0');
  std::ifstream in(path, std::ios::binary);
  if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) throw VolumeError(path + ": cannot read the file");
  if (bytes.size() < 132 || bytes.compare(128, 4, "DICM") != 0)
    throw VolumeError(path + ": no 'DICM' marker at byte 128: not a DICOM Part-10 file (or one without its preamble)");
  Walker w(path, bytes);
  std::size_t pos = 132;
  const std::string syntax = w.meta(pos);
  if (syntax.empty()) throw VolumeError(path + ": the DICOM file meta header names no transfer syntax");
  if (syntax == "1.2.840.10008.1.2.1.99")
    throw VolumeError(path + ": Deflated Explicit VR Little Endian is not supported (re-save it uncompressed)");
  w.m_explicit = syntax != "1.2.840.10008.1.2";
  w.m_bigEndian = syntax == "1.2.840.10008.1.2.2";
  w.dataset(pos, bytes.size(), 0, false);
  bytes.resize(pos);  // pos: just after the pixel data, or the end of the file
  return {std::move(bytes), std::move(w.fragments)};
}

namespace {
unsigned be16(const std::string& b, std::size_t p) {
  return unsigned(static_cast<unsigned char>(b[p])) << 8 | static_cast<unsigned char>(b[p + 1]);
}
std::uint32_t be32(const std::string& b, std::size_t p) { return std::uint32_t(be16(b, p)) << 16 | be16(b, p + 2); }

// The size a JPEG or JPEG-LS codestream declares in its SOF segment, if found.
bool jpegSize(const std::string& b, std::size_t at, std::size_t n, unsigned& width, unsigned& height) {
  std::size_t p = at + 2;  // after SOI
  for (int segments = 0; segments < 1000 && p + 9 <= at + n; ++segments) {
    if (static_cast<unsigned char>(b[p]) != 0xFF) return false;
    const unsigned marker = static_cast<unsigned char>(b[p + 1]);
    if (marker == 0xFF) {  // fill byte
      ++p;
      continue;
    }
    const bool sof = (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) ||
                     marker == 0xF7;  // JPEG-LS SOF55
    if (sof) {
      height = be16(b, p + 5);
      width = be16(b, p + 7);
      return true;
    }
    p += 2 + be16(b, p + 2);
  }
  return false;
}
}  // namespace

void checkCodestreamSizes(const std::string& path, const DicomBytes& d, int rows, int columns) {
  const std::string& b = d.bytes;
  for (const auto& [start, length] : d.fragments) {
    if (length < 4) continue;
    unsigned width = 0, height = 0;
    bool found = false;
    std::size_t at = start, n = length;
    if (n >= 12 && b.compare(at, 6, std::string("\0\0\0\x0CjP", 6)) == 0) {
      // A JP2 file around the codestream: find the codestream's SOC + SIZ.
      const std::size_t soc = b.substr(at, std::min<std::size_t>(n, 4096)).find("\xFF\x4F\xFF\x51");
      if (soc == std::string::npos) throw VolumeError(path + ": a JPEG 2000 fragment without a codestream header");
      at += soc;
      n -= soc;
    }
    if (be16(b, at) == 0xFF4F && be16(b, at + 2) == 0xFF51) {  // JPEG 2000: SOC, SIZ
      if (n < 4 + 2 + 2 + 16) throw VolumeError(path + ": a JPEG 2000 codestream is cut short");
      const std::uint32_t xs = be32(b, at + 8), ys = be32(b, at + 12), xo = be32(b, at + 16), yo = be32(b, at + 20);
      if (xo > xs || yo > ys) throw VolumeError(path + ": a JPEG 2000 codestream declares an impossible image");
      width = xs - xo;
      height = ys - yo;
      found = true;
    } else if (be16(b, at) == 0xFFD8) {  // JPEG, JPEG lossless, JPEG-LS: SOI
      found = jpegSize(b, at, n, width, height);
    }
    if (found && (width != static_cast<unsigned>(columns) || height != static_cast<unsigned>(rows)))
      throw VolumeError(path + ": its compressed pixel data declares a " + std::to_string(width) + " x " +
                        std::to_string(height) + " image where the header says " + std::to_string(columns) +
                        " x " + std::to_string(rows));
  }
}

}  // namespace genlab::core::data::detail
