#include "core/data/png_write.h"

#include <png.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "core/util/atomic_file.h"

namespace genlab::core::data {

namespace {
void appendBytes(png_structp png, png_bytep data, png_size_t n) {
  auto* out = static_cast<std::string*>(png_get_io_ptr(png));
  out->append(reinterpret_cast<const char*>(data), n);
}
void noFlush(png_structp) {}
}  // namespace

void writePng(const Image& image, const std::string& path) {
  if (image.width <= 0 || image.height <= 0 || (image.channels != 1 && image.channels != 3) ||
      image.pixels.size() != std::size_t(image.width) * image.height * image.channels)
    throw std::runtime_error(path + ": nothing to write (an empty or inconsistent image)");
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (!png) throw std::runtime_error(path + ": cannot start the PNG encoder");
  png_infop info = png_create_info_struct(png);
  std::string bytes;
  std::vector<png_bytep> rows(image.height);
  if (!info || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, info ? &info : nullptr);
    throw std::runtime_error(path + ": the PNG encoder failed");
  }
  png_set_write_fn(png, &bytes, appendBytes, noFlush);
  png_set_IHDR(png, info, image.width, image.height, 8,
               image.channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  for (int y = 0; y < image.height; ++y)
    rows[y] = const_cast<png_bytep>(image.pixels.data() + std::size_t(y) * image.width * image.channels);
  png_write_info(png, info);
  png_write_image(png, rows.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  writeFileAtomic(path, bytes);
}

}  // namespace genlab::core::data
