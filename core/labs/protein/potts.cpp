#include "core/labs/protein/potts.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>

#include "core/data/image_dataset.h"
#include "core/labs/protein/protein_family.h"

namespace genlab::core::protein {

namespace {
constexpr int kAa = 20;
char aaLetter(int a) { return kAlphabet[a + 1]; }

// Neighbour lists: for position i, (pair index, other position, i is first).
struct Adjacency {
  struct Edge {
    int pair, other;
    bool first;
  };
  std::vector<std::vector<Edge>> of;
  explicit Adjacency(const PottsModel& m) : of(m.length) {
    for (int p = 0; p < static_cast<int>(m.pairs.size()); ++p) {
      of[m.pairs[p].first].push_back({p, m.pairs[p].second, true});
      of[m.pairs[p].second].push_back({p, m.pairs[p].first, false});
    }
  }
};

// The conditional log-weights of every amino acid at i, given the rest.
void conditional(const PottsModel& m, const Adjacency& adj, const std::vector<std::uint8_t>& x,
                 int i, double* out) {
  for (int a = 0; a < kAa; ++a) out[a] = m.h[i * kAa + a];
  for (const auto& e : adj.of[i]) {
    const double* J = &m.J[std::size_t(e.pair) * kAa * kAa];
    const int b = x[e.other];
    for (int a = 0; a < kAa; ++a) out[a] += e.first ? J[a * kAa + b] : J[b * kAa + a];
  }
}

void sweep(const PottsModel& m, const Adjacency& adj, std::vector<std::uint8_t>& x,
           std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  double w[kAa];
  for (int i = 0; i < m.length; ++i) {
    conditional(m, adj, x, i, w);
    const double mx = *std::max_element(w, w + kAa);
    double total = 0;
    for (int a = 0; a < kAa; ++a) total += (w[a] = std::exp(w[a] - mx));
    double r = u(rng) * total;
    int a = 0;
    for (; a < kAa - 1; ++a) {
      r -= w[a];
      if (r <= 0) break;
    }
    x[i] = static_cast<std::uint8_t>(a);
  }
}
}  // namespace

double PottsModel::energy(const std::vector<std::uint8_t>& aa) const {
  double e = 0;
  for (int i = 0; i < length; ++i) e += h[i * kAa + aa[i]];
  for (std::size_t p = 0; p < pairs.size(); ++p)
    e += J[p * kAa * kAa + aa[pairs[p].first] * kAa + aa[pairs[p].second]];
  return e;
}

PottsFamily simulatePotts(const PottsOptions& o) {
  if (o.length < 2 || o.length > 2000)
    throw std::invalid_argument("the Potts length must be between 2 and 2000");
  if (o.sequences < 2 || o.sequences > 1000000)
    throw std::invalid_argument("the Potts sample size must be between 2 and 1000000");
  std::mt19937_64 rng(o.seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  PottsFamily fam;
  PottsModel& m = fam.model;
  m.length = o.length;
  m.h.resize(std::size_t(o.length) * kAa);
  for (double& v : m.h) v = o.fieldScale * normal(rng);
  const long maxPairs = long(o.length) * (o.length - 1) / 2;
  const long want = std::min<long>(maxPairs, o.pairs < 0 ? o.length : o.pairs);
  std::set<std::pair<int, int>> chosen;
  std::uniform_int_distribution<int> pos(0, o.length - 1);
  while (static_cast<long>(chosen.size()) < want) {
    int i = pos(rng), j = pos(rng);
    if (i == j) continue;
    chosen.insert({std::min(i, j), std::max(i, j)});
  }
  m.pairs.assign(chosen.begin(), chosen.end());
  m.J.resize(m.pairs.size() * kAa * kAa);
  for (double& v : m.J) v = o.couplingScale * normal(rng);

  const Adjacency adj(m);
  const int chains = std::max(1, std::min(o.chains, o.sequences));
  std::vector<std::vector<std::uint8_t>> samples;
  samples.reserve(o.sequences);
  std::uniform_int_distribution<int> aa(0, kAa - 1);
  for (int c = 0; c < chains; ++c) {
    const int count = o.sequences / chains + (c < o.sequences % chains ? 1 : 0);
    std::vector<std::uint8_t> x(o.length);
    for (auto& v : x) v = static_cast<std::uint8_t>(aa(rng));
    for (int s = 0; s < o.burnIn; ++s) sweep(m, adj, x, rng);
    for (int k = 0; k < count; ++k) {
      for (int s = 0; s < std::max(1, o.thin); ++s) sweep(m, adj, x, rng);
      samples.push_back(x);
    }
  }
  // The wild type: the fittest sample, listed first.
  std::size_t best = 0;
  double bestE = -1e300;
  for (std::size_t k = 0; k < samples.size(); ++k) {
    const double e = m.energy(samples[k]);
    if (e > bestE) bestE = e, best = k;
  }
  std::swap(samples[0], samples[best]);
  for (std::size_t k = 0; k < samples.size(); ++k) {
    fam.names.push_back(k == 0 ? "wt" : "potts_" + std::to_string(k));
    std::string s;
    for (auto v : samples[k]) s.push_back(aaLetter(v));
    fam.sequences.push_back(std::move(s));
  }
  auto wt = samples[0];
  for (int i = 0; i < o.length; ++i) {
    const std::uint8_t orig = wt[i];
    for (int a = 0; a < kAa; ++a) {
      if (a == orig) continue;
      wt[i] = static_cast<std::uint8_t>(a);
      fam.effects.push_back({i, aaLetter(orig), aaLetter(a), m.energy(wt) - bestE});
    }
    wt[i] = orig;
  }
  return fam;
}

std::string effectsCsv(const std::vector<SingleMutant>& effects) {
  std::ostringstream out;
  out.precision(9);
  out << "position,wt,mut,delta_energy\n";
  for (const auto& e : effects)
    out << e.position + 1 << ',' << e.wt << ',' << e.mut << ',' << e.deltaEnergy << '\n';
  return out.str();
}

std::vector<SingleMutant> readEffectsCsv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw DataError(path + ": cannot be opened");
  std::vector<SingleMutant> out;
  std::string line;
  int ln = 0;
  while (std::getline(in, line)) {
    ++ln;
    if (ln == 1 || line.empty()) continue;
    std::istringstream is(line);
    std::string p, wt, mut, d;
    if (!std::getline(is, p, ',') || !std::getline(is, wt, ',') || !std::getline(is, mut, ',') ||
        !std::getline(is, d) || wt.size() != 1 || mut.size() != 1)
      throw DataError(path + ":" + std::to_string(ln) + ": expected position,wt,mut,delta_energy");
    try {
      out.push_back({std::stoi(p) - 1, wt[0], mut[0], std::stod(d)});
    } catch (const std::exception&) {
      throw DataError(path + ":" + std::to_string(ln) + ": not a number");
    }
  }
  if (out.empty()) throw DataError(path + ": no mutants in it");
  return out;
}

}  // namespace genlab::core::protein
