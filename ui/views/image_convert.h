#pragma once
// core::Image (plain bytes from the worker) to QImage (a deep copy).
#include <QImage>

#include <cstring>

#include "core/engine/snapshot.h"

namespace genlab::ui {

inline QImage toQImage(const core::Image& image) {
  if (image.empty() || image.width <= 0 || image.height <= 0) return {};
  QImage::Format format;
  switch (image.channels) {
    case 1: format = QImage::Format_Grayscale8; break;
    case 3: format = QImage::Format_RGB888; break;
    case 4: format = QImage::Format_RGBA8888; break;
    default: return {};
  }
  const std::size_t rowBytes = static_cast<std::size_t>(image.width) * image.channels;
  if (image.pixels.size() < rowBytes * image.height) return {};
  QImage out(image.width, image.height, format);
  for (int y = 0; y < image.height; ++y)
    std::memcpy(out.scanLine(y), image.pixels.data() + rowBytes * y, rowBytes);
  return out;
}

}  // namespace genlab::ui
