#include "core/labs/cells/cells_session.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <stdexcept>

#include "core/data/image_dataset.h"
#include "core/labs/cells/cells_simulator.h"

namespace genlab::core::cells {

namespace {

std::uint64_t next(std::uint64_t& s) {  // splitmix64
  std::uint64_t x = (s += 0x9e3779b97f4a7c15ULL);
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

template <class T>
void shuffle(std::vector<T>& v, std::uint64_t& s) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[next(s) % i]);
}

std::vector<int> capped(std::vector<int> rows, std::size_t cap, std::uint64_t seed) {
  if (rows.size() <= cap) return rows;
  shuffle(rows, seed);
  rows.resize(cap);
  std::sort(rows.begin(), rows.end());
  return rows;
}

std::string joinCategories(const CellColumn& c) {
  std::ostringstream s;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < c.size() && seen.size() < 20; ++i) seen.insert(c.label(i));
  bool first = true;
  for (const auto& v : seen) s << (first ? "" : ", ") << v, first = false;
  return s.str();
}

}  // namespace

void CellsOptions::validate() const {
  static const std::set<std::string> methods{"vae", "cvae", "mean-shift", "pca", "linear", "none"};
  if (!methods.count(method))
    throw std::invalid_argument("--method must be vae, cvae, mean-shift, pca, linear or none, not '" +
                                method + "'");
  if (latent < 1 || latent > 256 || hidden < 1 || hidden > 8192 || batch < 1 || epochs < 0)
    throw std::invalid_argument("latent 1..256, hidden 1..8192, batch >= 1, epochs >= 0");
  if (!(lr > 0) || !(beta >= 0) || hvg < 0 || !(targetSum > 0) || pcs < 1)
    throw std::invalid_argument("lr > 0, beta >= 0, hvg >= 0, target sum > 0, pcs >= 1");
  if (!simulated() && conditionKey.empty())
    throw std::invalid_argument("--condition-key K (with --control C and --treated T) is needed "
                                "for files");
  if (!simulated() && (control.empty() || treated.empty()))
    throw std::invalid_argument("--control C and --treated T are needed for files");
  if (!typeKey.empty() && holdout.empty() && holdoutRows.empty())
    throw std::invalid_argument("--cell-type-key needs --holdout TYPE");
}

Prepared preprocess(const CellData& d, const CellsOptions& o, const std::vector<int>& keepRows,
                    const std::vector<std::string>& conditionOf) {
  Prepared p;
  const int G = static_cast<int>(d.genes());
  auto transform = [&](const CsrMatrix& m, int row, std::vector<std::pair<int, float>>& out) {
    out.clear();
    double sum = 0;
    for (auto k = m.indptr[row]; k < m.indptr[row + 1]; ++k) sum += m.data[k];
    const double scale = o.normalize ? (sum > 0 ? o.targetSum / sum : 0.0) : 1.0;
    for (auto k = m.indptr[row]; k < m.indptr[row + 1]; ++k) {
      double v = m.data[k] * scale;
      if (o.log1p) v = std::log1p(v);
      out.push_back({m.indices[k], static_cast<float>(v)});
    }
  };
  std::vector<double> s1(G, 0.0), s2(G, 0.0);
  std::vector<std::pair<int, float>> row;
  for (int r : keepRows) {
    transform(d.X, r, row);
    for (auto [g, v] : row) s1[g] += v, s2[g] += double(v) * v;
  }
  std::vector<int> genes(G);
  std::iota(genes.begin(), genes.end(), 0);
  const double n = std::max<std::size_t>(1, keepRows.size());
  if (o.hvg > 0 && o.hvg < G) {
    std::vector<double> var(G);
    for (int g = 0; g < G; ++g) var[g] = s2[g] / n - (s1[g] / n) * (s1[g] / n);
    std::stable_sort(genes.begin(), genes.end(), [&](int a, int b) { return var[a] > var[b]; });
    genes.resize(o.hvg);
    std::sort(genes.begin(), genes.end());
  }
  std::vector<int> to(G, -1);
  for (std::size_t j = 0; j < genes.size(); ++j) to[genes[j]] = static_cast<int>(j);
  p.cells = static_cast<int>(keepRows.size());
  p.genes = static_cast<int>(genes.size());
  for (int g : genes) p.geneNames.push_back(d.var.index[g]);
  auto fill = [&](const CsrMatrix& m, std::vector<float>& x) {
    x.assign(static_cast<std::size_t>(p.cells) * p.genes, 0.0f);
    for (int i = 0; i < p.cells; ++i) {
      transform(m, keepRows[i], row);
      for (auto [g, v] : row)
        if (to[g] >= 0) x[static_cast<std::size_t>(i) * p.genes + to[g]] = v;
    }
  };
  fill(d.X, p.x);
  auto cf = d.layers.find("counterfactual");
  if (cf != d.layers.end()) fill(cf->second, p.counterfactual);
  for (int r : keepRows) p.cellIds.push_back(d.obs.index[r]);
  char buf[200];
  std::snprintf(buf, sizeof buf, "library-size normalisation to %.0f counts per cell: %s",
                o.targetSum, o.normalize ? "on" : "off");
  p.steps.push_back(buf);
  p.steps.push_back(std::string("log1p: ") + (o.log1p ? "on" : "off"));
  std::snprintf(buf, sizeof buf,
                "highly variable genes: %s (%d of %d genes, by variance after the steps above, "
                "on the %d cells kept)",
                o.hvg > 0 && o.hvg < G ? "on" : "off (all genes)", p.genes, G, p.cells);
  p.steps.push_back(buf);
  (void)conditionOf;
  return p;
}

