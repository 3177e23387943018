#include "core/data/dicom_scan.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "core/data/volume_io.h"

namespace genlab::core::data::detail {

namespace {

constexpr std::uint32_t kUndefined = 0xFFFFFFFFu;
constexpr std::uint32_t kItem = 0xFFFEE000u, kItemEnd = 0xFFFEE00Du, kSequenceEnd = 0xFFFEE0DDu;
constexpr std::uint32_t kPixelData = 0x7FE00010u;
constexpr int kMaxDepth = 16;

const char* const kImplicitLE = "1.2.840.10008.1.2";
const char* const kExplicitLE = "1.2.840.10008.1.2.1";

struct Syntax {
  const char* uid;
  const char* name;
};
// Transfer syntaxes this build refuses, by name, so the message says what the file is.
const Syntax kRefused[] = {
    {"1.2.840.10008.1.2.2", "Explicit VR Big Endian (retired)"},
    {"1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian"},
    {"1.2.840.10008.1.2.4.50", "JPEG Baseline (lossy)"},
    {"1.2.840.10008.1.2.4.51", "JPEG Extended (lossy)"},
    {"1.2.840.10008.1.2.4.57", "JPEG Lossless"},
    {"1.2.840.10008.1.2.4.70", "JPEG Lossless, first-order prediction"},
    {"1.2.840.10008.1.2.4.80", "JPEG-LS Lossless"},
    {"1.2.840.10008.1.2.4.81", "JPEG-LS Near-Lossless"},
    {"1.2.840.10008.1.2.4.90", "JPEG 2000 (lossless only)"},
    {"1.2.840.10008.1.2.4.91", "JPEG 2000"},
    {"1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 multi-component (lossless only)"},
    {"1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 multi-component"},
    {"1.2.840.10008.1.2.4.94", "JPIP referenced"},
    {"1.2.840.10008.1.2.4.95", "JPIP referenced, deflate"},
    {"1.2.840.10008.1.2.4.100", "MPEG-2"},
    {"1.2.840.10008.1.2.4.101", "MPEG-2 High Level"},
    {"1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264"},
    {"1.2.840.10008.1.2.4.103", "MPEG-4 AVC/H.264 BD-compatible"},
    {"1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 (lossless only)"},
    {"1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL (lossless only)"},
    {"1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000"},
    {"1.2.840.10008.1.2.5", "RLE Lossless"},
};

// VRs whose length is a 4-byte field after two reserved bytes (PS3.5 7.1.2).
bool longVr(std::string_view vr) {
  static const char* const kLong[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ",
                                      "SV", "UC", "UN", "UR", "UT", "UV"};
  for (const char* v : kLong)
    if (vr == v) return true;
  return false;
}
bool knownVr(std::string_view vr) {
  static const char* const kShort[] = {"AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD",
                                       "IS", "LO", "LT", "PN", "SH", "SL", "SS", "ST", "TM",
                                       "UI", "UL", "US"};
  if (longVr(vr)) return true;
  for (const char* v : kShort)
    if (vr == v) return true;
  return false;
}

std::uint16_t u16(const std::string& b, std::size_t p) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(b[p]) |
                                    static_cast<unsigned char>(b[p + 1]) << 8);
}
std::uint32_t u32(const std::string& b, std::size_t p) {
  return std::uint32_t(u16(b, p)) | std::uint32_t(u16(b, p + 2)) << 16;
}

std::string hexTag(std::uint32_t tag) {
  char s[16];
  std::snprintf(s, sizeof s, "(%04X,%04X)", tag >> 16, tag & 0xFFFF);
  return s;
}

std::string trimmed(std::string_view v) {
  std::size_t a = 0, b = v.size();
  while (a < b && (v[a] == ' ' || v[a] == '\0')) ++a;
  while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\0')) --b;
  return std::string(v.substr(a, b - a));
}

struct Element {
  std::uint32_t tag = 0;
  std::string vr;  // empty in implicit VR and for items
  std::uint32_t length = 0;
  std::size_t value = 0;  // offset of the value
};

class Walker {
 public:
  Walker(const std::string& path, const std::string& bytes, DicomInfo& info)
      : m_path(path), m_b(bytes), m_info(info) {}

  [[noreturn]] void fail(const std::string& what, std::size_t at) const {
    throw VolumeError(m_path + ": not a readable DICOM file: " + what + " (at byte " +
                      std::to_string(at) + ")");
  }

  Element header(std::size_t& pos, std::size_t end, bool explicitVr) const {
    if (end - pos < 8) fail("an element header is cut off (truncated file?)", pos);
    Element e;
    e.tag = std::uint32_t(u16(m_b, pos)) << 16 | u16(m_b, pos + 2);
    if (!explicitVr || (e.tag >> 16) == 0xFFFE) {
      e.length = u32(m_b, pos + 4);
      pos += 8;
    } else {
      e.vr = m_b.substr(pos + 4, 2);
      if (!knownVr(e.vr)) fail("element " + hexTag(e.tag) + " has an invalid VR", pos);
      if (longVr(e.vr)) {
        if (end - pos < 12) fail("an element header is cut off (truncated file?)", pos);
        e.length = u32(m_b, pos + 8);
        pos += 12;
      } else {
        e.length = u16(m_b, pos + 6);
        pos += 8;
      }
    }
    e.value = pos;
    return e;
  }

