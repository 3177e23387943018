#pragma once
// The Cells lab's metrics, torch-free, on per-gene mean expression:
//   r2_means  - squared Pearson correlation of predicted and observed means
//               (as scGen reports it);
//   r2_delta  - coefficient of determination 1 - SS_res/SS_tot of the change
//               from control, Δpred = pred - ctrlA against Δtrue = true - ctrlB,
//               with two disjoint halves A, B of the control cells (so the
//               noise of one control mean is not in both deltas); can be < 0;
//   pearson_delta - Pearson correlation of Δpred and Δtrue.
// NaN (printed null with a reason) when undefined, e.g. a constant vector.
#include <string>
#include <vector>

namespace genlab::core::cells {

double pearson(const std::vector<double>& a, const std::vector<double>& b);
double squaredPearson(const std::vector<double>& a, const std::vector<double>& b);
// 1 - sum (truth - pred)^2 / sum (truth - mean(truth))^2.
double rSquared(const std::vector<double>& truth, const std::vector<double>& pred);
double rmse(const std::vector<double>& a, const std::vector<double>& b);

// Wilcoxon rank-sum z of every gene, group 1 against group 2 (rows are
// cells of a dense cells x genes matrix); midranks for ties, tie-corrected
// variance. Positive: higher in group 1.
std::vector<double> wilcoxonZ(const std::vector<float>& x, int genes, const std::vector<int>& g1,
                              const std::vector<int>& g2);
// The `k` genes of largest |z| (ties broken by gene index), in that order.
std::vector<int> topGenes(const std::vector<double>& z, int k);

std::vector<double> pick(const std::vector<double>& v, const std::vector<int>& idx);

struct MethodScore {
  std::string method;
  double r2MeansAll = 0, r2MeansTop = 0;
  double r2DeltaAll = 0, r2DeltaTop = 0;
  double pearsonDeltaAll = 0, pearsonDeltaTop = 0;
  double rmseTruthAll = 0, rmseTruthTop = 0;  // NaN without a known truth
  std::vector<double> predMean;               // genes
};

// Scores one prediction. `truthDelta` (per gene, the true response of the
// input cells) may be empty: the rmse fields are then NaN.
MethodScore scoreMethod(const std::string& method, const std::vector<double>& predMean,
                        const std::vector<double>& trueMean, const std::vector<double>& ctrlA,
                        const std::vector<double>& ctrlB, const std::vector<int>& top,
                        const std::vector<double>& truthDelta);

}  // namespace genlab::core::cells