std::shared_ptr<CellsSession> CellsSession::create(const CellsOptions& options) {
  CellsOptions o = options;
  if (o.simulated()) {
    SimOptions s;
    s.regime = o.data == kSimAdditive ? Regime::Additive : Regime::Shift;
    s.cells = o.simCells;
    s.genes = o.simGenes;
    s.typeRadius = o.simTypeRadius;
    s.stateSd = o.simStateSd;
    s.coupling = o.simCoupling;
    s.seed = o.seed;
    if (o.conditionKey.empty()) o.conditionKey = kSimConditionKey;
    if (o.control.empty()) o.control = kSimControl;
    if (o.treated.empty()) o.treated = kSimTreated;
    if (o.typeKey.empty() && o.holdout.empty()) o.typeKey = kSimTypeKey, o.holdout = kSimHoldout;
    o.validate();
    return std::make_shared<CellsSession>(o, std::make_shared<CellData>(simulateCells(s)));
  }
  o.validate();
  CellReadOptions ro;
  ro.obsFile = o.obs;
  ro.orientation = parseOrientation(o.orientation);
  return std::make_shared<CellsSession>(o, std::make_shared<CellData>(openCellData(o.data, ro)));
}

CellsSession::CellsSession(const CellsOptions& options, std::shared_ptr<const CellData> data)
    : m_o(options), m_raw(std::move(data)), m_source(m_raw->source), m_beta(options.beta) {
  const CellData& d = *m_raw;
  m_o.validate();
  const CellColumn* cond = d.obs.find(m_o.conditionKey);
  if (!cond)
    throw DataError("no obs column '" + m_o.conditionKey + "' (columns: " + [&] {
      std::string s;
      for (const auto& n : d.obs.columnNames()) s += (s.empty() ? "" : ", ") + n;
      return s.empty() ? std::string("none") : s;
    }() + ")");
  const CellColumn* type = m_o.typeKey.empty() ? nullptr : d.obs.find(m_o.typeKey);
  if (!m_o.typeKey.empty() && !type) throw DataError("no obs column '" + m_o.typeKey + "'");
  std::vector<int> keep;
  std::vector<std::string> condOf;
  int nCtrl = 0, nTrt = 0;
  for (std::int64_t i = 0; i < d.cells(); ++i) {
    const std::string c = cond->label(i);
    if (c == m_o.control || c == m_o.treated) {
      keep.push_back(static_cast<int>(i));
      condOf.push_back(c);
      (c == m_o.control ? nCtrl : nTrt)++;
    }
  }
  if (nCtrl == 0 || nTrt == 0)
    throw DataError("column '" + m_o.conditionKey + "' has " + std::to_string(nCtrl) + " cells '" +
                    m_o.control + "' and " + std::to_string(nTrt) + " cells '" + m_o.treated +
                    "'; both are needed (values: " + joinCategories(*cond) + ")");
  if (type) {
    bool found = false;
    for (int r : keep) found = found || type->label(r) == m_o.holdout;
    if (!found)
      throw DataError("no cell of type '" + m_o.holdout + "' in column '" + m_o.typeKey +
                      "' (values: " + joinCategories(*type) + ")");
  }
  m_keep = keep;
  m_p = preprocess(d, m_o, keep, condOf);
  for (std::size_t i = 0; i < keep.size(); ++i) {
    m_p.condition.push_back(condOf[i] == m_o.treated ? 1 : 0);
    if (type) {
      const std::string t = type->label(keep[i]);
      auto it = std::find(m_p.typeNames.begin(), m_p.typeNames.end(), t);
      if (it == m_p.typeNames.end()) {
        m_p.typeNames.push_back(t);
        it = m_p.typeNames.end() - 1;
      }
      m_p.type.push_back(static_cast<int>(it - m_p.typeNames.begin()));
    } else {
      m_p.type.push_back(0);
    }
  }
  if (!type) m_p.typeNames = {"all cells"};
  split();
  if (m_o.trainsModel()) {
    ModelShape s;
    s.genes = m_p.genes;
    s.conditions = m_o.method == "cvae" ? 2 : 0;
    s.latent = m_o.latent;
    s.hidden = m_o.hidden;
    m_model = std::make_unique<CellsModel>(s, m_o.lr, m_o.seed);
  }
  m_rng = m_o.seed * 0x51ed27ULL + 11;
}

