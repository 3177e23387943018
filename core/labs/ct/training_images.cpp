#include "core/labs/ct/training_images.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>

#include "core/data/read_limits.h"
#include "core/physics/phantom.h"

namespace genlab::core::ct {

namespace {

constexpr const char* kMriDefault = "/usr/share/mricron/templates/ch2.nii.gz";
constexpr int kGuard = 4;  // slices between training and held-out ones

std::uint64_t mix(std::uint64_t z) {  // SplitMix64
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// 1-D resampling as (index, weight) taps per output sample.
struct Taps {
  std::vector<int> index;
  std::vector<float> weight;
  int per = 0;  // taps per output sample
};

Taps resamplingTaps(int in, int out) {
  Taps t;
  if (in > out) {  // area average: each output covers in/out input samples
    const double s = double(in) / out;
    t.per = static_cast<int>(std::ceil(s)) + 1;
    for (int i = 0; i < out; ++i) {
      const double a = i * s, b = (i + 1) * s;
      int k = 0;
      for (int j = static_cast<int>(std::floor(a)); j < std::ceil(b) && j < in; ++j, ++k) {
        t.index.push_back(j);
        t.weight.push_back(static_cast<float>((std::min<double>(j + 1, b) - std::max<double>(j, a)) / s));
      }
      for (; k < t.per; ++k) {
        t.index.push_back(0);
        t.weight.push_back(0.f);
      }
    }
  } else {  // bilinear, pixel centres aligned as align_corners = false
    t.per = 2;
    for (int i = 0; i < out; ++i) {
      const double src = std::clamp((i + 0.5) * in / out - 0.5, 0.0, double(in - 1));
      const int j = std::min(static_cast<int>(src), in - 1);
      const float f = static_cast<float>(src - j);
      t.index.push_back(j);
      t.weight.push_back(1.f - f);
      t.index.push_back(std::min(j + 1, in - 1));
      t.weight.push_back(f);
    }
  }
  return t;
}

FloatImage flippedShifted(const FloatImage& src, bool flip, int dx, int dy) {
  FloatImage out(src.width, src.height);
  for (int y = 0; y < src.height; ++y) {
    const int sy = y - dy;
    if (sy < 0 || sy >= src.height) continue;
    for (int x = 0; x < src.width; ++x) {
      int sx = x - dx;
      if (sx < 0 || sx >= src.width) continue;
      if (flip) sx = src.width - 1 - sx;
      out.at(x, y) = src.at(sx, sy);
    }
  }
  return out;
}

std::string range(const std::vector<int>& z) {
  if (z.empty()) return "none";
  std::string s;
  std::size_t i = 0;
  while (i < z.size()) {
    std::size_t j = i;
    while (j + 1 < z.size() && z[j + 1] == z[j] + 1) ++j;
    if (!s.empty()) s += ",";
    s += std::to_string(z[i]) + (j > i ? ".." + std::to_string(z[j]) : "");
    i = j + 1;
  }
  return s;
}

}  // namespace

std::string mriVolumePath() {
  const char* env = std::getenv("GENLAB_MRI_VOLUME");
  return env && *env ? env : kMriDefault;
}

std::shared_ptr<const data::Volume> mriVolume() {
  static std::mutex mutex;
  static std::shared_ptr<const data::Volume> cached;
  static std::string cachedPath;
  std::lock_guard<std::mutex> lock(mutex);
  const std::string path = mriVolumePath();
  if (cached && cachedPath == path) return cached;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw std::invalid_argument(
        "the MRI volume " + path + " is missing: it comes with Debian's package mricron-data "
        "(Colin27 T1 template, BSD-3); install it with scripts/setup.sh or "
        "`apt-get install mricron-data`, or point GENLAB_MRI_VOLUME at another NIfTI volume");
  cached = std::make_shared<const data::Volume>(data::readVolume(path));
  cachedPath = path;
  return cached;
}

std::pair<float, float> robustRange(const data::Volume& v) {
  // A strided sample of at most ~1M voxels is plenty for two percentiles.
  const std::size_t n = v.voxels.size(), stride = std::max<std::size_t>(1, n / (1u << 20));
  std::vector<float> sample;
  sample.reserve(n / stride + 1);
  for (std::size_t i = 0; i < n; i += stride)
    if (std::isfinite(v.voxels[i])) sample.push_back(v.voxels[i]);
  if (sample.empty()) return {0.f, 1.f};
  auto pick = [&](double q) {
    auto it = sample.begin() + static_cast<std::ptrdiff_t>(q * (sample.size() - 1));
    std::nth_element(sample.begin(), it, sample.end());
    return *it;
  };
  const float lo = pick(0.005), hi = pick(0.995);
  return {lo, hi > lo ? hi : lo + 1.f};
}

FloatImage resampleSquare(const FloatImage& image, int size) {
  if (image.width != image.height || image.width < 1 || size < 1)
    throw std::invalid_argument("resampleSquare needs a square image and a positive size");
  const int n = image.width;
  if (n == size) return image;
  const Taps t = resamplingTaps(n, size);
  FloatImage rows(size, n), out(size, size);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < size; ++x) {
      float acc = 0;
      for (int k = 0; k < t.per; ++k)
        acc += t.weight[x * t.per + k] * image.at(t.index[x * t.per + k], y);
      rows.at(x, y) = acc;
    }
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      float acc = 0;
      for (int k = 0; k < t.per; ++k)
        acc += t.weight[y * t.per + k] * rows.at(x, t.index[y * t.per + k]);
      out.at(x, y) = acc;
    }
  return out;
}

