#include "core/labs/style/checkerboard.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <stdexcept>

namespace genlab::core::style {

std::vector<int> transposedOverlapCounts(int kernel, int stride, int padding) {
  if (kernel < 1 || stride < 1 || padding < 0)
    throw std::invalid_argument("overlap map: kernel and stride must be >= 1, padding >= 0");
  std::vector<int> axis(std::size_t(stride), 0);
  for (int t = 0; t < kernel; ++t) ++axis[std::size_t(((t - padding) % stride + stride) % stride)];
  std::vector<int> out(std::size_t(stride) * stride);
  for (int y = 0; y < stride; ++y)
    for (int x = 0; x < stride; ++x) out[std::size_t(y) * stride + x] = axis[y] * axis[x];
  return out;
}

double phaseImbalance(const PhaseSums& s) {
  const int phases = s.stride * s.stride;
  double dev = 0, total = 0;
  for (int i = 0; i < s.inChannels; ++i)
    for (int o = 0; o < s.outChannels; ++o) {
      const double* v = &s.values[(std::size_t(i) * s.outChannels + o) * phases];
      double mean = 0;
      for (int p = 0; p < phases; ++p) mean += v[p];
      mean /= phases;
      for (int p = 0; p < phases; ++p) {
        dev += (v[p] - mean) * (v[p] - mean);
        total += v[p] * v[p];
      }
    }
  return total > 0 ? std::sqrt(dev / total) : 0.0;
}

std::vector<double> overlapMap(const PhaseSums& s) {
  const int phases = s.stride * s.stride;
  std::vector<double> out(std::size_t(phases), 0.0);
  const int pairs = s.inChannels * s.outChannels;
  if (pairs == 0) return out;
  for (int k = 0; k < pairs; ++k)
    for (int p = 0; p < phases; ++p) out[p] += s.values[std::size_t(k) * phases + p] *
                                               s.values[std::size_t(k) * phases + p];
  for (auto& v : out) v = std::sqrt(v / pairs);
  return out;
}

namespace {
std::vector<std::complex<double>> twiddles(int n) {
  std::vector<std::complex<double>> w(static_cast<std::size_t>(n));
  for (int k = 0; k < n; ++k) w[k] = std::polar(1.0, -2.0 * M_PI * k / n);
  return w;
}
}  // namespace

std::vector<double> powerSpectrum(const std::vector<float>& images, int count, int height,
                                  int width) {
  if (count < 1 || height < 1 || width < 1 ||
      images.size() < std::size_t(count) * height * width)
    throw std::invalid_argument("power spectrum: need count*height*width pixels");
  const auto wy = twiddles(height), wx = twiddles(width);
  const std::size_t n = std::size_t(height) * width;
  std::vector<double> power(n, 0.0);
  std::vector<std::complex<double>> rows(n), full(n);
  for (int im = 0; im < count; ++im) {
    const float* x = &images[std::size_t(im) * n];
    double mean = 0;
    for (std::size_t k = 0; k < n; ++k) mean += x[k];
    mean /= double(n);
    // DFT along x for each row, then along y for each column.
    for (int y = 0; y < height; ++y)
      for (int kx = 0; kx < width; ++kx) {
        std::complex<double> acc = 0;
        for (int xx = 0; xx < width; ++xx)
          acc += (double(x[std::size_t(y) * width + xx]) - mean) *
                 wx[std::size_t((std::int64_t(kx) * xx) % width)];
        rows[std::size_t(y) * width + kx] = acc;
      }
    for (int ky = 0; ky < height; ++ky)
      for (int kx = 0; kx < width; ++kx) {
        std::complex<double> acc = 0;
        for (int y = 0; y < height; ++y)
          acc += rows[std::size_t(y) * width + kx] * wy[std::size_t((std::int64_t(ky) * y) % height)];
        power[std::size_t(ky) * width + kx] += std::norm(acc) / double(n);
      }
  }
  for (auto& p : power) p /= count;
  return power;
}

bool isStrideFrequency(int ky, int kx, int height, int width, int stride) {
  if (stride < 2 || height % stride || width % stride) return false;
  return (ky % (height / stride) == 0) && (kx % (width / stride) == 0) && (ky || kx);
}

double checkerboardEnergy(const std::vector<double>& spectrum, int height, int width, int stride) {
  if (stride < 2 || height % stride || width % stride)
    throw std::invalid_argument("checkerboard energy: image size " + std::to_string(height) + "x" +
                                std::to_string(width) + " is not a multiple of the stride " +
                                std::to_string(stride));
  double at = 0, total = 0;
  for (int ky = 0; ky < height; ++ky)
    for (int kx = 0; kx < width; ++kx) {
      if (!ky && !kx) continue;
      const double p = spectrum[std::size_t(ky) * width + kx];
      total += p;
      if (isStrideFrequency(ky, kx, height, width, stride)) at += p;
    }
  // Relative threshold: float images that are constant leave rounding dust.
  return total > 1e-20 ? at / total : 0.0;
}

double checkerboardEnergy(const std::vector<float>& images, int count, int height, int width,
                          int stride) {
  return checkerboardEnergy(powerSpectrum(images, count, height, width), height, width, stride);
}

std::vector<std::uint8_t> spectrumPicture(const std::vector<double>& spectrum, int height,
                                          int width, double decades) {
  std::vector<double> logs(spectrum.size());
  double top = -300;
  for (std::size_t k = 0; k < spectrum.size(); ++k) {
    logs[k] = std::log10(std::max(spectrum[k], 1e-300));
    top = std::max(top, logs[k]);
  }
  std::vector<std::uint8_t> out(spectrum.size(), 0);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const int sy = (y + height / 2) % height, sx = (x + width / 2) % width;  // centred
      const double v = (logs[std::size_t(sy) * width + sx] - (top - decades)) / decades;
      out[std::size_t(y) * width + x] = std::uint8_t(std::clamp(v, 0.0, 1.0) * 255.0 + 0.5);
    }
  return out;
}

}  // namespace genlab::core::style