CellsSession::~CellsSession() = default;

void CellsSession::split() {
  std::uint64_t s = m_o.seed * 1000003ULL + 7;
  std::vector<int> ctrlH;
  const int H = m_o.typeKey.empty()
                    ? -1
                    : static_cast<int>(std::find(m_p.typeNames.begin(), m_p.typeNames.end(),
                                                 m_o.holdout) - m_p.typeNames.begin());
  if (!m_o.holdoutRows.empty()) {
    for (int r : m_o.holdoutRows)
      if (r >= 0 && r < m_p.cells && m_p.condition[r] == 1) m_heldOut.push_back(r);
    for (int r : m_o.holdoutControlRows)
      if (r >= 0 && r < m_p.cells && m_p.condition[r] == 0) ctrlH.push_back(r);
    std::sort(m_heldOut.begin(), m_heldOut.end());
    m_heldOut.erase(std::unique(m_heldOut.begin(), m_heldOut.end()), m_heldOut.end());
    std::sort(ctrlH.begin(), ctrlH.end());
    ctrlH.erase(std::unique(ctrlH.begin(), ctrlH.end()), ctrlH.end());
  } else if (H >= 0) {
    for (int i = 0; i < m_p.cells; ++i)
      if (m_p.type[i] == H) (m_p.condition[i] ? m_heldOut : ctrlH).push_back(i);
  } else {
    std::vector<int> trt;
    for (int i = 0; i < m_p.cells; ++i) (m_p.condition[i] ? trt : ctrlH).push_back(i);
    shuffle(trt, s);
    trt.resize(std::max<std::size_t>(1, trt.size() / 5));
    m_heldOut = trt;
    std::sort(m_heldOut.begin(), m_heldOut.end());
  }
  if (m_heldOut.size() < 2 || ctrlH.size() < 2)
    throw DataError("the held-out group needs at least 2 treated and 2 control cells (it has " +
                    std::to_string(m_heldOut.size()) + " and " + std::to_string(ctrlH.size()) + ")");
  shuffle(ctrlH, s);
  const std::size_t half = (ctrlH.size() + 1) / 2;
  m_ctrlA.assign(ctrlH.begin(), ctrlH.begin() + half);
  m_ctrlB.assign(ctrlH.begin() + half, ctrlH.end());
  std::sort(m_ctrlA.begin(), m_ctrlA.end());
  std::sort(m_ctrlB.begin(), m_ctrlB.end());
  std::vector<std::uint8_t> out(m_p.cells, 0);
  for (int r : m_heldOut) out[r] = 1;
  for (int i = 0; i < m_p.cells; ++i)
    if (!out[i]) m_train.push_back(i);
}

std::string CellsSession::summary() const {
  std::ostringstream s;
  s << m_source << " · " << m_p.cells << " cells × " << m_p.genes << " genes · "
    << m_train.size() << " trained on · " << m_heldOut.size() << " held out ("
    << (!m_o.holdoutRows.empty() ? std::string("treated cells of a lasso selection")
        : m_o.typeKey.empty() ? "a seeded fifth of the treated" : "treated " + m_o.holdout)
    << ") · control halves " << m_ctrlA.size() << " / " << m_ctrlB.size();
  return s.str();
}

long CellsSession::stepsPerEpoch() const {
  return std::max<long>(1, (static_cast<long>(m_train.size()) + m_o.batch - 1) / m_o.batch);
}

double CellsSession::epochsDone() const { return double(m_step) / stepsPerEpoch(); }

