#include "core/labs/protein/protein_family.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <thread>

namespace genlab::core::protein {

int stateOf(char residue) {
  static const auto table = [] {
    std::array<std::uint8_t, 256> t{};
    for (int s = 1; s < kStates; ++s) {
      t[static_cast<unsigned char>(kAlphabet[s])] = static_cast<std::uint8_t>(s);
      t[static_cast<unsigned char>(kAlphabet[s] - 'A' + 'a')] = static_cast<std::uint8_t>(s);
    }
    return t;
  }();
  return table[static_cast<unsigned char>(residue)];
}

Family familyFromAligned(std::vector<std::string> names, std::vector<std::string> aligned) {
  Family f;
  const int len = aligned.empty() ? 0 : static_cast<int>(aligned.front().size());
  f.alignmentColumns = len;
  f.focusColumns.resize(len);
  std::iota(f.focusColumns.begin(), f.focusColumns.end(), 0);
  f.states.resize(aligned.size() * std::size_t(len));
  for (std::size_t i = 0; i < aligned.size(); ++i) {
    if (static_cast<int>(aligned[i].size()) != len)
      throw std::invalid_argument("sequence '" + names[i] + "' is " +
                                  std::to_string(aligned[i].size()) + " columns long, not " +
                                  std::to_string(len));
    for (int c = 0; c < len; ++c) {
      const int s = stateOf(aligned[i][c]);
      f.states[i * len + c] = static_cast<std::uint8_t>(s);
      aligned[i][c] = letterOf(s);
    }
  }
  f.names = std::move(names);
  f.aligned = std::move(aligned);
  return f;
}

Family makeFamily(const Msa& msa, const FocusOptions& o) {
  const std::size_t cols = msa.columns();
  std::vector<std::size_t> keep;
  for (std::size_t i = 0; i < msa.size(); ++i) {
    std::size_t gaps = 0;
    for (char c : msa.sequences[i]) gaps += stateOf(c) == 0;
    if (gaps <= o.maxSequenceGapFraction * cols) keep.push_back(i);
  }
  if (keep.empty())
    throw std::invalid_argument(msa.source + ": every sequence has more than " +
                                std::to_string(int(o.maxSequenceGapFraction * 100)) + " % gaps");
  std::vector<int> focus;
  for (std::size_t c = 0; c < cols; ++c) {
    std::size_t gaps = 0;
    for (std::size_t i : keep) gaps += stateOf(msa.sequences[i][c]) == 0;
    if (gaps <= o.maxColumnGapFraction * keep.size()) focus.push_back(static_cast<int>(c));
  }
  if (focus.empty())
    throw std::invalid_argument(msa.source + ": no column has at most " +
                                std::to_string(int(o.maxColumnGapFraction * 100)) + " % gaps");
  std::vector<std::string> names, aligned;
  for (std::size_t i : keep) {
    names.push_back(msa.names[i]);
    std::string s;
    for (int c : focus) s.push_back(msa.sequences[i][c]);
    aligned.push_back(std::move(s));
  }
  Family f = familyFromAligned(std::move(names), std::move(aligned));
  f.focusColumns = std::move(focus);
  f.alignmentColumns = static_cast<int>(cols);
  f.droppedSequences = static_cast<int>(msa.size() - keep.size());
  return f;
}

double identity(const std::uint8_t* a, const std::uint8_t* b, int length) {
  int same = 0, nonGap = 0;
  for (int k = 0; k < length; ++k) {
    if (a[k] == 0) continue;
    ++nonGap;
    same += a[k] == b[k];
  }
  return nonGap > 0 ? double(same) / nonGap : 0.0;
}

std::vector<double> sequenceWeightsBruteForce(const Family& f, double threshold) {
  std::vector<double> w(f.n());
  for (int i = 0; i < f.n(); ++i) {
    int neighbours = 1;  // itself
    for (int j = 0; j < f.n(); ++j)
      if (j != i && identity(f.row(i), f.row(j), f.length()) >= threshold) ++neighbours;
    w[i] = 1.0 / neighbours;
  }
  return w;
}

namespace {

typedef unsigned char V16 __attribute__((vector_size(16)));

// Rows padded to 16 bytes. In copy A gaps are 254 and padding 252; in copy B
// gaps are 255 and padding 253, so a gap or padding never matches anything.
struct Packed {
  int stride = 0;
  std::vector<V16> a, b;
};

Packed pack(const Family& f) {
  Packed p;
  p.stride = (f.length() + 15) / 16;
  p.a.resize(std::size_t(f.n()) * p.stride);
  p.b.resize(std::size_t(f.n()) * p.stride);
  for (int i = 0; i < f.n(); ++i) {
    auto* ra = reinterpret_cast<unsigned char*>(&p.a[std::size_t(i) * p.stride]);
    auto* rb = reinterpret_cast<unsigned char*>(&p.b[std::size_t(i) * p.stride]);
    for (int k = 0; k < p.stride * 16; ++k) {
      if (k >= f.length()) {
        ra[k] = 252;
        rb[k] = 253;
      } else {
        const std::uint8_t s = f.row(i)[k];
        ra[k] = s == 0 ? 254 : s;
        rb[k] = s == 0 ? 255 : s;
      }
    }
  }
  return p;
}

// Positions where rows a and b hold the same amino acid.
inline int matches(const V16* a, const V16* b, int stride) {
  int total = 0;
  for (int start = 0; start < stride; start += 255) {
    const int end = std::min(stride, start + 255);
    V16 acc = {};
    for (int k = start; k < end; ++k) acc -= reinterpret_cast<V16>(a[k] == b[k]);
    for (int t = 0; t < 16; ++t) total += acc[t];
  }
  return total;
}

}  // namespace

std::vector<double> sequenceWeights(const Family& f, double threshold, int threads) {
  const int n = f.n(), len = f.length();
  if (n == 0) return {};
  const Packed p = pack(f);
  // Smallest match count that reaches the threshold, by the same double
  // comparison as identity(), so this agrees with the brute force exactly.
  std::vector<int> need(n);
  for (int i = 0; i < n; ++i) {
    int nonGap = 0;
    for (int k = 0; k < len; ++k) nonGap += f.row(i)[k] != 0;
    if (nonGap == 0) {
      need[i] = threshold <= 0 ? 0 : std::numeric_limits<int>::max();
      continue;
    }
    int m = std::max(0, static_cast<int>(std::floor(threshold * nonGap)) - 1);
    while (m <= nonGap && double(m) / nonGap < threshold) ++m;
    need[i] = m;  // nonGap + 1 when unreachable
  }
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::min(threads, std::max(1, n / 64));
  std::vector<std::vector<int>> counts(threads, std::vector<int>(n, 0));
  std::atomic<int> nextRow{0};
  auto work = [&](int t) {
    auto& c = counts[t];
    for (int i; (i = nextRow.fetch_add(1)) < n;) {
      const V16* a = &p.a[std::size_t(i) * p.stride];
      for (int j = i + 1; j < n; ++j) {
        const int m = matches(a, &p.b[std::size_t(j) * p.stride], p.stride);
        if (m >= need[i]) ++c[i];
        if (m >= need[j]) ++c[j];
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  std::vector<double> w(n);
  for (int i = 0; i < n; ++i) {
    int neighbours = 1;
    for (int t = 0; t < threads; ++t) neighbours += counts[t][i];
    w[i] = 1.0 / neighbours;
  }
  return w;
}

double neff(const std::vector<double>& weights) {
  return std::accumulate(weights.begin(), weights.end(), 0.0);
}

double Pssm::logProb(const std::uint8_t* seq) const {
  double s = 0;
  for (int k = 0; k < length; ++k) s += logp[std::size_t(k) * kStates + seq[k]];
  return s;
}

Pssm fitPssm(const Family& f, const std::vector<double>& weights, const std::vector<int>& rows,
             double pseudocount) {
  Pssm p;
  p.length = f.length();
  std::vector<double> counts(std::size_t(p.length) * kStates, pseudocount / kStates);
  double total = pseudocount;
  for (int i : rows) {
    const double w = weights[i];
    total += w;
    const std::uint8_t* r = f.row(i);
    for (int k = 0; k < p.length; ++k) counts[std::size_t(k) * kStates + r[k]] += w;
  }
  p.logp.resize(counts.size());
  for (std::size_t k = 0; k < counts.size(); ++k) p.logp[k] = std::log(counts[k] / total);
  return p;
}

double netCharge(const std::string& seq) {
  double q = 0;
  for (char c : seq) {
    if (c == 'K' || c == 'R') q += 1;
    else if (c == 'D' || c == 'E') q -= 1;
    else if (c == 'H') q += 0.1;
  }
  return q;
}

double gravy(const std::string& seq) {
  static const auto kd = [] {
    std::array<double, 256> t{};
    const char* aa = "ARNDCQEGHILKMFPSTWYV";
    const double v[] = {1.8, -4.5, -3.5, -3.5, 2.5, -3.5, -3.5, -0.4, -3.2, 4.5,
                        3.8, -3.9, 1.9,  2.8,  -1.6, -0.8, -0.7, -0.9, -1.3, 4.2};
    for (int i = 0; i < 20; ++i) t[static_cast<unsigned char>(aa[i])] = v[i];
    return t;
  }();
  double s = 0;
  int n = 0;
  for (char c : seq)
    if (stateOf(c) != 0) {
      s += kd[static_cast<unsigned char>(c)];
      ++n;
    }
  return n > 0 ? s / n : std::numeric_limits<double>::quiet_NaN();
}

int longestHomopolymer(const std::string& seq) {
  int best = 0, run = 0;
  char prev = 0;
  for (char c : seq) {
    if (c == '-') continue;  // gaps are not residues: runs continue across them
    run = c == prev ? run + 1 : 1;
    prev = c;
    best = std::max(best, run);
  }
  return best;
}

int ungappedLength(const std::string& seq) {
  return static_cast<int>(std::count_if(seq.begin(), seq.end(), [](char c) { return c != '-'; }));
}

int gapCount(const std::string& seq) {
  return static_cast<int>(std::count(seq.begin(), seq.end(), '-'));
}

namespace {
std::vector<double> ranks(const std::vector<double>& v) {
  std::vector<std::size_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (std::size_t i = 0; i < idx.size();) {
    std::size_t j = i;
    while (j + 1 < idx.size() && v[idx[j + 1]] == v[idx[i]]) ++j;
    for (std::size_t k = i; k <= j; ++k) r[idx[k]] = 0.5 * (i + j);
    i = j + 1;
  }
  return r;
}
}  // namespace

double spearman(const std::vector<double>& a, const std::vector<double>& b) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (a.size() != b.size() || a.size() < 2) return nan;
  const auto ra = ranks(a), rb = ranks(b);
  const double n = static_cast<double>(a.size());
  const double ma = std::accumulate(ra.begin(), ra.end(), 0.0) / n;
  const double mb = std::accumulate(rb.begin(), rb.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < ra.size(); ++i) {
    sab += (ra[i] - ma) * (rb[i] - mb);
    saa += (ra[i] - ma) * (ra[i] - ma);
    sbb += (rb[i] - mb) * (rb[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : nan;
}

double quantile(std::vector<double> v, double q) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  const double pos = std::clamp(q, 0.0, 1.0) * (v.size() - 1);
  const std::size_t lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(v.size() - 1, lo + 1);
  return v[lo] + (pos - lo) * (v[hi] - v[lo]);
}

}  // namespace genlab::core::protein
