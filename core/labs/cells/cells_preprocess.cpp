// The Cells lab's options check and preprocessing (library-size
// normalisation, log1p, highly variable genes): what turns data as read
// into the dense matrix the experiment works on.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <set>
#include <stdexcept>

#include "core/labs/cells/cells_session.h"

namespace genlab::core::cells {

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
  if (!typeKey.empty() && holdout.empty() && !holdsOutSelection())
    throw std::invalid_argument("--cell-type-key needs --holdout TYPE");
  if (holdoutIds.empty() != holdoutControlIds.empty())
    throw std::invalid_argument("--holdout-ids FILE (treated cells) and --holdout-control-ids FILE "
                                "(their control cells) go together");
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

}  // namespace genlab::core::cells