StepLoss CellsSession::trainStep() {
  if (!m_model) throw std::logic_error("no model to train (method " + m_o.method + ")");
  const int G = m_p.genes;
  const int n = std::min<int>(m_o.batch, static_cast<int>(m_train.size()));
  m_batch.resize(static_cast<std::size_t>(n) * G);
  m_batchCond.resize(n);
  for (int i = 0; i < n; ++i) {
    if (m_cursor >= m_order.size()) {
      m_order = m_train;
      shuffle(m_order, m_rng);
      m_cursor = 0;
    }
    const int r = m_order[m_cursor++];
    std::copy_n(m_p.x.begin() + static_cast<std::size_t>(r) * G, G,
                m_batch.begin() + static_cast<std::size_t>(i) * G);
    m_batchCond[i] = m_p.condition[r];
  }
  ++m_step;
  return m_model->trainStep(m_batch.data(), m_batchCond.data(), n, m_beta);
}

std::vector<double> CellsSession::meanOf(const std::vector<float>& m, int cols,
                                         const std::vector<int>& rows) const {
  std::vector<double> out(cols, 0.0);
  for (int r : rows)
    for (int g = 0; g < cols; ++g) out[g] += m[static_cast<std::size_t>(r) * cols + g];
  for (auto& v : out) v /= std::max<std::size_t>(1, rows.size());
  return out;
}

// δ balanced over cell types: the mean over types of (mean treated − mean
// control), over the types that have both in `rows` (values: rows.size() x cols).
std::vector<double> CellsSession::balancedDelta(const std::vector<float>& values, int cols,
                                                const std::vector<int>& rows) const {
  const int T = static_cast<int>(m_p.typeNames.size());
  std::vector<double> sum(static_cast<std::size_t>(T) * 2 * cols, 0.0);
  std::vector<int> count(static_cast<std::size_t>(T) * 2, 0);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const int grp = m_p.type[rows[i]] * 2 + m_p.condition[rows[i]];
    ++count[grp];
    for (int g = 0; g < cols; ++g) sum[static_cast<std::size_t>(grp) * cols + g] += values[i * cols + g];
  }
  std::vector<double> d(cols, 0.0);
  int used = 0;
  for (int t = 0; t < T; ++t) {
    if (!count[t * 2] || !count[t * 2 + 1]) continue;
    ++used;
    for (int g = 0; g < cols; ++g)
      d[g] += sum[static_cast<std::size_t>(t * 2 + 1) * cols + g] / count[t * 2 + 1] -
              sum[static_cast<std::size_t>(t * 2) * cols + g] / count[t * 2];
  }
  if (!used) throw DataError("no cell type outside the held-out one has both control and treated cells");
  for (auto& v : d) v /= used;
  return d;
}

namespace {
std::vector<float> gather(const std::vector<float>& x, int cols, const std::vector<int>& rows) {
  std::vector<float> out(rows.size() * static_cast<std::size_t>(cols));
  for (std::size_t i = 0; i < rows.size(); ++i)
    std::copy_n(x.begin() + static_cast<std::size_t>(rows[i]) * cols, cols, out.begin() + i * cols);
  return out;
}
}  // namespace

