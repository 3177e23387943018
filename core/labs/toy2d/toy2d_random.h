#pragma once
// A small, fast, fully specified random generator (xoshiro256** seeded by
// splitmix64, Box-Muller normals). Unlike std::normal_distribution its
// numbers are the same on every standard library, so a seed names the same
// data set and the same run everywhere.
#include <cmath>
#include <cstdint>

namespace genlab::core::toy2d {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 1) { reseed(seed); }
  void reseed(std::uint64_t seed) {
    std::uint64_t x = seed;
    for (auto& s : m_s) s = splitmix(x);
    m_haveSpare = false;
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(m_s[1] * 5, 7) * 9;
    const std::uint64_t t = m_s[1] << 17;
    m_s[2] ^= m_s[0];
    m_s[3] ^= m_s[1];
    m_s[1] ^= m_s[2];
    m_s[0] ^= m_s[3];
    m_s[2] ^= t;
    m_s[3] = rotl(m_s[3], 45);
    return result;
  }
  // Uniform in [0, 1).
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }
  // Uniform integer in [0, n).
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  // Standard normal.
  double normal() {
    if (m_haveSpare) {
      m_haveSpare = false;
      return m_spare;
    }
    double u = 0;
    while (u <= 0) u = uniform();
    const double v = uniform();
    const double r = std::sqrt(-2.0 * std::log(u));
    const double a = 6.283185307179586476925 * v;
    m_spare = r * std::sin(a);
    m_haveSpare = true;
    return r * std::cos(a);
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint64_t m_s[4]{};
  double m_spare = 0;
  bool m_haveSpare = false;
};

}  // namespace genlab::core::toy2d
