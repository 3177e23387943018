#pragma once
// Sample-quality and likelihood yardsticks of the 2-D lab. Torch-free.
//
// MMD: the unbiased estimate of the squared maximum mean discrepancy
// (Gretton et al. 2012, U-statistic: diagonal terms left out, so two samples
// of one distribution give values scattered around 0, possibly below it),
// with the kernel k(x, y) = sum over s of exp(-|x - y|^2 / (2 s^2)) for the
// bandwidths s in kMmdBandwidths, on the raw coordinates of the data as the
// models see them (standardised: zero mean, unit variance per axis on
// average). The bandwidths double from one to the next, so all six kernels
// come from one exp() by repeated squaring.
#include <array>
#include <cstdint>
#include <vector>

#include "core/labs/toy2d/toy2d_data.h"

namespace genlab::core::toy2d {

constexpr std::array<double, 6> kMmdBandwidths{0.05, 0.1, 0.2, 0.4, 0.8, 1.6};

// Unbiased MMD^2 between the point sets a (n points) and b (m points), n, m >= 2.
double mmd2(const float* a, std::size_t n, const float* b, std::size_t m);
double mmd2(const Points2D& a, const Points2D& b);

// The same in pieces (2 000 x 2 000 points take ~0.1 s), so that the worker
// can serve interactive requests in between. Interleaved x, y as above.
class MmdComputation {
 public:
  MmdComputation(std::vector<float> a, std::vector<float> b);  // throws with < 2 points a side
  bool advance(double seconds);  // works about that long; true when finished
  double value() const;          // MMD^2 once finished

 private:
  std::vector<float> m_a, m_b;
  int m_pass = 0;
  std::size_t m_row = 0;
  double m_sums[3] = {0, 0, 0};
};

// The first `n` points (all if fewer).
Points2D headPoints(const Points2D& p, std::size_t n);

// A single full-covariance Gaussian: the baseline every model must beat.
struct Gaussian2D {
  double meanX = 0, meanY = 0;
  double cxx = 1, cxy = 0, cyy = 1;  // covariance

  static Gaussian2D fit(const Points2D& p);  // maximum likelihood
  double logPdf(double x, double y) const;
  // Mean negative log-likelihood in nats per point.
  double nll(const Points2D& p) const;
  Points2D sample(std::size_t n, std::uint64_t seed) const;
};

// On the built-in 8gaussians set: how many of its 8 modes hold at least a
// quarter of their fair share (1/8) of `samples` within 3 standard
// deviations of their centre: 8 when every mode is covered, 1 or 2 under
// mode collapse. -1 for any other data set.
int modesCovered(const float* samples, std::size_t n, const Toy2dData& data);

// The Gaussian baseline on a data set: fitted to the training points,
// scored on the held-out ones with the same protocol as every model.
struct Baseline {
  Gaussian2D gaussian;
  double mmd = 0;  // MMD^2(evalSamples Gaussian samples, evalSamples held-out points)
  double nll = 0;  // held-out NLL, nats per point
};
Baseline gaussianBaseline(const Toy2dData& data, int evalSamples, std::uint64_t seed);

}  // namespace genlab::core::toy2d
