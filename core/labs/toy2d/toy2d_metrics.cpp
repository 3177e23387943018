#include "core/labs/toy2d/toy2d_metrics.h"

#include <chrono>
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

// Kernel sum of row i of `a` against rows [from, to) of `b`.
double rowSum(const float* a, std::size_t i, const float* b, std::size_t from, std::size_t to) {
  const double xi = a[2 * i], yi = a[2 * i + 1];
  double s = 0;
  for (std::size_t j = from; j < to; ++j) {
    const double dx = xi - b[2 * j], dy = yi - b[2 * j + 1];
    s += kernelSum(dx * dx + dy * dy);
  }
  return s;
}
}  // namespace

MmdComputation::MmdComputation(std::vector<float> a, std::vector<float> b)
    : m_a(std::move(a)), m_b(std::move(b)) {
  if (m_a.size() < 4 || m_b.size() < 4)
    throw std::invalid_argument("the MMD needs at least 2 points on each side");
}

bool MmdComputation::advance(double seconds) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const std::size_t n = m_a.size() / 2, m = m_b.size() / 2;
  // Three passes: pairs within a (i < j), within b, then across.
  while (m_pass < 3) {
    const std::size_t rows = m_pass == 1 ? m : n;
    if (m_row >= rows) {
      ++m_pass;
      m_row = 0;
      continue;
    }
    if (m_pass == 0) m_sums[0] += 2 * rowSum(m_a.data(), m_row, m_a.data(), m_row + 1, n);
    if (m_pass == 1) m_sums[1] += 2 * rowSum(m_b.data(), m_row, m_b.data(), m_row + 1, m);
    if (m_pass == 2) m_sums[2] += rowSum(m_a.data(), m_row, m_b.data(), 0, m);
    ++m_row;
    if (m_row % 64 == 0 &&
        std::chrono::duration<double>(Clock::now() - start).count() >= seconds)
      return false;
  }
  return true;
}

double MmdComputation::value() const {
  const double n = double(m_a.size() / 2), m = double(m_b.size() / 2);
  return m_sums[0] / (n * (n - 1)) + m_sums[1] / (m * (m - 1)) - 2 * m_sums[2] / (n * m);
}

double mmd2(const float* a, std::size_t n, const float* b, std::size_t m) {
  MmdComputation c(std::vector<float>(a, a + 2 * n), std::vector<float>(b, b + 2 * m));
  c.advance(1e300);
  return c.value();
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

int modesCovered(const float* samples, std::size_t n, const Toy2dData& data) {
  if (data.name != "8gaussians" || n == 0) return -1;
  // The generator's modes (toy2d_data.cpp), mapped into standardised units.
  const double radius = 3 * 0.25 / data.scale;
  int covered = 0;
  for (int k = 0; k < 8; ++k) {
    const double a = k * 3.14159265358979323846 / 4;
    const double cx = (2 * std::cos(a) - data.shiftX) / data.scale;
    const double cy = (2 * std::sin(a) - data.shiftY) / data.scale;
    std::size_t inside = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double dx = samples[2 * i] - cx, dy = samples[2 * i + 1] - cy;
      if (dx * dx + dy * dy <= radius * radius) ++inside;
    }
    if (double(inside) >= 0.25 * double(n) / 8) ++covered;
  }
  return covered;
}

Baseline gaussianBaseline(const Toy2dData& data, int evalSamples, std::uint64_t seed) {
  Baseline b;
  b.gaussian = Gaussian2D::fit(data.train);
  const auto held = headPoints(data.heldOut, static_cast<std::size_t>(evalSamples));
  const auto samples = b.gaussian.sample(held.size(), seed ^ 0xba5e11aeULL);
  b.mmd = held.size() >= 2 ? mmd2(samples, held) : 0.0;
  b.nll = b.gaussian.nll(held);  // the same points as the model's NLL
  return b;
}

}  // namespace genlab::core::toy2d
