#include "core/labs/style/checkerboard.h"

#include <algorithm>
#include <cmath>
#include <limits>
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
  // All sums 0 (a layer with no weight): no phase gets more than another,
  // but "balanced" would be claimed of nothing; undefined.
  return total > 0 ? std::sqrt(dev / total) : std::numeric_limits<double>::quiet_NaN();
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
  if (spectrum.size() != std::size_t(height) * std::size_t(width))
    throw std::invalid_argument("checkerboard energy: a spectrum of " + std::to_string(spectrum.size()) +
                                " values for a " + std::to_string(height) + "x" + std::to_string(width) +
                                " image");
  double at = 0, total = 0;
  for (int ky = 0; ky < height; ++ky)
    for (int kx = 0; kx < width; ++kx) {
      if (!ky && !kx) continue;
      const double p = spectrum[std::size_t(ky) * width + kx];
      total += p;
      if (isStrideFrequency(ky, kx, height, width, stride)) at += p;
    }
  // Constant images (a collapsed generator's) have no power anywhere: the
  // ratio is undefined, not 0 (which would read as the best result). The
  // threshold is absolute, for images in [0, 1]: constant float images
  // leave rounding dust far below it.
  return total > 1e-20 ? at / total : std::numeric_limits<double>::quiet_NaN();
}

double checkerboardEnergy(const std::vector<float>& images, int count, int height, int width,
                          int stride) {
  // Without the spectrum, in O(pixels): the DFT at a stride frequency
  // (m*height/s, l*width/s) sees only each pixel's phase (y mod s, x mod s),
  // so it is the s x s DFT of the image folded onto its phases, F[a][b] = sum
  // of the pixels of phase (a, b). By Parseval on that small DFT the power at
  // all stride frequencies is s^2 * sum F^2 / n (the (0, 0) term is 0: the
  // mean is removed), and the total power is sum x^2. Equal to the
  // spectrum's ratio to rounding (tested).
  if (stride < 2 || height % stride || width % stride)
    return checkerboardEnergy(std::vector<double>(std::size_t(height) * width), height, width, stride);  // throws
  if (count < 1 || images.size() < std::size_t(count) * height * width)
    throw std::invalid_argument("checkerboard energy: need count*height*width pixels");
  const std::size_t n = std::size_t(height) * width;
  double at = 0, total = 0;
  std::vector<double> folded(std::size_t(stride) * stride);
  for (int im = 0; im < count; ++im) {
    const float* x = &images[std::size_t(im) * n];
    double mean = 0;
    for (std::size_t k = 0; k < n; ++k) mean += x[k];
    mean /= double(n);
    std::fill(folded.begin(), folded.end(), 0.0);
    for (int y = 0; y < height; ++y)
      for (int xx = 0; xx < width; ++xx) {
        const double v = double(x[std::size_t(y) * width + xx]) - mean;
        folded[std::size_t(y % stride) * stride + xx % stride] += v;
        total += v * v;
      }
    double f2 = 0;
    for (double f : folded) f2 += f * f;
    at += double(stride) * stride * f2 / double(n);
  }
  // As in the spectrum's version: no power at all (constant images) is undefined.
  return total / count > 1e-20 ? at / total : std::numeric_limits<double>::quiet_NaN();
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

FeatureGaussian fitGaussian(const std::vector<float>& features, int count, int dim) {
  if (count < 2 || dim < 1 || features.size() != std::size_t(count) * dim)
    throw std::invalid_argument("fitGaussian: need >= 2 feature vectors of the stated size");
  FeatureGaussian g;
  g.dim = dim;
  g.count = count;
  g.mean.assign(std::size_t(dim), 0.0);
  for (int n = 0; n < count; ++n)
    for (int d = 0; d < dim; ++d) g.mean[std::size_t(d)] += features[std::size_t(n) * dim + d];
  for (auto& m : g.mean) m /= count;
  g.covariance.assign(std::size_t(dim) * dim, 0.0);
  std::vector<double> c(static_cast<std::size_t>(dim));
  for (int n = 0; n < count; ++n) {
    for (int d = 0; d < dim; ++d)
      c[std::size_t(d)] = features[std::size_t(n) * dim + d] - g.mean[std::size_t(d)];
    for (int i = 0; i < dim; ++i)
      for (int j = i; j < dim; ++j) g.covariance[std::size_t(i) * dim + j] += c[i] * c[j];
  }
  for (int i = 0; i < dim; ++i)
    for (int j = i; j < dim; ++j) {
      const double v = g.covariance[std::size_t(i) * dim + j] / (count - 1);
      g.covariance[std::size_t(i) * dim + j] = g.covariance[std::size_t(j) * dim + i] = v;
    }
  return g;
}

namespace {
// Cyclic Jacobi rotations on a symmetric matrix; fills `vectors` (columns)
// when given. Leaves the eigenvalues on the diagonal of `a`.
void jacobi(std::vector<double>& a, int n, std::vector<double>* vectors) {
  if (vectors) {
    vectors->assign(std::size_t(n) * n, 0.0);
    for (int i = 0; i < n; ++i) (*vectors)[std::size_t(i) * n + i] = 1.0;
  }
  auto A = [&](int i, int j) -> double& { return a[std::size_t(i) * n + j]; };
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0, diag = 0;
    for (int i = 0; i < n; ++i) {
      diag += A(i, i) * A(i, i);
      for (int j = i + 1; j < n; ++j) off += A(i, j) * A(i, j);
    }
    if (off <= 1e-30 * std::max(diag, 1e-300)) break;
    for (int p = 0; p < n; ++p)
      for (int q = p + 1; q < n; ++q) {
        if (A(p, q) == 0) continue;
        const double theta = (A(q, q) - A(p, p)) / (2 * A(p, q));
        const double t = (theta >= 0 ? 1.0 : -1.0) /
                         (std::fabs(theta) + std::sqrt(theta * theta + 1));
        const double cs = 1 / std::sqrt(t * t + 1), sn = t * cs;
        for (int k = 0; k < n; ++k) {  // columns p, q
          const double kp = A(k, p), kq = A(k, q);
          A(k, p) = cs * kp - sn * kq;
          A(k, q) = sn * kp + cs * kq;
        }
        for (int k = 0; k < n; ++k) {  // rows p, q
          const double pk = A(p, k), qk = A(q, k);
          A(p, k) = cs * pk - sn * qk;
          A(q, k) = sn * pk + cs * qk;
        }
        if (vectors)
          for (int k = 0; k < n; ++k) {
            auto& V = *vectors;
            const double kp = V[std::size_t(k) * n + p], kq = V[std::size_t(k) * n + q];
            V[std::size_t(k) * n + p] = cs * kp - sn * kq;
            V[std::size_t(k) * n + q] = sn * kp + cs * kq;
          }
      }
  }
}
}  // namespace

