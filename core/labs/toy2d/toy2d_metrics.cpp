#include "core/labs/toy2d/toy2d_metrics.h"

#include <cmath>
#include <stdexcept>

#include "core/labs/toy2d/toy2d_random.h"

namespace genlab::core::toy2d {

namespace {
constexpr double kLog2Pi = 1.8378770664093454836;

// The six-bandwidth kernel from one exp(): each halving of the bandwidth
// raises the widest kernel's value to the 4th power.
inline double kernelSum(double d2) {
  static_assert(kMmdBandwidths[0] == 0.05 && kMmdBandwidths[5] == 1.6,
                "kernelSum assumes bandwidths 0.05 * 2^k, k = 0..5");
  double e = std::exp(-d2 / (2.0 * 1.6 * 1.6));
  double sum = e;
  for (int k = 0; k < 5; ++k) {
    e *= e;
    e *= e;
    sum += e;
  }
  return sum;
}

double withinSum(const float* a, std::size_t n) {
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double xi = a[2 * i], yi = a[2 * i + 1];
    for (std::size_t j = i + 1; j < n; ++j) {
      const double dx = xi - a[2 * j], dy = yi - a[2 * j + 1];
      s += kernelSum(dx * dx + dy * dy);
    }
  }
  return 2 * s;
}

double crossSum(const float* a, std::size_t n, const float* b, std::size_t m) {
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double xi = a[2 * i], yi = a[2 * i + 1];
    for (std::size_t j = 0; j < m; ++j) {
      const double dx = xi - b[2 * j], dy = yi - b[2 * j + 1];
      s += kernelSum(dx * dx + dy * dy);
    }
  }
  return s;
}
}  // namespace

double mmd2(const float* a, std::size_t n, const float* b, std::size_t m) {
  if (n < 2 || m < 2) throw std::invalid_argument("the MMD needs at least 2 points on each side");
  const double kaa = withinSum(a, n) / (double(n) * double(n - 1));
  const double kbb = withinSum(b, m) / (double(m) * double(m - 1));
  const double kab = crossSum(a, n, b, m) / (double(n) * double(m));
  return kaa + kbb - 2 * kab;
}

double mmd2(const Points2D& a, const Points2D& b) {
  return mmd2(a.xy.data(), a.size(), b.xy.data(), b.size());
}

Points2D headPoints(const Points2D& p, std::size_t n) {
  Points2D out;
  const std::size_t k = std::min(n, p.size());
  out.xy.assign(p.xy.begin(), p.xy.begin() + static_cast<std::ptrdiff_t>(2 * k));
  return out;
}

Gaussian2D Gaussian2D::fit(const Points2D& p) {
  if (p.size() < 2) throw std::invalid_argument("fitting a Gaussian needs at least 2 points");
  Gaussian2D g;
  const double n = double(p.size());
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    mx += p.x(i);
    my += p.y(i);
  }
  g.meanX = mx / n;
  g.meanY = my / n;
  double sxx = 0, sxy = 0, syy = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double dx = p.x(i) - g.meanX, dy = p.y(i) - g.meanY;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  // A tiny ridge keeps a degenerate (collinear) set invertible.
  g.cxx = sxx / n + 1e-9;
  g.cxy = sxy / n;
  g.cyy = syy / n + 1e-9;
  return g;
}

double Gaussian2D::logPdf(double x, double y) const {
  const double det = cxx * cyy - cxy * cxy;
  const double dx = x - meanX, dy = y - meanY;
  const double q = (cyy * dx * dx - 2 * cxy * dx * dy + cxx * dy * dy) / det;
  return -0.5 * q - 0.5 * std::log(det) - kLog2Pi;
}

double Gaussian2D::nll(const Points2D& p) const {
  double s = 0;
  for (std::size_t i = 0; i < p.size(); ++i) s -= logPdf(p.x(i), p.y(i));
  return p.empty() ? 0 : s / double(p.size());
}

Points2D Gaussian2D::sample(std::size_t n, std::uint64_t seed) const {
  // Cholesky factor of the covariance.
  const double l11 = std::sqrt(cxx);
  const double l21 = cxy / l11;
  const double l22 = std::sqrt(std::max(1e-18, cyy - l21 * l21));
  Rng r(seed);
  Points2D out;
  out.xy.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    const double e1 = r.normal(), e2 = r.normal();
    out.add(float(meanX + l11 * e1), float(meanY + l21 * e1 + l22 * e2));
  }
  return out;
}

Baseline gaussianBaseline(const Toy2dData& data, int evalSamples, std::uint64_t seed) {
  Baseline b;
  b.gaussian = Gaussian2D::fit(data.train);
  const auto held = headPoints(data.heldOut, static_cast<std::size_t>(evalSamples));
  const auto samples = b.gaussian.sample(held.size(), seed ^ 0xba5e11aeULL);
  b.mmd = held.size() >= 2 ? mmd2(samples, held) : 0.0;
  b.nll = b.gaussian.nll(data.heldOut);
  return b;
}

}  // namespace genlab::core::toy2d