std::shared_ptr<Evaluation> CellsSession::evaluate() {
  auto e = std::make_shared<Evaluation>();
  const int G = m_p.genes;
  e->geneNames = m_p.geneNames;
  e->epochs = epochsDone();
  e->heldOutCells = static_cast<int>(m_heldOut.size());
  e->controlA = static_cast<int>(m_ctrlA.size());
  e->controlB = static_cast<int>(m_ctrlB.size());
  e->trueMean = meanOf(m_p.x, G, m_heldOut);
  e->ctrlA = meanOf(m_p.x, G, m_ctrlA);
  e->ctrlB = meanOf(m_p.x, G, m_ctrlB);
  std::vector<int> ctrlH = m_ctrlA;
  ctrlH.insert(ctrlH.end(), m_ctrlB.begin(), m_ctrlB.end());
  const auto z = wilcoxonZ(m_p.x, G, capped(m_heldOut, 5000, m_o.seed + 1), capped(ctrlH, 5000, m_o.seed + 2));
  e->top = topGenes(z, 100);
  std::vector<double> truthDelta;
  if (!m_p.counterfactual.empty()) {
    truthDelta = meanOf(m_p.counterfactual, G, m_ctrlA);
    for (int g = 0; g < G; ++g) truthDelta[g] -= e->ctrlA[g];
    e->hasTruth = true;
  }
  // The cells δ is computed from: training cells of the types other than the
  // held-out one (all training cells without a type key), at most 2000 per
  // type and condition.
  const bool lasso = !m_o.holdoutRows.empty();
  const int H = m_o.typeKey.empty() || lasso ? -1 : m_p.type[m_heldOut[0]];
  std::vector<char> isCtrlH(m_p.cells, 0);
  if (lasso)
    for (int r : ctrlH) isCtrlH[r] = 1;
  std::vector<int> deltaRows;
  {
    std::map<int, std::vector<int>> groups;
    for (int r : m_train)
      if (m_p.type[r] != H && !isCtrlH[r]) groups[m_p.type[r] * 2 + m_p.condition[r]].push_back(r);
    for (auto& [k, rows] : groups) {
      auto c = capped(rows, 2000, m_o.seed + 10 + k);
      deltaRows.insert(deltaRows.end(), c.begin(), c.end());
    }
  }
  auto add = [&](const std::string& name, const std::vector<double>& pred) {
    e->methods.push_back(scoreMethod(name, pred, e->trueMean, e->ctrlA, e->ctrlB, e->top, truthDelta));
  };
  if (m_model) {
    const int L = m_o.latent;
    const auto xa = gather(m_p.x, G, m_ctrlA);
    std::vector<int> condA(m_ctrlA.size(), 0);
    std::vector<float> za(m_ctrlA.size() * L), out(m_ctrlA.size() * static_cast<std::size_t>(G));
    m_model->encode(xa.data(), condA.data(), static_cast<int>(m_ctrlA.size()), za.data());
    if (m_o.method == "cvae") {
      std::vector<int> condT(m_ctrlA.size(), 1);
      m_model->decode(za.data(), condT.data(), static_cast<int>(m_ctrlA.size()), out.data());
    } else {
      const auto xd = gather(m_p.x, G, deltaRows);
      std::vector<float> zd(deltaRows.size() * L);
      m_model->encode(xd.data(), nullptr, static_cast<int>(deltaRows.size()), zd.data());
      const auto dz = balancedDelta(zd, L, deltaRows);
      for (std::size_t i = 0; i < m_ctrlA.size(); ++i)
        for (int l = 0; l < L; ++l) za[i * L + l] += static_cast<float>(dz[l]);
      m_model->decode(za.data(), nullptr, static_cast<int>(m_ctrlA.size()), out.data());
    }
    std::vector<double> pred(G, 0.0);
    for (std::size_t i = 0; i < m_ctrlA.size(); ++i)
      for (int g = 0; g < G; ++g) pred[g] += out[i * G + g];
    for (auto& v : pred) v /= m_ctrlA.size();
    add(m_o.method, pred);
    e->model = m_o.method;
  }
  // Baselines.
  add("none", e->ctrlA);
  {
    const auto xd = gather(m_p.x, G, deltaRows);
    const auto d = balancedDelta(xd, G, deltaRows);
    std::vector<double> pred = e->ctrlA;
    for (int g = 0; g < G; ++g) pred[g] += d[g];
    add("mean-shift", pred);
  }
  {
    const int k = std::min(m_o.pcs, G);
    const auto fitRows = capped(m_train, 5000, m_o.seed + 3);
    const auto xf = gather(m_p.x, G, fitRows);
    std::vector<float> mu, axes;
    principalAxes(xf.data(), static_cast<std::int64_t>(fitRows.size()), G, k, mu, axes);
    auto scores = [&](const std::vector<int>& rows) {
      std::vector<float> s(rows.size() * k);
      for (std::size_t i = 0; i < rows.size(); ++i)
        for (int j = 0; j < k; ++j) {
          double a = 0;
          const float* x = &m_p.x[static_cast<std::size_t>(rows[i]) * G];
          const float* v = &axes[static_cast<std::size_t>(j) * G];
          for (int g = 0; g < G; ++g) a += (x[g] - mu[g]) * v[g];
          s[i * k + j] = static_cast<float>(a);
        }
      return s;
    };
    const auto dpc = balancedDelta(scores(deltaRows), k, deltaRows);
    const auto sa = scores(m_ctrlA);
    std::vector<double> meanScore(k, 0.0);
    for (std::size_t i = 0; i < m_ctrlA.size(); ++i)
      for (int j = 0; j < k; ++j) meanScore[j] += sa[i * k + j];
    std::vector<double> pred(G);
    for (int g = 0; g < G; ++g) {
      double v = mu[g];
      for (int j = 0; j < k; ++j)
        v += (meanScore[j] / m_ctrlA.size() + dpc[j]) * axes[static_cast<std::size_t>(j) * G + g];
      pred[g] = v;
    }
    add("pca", pred);
  }
  {
    // Additive linear model, least squares on every training cell:
    // x = a_type + c * treated. The held-out type's treated prediction is a_H + c.
    const int T = static_cast<int>(m_p.typeNames.size()), P = T + 1;
    std::vector<double> XtX(static_cast<std::size_t>(P) * P, 0.0), XtY(static_cast<std::size_t>(P) * G, 0.0);
    for (int r : m_train) {
      const int t = m_p.type[r], c = m_p.condition[r];
      XtX[t * P + t] += 1;
      if (c) XtX[t * P + T] += 1, XtX[T * P + t] += 1, XtX[T * P + T] += 1;
      const float* x = &m_p.x[static_cast<std::size_t>(r) * G];
      for (int g = 0; g < G; ++g) {
        XtY[static_cast<std::size_t>(t) * G + g] += x[g];
        if (c) XtY[static_cast<std::size_t>(T) * G + g] += x[g];
      }
    }
    // Gaussian elimination with partial pivoting; a type without cells gets a tiny ridge.
    for (int i = 0; i < P; ++i) XtX[i * P + i] += 1e-9;
    for (int col = 0; col < P; ++col) {
      int piv = col;
      for (int r = col + 1; r < P; ++r)
        if (std::fabs(XtX[r * P + col]) > std::fabs(XtX[piv * P + col])) piv = r;
      if (piv != col) {
        for (int j = 0; j < P; ++j) std::swap(XtX[col * P + j], XtX[piv * P + j]);
        for (int g = 0; g < G; ++g) std::swap(XtY[static_cast<std::size_t>(col) * G + g], XtY[static_cast<std::size_t>(piv) * G + g]);
      }
      for (int r = 0; r < P; ++r) {
        if (r == col) continue;
        const double f = XtX[r * P + col] / XtX[col * P + col];
        if (f == 0) continue;
        for (int j = 0; j < P; ++j) XtX[r * P + j] -= f * XtX[col * P + j];
        for (int g = 0; g < G; ++g) XtY[static_cast<std::size_t>(r) * G + g] -= f * XtY[static_cast<std::size_t>(col) * G + g];
      }
    }
    const int Ht = m_p.type[m_heldOut[0]];
    std::vector<double> pred(G);
    for (int g = 0; g < G; ++g)
      pred[g] = XtY[static_cast<std::size_t>(Ht) * G + g] / XtX[Ht * P + Ht] +
                XtY[static_cast<std::size_t>(T) * G + g] / XtX[T * P + T];
    add("linear", pred);
  }
  // If the run's method is a baseline, put it first.
  if (!m_model) {
    for (std::size_t i = 0; i < e->methods.size(); ++i)
      if (e->methods[i].method == m_o.method) std::rotate(e->methods.begin(), e->methods.begin() + i, e->methods.begin() + i + 1);
  } else {
    // The banner: whenever a baseline beats the model on R²-Δ, on the top-100
    // DE genes or on all genes (each named with its best baseline).
    const auto& m = e->methods[0];
    const char* model = m_o.method == "cvae" ? "cVAE" : "VAE";
    auto bestOn = [&](double MethodScore::*field) {
      int best = -1;
      for (std::size_t i = 1; i < e->methods.size(); ++i) {
        const double v = e->methods[i].*field;
        if (!std::isfinite(v)) continue;
        if (std::isfinite(m.*field) ? v > m.*field : true)
          if (best < 0 || v > e->methods[best].*field) best = static_cast<int>(i);
      }
      return best;
    };
    std::string text;
    char buf[300];
    const int top = bestOn(&MethodScore::r2DeltaTop), all = bestOn(&MethodScore::r2DeltaAll);
    if (top >= 0) {
      std::snprintf(buf, sizeof buf, "'%s' beats the %s on R²-Δ of the top-100 DE genes: %.3f vs %.3f",
                    e->methods[top].method.c_str(), model, e->methods[top].r2DeltaTop, m.r2DeltaTop);
      text = buf;
    }
    if (all >= 0) {
      std::snprintf(buf, sizeof buf, "'%s' beats the %s on R²-Δ of all genes: %.3f vs %.3f",
                    e->methods[all].method.c_str(), model, e->methods[all].r2DeltaAll, m.r2DeltaAll);
      text += (text.empty() ? "" : "; ") + std::string(buf);
    }
    if (!text.empty()) e->banner = "A baseline beats the model on the change from control. " + text;
  }
  return e;
}

