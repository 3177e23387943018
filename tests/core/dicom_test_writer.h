#pragma once
// A minimal DICOM Part-10 writer for tests: single-frame greyscale CT images
// in explicit or implicit VR little endian, with the handful of elements
// VTK's reader and genlab's checks look at. Not a general DICOM writer.
#include <array>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace genlab::testing {

struct DicomSpec {
  int rows = 16, columns = 16;
  int bitsAllocated = 16;
  bool signedPixels = true;
  std::string transferSyntax = "1.2.840.10008.1.2.1";  // explicit VR little endian
  double slope = 1, intercept = 0;
  bool withGeometry = true;
  std::array<double, 3> position{0, 0, 0};
  int instance = 1;
  std::string seriesUid = "1.2.826.0.1.3680043.9.7777.1";
  std::vector<int> pixels;  // rows * columns stored values, row 0 at the top
  long truncatePixelsTo = -1;  // >= 0: write only this many pixel bytes (a hostile file)
};

namespace detail {
inline void put16(std::string& b, unsigned v) {
  b.push_back(static_cast<char>(v & 0xFF));
  b.push_back(static_cast<char>((v >> 8) & 0xFF));
}
inline void put32(std::string& b, std::uint32_t v) {
  put16(b, v & 0xFFFF);
  put16(b, v >> 16);
}
inline void element(std::string& b, bool explicitVr, unsigned group, unsigned elem, const char* vr,
                    std::string value, std::uint32_t declaredLength = 0xFFFFFFFEu) {
  if (value.size() % 2) value.push_back(std::string(vr) == "UI" ? '\0' : ' ');
  const std::uint32_t len = declaredLength == 0xFFFFFFFEu ? static_cast<std::uint32_t>(value.size()) : declaredLength;
  put16(b, group);
  put16(b, elem);
  if (explicitVr) {
    b.append(vr, 2);
    const std::string v(vr);
    if (v == "OB" || v == "OW" || v == "SQ" || v == "UN" || v == "UT") {
      put16(b, 0);
      put32(b, len);
    } else {
      put16(b, len);
    }
  } else {
    put32(b, len);
  }
  b += value;
}
inline std::string us(unsigned v) {
  std::string s;
  put16(s, v);
  return s;
}
inline std::string ds(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}
}  // namespace detail

inline std::string makeDicom(const DicomSpec& s) {
  using namespace detail;
  const bool ex = s.transferSyntax != "1.2.840.10008.1.2";
  std::string meta;
  element(meta, true, 0x0002, 0x0001, "OB", std::string("\0\1", 2));
  element(meta, true, 0x0002, 0x0002, "UI", "1.2.840.10008.5.1.4.1.1.2");
  element(meta, true, 0x0002, 0x0003, "UI", s.seriesUid + "." + std::to_string(s.instance));
  if (!s.transferSyntax.empty()) element(meta, true, 0x0002, 0x0010, "UI", s.transferSyntax);
  element(meta, true, 0x0002, 0x0012, "UI", "1.2.826.0.1.3680043.9.7777");
  std::string b(128, '\0');
  b += "DICM";
  std::string groupLength;
  put32(groupLength, static_cast<std::uint32_t>(meta.size()));
  element(b, true, 0x0002, 0x0000, "UL", groupLength);
  b += meta;
  element(b, ex, 0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.2");
  element(b, ex, 0x0008, 0x0018, "UI", s.seriesUid + "." + std::to_string(s.instance));
  element(b, ex, 0x0008, 0x0060, "CS", "CT");
  element(b, ex, 0x0018, 0x0050, "DS", "2.5");
  element(b, ex, 0x0020, 0x000D, "UI", "1.2.826.0.1.3680043.9.7777.9");
  element(b, ex, 0x0020, 0x000E, "UI", s.seriesUid);
  element(b, ex, 0x0020, 0x0013, "IS", std::to_string(s.instance));
  if (s.withGeometry) {
    element(b, ex, 0x0020, 0x0032, "DS", ds(s.position[0]) + "\\" + ds(s.position[1]) + "\\" + ds(s.position[2]));
    element(b, ex, 0x0020, 0x0037, "DS", "1\\0\\0\\0\\1\\0");
  }
  element(b, ex, 0x0028, 0x0002, "US", us(1));
  element(b, ex, 0x0028, 0x0004, "CS", "MONOCHROME2");
  element(b, ex, 0x0028, 0x0010, "US", us(s.rows));
  element(b, ex, 0x0028, 0x0011, "US", us(s.columns));
  element(b, ex, 0x0028, 0x0030, "DS", "0.5\\0.75");
  element(b, ex, 0x0028, 0x0100, "US", us(s.bitsAllocated));
  element(b, ex, 0x0028, 0x0101, "US", us(s.bitsAllocated));
  element(b, ex, 0x0028, 0x0102, "US", us(s.bitsAllocated - 1));
  element(b, ex, 0x0028, 0x0103, "US", us(s.signedPixels ? 1 : 0));
  element(b, ex, 0x0028, 0x1052, "DS", ds(s.intercept));
  element(b, ex, 0x0028, 0x1053, "DS", ds(s.slope));
  std::string pixels;
  for (int i = 0; i < s.rows * s.columns; ++i) {
    const int v = i < static_cast<int>(s.pixels.size()) ? s.pixels[i] : 0;
    if (s.bitsAllocated == 8)
      pixels.push_back(static_cast<char>(v & 0xFF));
    else
      put16(pixels, static_cast<unsigned>(v) & 0xFFFF);
  }
  const auto full = static_cast<std::uint32_t>(pixels.size() + pixels.size() % 2);
  if (s.truncatePixelsTo >= 0) pixels.resize(static_cast<std::size_t>(s.truncatePixelsTo));
  element(b, ex, 0x7FE0, 0x0010, s.bitsAllocated == 8 ? "OB" : "OW", pixels,
          s.truncatePixelsTo >= 0 ? full : 0xFFFFFFFEu);
  if (s.truncatePixelsTo >= 0 && pixels.size() % 2) b.pop_back();  // drop the pad byte too
  return b;
}

inline void writeBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace genlab::testing
