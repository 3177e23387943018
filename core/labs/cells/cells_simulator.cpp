#include "core/labs/cells/cells_simulator.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <thread>

namespace genlab::core::cells {

Regime parseRegime(const std::string& s) {
  if (s == "additive") return Regime::Additive;
  if (s == "shift" || s == "state-shift") return Regime::Shift;
  throw std::invalid_argument("--regime must be additive or shift, not '" + s + "'");
}
const char* regimeName(Regime r) { return r == Regime::Additive ? "additive" : "shift"; }

namespace {

std::uint64_t mix(std::uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct Truth {
  int hidden = 8;
  std::vector<double> base;     // genes
  std::vector<double> program;  // types x genes
  std::vector<double> A;        // genes x hidden
  std::vector<double> B;        // hidden x stateDim
  std::vector<double> c;        // hidden
  std::vector<double> lfc;      // genes (additive)
  std::vector<double> shift;    // stateDim
  std::vector<double> typeMean; // types x stateDim
  std::vector<int> markerOf;    // genes: type or -1
};

Truth makeTruth(const SimOptions& o) {
  Truth t;
  std::mt19937_64 rng(mix(o.seed * 7919 + 17));
  std::normal_distribution<double> n01(0, 1);
  const int G = o.genes, T = o.types, D = o.stateDim, H = t.hidden;
  t.base.resize(G);
  for (auto& b : t.base) b = 1.2 * n01(rng);
  t.program.assign(static_cast<std::size_t>(T) * G, 0.0);
  t.markerOf.assign(G, -1);
  std::vector<int> order(G);
  for (int g = 0; g < G; ++g) order[g] = g;
  std::shuffle(order.begin(), order.end(), rng);
  const int markers = std::max(1, std::min(30, G / (2 * T)));
  for (int k = 0; k < T; ++k)
    for (int j = 0; j < markers; ++j) {
      const int g = order[k * markers + j];
      t.markerOf[g] = k;
      t.program[static_cast<std::size_t>(k) * G + g] = 2.0;
    }
  t.A.resize(static_cast<std::size_t>(G) * H);
  for (auto& a : t.A) a = n01(rng) * 0.9;
  t.B.resize(static_cast<std::size_t>(H) * D);
  for (auto& b : t.B) b = n01(rng) * o.coupling;
  t.c.resize(H);
  for (auto& c : t.c) c = n01(rng) * 0.5;
  t.typeMean.resize(static_cast<std::size_t>(T) * D);
  for (int k = 0; k < T; ++k)
    for (int d = 0; d < D; ++d) {
      const double ang = 2 * M_PI * k / T;
      t.typeMean[k * D + d] = d == 0   ? o.typeRadius * std::cos(ang)
                             : d == 1 ? o.typeRadius * std::sin(ang)
                                      : 0.5 * n01(rng);
    }
  t.shift.assign(D, 0.0);
  double norm = 0;
  for (auto& s : t.shift) s = n01(rng), norm += s * s;
  for (auto& s : t.shift) s *= o.effect / std::sqrt(norm);
  t.lfc.assign(G, 0.0);
  std::shuffle(order.begin(), order.end(), rng);
  for (int j = 0; j < std::min(o.deGenes, G); ++j)
    t.lfc[order[j]] = (rng() & 1 ? 1.0 : -1.0) * o.effect * (0.6 + 0.8 * (double(rng() % 1000) / 1000));
  return t;
}

// Expected expression fractions of one cell (genes) in `treated` or not.
void fractions(const SimOptions& o, const Truth& t, int type, const double* state, bool treated,
               std::vector<double>& p) {
  const int G = o.genes, D = o.stateDim, H = t.hidden;
  double s[16];
  for (int d = 0; d < D; ++d)
    s[d] = state[d] + (treated && o.regime == Regime::Shift ? t.shift[d] : 0.0);
  double h[16];
  for (int j = 0; j < H; ++j) {
    double a = t.c[j];
    for (int d = 0; d < D; ++d) a += t.B[j * D + d] * s[d];
    h[j] = std::tanh(a);
  }
  double mx = -1e300;
  for (int g = 0; g < G; ++g) {
    double e = t.base[g] + t.program[static_cast<std::size_t>(type) * G + g];
    for (int j = 0; j < H; ++j) e += t.A[static_cast<std::size_t>(g) * H + j] * h[j];
    if (treated && o.regime == Regime::Additive) e += t.lfc[g];
    p[g] = e;
    mx = std::max(mx, e);
  }
  double sum = 0;
  for (int g = 0; g < G; ++g) sum += (p[g] = std::exp(p[g] - mx));
  for (int g = 0; g < G; ++g) p[g] /= sum;
}

}  // namespace

CellData simulateCells(const SimOptions& o) {
  if (o.cells < 2 || o.cells > 5000000 || o.genes < 10 || o.genes > 100000 || o.types < 2 ||
      o.types > 100 || o.stateDim < 1 || o.stateDim > 16)
    throw std::invalid_argument("simulate: cells 2..5e6, genes 10..1e5, types 2..100, state 1..16");
  const Truth t = makeTruth(o);
  const int N = o.cells, G = o.genes, D = o.stateDim;
  std::vector<int> type(N), treated(N);
  std::vector<double> state(static_cast<std::size_t>(N) * D), library(N);
  {
    std::mt19937_64 rng(mix(o.seed * 104729 + 3));
    std::normal_distribution<double> n01(0, 1);
    for (int i = 0; i < N; ++i) {
      type[i] = i % o.types;
      treated[i] = (i / o.types) % 2;
      for (int d = 0; d < D; ++d) state[i * D + d] = t.typeMean[type[i] * D + d] + o.stateSd * n01(rng);
      library[i] = o.meanLibrary * std::exp(0.3 * n01(rng) - 0.045);
    }
  }
  // Counts in chunks of cells, each chunk with its own seed: the same data on any number of threads.
  constexpr int kChunk = 512;
  const int chunks = (N + kChunk - 1) / kChunk;
  struct Part { CsrMatrix x, cf; };
  std::vector<Part> parts(chunks);
  auto work = [&](int first, int step) {
    std::vector<double> p(G);
    for (int ch = first; ch < chunks; ch += step) {
      std::mt19937_64 rng(mix(o.seed ^ mix(0xce11ULL + ch)));
      auto draw = [&](double mu) -> float {
        if (mu <= 0) return 0.0f;
        std::gamma_distribution<double> gam(1.0 / o.dispersion, mu * o.dispersion);
        const double lam = gam(rng);
        if (lam <= 0) return 0.0f;
        std::poisson_distribution<long> poi(lam);
        return static_cast<float>(poi(rng));
      };
      Part& part = parts[ch];
      for (Part* pp : {&part}) {
        pp->x.cols = pp->cf.cols = G;
        pp->x.indptr.assign(1, 0);
        pp->cf.indptr.assign(1, 0);
      }
      const int end = std::min(N, (ch + 1) * kChunk);
      for (int i = ch * kChunk; i < end; ++i) {
        for (int which = 0; which < (o.counterfactual ? 2 : 1); ++which) {
          const bool tr = which == 0 ? treated[i] : !treated[i];
          fractions(o, t, type[i], &state[static_cast<std::size_t>(i) * D], tr, p);
          CsrMatrix& m = which == 0 ? part.x : part.cf;
          for (int g = 0; g < G; ++g) {
            const float v = draw(library[i] * p[g]);
            if (v != 0) {
              m.indices.push_back(g);
              m.data.push_back(v);
            }
          }
          m.indptr.push_back(m.nnz());
          ++m.rows;
        }
      }
    }
  };
  const int nThreads = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (int k = 1; k < nThreads; ++k) pool.emplace_back(work, k, nThreads);
  work(0, nThreads);
  for (auto& th : pool) th.join();
  CellData d;
  CsrMatrix cf;
  for (CsrMatrix* m : {&d.X, &cf}) {
    m->rows = N;
    m->cols = G;
    m->indptr.assign(1, 0);
  }
  for (auto& part : parts)
    for (auto [src, dst] : {std::pair{&part.x, &d.X}, std::pair{&part.cf, &cf}}) {
      const std::int64_t base = dst->nnz();
      dst->indices.insert(dst->indices.end(), src->indices.begin(), src->indices.end());
      dst->data.insert(dst->data.end(), src->data.begin(), src->data.end());
      for (std::size_t r = 1; r < src->indptr.size(); ++r) dst->indptr.push_back(base + src->indptr[r]);
      *src = CsrMatrix{};
    }
  if (o.counterfactual) d.layers["counterfactual"] = std::move(cf);
  for (int i = 0; i < N; ++i) d.obs.index.push_back("cell" + std::to_string(i));
  std::vector<std::string> typeNames, cond;
  for (int i = 0; i < N; ++i) {
    typeNames.push_back("type" + std::to_string(type[i]));
    cond.push_back(treated[i] ? kSimTreated : kSimControl);
  }
  CellColumn tc;
  tc.name = kSimTypeKey;
  for (int k = 0; k < o.types; ++k) tc.categories.push_back("type" + std::to_string(k));
  tc.codes.assign(type.begin(), type.end());
  d.obs.columns.push_back(std::move(tc));
  CellColumn cc;
  cc.name = kSimConditionKey;
  cc.categories = {kSimControl, kSimTreated};
  cc.codes.assign(treated.begin(), treated.end());
  d.obs.columns.push_back(std::move(cc));
  for (int dd = 0; dd < D; ++dd) {
    CellColumn s;
    s.name = "state_" + std::to_string(dd);
    s.categorical = false;
    for (int i = 0; i < N; ++i) s.values.push_back(state[static_cast<std::size_t>(i) * D + dd]);
    d.obs.columns.push_back(std::move(s));
  }
  std::vector<std::string> prog;
  for (int g = 0; g < G; ++g) {
    d.var.index.push_back("gene" + std::to_string(g));
    prog.push_back(t.markerOf[g] >= 0 ? "type" + std::to_string(t.markerOf[g]) : "shared");
  }
  d.var.columns.push_back(CellColumn::fromStrings("program", prog));
  CellColumn lfc;
  lfc.name = "true_additive_lfc";
  lfc.categorical = false;
  for (int g = 0; g < G; ++g) lfc.values.push_back(o.regime == Regime::Additive ? t.lfc[g] : 0.0);
  d.var.columns.push_back(std::move(lfc));
  d.source = std::string("simulated (") + regimeName(o.regime) + ", seed " +
             std::to_string(o.seed) + ", " + std::to_string(N) + " cells x " + std::to_string(G) +
             " genes)";
  return d;
}

}  // namespace genlab::core::cells