void CellsSession::ensureExpressionPca() {
  if (!m_pcaAxes.empty()) return;
  const auto rows = capped(m_train, 3000, m_o.seed + 5);
  const auto xf = gather(m_p.x, m_p.genes, rows);
  principalAxes(xf.data(), static_cast<std::int64_t>(rows.size()), m_p.genes, 2, m_pcaMean, m_pcaAxes);
}

void CellsSession::projectMap(const std::vector<float>& z, int dim, std::vector<float>& xy) {
  const bool latent = m_mapReady && dim == m_o.latent;
  const auto& mean = latent ? m_mapMean : m_pcaMean;
  const auto& axes = latent ? m_mapAxes : m_pcaAxes;
  const std::size_t n = z.size() / dim;
  xy.resize(2 * n);
  for (std::size_t i = 0; i < n; ++i)
    for (int j = 0; j < 2; ++j) {
      double a = 0;
      for (int k = 0; k < dim; ++k) a += (z[i * dim + k] - mean[k]) * axes[static_cast<std::size_t>(j) * dim + k];
      xy[2 * i + j] = static_cast<float>(a);
    }
}

bool CellsSession::refreshMapSlice(int count) {
  if (!m_model) return false;
  const int L = m_o.latent, G = m_p.genes;
  if (m_latentCache.size() != static_cast<std::size_t>(m_p.cells) * L)
    m_latentCache.assign(static_cast<std::size_t>(m_p.cells) * L, 0.0f);
  const int a = static_cast<int>(m_mapCursor);
  const int b = std::min(m_p.cells, a + count);
  std::vector<int> cond(m_p.condition.begin() + a, m_p.condition.begin() + b);
  m_model->encode(&m_p.x[static_cast<std::size_t>(a) * G], cond.data(), b - a,
                  &m_latentCache[static_cast<std::size_t>(a) * L]);
  m_mapCursor = b;
  if (m_mapCursor < static_cast<std::size_t>(m_p.cells)) return false;
  m_mapCursor = 0;
  std::vector<float> mean, axes;
  principalAxes(m_latentCache.data(), m_p.cells, L, std::min(2, L), mean, axes);
  if (L == 1) axes.resize(2, 0.0f);
  // Keep orientation stable from pass to pass: each axis points the way the previous one did.
  for (int j = 0; j < 2 && static_cast<int>(m_mapAxes.size()) == 2 * L; ++j) {
    double dot = 0;
    for (int k = 0; k < L; ++k) dot += axes[j * L + k] * m_mapAxes[j * L + k];
    if (dot < 0)
      for (int k = 0; k < L; ++k) axes[j * L + k] = -axes[j * L + k];
  }
  m_mapMean = mean;
  m_mapAxes = axes;
  m_mapReady = true;
  return true;
}

