#include "core/labs/cells/cells_metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace genlab::core::cells {

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const std::size_t n = a.size();
  if (n < 2 || b.size() != n) return std::nan("");
  double ma = 0, mb = 0;
  for (std::size_t i = 0; i < n; ++i) ma += a[i], mb += b[i];
  ma /= n;
  mb /= n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  if (saa <= 0 || sbb <= 0) return std::nan("");
  return sab / std::sqrt(saa * sbb);
}

double squaredPearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double r = pearson(a, b);
  return r * r;
}

double rSquared(const std::vector<double>& truth, const std::vector<double>& pred) {
  const std::size_t n = truth.size();
  if (n < 2 || pred.size() != n) return std::nan("");
  const double m = std::accumulate(truth.begin(), truth.end(), 0.0) / n;
  double res = 0, tot = 0;
  for (std::size_t i = 0; i < n; ++i) {
    res += (truth[i] - pred[i]) * (truth[i] - pred[i]);
    tot += (truth[i] - m) * (truth[i] - m);
  }
  if (tot <= 0) return std::nan("");
  return 1.0 - res / tot;
}

double rmse(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.empty() || a.size() != b.size()) return std::nan("");
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(s / a.size());
}

std::vector<double> wilcoxonZ(const std::vector<float>& x, int genes, const std::vector<int>& g1,
                              const std::vector<int>& g2) {
  const std::size_t n1 = g1.size(), n2 = g2.size(), n = n1 + n2;
  std::vector<double> z(static_cast<std::size_t>(genes), std::nan(""));
  if (n1 == 0 || n2 == 0) return z;
  std::vector<std::pair<float, int>> v(n);
  for (int g = 0; g < genes; ++g) {
    for (std::size_t i = 0; i < n1; ++i) v[i] = {x[static_cast<std::size_t>(g1[i]) * genes + g], 1};
    for (std::size_t i = 0; i < n2; ++i) v[n1 + i] = {x[static_cast<std::size_t>(g2[i]) * genes + g], 2};
    std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.first < b.first; });
    double r1 = 0, tie = 0;
    for (std::size_t i = 0; i < n;) {
      std::size_t j = i;
      while (j < n && v[j].first == v[i].first) ++j;
      const double rank = 0.5 * (double(i + 1) + double(j));  // midrank of i+1..j
      const double t = double(j - i);
      tie += t * t * t - t;
      for (std::size_t k = i; k < j; ++k)
        if (v[k].second == 1) r1 += rank;
      i = j;
    }
    const double u = r1 - double(n1) * (n1 + 1) / 2.0;
    const double mu = double(n1) * n2 / 2.0;
    const double var = double(n1) * n2 / 12.0 * ((n + 1) - tie / (double(n) * (n - 1)));
    z[g] = var > 0 ? (u - mu) / std::sqrt(var) : 0.0;
  }
  return z;
}

std::vector<int> topGenes(const std::vector<double>& z, int k) {
  std::vector<int> idx(z.size());
  std::iota(idx.begin(), idx.end(), 0);
  auto key = [&](int i) { return std::isnan(z[i]) ? -1.0 : std::fabs(z[i]); };
  std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) { return key(a) > key(b); });
  idx.resize(std::min<std::size_t>(idx.size(), static_cast<std::size_t>(std::max(0, k))));
  return idx;
}

std::vector<double> pick(const std::vector<double>& v, const std::vector<int>& idx) {
  std::vector<double> o;
  o.reserve(idx.size());
  for (int i : idx) o.push_back(v[i]);
  return o;
}

MethodScore scoreMethod(const std::string& method, const std::vector<double>& predMean,
                        const std::vector<double>& trueMean, const std::vector<double>& ctrlA,
                        const std::vector<double>& ctrlB, const std::vector<int>& top,
                        const std::vector<double>& truthDelta) {
  MethodScore s;
  s.method = method;
  s.predMean = predMean;
  std::vector<double> dPred(predMean.size()), dTrue(predMean.size());
  for (std::size_t g = 0; g < predMean.size(); ++g) {
    dPred[g] = predMean[g] - ctrlA[g];
    dTrue[g] = trueMean[g] - ctrlB[g];
  }
  s.r2MeansAll = squaredPearson(predMean, trueMean);
  s.r2MeansTop = squaredPearson(pick(predMean, top), pick(trueMean, top));
  s.r2DeltaAll = rSquared(dTrue, dPred);
  s.r2DeltaTop = rSquared(pick(dTrue, top), pick(dPred, top));
  s.pearsonDeltaAll = pearson(dPred, dTrue);
  s.pearsonDeltaTop = pearson(pick(dPred, top), pick(dTrue, top));
  if (truthDelta.size() == predMean.size()) {
    s.rmseTruthAll = rmse(dPred, truthDelta);
    s.rmseTruthTop = rmse(pick(dPred, top), pick(truthDelta, top));
  } else {
    s.rmseTruthAll = s.rmseTruthTop = std::nan("");
  }
  return s;
}

}  // namespace genlab::core::cells
