#include "core/labs/style/style_image.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "core/data/png_decode.h"
#include "core/data/png_folder_reader.h"
#include "core/data/read_limits.h"
#include "core/util/atomic_file.h"

namespace genlab::core::style {

namespace fs = std::filesystem;

namespace {

bool isJpeg(const std::string& b) {
  return b.size() >= 3 && std::uint8_t(b[0]) == 0xFF && std::uint8_t(b[1]) == 0xD8 &&
         std::uint8_t(b[2]) == 0xFF;
}

std::uint8_t overWhite(std::uint8_t v, std::uint8_t a) { return std::uint8_t((v * a + 255 * (255 - a) + 127) / 255); }

}  // namespace

Image decodeImage(const std::string& bytes, const std::string& name) {
  if (isJpeg(bytes))
    throw std::runtime_error(name + ": a JPEG file; genlab-cli reads PNG only (open it in the GUI, "
                                    "or convert it, e.g. `convert in.jpg out.png`)");
  if (!png::hasPngSignature(bytes)) throw std::runtime_error(name + ": not a PNG image");
  png::DecodedPng d;
  try {
    d = png::decodePng(bytes, false, kPngMaxSide,
                       {readLimits().maxPixels, "pixels per image", kMaxPixelsOption});
  } catch (const png::PngDecodeError& e) {
    throw std::runtime_error(name + ": " + e.what());
  }
  Image out;
  out.width = d.width;
  out.height = d.height;
  out.channels = 3;
  const std::size_t n = std::size_t(d.width) * d.height;
  out.pixels.resize(n * 3);
  const auto* p = d.pixels.data();
  for (std::size_t i = 0; i < n; ++i) {
    std::uint8_t rgb[3];
    switch (d.channels) {
      case 1: rgb[0] = rgb[1] = rgb[2] = p[i]; break;
      case 2: rgb[0] = rgb[1] = rgb[2] = overWhite(p[2 * i], p[2 * i + 1]); break;
      case 3: for (int c = 0; c < 3; ++c) rgb[c] = p[3 * i + c]; break;
      default: for (int c = 0; c < 3; ++c) rgb[c] = overWhite(p[4 * i + c], p[4 * i + 3]); break;
    }
    for (int c = 0; c < 3; ++c) out.pixels[3 * i + c] = rgb[c];
  }
  // checkImage throws invalid_argument (a GUI image is the caller's fault);
  // a file's faults are runtime_errors, as this function promises.
  try {
    checkImage(out, name);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(e.what());
  }
  return out;
}

Image readImageFile(const std::string& path) {
  return decodeImage(readFileLimited(path, kPngMaxFileBytes), path);
}

void checkImage(const Image& image, const std::string& what) {
  if (image.channels != 3) throw std::invalid_argument(what + ": expected an RGB image");
  if (image.width < 8 || image.height < 8)
    throw std::invalid_argument(what + ": the image is smaller than 8 x 8 pixels");
  const std::uint64_t px = std::uint64_t(image.width) * image.height;
  if (px > readLimits().maxPixels)
    throw std::invalid_argument(what + ": " + std::to_string(image.width) + " x " +
                                std::to_string(image.height) + " is " +
                                overLimit(readLimits().maxPixels, "pixels per image", kMaxPixelsOption));
  if (image.pixels.size() != px * 3) throw std::invalid_argument(what + ": pixel buffer has the wrong size");
}

std::string styleDataDirectory() {
  if (const char* dir = std::getenv("GENLAB_DATA_DIR"); dir && *dir) return (fs::path(dir) / "style").string();
#ifdef GENLAB_SOURCE_DIR
  {
    const fs::path inSource = fs::path(GENLAB_SOURCE_DIR) / "data";
    std::error_code ec;
    if (fs::exists(inSource, ec)) return (inSource / "style").string();
  }
#endif
  fs::path base;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) base = xdg;
  else if (const char* home = std::getenv("HOME"); home && *home) base = fs::path(home) / ".local" / "share";
  else base = fs::path(".local") / "share";
  return (base / "genlab" / "style").string();
}

std::string defaultDecoderPath() { return (fs::path(styleDataDirectory()) / "decoder.genlab").string(); }

std::string userDecoderPath() {
  fs::path base;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) base = xdg;
  else if (const char* home = std::getenv("HOME"); home && *home) base = fs::path(home) / ".local" / "share";
  else base = fs::path(".local") / "share";
  return (base / "genlab" / "style" / "my-decoder.genlab").string();
}

std::string userDecoderPathFor(const std::string& upsampling) {
  if (upsampling == "nearest") return userDecoderPath();
  return (fs::path(userDecoderPath()).parent_path() / ("my-decoder-" + upsampling + ".genlab")).string();
}

std::string howToTrainDecoder() {
  return "no AdaIN decoder at " + defaultDecoderPath() +
         "; train one with `make data` (about 5 minutes), with `genlab-cli style train-decoder "
         "--steps 1800 --size 128 --seed 1 --whole-steps --out " + defaultDecoderPath() +
         "`, or with Train decoder in the Style lab";
}

TrainingPhotos findTrainingPhotos(const std::string& dirIn) {
  const fs::path dir = dirIn.empty() ? fs::path(styleDataDirectory()) : fs::path(dirIn);
  TrainingPhotos out;
  std::error_code ec;
  for (const char* f : {"astronaut.png", "chelsea.png", "coffee.png", "rocket.png", "china.png"})
    if (fs::exists(dir / f, ec)) out.contents.push_back((dir / f).string());
  for (const char* f : {"brick.png", "grass.png", "gravel.png", "hubble_deep_field.png", "flower.png"})
    if (fs::exists(dir / f, ec)) out.styles.push_back((dir / f).string());
  return out;
}

}  // namespace genlab::core::style
