#pragma once
// The reparameterization-trick panel: Monte-Carlo estimates of
//   d/dmu E[f(z)] and d/dsigma E[f(z)],  z ~ N(mu, sigma^2),
// by the reparameterization estimator (z = mu + sigma * eps, differentiate
// f) and the score-function (REINFORCE) estimator (f(z) times the gradient of
// log N(z; mu, sigma^2)), and how the variance of each falls with the number
// of samples. Torch-free pure functions: the ui plots the curves log-log.
#include <cstdint>
#include <string>
#include <vector>

#include "core/engine/snapshot.h"

namespace genlab::core::toy2d {

// Test functions with closed-form expectations and gradients:
//   "square": z^2    E = mu^2 + sigma^2
//   "cube":   z^3    E = mu^3 + 3 mu sigma^2
//   "sin":    sin z  E = sin(mu) exp(-sigma^2 / 2)
//   "exp":    e^z    E = exp(mu + sigma^2 / 2)
const std::vector<std::string>& reparamFunctions();

struct ExactGradient {
  double value = 0;   // E[f(z)]
  double dMu = 0;     // d/dmu E[f(z)]
  double dSigma = 0;  // d/dsigma E[f(z)]
};
ExactGradient exactGradient(const std::string& f, double mu, double sigma);

// One estimator of one derivative across sample counts.
struct ReparamCurve {
  std::string estimator;  // "reparameterization" | "score-function"
  std::string parameter;  // "mu" | "sigma"
  double exact = 0;       // the closed-form derivative
  // Variance of the one-sample estimator, computed exactly (numerical
  // quadrature against the normal density, error ~1e-10): the reference line
  // is singleSampleVariance / n.
  double singleSampleVariance = 0;
  std::vector<int> samples;             // n (x axis)
  std::vector<double> mean;             // mean of the n-sample estimate over repeats
  std::vector<double> variance;         // its variance over repeats (y axis)
  std::vector<double> referenceVariance;  // singleSampleVariance / n
};

struct ReparamExperiment : Payload {
  std::string function;
  double mu = 0, sigma = 1;
  int repeats = 0;
  ExactGradient exact;
  std::vector<ReparamCurve> curves;  // 4: {reparameterization, score-function} x {mu, sigma}
};

// For each n in sampleCounts, `repeats` independent n-sample estimates (both
// estimators use the same draws). Throws std::invalid_argument.
ReparamExperiment runReparamExperiment(const std::string& f, double mu, double sigma,
                                       const std::vector<int>& sampleCounts, int repeats,
                                       std::uint64_t seed);
// 1, 2, 4, ..., 1024.
std::vector<int> defaultSampleCounts();

}  // namespace genlab::core::toy2d