std::shared_ptr<CellMap> CellsSession::cellMap() {
  auto m = std::make_shared<CellMap>();
  m->type = m_p.type;
  m->condition = m_p.condition;
  m->typeNames = m_p.typeNames;
  m->conditionNames = {m_o.control, m_o.treated};
  m->heldOut.assign(m_p.cells, 0);
  for (int r : m_heldOut) m->heldOut[r] = 1;
  m->epochs = epochsDone();
  if (m_model && m_mapReady) {
    projectMap(m_latentCache, m_o.latent, m->xy);
    m->space = "latent PCA";
  } else {
    ensureExpressionPca();
    projectMap(m_p.x, m_p.genes, m->xy);
    m->space = "expression PCA";
  }
  return m;
}

std::shared_ptr<GeneValues> CellsSession::geneValues(const std::string& gene) const {
  auto it = std::find(m_p.geneNames.begin(), m_p.geneNames.end(), gene);
  if (it == m_p.geneNames.end())
    throw DataError("gene '" + gene + "' is not among the " + std::to_string(m_p.genes) +
                    " genes kept by preprocessing");
  const int g = static_cast<int>(it - m_p.geneNames.begin());
  auto v = std::make_shared<GeneValues>();
  v->gene = gene;
  v->values.resize(m_p.cells);
  for (int i = 0; i < m_p.cells; ++i) v->values[i] = m_p.x[static_cast<std::size_t>(i) * m_p.genes + g];
  const auto [lo, hi] = std::minmax_element(v->values.begin(), v->values.end());
  v->lo = *lo;
  v->hi = *hi;
  return v;
}

std::vector<float> CellsSession::embed(const std::vector<int>& rows) {
  const int G = m_p.genes;
  const auto x = gather(m_p.x, G, rows);
  if (m_model && m_mapReady) {
    std::vector<int> cond;
    for (int r : rows) cond.push_back(m_p.condition[r]);
    std::vector<float> z(rows.size() * m_o.latent);
    m_model->encode(x.data(), cond.data(), static_cast<int>(rows.size()), z.data());
    return z;
  }
  return x;
}

