// Known answers for every metric of the Cells lab (core/labs/cells/cells_metrics.h),
// computed by hand in the comments.
#include <catch2/catch.hpp>
#include <cmath>

#include "core/labs/cells/cells_metrics.h"

using namespace genlab::core::cells;

TEST_CASE("cells metrics: Pearson, r², R² on fixed vectors", "[cells][metrics]") {
  const std::vector<double> a{1, 2, 3, 4}, b{2, 4, 5, 4};
  // Deviations a: -1.5 -0.5 0.5 1.5; b (mean 3.75): -1.75 0.25 1.25 0.25.
  // Sab = 2.625 - 0.125 + 0.625 + 0.375 = 3.5; Saa = 5; Sbb = 4.75.
  REQUIRE(pearson(a, b) == Approx(3.5 / std::sqrt(5 * 4.75)));
  REQUIRE(pearson(a, b) == Approx(0.718185).epsilon(1e-5));
  REQUIRE(squaredPearson(a, b) == Approx(12.25 / 23.75));  // 0.515789...
  // R² of b predicted by a: SS_res = 1 + 4 + 4 + 0 = 9, SS_tot = 4.75.
  REQUIRE(rSquared(b, a) == Approx(1 - 9 / 4.75));  // -0.894737
  REQUIRE(rSquared(b, b) == Approx(1.0));
  REQUIRE(rmse(a, b) == Approx(std::sqrt(9.0 / 4)));
  // Undefined: a constant vector has no correlation and no variance to explain.
  REQUIRE(std::isnan(pearson({1, 1, 1}, {1, 2, 3})));
  REQUIRE(std::isnan(rSquared({2, 2, 2}, {1, 2, 3})));
}

TEST_CASE("cells metrics: scores of a prediction on the change from control", "[cells][metrics]") {
  // pred (1,2,3), truth (2,2,4); control half A (1,1,1), half B (1,2,1).
  // Δpred = pred - A = (0,1,2); Δtrue = truth - B = (1,0,3).
  // r² means: pred dev (-1,0,1), truth dev (-2/3,-2/3,4/3): Sab = 2, Saa = 2, Sbb = 24/9 -> r² = 4/(48/9) = 0.75.
  // R²-Δ: mean Δtrue 4/3, SS_tot = 1/9 + 16/9 + 25/9 = 42/9, SS_res = 1 + 1 + 1 = 3 -> 1 - 27/42.
  // Pearson-Δ: Δpred dev (-1,0,1), Δtrue dev (-1/3,-4/3,5/3): Sab = 2, Saa = 2, Sbb = 42/9.
  const std::vector<int> top{0, 2};
  const auto s = scoreMethod("m", {1, 2, 3}, {2, 2, 4}, {1, 1, 1}, {1, 2, 1}, top, {1, 1, 1});
  REQUIRE(s.r2MeansAll == Approx(0.75));
  REQUIRE(s.r2DeltaAll == Approx(1 - 27.0 / 42));  // 0.357143
  REQUIRE(s.pearsonDeltaAll == Approx(2 / std::sqrt(2 * 42.0 / 9)));  // 0.654654
  // Top genes 0 and 2: pred (1,3) vs truth (2,4): r² = 1; Δpred (0,2) vs Δtrue (1,3):
  // R² = 1 - (1 + 1) / (1 + 1) = 0; Pearson = 1.
  REQUIRE(s.r2MeansTop == Approx(1.0));
  REQUIRE(s.r2DeltaTop == Approx(0.0).margin(1e-12));
  REQUIRE(s.pearsonDeltaTop == Approx(1.0));
  // Against the true response (1,1,1): errors (-1,0,1) -> rmse sqrt(2/3); top (−1, 1) -> 1.
  REQUIRE(s.rmseTruthAll == Approx(std::sqrt(2.0 / 3)));
  REQUIRE(s.rmseTruthTop == Approx(1.0));
  // No change: Δpred = 0, so R²-Δ = 1 - ΣΔtrue²/SS_tot = 1 - 10/(42/9) and Pearson is undefined.
  const auto none = scoreMethod("none", {1, 1, 1}, {2, 2, 4}, {1, 1, 1}, {1, 2, 1}, top, {});
  REQUIRE(none.r2DeltaAll == Approx(1 - 10 / (42.0 / 9)));
  REQUIRE(std::isnan(none.pearsonDeltaAll));
  REQUIRE(std::isnan(none.rmseTruthAll));  // no truth given
}

TEST_CASE("cells metrics: Wilcoxon rank-sum z and the top genes", "[cells][metrics]") {
  // Gene 0: group 1 = {1,2,3}, group 2 = {4,5}: R1 = 6, U = 0, mu = 3,
  // var = 3*2/12 * 6 = 3 -> z = -3/sqrt(3).
  // Gene 1: group 1 = {1,1,9}, group 2 = {1,2}: sorted 1,1,1,2,9, ranks 2,2,2,4,5:
  // R1 = 2+2+5 = 9, U = 3, mu = 3 -> z = 0.
  // Gene 2: group 1 = {5,6,7}, group 2 = {1,2}: U = 6 -> z = +3/sqrt(3) (tie-free).
  std::vector<float> x = {1, 1, 5,  2, 1, 6,  3, 9, 7,  4, 1, 1,  5, 2, 2};
  const auto z = wilcoxonZ(x, 3, {0, 1, 2}, {3, 4});
  REQUIRE(z[0] == Approx(-3 / std::sqrt(3.0)));
  REQUIRE(z[1] == Approx(0.0).margin(1e-12));
  REQUIRE(z[2] == Approx(3 / std::sqrt(3.0)));
  // Ties: {1,1} vs {1,2}: ranks 2,2,2,4; R1 = 4, U = 1, mu = 2,
  // var = 4/12 * (5 - 24/12) = 1 -> z = -1.
  const auto t = wilcoxonZ({1, 1, 1, 2}, 1, {0, 1}, {2, 3});
  REQUIRE(t[0] == Approx(-1.0));
  REQUIRE(topGenes({0.5, -3, 2, NAN}, 2) == std::vector<int>{1, 2});
}
