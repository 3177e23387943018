#pragma once
// Small helpers the Cells lab's session files share (seeded shuffles, row
// subsets). Internal to core/labs/cells.
#include <algorithm>
#include <cstdint>
#include <vector>

namespace genlab::core::cells::detail {

inline std::uint64_t next(std::uint64_t& s) {  // splitmix64
  std::uint64_t x = (s += 0x9e3779b97f4a7c15ULL);
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

template <class T>
void shuffle(std::vector<T>& v, std::uint64_t& s) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[next(s) % i]);
}

inline std::vector<int> capped(std::vector<int> rows, std::size_t cap, std::uint64_t seed) {
  if (rows.size() <= cap) return rows;
  shuffle(rows, seed);
  rows.resize(cap);
  std::sort(rows.begin(), rows.end());
  return rows;
}

inline std::vector<float> gather(const std::vector<float>& x, int cols, const std::vector<int>& rows) {
  std::vector<float> out(rows.size() * static_cast<std::size_t>(cols));
  for (std::size_t i = 0; i < rows.size(); ++i)
    std::copy_n(x.begin() + static_cast<std::size_t>(rows[i]) * cols, cols, out.begin() + i * cols);
  return out;
}

}  // namespace genlab::core::cells::detail