std::shared_ptr<SelectionPrediction> CellsSession::applyDelta(const std::vector<int>& ctrlSel,
                                                              const std::vector<int>& trtSel,
                                                              const std::vector<int>& target) {
  for (const auto* sel : {&ctrlSel, &trtSel, &target}) {
    if (sel->empty()) throw DataError("each of the three selections needs at least one cell");
    for (int r : *sel)
      if (r < 0 || r >= m_p.cells) throw DataError("a selected cell is out of range");
  }
  const int G = m_p.genes;
  const bool latent = m_model && m_mapReady;
  if (!latent) ensureExpressionPca();
  const int dim = latent ? m_o.latent : G;
  auto zc = embed(ctrlSel), zt = embed(trtSel), zs = embed(target);
  auto mean = [&](const std::vector<float>& z) {
    std::vector<double> m(dim, 0.0);
    const std::size_t n = z.size() / dim;
    for (std::size_t i = 0; i < n; ++i)
      for (int k = 0; k < dim; ++k) m[k] += z[i * dim + k];
    for (auto& v : m) v /= n;
    return m;
  };
  const auto mc = mean(zc), mt = mean(zt);
  auto zp = zs;
  for (std::size_t i = 0; i < target.size(); ++i)
    for (int k = 0; k < dim; ++k) zp[i * dim + k] += static_cast<float>(mt[k] - mc[k]);
  auto p = std::make_shared<SelectionPrediction>();
  p->space = latent ? "latent" : "gene space";
  std::vector<float> cxy, txy;
  projectMap(zc, dim, cxy);
  projectMap(zt, dim, txy);
  projectMap(zs, dim, p->sourceXY);
  projectMap(zp, dim, p->predictedXY);
  auto centroid = [](const std::vector<float>& xy, float& x, float& y) {
    double a = 0, b = 0;
    for (std::size_t i = 0; i < xy.size(); i += 2) a += xy[i], b += xy[i + 1];
    x = static_cast<float>(a / (xy.size() / 2));
    y = static_cast<float>(b / (xy.size() / 2));
  };
  centroid(cxy, p->fromX, p->fromY);
  centroid(txy, p->toX, p->toY);
  std::vector<float> predicted;
  if (latent) {
    predicted.resize(target.size() * static_cast<std::size_t>(G));
    std::vector<int> cond;
    for (int r : target) cond.push_back(m_p.condition[r]);
    m_model->decode(zp.data(), cond.data(), static_cast<int>(target.size()), predicted.data());
  } else {
    predicted = zp;
  }
  std::vector<int> all(target.size());
  std::iota(all.begin(), all.end(), 0);
  p->predictedMean = meanOf(predicted, G, all);
  p->sourceMean = meanOf(m_p.x, G, target);
  p->geneNames = m_p.geneNames;
  std::vector<double> diff(G);
  for (int g = 0; g < G; ++g) diff[g] = p->predictedMean[g] - p->sourceMean[g];
  p->topChanged = topGenes(diff, 20);
  return p;
}

std::vector<float> CellsSession::predictRows(const std::vector<int>& rows) {
  const int G = m_p.genes;
  const auto x = gather(m_p.x, G, rows);
  std::vector<float> out(x.size());
  std::vector<int> deltaRows;
  const int H = m_o.typeKey.empty() || !m_o.holdoutRows.empty() ? -1 : m_p.type[m_heldOut[0]];
  for (int r : m_train)
    if (m_p.type[r] != H) deltaRows.push_back(r);
  deltaRows = capped(deltaRows, 20000, m_o.seed + 9);
  if (!m_model) {
    const auto d = balancedDelta(gather(m_p.x, G, deltaRows), G, deltaRows);
    for (std::size_t i = 0; i < rows.size(); ++i)
      for (int g = 0; g < G; ++g) out[i * G + g] = x[i * G + g] + static_cast<float>(d[g]);
    return out;
  }
  const int L = m_o.latent;
  std::vector<int> cond0(rows.size(), 0);
  std::vector<float> z(rows.size() * L);
  m_model->encode(x.data(), cond0.data(), static_cast<int>(rows.size()), z.data());
  if (m_o.method == "cvae") {
    std::vector<int> cond1(rows.size(), 1);
    m_model->decode(z.data(), cond1.data(), static_cast<int>(rows.size()), out.data());
    return out;
  }
  const auto xd = gather(m_p.x, G, deltaRows);
  std::vector<float> zd(deltaRows.size() * L);
  m_model->encode(xd.data(), nullptr, static_cast<int>(deltaRows.size()), zd.data());
  const auto dz = balancedDelta(zd, L, deltaRows);
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (int l = 0; l < L; ++l) z[i * L + l] += static_cast<float>(dz[l]);
  m_model->decode(z.data(), nullptr, static_cast<int>(rows.size()), out.data());
  return out;
}

}  // namespace genlab::core::cells
