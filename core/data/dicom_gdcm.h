#pragma once
// DICOM through GDCM (Debian's libgdcm 3.0): every transfer syntax GDCM
// decodes (uncompressed, RLE, JPEG lossless and baseline, JPEG-LS, JPEG 2000,
// deflated, big endian), files with data after their pixel data, multi-frame
// images. GenLab keeps only the checks GDCM does not make: size limits before
// decoding, greyscale only, pixel data that is all there. GDCM's own trace
// output is switched off; problems are reported in GenLab's words, as a
// VolumeError naming the file. Internal to core/data.
#include <array>
#include <string>

#include "core/data/volume_io.h"

namespace genlab::core::data::detail {

// What a series needs to know about one file, read without its pixel data.
struct DicomInfo {
  int rows = 0, columns = 0, frames = 1;
  std::string modality, seriesUid;
  bool hasPosition = false, hasOrientation = false, hasInstance = false;
  std::array<double, 3> position{0, 0, 0};
  std::array<double, 6> orientation{1, 0, 0, 0, 1, 0};
  int instanceNumber = 0;

  bool hasPixels() const { return rows > 0 && columns > 0; }
};

// True when `bytes` (at least the first 132 of a file) carry the "DICM" marker.
bool hasDicomMagic(const std::string& bytes);

// The header, up to the pixel data. Throws VolumeError when GDCM cannot parse it.
DicomInfo readDicomHeader(const std::string& path);

// One file's image, decoded by GDCM: nx = columns, ny = rows, nz = frames,
// real-world values (rescale slope and intercept applied; MONOCHROME1
// inverted so that high values are bright). Throws VolumeError.
Volume readDicomImage(const std::string& path);

}  // namespace genlab::core::data::detail