void checkPaddedSquare(int width, int height) {
  const std::uint64_t side = static_cast<std::uint64_t>(std::max(width, height));
  const std::uint64_t padded = side * side, limit = readLimits().maxPixels;
  if (padded > limit)
    throw std::invalid_argument("a " + std::to_string(width) + " x " + std::to_string(height) +
                                " slice padded to a square is " + std::to_string(padded) + " pixels, " +
                                overLimit(limit, "pixels per image", kMaxPixelsOption));
}

FloatImage ctObjectFromSlice(const data::Volume& v, int z, int size, float lo, float hi) {
  checkPaddedSquare(v.nx, v.ny);
  const FloatImage s = data::sliceImage(v, z);
  const int side = std::max(s.width, s.height);
  const int ox = (side - s.width) / 2, oy = (side - s.height) / 2;
  FloatImage square(side, side);
  const float scale = hi > lo ? 1.f / (hi - lo) : 1.f;
  for (int y = 0; y < s.height; ++y)
    for (int x = 0; x < s.width; ++x) {
      const float t = (s.at(x, y) - lo) * scale;
      square.at(x + ox, y + oy) = std::isfinite(t) ? std::clamp(t, 0.f, 1.f) : 0.f;
    }
  FloatImage out = resampleSquare(square, size);
  for (float& x : out.values) x = std::clamp(x, 0.f, 1.f);
  return out;
}

std::vector<int> contentSlices(const data::Volume& v) {
  const auto [lo, hi] = robustRange(v);
  const std::size_t n = std::size_t(v.nx) * v.ny;
  std::vector<double> fraction(v.nz, 0.0);
  for (int z = 0; z < v.nz; ++z) {
    std::size_t on = 0;
    for (std::size_t i = 0; i < n; ++i) on += (v.voxels[z * n + i] - lo) > 0.2f * (hi - lo);
    fraction[z] = double(on) / n;
  }
  const double fullest = *std::max_element(fraction.begin(), fraction.end());
  std::vector<int> content;
  for (int z = 0; z < v.nz; ++z)
    if (fullest > 0 && fraction[z] >= 0.4 * fullest) content.push_back(z);
  return content;
}

SliceSplit contentSliceSplit(const data::Volume& v) {
  const std::vector<int> content = contentSlices(v);
  if (content.size() < 10)
    throw std::invalid_argument("training on a volume needs at least 10 slices with content; this one has " +
                                std::to_string(content.size()));
  SliceSplit split;
  const std::size_t h = std::max<std::size_t>(1, content.size() / 10);
  const std::size_t start = content.size() / 2 - h / 2;
  split.heldOut.assign(content.begin() + start, content.begin() + start + h);
  for (int z : content)
    if (z < split.heldOut.front() - kGuard || z > split.heldOut.back() + kGuard) split.training.push_back(z);
  split.rule = "z slices with content " + range(split.training) + " for training, " +
               range(split.heldOut) + " held out";
  return split;
}

SliceSplit mriSliceSplit(const data::Volume& ch2) {
  if (ch2.nx != 181 || ch2.ny != 217 || ch2.nz != 181) return contentSliceSplit(ch2);
  SliceSplit split;
  for (int z = 80; z <= 91; ++z) split.heldOut.push_back(z);
  for (int z = 20; z <= 150; ++z)
    if (z < 80 - kGuard || z > 91 + kGuard) split.training.push_back(z);
  split.rule = "axial slices z " + range(split.training) + " for training, " + range(split.heldOut) +
               " held out";
  return split;
}

