#include "core/data/png_decode.h"

#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <string>

#include "core/data/read_limits.h"

namespace genlab::core::png {

namespace {

// Everything libpng's callbacks and the setjmp functions touch lives here, in
// the caller's frame, so a longjmp never skips a C++ destructor.
struct ReadState {
  std::string_view bytes;
  std::size_t pos = 0;
  char error[512] = {};
  char warning[512] = {};  // the last one: libpng explains some errors only in a warning
  png_uint_32 width = 0, height = 0;
  int channels = 0, bitDepth = 0;
  std::size_t rowBytes = 0;
  std::vector<png_bytep> rows;
};

void onError(png_structp png, png_const_charp message) {
  auto* s = static_cast<ReadState*>(png_get_error_ptr(png));
  std::snprintf(s->error, sizeof s->error, "%s", message ? message : "unknown error");
  png_longjmp(png, 1);
}

// Warnings are about recoverable oddities (bad ancillary chunks): keep them
// off stderr, but remember the last, which may explain a following error
// (e.g. "Image width exceeds user limit" before "Invalid IHDR data").
void onWarning(png_structp png, png_const_charp message) {
  auto* s = static_cast<ReadState*>(png_get_error_ptr(png));
  std::snprintf(s->warning, sizeof s->warning, "%s", message ? message : "");
}

void readBytes(png_structp png, png_bytep out, png_size_t n) {
  auto* s = static_cast<ReadState*>(png_get_io_ptr(png));
  if (n > s->bytes.size() - s->pos) png_error(png, "the file is truncated");
  std::memcpy(out, s->bytes.data() + s->pos, n);
  s->pos += n;
}

// Frees libpng's structures whether an exception or a normal return leaves.
struct Handle {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~Handle() {
    if (png) png_destroy_read_struct(&png, info ? &info : nullptr, nullptr);
  }
};

// The two setjmp functions create no C++ objects with destructors, as
// longjmp requires. Allocation happens between them, in C++.
bool readHeader(png_structp png, png_infop info, ReadState& s, bool keep16) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_info(png, info);
  const int colorType = png_get_color_type(png, info);
  const int bitDepth = png_get_bit_depth(png, info);
  if (colorType == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (colorType == PNG_COLOR_TYPE_GRAY && bitDepth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
  if (bitDepth == 16) {
    if (keep16) {
      png_set_swap(png);  // native little-endian uint16
    } else {
#ifdef PNG_READ_SCALE_16_TO_8_SUPPORTED
      png_set_scale_16(png);  // rounds, unlike strip_16
#else
      png_set_strip_16(png);
#endif
    }
  }
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  s.width = png_get_image_width(png, info);
  s.height = png_get_image_height(png, info);
  s.channels = png_get_channels(png, info);
  s.bitDepth = png_get_bit_depth(png, info);
  s.rowBytes = png_get_rowbytes(png, info);
  return true;
}

bool readPixels(png_structp png, ReadState& s) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_image(png, s.rows.data());
  return true;
}

}  // namespace

bool hasPngSignature(std::string_view bytes) {
  return bytes.size() >= 8 && png_sig_cmp(reinterpret_cast<png_const_bytep>(bytes.data()), 0, 8) == 0;
}

DecodedPng decodePng(std::string_view bytes, bool keep16, std::uint32_t maxSide, const PixelLimit& limit) {
  if (bytes.empty()) throw PngDecodeError("is empty (0 bytes)", false);
  if (!hasPngSignature(bytes))
    throw PngDecodeError("is not a PNG file (it does not start with the PNG signature)", false);
  ReadState s;
  s.bytes = bytes;
  Handle h;
  h.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &s, onError, onWarning);
  if (!h.png || !(h.info = png_create_info_struct(h.png)))
    throw PngDecodeError("cannot start the PNG decoder (out of memory?)", false);
  // Bounds a hostile header: dimensions, and memory for ancillary chunks.
  png_set_user_limits(h.png, maxSide, maxSide);
  png_set_chunk_cache_max(h.png, 128);
  png_set_chunk_malloc_max(h.png, 16u << 20);
  png_set_read_fn(h.png, &s, readBytes);

  auto failure = [&] {
    const std::string message = s.error, warning = s.warning;
    if (message.find("exceeds user limit") != std::string::npos ||
        warning.find("exceeds user limit") != std::string::npos)
      throw PngDecodeError("is larger than " + std::to_string(maxSide) + "x" + std::to_string(maxSide) +
                               " pixels, the most that is read",
                           true);
    throw PngDecodeError("not a valid PNG: " + message + (warning.empty() ? "" : " (" + warning + ")"),
                         false);
  };
  if (!readHeader(h.png, h.info, s, keep16)) failure();
  const std::uint64_t pixels = std::uint64_t{s.width} * s.height;
  if (pixels > limit.maxPixels)
    throw PngDecodeError("is " + std::to_string(s.width) + "x" + std::to_string(s.height) + " = " +
                             std::to_string(pixels) + " pixels, " +
                             overLimit(limit.maxPixels, limit.unit, limit.option),
                         true);
  const int bytesPer = s.bitDepth == 16 ? 2 : 1;
  if ((s.bitDepth != 8 && !(keep16 && s.bitDepth == 16)) || s.channels < 1 || s.channels > 4 ||
      s.width == 0 || s.height == 0 || s.width > maxSide || s.height > maxSide ||
      s.rowBytes != std::size_t{s.width} * s.channels * bytesPer)
    throw PngDecodeError("unsupported PNG layout after conversion (" + std::to_string(s.channels) +
                             " channels of " + std::to_string(s.bitDepth) + " bits)",
                         false);
  DecodedPng out;
  out.pixels.resize(s.rowBytes * s.height);
  s.rows.resize(s.height);
  for (png_uint_32 y = 0; y < s.height; ++y) s.rows[y] = out.pixels.data() + y * s.rowBytes;
  if (!readPixels(h.png, s)) failure();
  out.width = static_cast<int>(s.width);
  out.height = static_cast<int>(s.height);
  out.channels = s.channels;
  out.bitDepth = s.bitDepth;
  return out;
}

}  // namespace genlab::core::png
