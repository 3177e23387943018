#pragma once
// One libpng decoder for every PNG GenLab reads (image folders, volume
// slices): bounded by the caller's limits, errors as exceptions, never a
// longjmp across a C++ destructor.
#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace genlab::core::png {

struct DecodedPng {
  int width = 0, height = 0;
  int channels = 0;  // 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA
  int bitDepth = 0;  // 8, or 16 (native-endian uint16 samples) when keep16
  std::vector<std::uint8_t> pixels;  // rows top first, packed
};

// What went wrong, without a file name (callers prefix theirs).
struct PngDecodeError : std::runtime_error {
  PngDecodeError(const std::string& what, bool tooLarge)
      : std::runtime_error(what), tooLarge(tooLarge) {}
  bool tooLarge;  // wider or taller than maxSide, or more pixels than maxPixels
};

bool hasPngSignature(std::string_view bytes);

// Palette and 1/2/4-bit grey expand to 8 bits, tRNS becomes alpha, 16-bit
// samples are kept (keep16) or rounded to 8 bits. The header's size is
// checked against maxSide and the pixel limit (width x height) before any
// pixel memory is allocated; a refusal names the option that raises it.
struct PixelLimit {
  std::uint64_t maxPixels;
  const char* unit;    // e.g. "pixels per image"
  const char* option;  // e.g. "--max-pixels"
};
DecodedPng decodePng(std::string_view bytes, bool keep16, std::uint32_t maxSide, const PixelLimit& limit);

}  // namespace genlab::core::png
