// PNG slices for readVolume, decoded with libpng directly and keeping 16-bit
// values. VTK's PNG reader is not used: it calls libpng without an error
// handler of its own, so any libpng error (a truncated file, a corrupt chunk
// after the image) crashes the process, even on files a full decode accepts.
#include <cstdint>
#include <string>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <vector>

#include "core/data/png_decode.h"
#include "core/data/read_limits.h"
#include "core/data/volume_checks.h"
#include "core/data/volume_io.h"

namespace genlab::core::data::detail {

namespace {

constexpr std::uint64_t kMaxPngBytes = std::uint64_t{512} << 20;

template <typename T>
float grey(const T* p, int channels, float top) {
  float v = channels >= 3 ? 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2] : float(p[0]);
  if (channels == 2 || channels == 4) v *= float(p[channels - 1]) / top;  // alpha onto black
  return v;
}

}  // namespace

Volume readPngVolume(const std::string& path) {
  const std::uint64_t size = regularFile(path);
  if (size == 0) throw VolumeError(path + ": the file is empty");
  if (size > kMaxPngBytes) throw VolumeError(path + ": the file is too large for one PNG slice");
  std::string bytes(static_cast<std::size_t>(size), '\0');
  std::ifstream(path, std::ios::binary).read(bytes.data(), static_cast<std::streamsize>(size));
  if (!png::hasPngSignature(bytes)) throw VolumeError(path + ": not a PNG file (no PNG signature)");

  png::DecodedPng d;
  try {
    d = png::decodePng(bytes, /*keep16=*/true, kVolumeMaxSide,
                      {readLimits().maxPixels, "pixels per image", kMaxPixelsOption});
  } catch (const png::PngDecodeError& e) {
    throw VolumeError(path + ": " + e.what());
  }
  const int bytesPer = d.bitDepth == 16 ? 2 : 1;
  const std::size_t rowBytes = std::size_t(d.width) * d.channels * bytesPer;

  Volume v;
  v.nx = d.width;
  v.ny = d.height;
  v.nz = 1;
  v.voxels.resize(v.voxelCount());
  for (int y = 0; y < v.ny; ++y) {
    float* out = v.voxels.data() + static_cast<std::size_t>(v.ny - 1 - y) * v.nx;  // VTK order: y up
    for (int x = 0; x < v.nx; ++x) {
      const std::size_t at = static_cast<std::size_t>(x) * d.channels;
      const std::uint8_t* row = d.pixels.data() + static_cast<std::size_t>(y) * rowBytes;
      if (bytesPer == 2) {
        out[x] = grey(reinterpret_cast<const std::uint16_t*>(row) + at, d.channels, 65535.f);
      } else {
        out[x] = grey(row + at, d.channels, 255.f);
      }
    }
  }
  v.format = "png";
  v.description = "PNG " + std::to_string(v.nx) + " x " + std::to_string(v.ny) +
                  (bytesPer == 2 ? " (16-bit)" : " (8-bit)") + (d.channels >= 3 ? ", colour as luma" : "");
  return v;
}

}  // namespace genlab::core::data::detail
