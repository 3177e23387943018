#include "core/labs/toy2d/toy2d_reparam.h"

#include <cmath>
#include <functional>
#include <stdexcept>

#include "core/labs/toy2d/toy2d_random.h"

namespace genlab::core::toy2d {

namespace {
struct TestFunction {
  std::function<double(double)> f, df;
};

TestFunction testFunction(const std::string& name) {
  if (name == "square") return {[](double z) { return z * z; }, [](double z) { return 2 * z; }};
  if (name == "cube")
    return {[](double z) { return z * z * z; }, [](double z) { return 3 * z * z; }};
  if (name == "sin")
    return {[](double z) { return std::sin(z); }, [](double z) { return std::cos(z); }};
  if (name == "exp")
    return {[](double z) { return std::exp(z); }, [](double z) { return std::exp(z); }};
  throw std::invalid_argument("unknown test function '" + name + "': use square, cube, sin or exp");
}

// The four one-sample estimators at one eps, in curve order.
void estimators(const TestFunction& t, double mu, double sigma, double eps, double out[4]) {
  const double z = mu + sigma * eps;
  const double f = t.f(z), df = t.df(z);
  out[0] = df;                            // reparameterization, d/dmu
  out[1] = df * eps;                      // reparameterization, d/dsigma
  out[2] = f * eps / sigma;               // score function, d/dmu
  out[3] = f * (eps * eps - 1) / sigma;   // score function, d/dsigma
}

// E[g(eps)] and E[g(eps)^2] for the four estimators by Simpson's rule on a
// range wide enough for the heaviest integrand (exp grows like e^{2 sigma eps}).
void exactMoments(const TestFunction& t, double mu, double sigma, double m1[4], double m2[4]) {
  const double half = 14 + 4 * sigma;
  const int intervals = 40000;
  const double h = 2 * half / intervals;
  for (int k = 0; k < 4; ++k) m1[k] = m2[k] = 0;
  for (int i = 0; i <= intervals; ++i) {
    const double e = -half + i * h;
    const double w = (i == 0 || i == intervals ? 1 : (i % 2 ? 4 : 2)) * h / 3 *
                     std::exp(-0.5 * e * e) / std::sqrt(2 * M_PI);
    double g[4];
    estimators(t, mu, sigma, e, g);
    for (int k = 0; k < 4; ++k) {
      m1[k] += w * g[k];
      m2[k] += w * g[k] * g[k];
    }
  }
}
}  // namespace

const std::vector<std::string>& reparamFunctions() {
  static const std::vector<std::string> names{"square", "cube", "sin", "exp"};
  return names;
}

ExactGradient exactGradient(const std::string& f, double mu, double sigma) {
  ExactGradient g;
  if (f == "square") {
    g = {mu * mu + sigma * sigma, 2 * mu, 2 * sigma};
  } else if (f == "cube") {
    g = {mu * mu * mu + 3 * mu * sigma * sigma, 3 * mu * mu + 3 * sigma * sigma, 6 * mu * sigma};
  } else if (f == "sin") {
    const double a = std::exp(-0.5 * sigma * sigma);
    g = {std::sin(mu) * a, std::cos(mu) * a, -sigma * std::sin(mu) * a};
  } else if (f == "exp") {
    const double v = std::exp(mu + 0.5 * sigma * sigma);
    g = {v, v, sigma * v};
  } else {
    testFunction(f);  // throws with the list of names
  }
  return g;
}

std::vector<int> defaultSampleCounts() {
  std::vector<int> n;
  for (int k = 1; k <= 1024; k *= 2) n.push_back(k);
  return n;
}

ReparamExperiment runReparamExperiment(const std::string& f, double mu, double sigma,
                                       const std::vector<int>& sampleCounts, int repeats,
                                       std::uint64_t seed) {
  const TestFunction t = testFunction(f);
  if (!std::isfinite(mu) || std::abs(mu) > 10) throw std::invalid_argument("mu must be in [-10, 10]");
  if (!(sigma > 0 && sigma <= 5)) throw std::invalid_argument("sigma must be in (0, 5]");
  if (repeats < 2 || repeats > 100000) throw std::invalid_argument("repeats must be 2 to 100000");
  if (sampleCounts.empty()) throw std::invalid_argument("no sample counts given");
  long long work = 0;
  for (int n : sampleCounts) {
    if (n < 1 || n > 1000000) throw std::invalid_argument("sample counts must be 1 to 1000000");
    work += static_cast<long long>(n) * repeats;
  }
  if (work > 200000000LL) throw std::invalid_argument("too many samples (counts x repeats > 2e8)");

  ReparamExperiment ex;
  ex.function = f;
  ex.mu = mu;
  ex.sigma = sigma;
  ex.repeats = repeats;
  ex.exact = exactGradient(f, mu, sigma);
  double m1[4], m2[4];
  exactMoments(t, mu, sigma, m1, m2);
  const char* est[4] = {"reparameterization", "reparameterization", "score-function",
                        "score-function"};
  const char* par[4] = {"mu", "sigma", "mu", "sigma"};
  const double exact[4] = {ex.exact.dMu, ex.exact.dSigma, ex.exact.dMu, ex.exact.dSigma};
  ex.curves.resize(4);
  for (int k = 0; k < 4; ++k) {
    ex.curves[k].estimator = est[k];
    ex.curves[k].parameter = par[k];
    ex.curves[k].exact = exact[k];
    ex.curves[k].singleSampleVariance = std::max(0.0, m2[k] - m1[k] * m1[k]);
  }
  Rng rng(seed);
  for (int n : sampleCounts) {
    double sum[4] = {}, sumSq[4] = {};
    for (int r = 0; r < repeats; ++r) {
      double acc[4] = {};
      for (int i = 0; i < n; ++i) {
        double g[4];
        estimators(t, mu, sigma, rng.normal(), g);
        for (int k = 0; k < 4; ++k) acc[k] += g[k];
      }
      for (int k = 0; k < 4; ++k) {
        const double e = acc[k] / n;
        sum[k] += e;
        sumSq[k] += e * e;
      }
    }
    for (int k = 0; k < 4; ++k) {
      auto& c = ex.curves[k];
      const double mean = sum[k] / repeats;
      c.samples.push_back(n);
      c.mean.push_back(mean);
      c.variance.push_back(std::max(0.0, (sumSq[k] - repeats * mean * mean) / (repeats - 1)));
      c.referenceVariance.push_back(c.singleSampleVariance / n);
    }
  }
  return ex;
}

}  // namespace genlab::core::toy2d
