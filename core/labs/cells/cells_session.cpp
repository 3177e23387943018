#include "core/labs/cells/cells_session.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <unordered_map>
#include <stdexcept>

#include "core/data/image_dataset.h"
#include "core/labs/cells/cells_simulator.h"
#include "core/labs/cells/cells_util.h"

namespace genlab::core::cells {

using detail::capped;
using detail::gather;
using detail::shuffle;

namespace {

std::string joinCategories(const CellColumn& c) {
  std::ostringstream s;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < c.size() && seen.size() < 20; ++i) seen.insert(c.label(i));
  bool first = true;
  for (const auto& v : seen) s << (first ? "" : ", ") << v, first = false;
  return s.str();
}

}  // namespace

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
  if (type && !m_o.holdsOutSelection()) {
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
  if (!m_o.holdoutIds.empty()) {
    m_o.holdoutRows = rowsOfIds(m_o.holdoutIds, "--holdout-ids");
    m_o.holdoutControlRows = rowsOfIds(m_o.holdoutControlIds, "--holdout-control-ids");
  }
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

std::vector<int> CellsSession::rowsOfIds(const std::vector<std::string>& ids, const std::string& what) const {
  std::unordered_map<std::string, int> row;
  for (int i = 0; i < m_p.cells; ++i) row.emplace(m_p.cellIds[i], i);
  std::vector<int> out;
  for (const auto& id : ids) {
    auto it = row.find(id);
    if (it == row.end())
      throw DataError(what + ": cell '" + id + "' is not among the " + std::to_string(m_p.cells) +
                      " cells of this data that are '" + m_o.control + "' or '" + m_o.treated + "'");
    out.push_back(it->second);
  }
  return out;
}

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