FloatImage mriPhantom(int size, std::uint64_t seed) {
  const auto volume = mriVolume();
  const SliceSplit split = mriSliceSplit(*volume);
  const auto [lo, hi] = robustRange(*volume);
  return ctObjectFromSlice(*volume, split.heldOut[seed % split.heldOut.size()], size, lo, hi);
}

TrainingImages::TrainingImages(const std::string& data, int size, std::uint64_t seed)
    : m_data(data), m_size(size), m_seed(seed) {
  if (size < 8 || size > 4096) throw std::invalid_argument("training image size must be 8..4096");
  if (data == "ellipses") return;
  std::shared_ptr<const data::Volume> volume;
  SliceSplit split;
  if (data == "mri" || data == "mixed") {
    volume = mriVolume();
    split = mriSliceSplit(*volume);
    m_rule = "MRI " + std::filesystem::path(mriVolumePath()).filename().string() + " (Colin27 T1, " +
             "mricron-data) " + split.rule;
  } else if (data.empty()) {
    throw std::invalid_argument("training data must be 'ellipses', 'mri', 'mixed' or a volume file");
  } else {
    std::error_code ec;
    if (!std::filesystem::exists(data, ec))
      throw std::invalid_argument("training data '" + data +
                                  "' is neither 'ellipses', 'mri', 'mixed' nor an existing volume file");
    volume = std::make_shared<const data::Volume>(data::readVolume(data));
    split = contentSliceSplit(*volume);
    m_rule = data + ": " + split.rule;
  }
  // Stored at the prior's size: at most readLimits().maxVoxels pixels of
  // training slices in memory (512 slices of 512 px is 512 MB); beyond it an
  // evenly spaced subset, and the rule says so.
  const std::uint64_t perSlice = std::uint64_t(size) * size;
  const std::uint64_t keep = std::max<std::uint64_t>(1, readLimits().maxVoxels / std::max<std::uint64_t>(1, perSlice));
  if (split.training.size() > keep) {
    std::vector<int> subset;
    for (std::uint64_t i = 0; i < keep; ++i)
      subset.push_back(split.training[i * split.training.size() / keep]);
    m_rule += "; " + std::to_string(keep) + " of its " + std::to_string(split.training.size()) +
              " training slices kept, evenly spaced (at most " + std::to_string(readLimits().maxVoxels) +
              " pixels of slices; " + kMaxVoxelsOption + " raises it)";
    split.training = std::move(subset);
  }
  const auto [lo, hi] = robustRange(*volume);
  for (int z : split.training) m_slices.push_back(ctObjectFromSlice(*volume, z, size, lo, hi));
  for (int z : split.heldOut) m_heldOut.push_back(ctObjectFromSlice(*volume, z, size, lo, hi));
}

TrainingImages::~TrainingImages() = default;

FloatImage TrainingImages::volumeImage(std::uint64_t id) const {
  const std::uint64_t r = mix(mix(m_seed ^ 0x6d7269ULL) + id);
  const auto& base = m_slices[r % m_slices.size()];
  const int reach = std::max(1, static_cast<int>(std::lround(0.04 * m_size)));
  const int dx = static_cast<int>((r >> 20) % (2 * reach + 1)) - reach;
  const int dy = static_cast<int>((r >> 36) % (2 * reach + 1)) - reach;
  return flippedShifted(base, (r >> 60) & 1, dx, dy);
}

FloatImage TrainingImages::image(std::uint64_t id) const {
  const bool ellipse = m_data == "ellipses" || (m_data == "mixed" && (mix(id ^ 0x6d6978ULL) & 1));
  if (ellipse) return physics::randomEllipsePhantom(m_size, id, physics::PhantomStream::Training);
  return volumeImage(id);
}

int TrainingImages::heldOutCount() const {
  if (m_data == "ellipses") return 1000;
  return static_cast<int>(m_heldOut.size()) * (m_data == "mixed" ? 2 : 1);
}

FloatImage TrainingImages::heldOut(int i) const {
  if (i < 0) throw std::invalid_argument("held-out image index must not be negative");
  const bool ellipse = m_data == "ellipses" || (m_data == "mixed" && i % 2 == 1);
  if (ellipse)
    return physics::randomEllipsePhantom(m_size, 1000 + static_cast<std::uint64_t>(m_data == "mixed" ? i / 2 : i),
                                         physics::PhantomStream::HeldOut);
  return m_heldOut[(m_data == "mixed" ? i / 2 : i) % m_heldOut.size()];
}

std::string TrainingImages::description() const {
  const std::string ellipses = "random-ellipse phantoms (training seed stream)";
  if (m_data == "ellipses") return ellipses;
  if (m_data == "mixed") return "half " + ellipses + ", half " + m_rule;
  return m_rule;
}

}  // namespace genlab::core::ct