std::vector<double> symmetricEigenvalues(std::vector<double> a, int n) {
  if (n < 0 || a.size() != std::size_t(n) * n)
    throw std::invalid_argument("symmetricEigenvalues: matrix size does not match");
  jacobi(a, n, nullptr);
  std::vector<double> ev(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) ev[std::size_t(i)] = a[std::size_t(i) * n + i];
  std::sort(ev.begin(), ev.end());
  return ev;
}

double frechetDistance(const FeatureGaussian& a, const FeatureGaussian& b) {
  const int n = a.dim;
  if (n < 1 || b.dim != n || a.mean.size() != std::size_t(n) || b.mean.size() != std::size_t(n) ||
      a.covariance.size() != std::size_t(n) * n || b.covariance.size() != std::size_t(n) * n)
    throw std::invalid_argument("frechetDistance: the two Gaussians differ in dimension");
  double d2 = 0, tr = 0;
  for (int i = 0; i < n; ++i) {
    const double d = a.mean[std::size_t(i)] - b.mean[std::size_t(i)];
    d2 += d * d;
    tr += a.covariance[std::size_t(i) * n + i] + b.covariance[std::size_t(i) * n + i];
  }
  // C1^(1/2) from C1's eigen decomposition (negative rounding clipped to 0).
  std::vector<double> e = a.covariance, v;
  jacobi(e, n, &v);
  std::vector<double> root(std::size_t(n) * n, 0.0);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double s = 0;
      for (int k = 0; k < n; ++k)
        s += v[std::size_t(i) * n + k] * std::sqrt(std::max(0.0, e[std::size_t(k) * n + k])) *
             v[std::size_t(j) * n + k];
      root[std::size_t(i) * n + j] = s;
    }
  // M = root * C2 * root (symmetric PSD).
  std::vector<double> t(std::size_t(n) * n, 0.0), m(std::size_t(n) * n, 0.0);
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < n; ++k) {
      const double r = root[std::size_t(i) * n + k];
      if (r == 0) continue;
      for (int j = 0; j < n; ++j) t[std::size_t(i) * n + j] += r * b.covariance[std::size_t(k) * n + j];
    }
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < n; ++k) {
      const double r = t[std::size_t(i) * n + k];
      if (r == 0) continue;
      for (int j = 0; j < n; ++j) m[std::size_t(i) * n + j] += r * root[std::size_t(k) * n + j];
    }
  for (int i = 0; i < n; ++i)  // symmetrise the rounding
    for (int j = i + 1; j < n; ++j)
      m[std::size_t(i) * n + j] = m[std::size_t(j) * n + i] =
          0.5 * (m[std::size_t(i) * n + j] + m[std::size_t(j) * n + i]);
  double trRoot = 0;
  for (double ev : symmetricEigenvalues(m, n)) trRoot += std::sqrt(std::max(0.0, ev));
  return std::max(0.0, d2 + tr - 2 * trRoot);
}

}  // namespace genlab::core::style