  // Items of a sequence, from `pos` up to `end` (defined length) or to the
  // sequence delimiter (undefined length).
  void sequence(std::size_t& pos, std::size_t end, bool undefined, int depth) {
    if (depth > kMaxDepth) fail("sequences nested too deeply", pos);
    while (undefined || pos < end) {
      const std::size_t at = pos;
      const Element e = header(pos, end, false);
      if (e.tag == kSequenceEnd) {
        if (!undefined) fail("a sequence delimiter inside a sequence of known length", at);
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

  void dataset(std::size_t& pos, std::size_t end, int depth, bool untilItemEnd) {
    const bool explicitVr = m_info.explicitVr;
    while (pos < end) {
      const std::size_t at = pos;
      const Element e = header(pos, end, explicitVr);
      if (e.tag == kItemEnd) {
        if (!untilItemEnd) fail("an item delimiter outside an item", at);
        return;
      }
      if (e.length == kUndefined) {
        if (e.tag == kPixelData)
          fail("the pixel data is encapsulated (compressed) although the transfer syntax says "
               "it is not", at);
        if (explicitVr && e.vr != "SQ" && e.vr != "UN")
          fail("element " + hexTag(e.tag) + " has an undefined length", at);
        sequence(pos, end, true, depth + 1);
        continue;
      }
      if (e.length > end - pos) {
        if (e.tag == kPixelData && depth == 0)
          throw VolumeError(m_path + ": the pixel data is truncated: the file holds " +
                            std::to_string(end - pos) + " of its " + std::to_string(e.length) +
                            " bytes");
        fail("element " + hexTag(e.tag) + " runs past the end of the file (truncated?)", at);
      }
      if (e.vr == "SQ") {
        std::size_t p = pos;
        sequence(p, pos + e.length, false, depth + 1);
      } else if (depth == 0) {
        record(e);
      }
      pos += e.length;
    }
    if (untilItemEnd) fail("an item has no end", pos);
  }

 private:
  std::string_view value(const Element& e) const { return {m_b.data() + e.value, e.length}; }

  int integer(const Element& e) const {
    if (e.length < 2) fail("element " + hexTag(e.tag) + " is too short", e.value);
    return u16(m_b, e.value);
  }
  // IS / DS values: backslash-separated decimal strings.
  template <std::size_t N>
  bool decimals(const Element& e, std::array<double, N>& out) const {
    const std::string s = trimmed(value(e)) + "\\";
    std::size_t start = 0;
    for (std::size_t i = 0; i < N; ++i) {
      const std::size_t stop = s.find('\\', start);
      if (stop == std::string::npos) return false;
      const std::string field = trimmed(std::string_view(s).substr(start, stop - start));
      char* endp = nullptr;
      out[i] = std::strtod(field.c_str(), &endp);
      if (field.empty() || *endp != '\0' || !std::isfinite(out[i])) return false;
      start = stop + 1;
    }
    return true;
  }

  void record(const Element& e) {
    std::array<double, 1> one{};
    switch (e.tag) {
      case 0x00280010: m_info.rows = integer(e); break;
      case 0x00280011: m_info.columns = integer(e); break;
      case 0x00280100: m_info.bitsAllocated = integer(e); break;
      case 0x00280101: m_info.bitsStored = integer(e); break;
      case 0x00280002: m_info.samplesPerPixel = integer(e); break;
      case 0x00280103: m_info.pixelRepresentation = integer(e); break;
      case 0x00280004: m_info.photometric = trimmed(value(e)); break;
      case 0x00080060: m_info.modality = trimmed(value(e)); break;
      case 0x0020000E: m_info.seriesUid = trimmed(value(e)); break;
      case 0x00280008:
        if (!decimals(e, one) || one[0] < 1 || one[0] > 1e6) fail("bad number of frames", e.value);
        m_info.frames = static_cast<int>(one[0]);
        break;
      case 0x00200013:
        if (decimals(e, one) && std::abs(one[0]) < 1e9) {
          m_info.instanceNumber = static_cast<int>(one[0]);
          m_info.hasInstance = true;
        }
        break;
      case 0x00200032: m_info.hasPosition = decimals(e, m_info.position); break;
      case 0x00200037: m_info.hasOrientation = decimals(e, m_info.orientation); break;
      case 0x00280030:
        if (!decimals(e, m_info.pixelSpacing) || m_info.pixelSpacing[0] <= 0 ||
            m_info.pixelSpacing[1] <= 0)
          m_info.pixelSpacing = {1, 1};
        break;
      case 0x00180050:
        if (decimals(e, one) && one[0] > 0) m_info.sliceThickness = one[0];
        break;
      case 0x00281052:
        if (!decimals(e, one)) fail("bad rescale intercept", e.value);
        m_info.intercept = one[0];
        break;
      case 0x00281053:
        if (!decimals(e, one) || one[0] == 0) fail("bad rescale slope", e.value);
        m_info.slope = one[0];
        break;
      case kPixelData:
        m_info.pixelOffset = e.value;
        m_info.pixelLength = e.length;
        break;
      default: break;
    }
  }

  const std::string& m_path;
  const std::string& m_b;
  DicomInfo& m_info;
};

void checkSyntax(const std::string& path, const std::string& uid) {
  if (uid == kImplicitLE || uid == kExplicitLE) return;
  for (const auto& s : kRefused)
    if (uid == s.uid)
      throw VolumeError(path + ": compressed or unsupported DICOM transfer syntax " + s.name +
                        " (" + uid + "). This build reads uncompressed little-endian DICOM only; "
                        "convert the file first, e.g. with `gdcmconv --raw IN OUT` or dcmtk's "
                        "`dcmdjpeg IN OUT`.");
  throw VolumeError(path + ": unknown DICOM transfer syntax '" + uid +
                    "': this build reads uncompressed little-endian DICOM only");
}

void checkImage(const std::string& path, const DicomInfo& d) {
  auto refuse = [&](const std::string& what) { throw VolumeError(path + ": " + what); };
  if (!d.hasPixels())
    refuse("the DICOM file holds no image (no pixel data element; a report, plan or DICOMDIR?)");
  if (d.rows < 1 || d.columns < 1 || d.rows > kVolumeMaxSide || d.columns > kVolumeMaxSide)
    refuse("the DICOM image size " + std::to_string(d.columns) + " x " + std::to_string(d.rows) +
           " is missing or absurd");
  if (d.samplesPerPixel != 1)
    refuse("colour DICOM (" + std::to_string(d.samplesPerPixel) + " samples per pixel, " +
           d.photometric + ") is not supported: volumes are greyscale");
  if (d.photometric != "MONOCHROME2" && d.photometric != "MONOCHROME1" && !d.photometric.empty())
    refuse("DICOM photometric interpretation '" + d.photometric + "' is not supported");
  if (d.bitsAllocated != 8 && d.bitsAllocated != 16)
    refuse("DICOM with " + std::to_string(d.bitsAllocated) +
           " bits allocated per pixel is not supported (8 or 16 only)");
  if (d.bitsStored < 1 || d.bitsStored > d.bitsAllocated)
    refuse("DICOM bits stored (" + std::to_string(d.bitsStored) + ") is missing or absurd");
  if (d.pixelRepresentation != 0 && d.pixelRepresentation != 1)
    refuse("DICOM pixel representation must be 0 or 1");
  if (d.frames != 1)
    refuse("multi-frame DICOM (" + std::to_string(d.frames) +
           " frames in one file) is not supported; a series of single-frame files is");
  if (d.pixelLength < d.pixelBytes())
    refuse("the pixel data is truncated: " + std::to_string(d.pixelLength) + " bytes for a " +
           std::to_string(d.columns) + " x " + std::to_string(d.rows) + " image that needs " +
           std::to_string(d.pixelBytes()));
}

}  // namespace

double DicomInfo::storedValue(const std::string& bytes, int x, int y) const {
  const std::size_t i = static_cast<std::size_t>(y) * columns + x;
  if (bitsAllocated == 8) {
    const auto v = static_cast<unsigned char>(bytes[pixelOffset + i]);
    return pixelRepresentation ? double(static_cast<signed char>(v)) : double(v);
  }
  const std::uint16_t v = u16(bytes, pixelOffset + 2 * i);
  return pixelRepresentation ? double(static_cast<std::int16_t>(v)) : double(v);
}

bool hasDicomMagic(const std::string& bytes) {
  return bytes.size() >= 132 && bytes.compare(128, 4, "DICM") == 0;
}

DicomInfo scanDicom(const std::string& path, const std::string& bytes, bool imageRequired) {
  if (!hasDicomMagic(bytes))
    throw VolumeError(path + ": not a DICOM file (no 'DICM' marker at byte 128; files without "
                             "the Part-10 header are not supported)");
  DicomInfo info;
  Walker walker(path, bytes, info);
  // The file meta group: explicit VR little endian whatever the data set uses.
  std::size_t pos = 132;
  std::string syntax;
  while (bytes.size() - pos >= 2 && u16(bytes, pos) == 0x0002) {
    const std::size_t at = pos;
    const Element e = walker.header(pos, bytes.size(), true);
    if (e.length == kUndefined || e.length > bytes.size() - pos)
      walker.fail("the file meta header is malformed or truncated", at);
    if (e.tag == 0x00020010) syntax = trimmed(std::string_view(bytes).substr(pos, e.length));
    pos += e.length;
  }
  if (syntax.empty())
    throw VolumeError(path + ": the DICOM file meta header names no transfer syntax");
  checkSyntax(path, syntax);
  info.transferSyntax = syntax;
  info.explicitVr = syntax == kExplicitLE;
  walker.dataset(pos, bytes.size(), 0, false);
  if (!imageRequired && !info.hasPixels()) return info;
  checkImage(path, info);
  return info;
}

}  // namespace genlab::core::data::detail
