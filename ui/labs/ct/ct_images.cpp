#include "ui/labs/ct/ct_images.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QImage>
#include <QImageReader>

#include <algorithm>
#include <cmath>
#include <vector>

namespace genlab::ui {

using core::physics::FloatImage;

QString hubblePath() {
  QStringList candidates;
  const QString env = qEnvironmentVariable("GENLAB_HUBBLE");
  if (!env.isEmpty()) candidates << env;
  for (const char* dir : {"/usr/lib/python3/dist-packages/skimage/data",
                          "/usr/share/python3-skimage/data", "/usr/share/skimage/data"})
    candidates << QString::fromLatin1(dir) + "/hubble_deep_field.jpg";
  for (const QString& c : candidates)
    if (QFileInfo(c).isFile()) return c;
  return {};
}

FloatImage loadHubble(const QString& path, int size, QString* error) {
  if (path.isEmpty()) {
    if (error)
      *error = QCoreApplication::translate("CtPanel",
                                           "The Hubble deep field image was not found: install "
                                           "python3-skimage or set GENLAB_HUBBLE to a picture.");
    return {};
  }
  QImageReader reader(path);
  reader.setAllocationLimit(256);  // MB: refuse absurd pictures before decoding
  QImage image = reader.read();
  if (image.isNull()) {
    if (error)
      *error = QCoreApplication::translate("CtPanel", "Cannot read %1: %2")
                   .arg(path, reader.errorString());
    return {};
  }
  image = image.convertToFormat(QImage::Format_Grayscale8);
  image = image.scaled(std::max(1, image.width() / 2), std::max(1, image.height() / 2),
                       Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
  FloatImage full(image.width(), image.height());
  for (int y = 0; y < image.height(); ++y) {
    const uchar* line = image.constScanLine(y);
    for (int x = 0; x < image.width(); ++x) full.at(x, y) = line[x] / 255.f;
  }
  return centreCrop(full, size);
}

FloatImage normalised(const FloatImage& image) {
  if (image.values.empty()) return image;
  std::vector<float> sorted;
  sorted.reserve(image.values.size());
  for (float v : image.values)
    if (std::isfinite(v)) sorted.push_back(v);
  FloatImage out = image;
  if (sorted.empty()) {
    std::fill(out.values.begin(), out.values.end(), 0.f);
    return out;
  }
  auto at = [&](double q) {
    const std::size_t k = std::min(sorted.size() - 1, std::size_t(q * (sorted.size() - 1)));
    std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(k), sorted.end());
    return sorted[k];
  };
  const float lo = at(0.005), hi = at(0.995);
  const float span = hi > lo ? hi - lo : 1.f;
  for (float& v : out.values) v = std::isfinite(v) ? std::clamp((v - lo) / span, 0.f, 1.f) : 0.f;
  return out;
}

FloatImage centreCrop(const FloatImage& image, int size) {
  FloatImage out(size, size);
  const int ox = (image.width - size) / 2, oy = (image.height - size) / 2;
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      const int sx = x + ox, sy = y + oy;
      if (sx >= 0 && sy >= 0 && sx < image.width && sy < image.height)
        out.at(x, y) = image.at(sx, sy);
    }
  return out;
}

FloatImage volumeStack(const core::data::Volume& v) {
  FloatImage out(v.nx, v.ny, std::max(1, v.nz));
  for (int z = 0; z < v.nz; ++z) {
    const FloatImage s = core::data::sliceImage(v, z);
    std::copy(s.values.begin(), s.values.end(),
              out.values.begin() + std::ptrdiff_t(z * out.sliceSize()));
  }
  return out;
}

core::data::Volume stackVolume(const FloatImage& stack, std::array<double, 3> spacing) {
  std::vector<FloatImage> slices;
  for (int z = 0; z < std::max(1, stack.depth); ++z) slices.push_back(stack.slice(z));
  return core::data::volumeFromImages(slices, spacing);
}

}  // namespace genlab::ui
