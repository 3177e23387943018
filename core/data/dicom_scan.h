#pragma once
// A bounds-checked walk over a DICOM Part-10 file: the checks made before a
// file reaches VTK's DICOM reader (which crashes on some malformed files and
// silently fills missing pixels with zeros). Internal to core/data.
#include <array>
#include <cstdint>
#include <string>

namespace genlab::core::data::detail {

struct DicomInfo {
  std::string transferSyntax;  // UID
  bool explicitVr = true;
  int rows = 0, columns = 0;
  int bitsAllocated = 0, bitsStored = 0, samplesPerPixel = 1, pixelRepresentation = 0;
  int frames = 1;
  std::string photometric, modality, seriesUid;
  bool hasPosition = false, hasOrientation = false, hasInstance = false;
  std::array<double, 3> position{0, 0, 0};
  std::array<double, 6> orientation{1, 0, 0, 0, 1, 0};
  std::array<double, 2> pixelSpacing{1, 1};  // row spacing (between rows), column spacing
  double sliceThickness = 0;
  int instanceNumber = 0;
  double slope = 1, intercept = 0;
  std::uint64_t pixelOffset = 0, pixelLength = 0;

  bool hasPixels() const { return pixelOffset != 0; }
  std::uint64_t pixelBytes() const {
    return std::uint64_t(rows) * columns * (bitsAllocated / 8) * samplesPerPixel * frames;
  }
  // Stored value of pixel (x, y), row 0 at the top, before rescaling.
  double storedValue(const std::string& bytes, int x, int y) const;
};

// True when `bytes` (at least the first 132 of a file) carry the "DICM" marker.
bool hasDicomMagic(const std::string& bytes);

// Walks the whole file (`bytes`, named `path` in messages). Throws VolumeError
// for anything this build cannot hand to VTK: no "DICM" marker, compressed or
// big-endian transfer syntaxes (named in the message), malformed or truncated
// elements, no pixel data, colour, multi-frame, bit depths other than 8 or 16.
// With imageRequired false a well-formed file without pixel data (a report,
// a DICOMDIR) is returned as it is (hasPixels() false) instead.
DicomInfo scanDicom(const std::string& path, const std::string& bytes, bool imageRequired = true);

}  // namespace genlab::core::data::detail
