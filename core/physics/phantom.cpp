#include "core/physics/phantom.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

namespace genlab::core::physics {

namespace {
constexpr double kPi = 3.14159265358979323846;

// SplitMix64: decorrelates (stream, seed) pairs into generator seeds.
std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace

std::vector<Ellipse> sheppLoganEllipses() {
  return {{1.0, 0.69, 0.92, 0, 0, 0},           {-0.8, 0.6624, 0.874, 0, -0.0184, 0},
          {-0.2, 0.11, 0.31, 0.22, 0, -18},     {-0.2, 0.16, 0.41, -0.22, 0, 18},
          {0.1, 0.21, 0.25, 0, 0.35, 0},        {0.1, 0.046, 0.046, 0, 0.1, 0},
          {0.1, 0.046, 0.046, 0, -0.1, 0},      {0.1, 0.046, 0.023, -0.08, -0.605, 0},
          {0.1, 0.023, 0.023, 0, -0.606, 0},    {0.1, 0.023, 0.046, 0.06, -0.605, 0}};
}

FloatImage rasterEllipses(const std::vector<Ellipse>& ellipses, int size, int supersample,
                          float lo, float hi) {
  if (size < 1 || size > 8192) throw std::invalid_argument("phantom size must be 1..8192");
  if (supersample < 1 || supersample > 16) throw std::invalid_argument("supersampling must be 1..16");
  FloatImage img(size, size);
  const double px = 2.0 / size, sub = px / supersample;
  std::vector<double> acc(static_cast<std::size_t>(size) * size, 0.0);
  for (const auto& e : ellipses) {
    if (!(e.a > 0 && e.b > 0)) throw std::invalid_argument("ellipse semi-axes must be positive");
    const double c = std::cos(e.phiDeg * kPi / 180), s = std::sin(e.phiDeg * kPi / 180);
    const double reach = std::max(e.a, e.b);
    // Only rows and columns within the ellipse's bounding circle.
    const int r0 = std::max(0, static_cast<int>((1 - (e.y0 + reach)) / px) - 1);
    const int r1 = std::min(size - 1, static_cast<int>((1 - (e.y0 - reach)) / px) + 1);
    const int q0 = std::max(0, static_cast<int>((e.x0 - reach + 1) / px) - 1);
    const int q1 = std::min(size - 1, static_cast<int>((e.x0 + reach + 1) / px) + 1);
    const double w = e.value / (supersample * supersample);
    for (int r = r0; r <= r1; ++r)
      for (int q = q0; q <= q1; ++q) {
        int inside = 0;
        for (int i = 0; i < supersample; ++i) {
          const double y = 1 - r * px - (i + 0.5) * sub - e.y0;
          for (int j = 0; j < supersample; ++j) {
            const double x = -1 + q * px + (j + 0.5) * sub - e.x0;
            const double u = (x * c + y * s) / e.a, v = (-x * s + y * c) / e.b;
            inside += (u * u + v * v <= 1.0);
          }
        }
        acc[static_cast<std::size_t>(r) * size + q] += w * inside;
      }
  }
  for (std::size_t i = 0; i < acc.size(); ++i)
    img.values[i] = std::clamp(static_cast<float>(acc[i]), lo, hi);
  return img;
}

FloatImage sheppLogan(int size) { return rasterEllipses(sheppLoganEllipses(), size, 4, 0.f, 1.f); }

std::vector<Ellipse> randomEllipses(std::uint64_t seed, PhantomStream stream) {
  std::mt19937_64 rng(mix(mix(static_cast<std::uint64_t>(stream)) ^ seed));
  auto uni = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  std::vector<Ellipse> out;
  // Body: large, near the centre, inside the scanner's circle.
  const Ellipse body{uni(0.3, 0.6), uni(0.55, 0.85), uni(0.55, 0.85), uni(-0.05, 0.05),
                     uni(-0.05, 0.05), uni(0, 180)};
  out.push_back(body);
  const int inner = std::uniform_int_distribution<int>(4, 10)(rng);
  for (int i = 0; i < inner; ++i) {
    const double radius = std::sqrt(uni(0, 1)) * 0.55, angle = uni(0, 2 * kPi);
    const double sign = uni(0, 1) < 0.6 ? 1.0 : -1.0;
    out.push_back({sign * uni(0.1, 0.5), uni(0.03, 0.3), uni(0.03, 0.3),
                   body.x0 + radius * std::cos(angle), body.y0 + radius * std::sin(angle),
                   uni(0, 180)});
  }
  return out;
}

FloatImage randomEllipsePhantom(int size, std::uint64_t seed, PhantomStream stream) {
  return rasterEllipses(randomEllipses(seed, stream), size, 2, 0.f, 1.f);
}

}  // namespace genlab::core::physics
