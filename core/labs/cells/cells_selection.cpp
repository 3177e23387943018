// The Cells lab's map (PCA of the latent means, re-encoded slice by slice
// while training), gene colouring, and latent arithmetic on lasso
// selections, scored against the truth when the data knows it.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/data/image_dataset.h"
#include "core/labs/cells/cells_session.h"
#include "core/labs/cells/cells_util.h"

namespace genlab::core::cells {

using detail::capped;
using detail::gather;

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
  scoreSelection(*p, ctrlSel, trtSel, target, predicted);
  return p;
}

void CellsSession::scoreSelection(SelectionPrediction& p, const std::vector<int>& ctrlSel,
                                  const std::vector<int>& trtSel, const std::vector<int>& target,
                                  const std::vector<float>& predicted) {
  const int G = m_p.genes, T = static_cast<int>(m_p.typeNames.size());
  if (m_o.typeKey.empty()) {
    p.scoreNote = "not scored: without a cell-type key the population of selection 3, and so its truth, is unknown";
    return;
  }
  // The control cells of selection 3, in two seeded halves as in the
  // experiment: A is predicted from, B is the control of the true change.
  std::vector<int> at;  // places in `target`
  for (std::size_t i = 0; i < target.size(); ++i)
    if (m_p.condition[target[i]] == 0) at.push_back(static_cast<int>(i));
  if (at.size() < 2) {
    p.scoreNote = "not scored: selection 3 holds fewer than 2 control cells to predict from";
    return;
  }
  std::uint64_t seed = m_o.seed * 7777ULL + target.size();
  detail::shuffle(at, seed);
  std::vector<int> atA(at.begin(), at.begin() + (at.size() + 1) / 2), rowsA, rowsB;
  std::sort(atA.begin(), atA.end());
  for (int i : atA) rowsA.push_back(target[i]);
  for (std::size_t k = atA.size(); k < at.size(); ++k) rowsB.push_back(target[at[k]]);
  std::vector<double> weight(T, 0.0);
  for (int r : rowsA) weight[m_p.type[r]] += 1;
  std::vector<char> in2(m_p.cells, 0);
  for (int r : trtSel) in2[r] = 1;
  std::vector<std::vector<int>> treated(T);
  for (int r = 0; r < m_p.cells; ++r)
    if (m_p.condition[r] == 1 && !in2[r]) treated[m_p.type[r]].push_back(r);
  std::vector<double> trueMean(G, 0.0);
  std::vector<int> truthRows;
  for (int t = 0; t < T; ++t) {
    if (weight[t] == 0) continue;
    if (treated[t].empty()) {
      p.scoreNote = "not scored: cell type '" + m_p.typeNames[t] +
                    "' of selection 3 has no treated cell outside selection 2";
      return;
    }
    const double w = weight[t] / rowsA.size();
    const auto mt = meanOf(m_p.x, G, treated[t]);
    for (int g = 0; g < G; ++g) trueMean[g] += w * mt[g];
    truthRows.insert(truthRows.end(), treated[t].begin(), treated[t].end());
  }
  const auto ctrlA = meanOf(m_p.x, G, rowsA), ctrlB = meanOf(m_p.x, G, rowsB);
  std::vector<int> controlRows = rowsA;
  controlRows.insert(controlRows.end(), rowsB.begin(), rowsB.end());
  const auto z = wilcoxonZ(m_p.x, G, capped(truthRows, 5000, m_o.seed + 21),
                           capped(controlRows, 5000, m_o.seed + 22));
  const auto top = topGenes(z, std::min(100, G));
  std::vector<double> truthDelta;
  if (!m_p.counterfactual.empty()) {
    truthDelta = meanOf(m_p.counterfactual, G, rowsA);
    for (int g = 0; g < G; ++g) truthDelta[g] -= ctrlA[g];
  }
  auto score = [&](const std::string& name, const std::vector<double>& pred) {
    p.scores.push_back(scoreMethod(name, pred, trueMean, ctrlA, ctrlB, top, truthDelta));
  };
  if (p.space == "latent") score("latent δ (" + m_o.method + ")", meanOf(predicted, G, atA));
  const auto m1 = meanOf(m_p.x, G, ctrlSel), m2 = meanOf(m_p.x, G, trtSel);
  std::vector<double> shifted = ctrlA;
  for (int g = 0; g < G; ++g) shifted[g] += m2[g] - m1[g];
  score("gene-space δ", shifted);
  score("none", ctrlA);
  p.scoredSource = static_cast<int>(rowsA.size());
  p.truthCells = static_cast<int>(truthRows.size());
  p.scoreNote = "predicted from half A (" + std::to_string(rowsA.size()) +
                " cells) of selection 3's control cells, scored against " +
                std::to_string(truthRows.size()) +
                " treated cells of their cell types (outside selection 2); Δtrue's control is half B (" +
                std::to_string(rowsB.size()) + ")";
}

}  // namespace genlab::core::cells
