// Toy2dSession's view requests (see toy2d_session.h) and the comparison CSV.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "core/labs/toy2d/toy2d_session_impl.h"
#include "core/util/atomic_file.h"

namespace genlab::core::toy2d {

namespace {
constexpr int kMixturePoints = 1000;  // training points in the noised-density mixture
constexpr double kMinSigma = 0.02;    // the noised density at t ~ 0 is smoothed this much

void checkCount(int n, int hi, const char* what) {
  if (n < 1 || n > hi)
    throw std::invalid_argument(std::string(what) + " must be between 1 and " + std::to_string(hi));
}

void checkTime(float t) {
  if (!(t >= 0 && t <= 1)) throw std::invalid_argument("diffusion time must be in [0, 1]");
}

Heatmap makeHeatmap(const GridSpec& g, std::vector<float> v, const std::string& q, long step) {
  Heatmap h;
  h.grid = g;
  h.values = std::move(v);
  h.quantity = q;
  h.step = step;
  h.computeRange();
  return h;
}

// A square grid of nu x nu latent points (nu x 1 for one dimension), padded
// with zeros up to `dim` dimensions.
std::vector<float> paddedLatentGrid(int dim, int nu, float range) {
  const int gridDim = std::min(dim, 2);
  const int nv = gridDim == 2 ? nu : 1;
  std::vector<float> z;
  z.reserve(static_cast<std::size_t>(nu) * nv * dim);
  for (int v = 0; v < nv; ++v)
    for (int u = 0; u < nu; ++u)
      for (int d = 0; d < dim; ++d) {
        const int k = d == 0 ? u : v;
        const int n = d == 0 ? nu : nv;
        z.push_back(d < gridDim ? -range + 2 * range * float(k) / float(std::max(1, n - 1)) : 0.f);
      }
  return z;
}

LatentMesh makeMesh(int dim, int nu, float range, std::vector<float> latent, std::vector<float> xy,
                    long step) {
  LatentMesh m;
  m.noiseDim = dim;
  m.nu = nu;
  m.nv = dim >= 2 ? nu : 1;
  m.latentRange = range;
  m.latent = std::move(latent);
  m.xy = std::move(xy);
  m.step = step;
  return m;
}
}  // namespace

Heatmap Toy2dSession::logDensity(const GridSpec& grid, int importance) {
  grid.validate();
  checkCount(importance, 5000, "importance samples");
  auto& s = *m_impl;
  if (!m_caps.logDensity)
    throw std::logic_error("the " + m_label + " model has no density to draw");
  const auto pts = grid.points();
  const auto lp = s.vae ? s.vae->logDensityBound(pts, importance) : s.model->logDensity(pts);
  std::vector<float> v(lp.begin(), lp.end());
  return makeHeatmap(grid, std::move(v), s.vae ? "log p(x) (IWAE bound)" : "log p(x)", s.iteration);
}

Heatmap Toy2dSession::baselineLogDensity(const GridSpec& grid) const {
  grid.validate();
  std::vector<float> v;
  v.reserve(grid.count());
  for (int j = 0; j < grid.ny; ++j)
    for (int i = 0; i < grid.nx; ++i)
      v.push_back(static_cast<float>(m_baseline.gaussian.logPdf(grid.x(i), grid.y(j))));
  return makeHeatmap(grid, std::move(v), "log p(x) (Gaussian baseline)", m_impl->iteration);
}

Heatmap Toy2dSession::logDetJacobian(const GridSpec& grid) {
  grid.validate();
  auto& s = *m_impl;
  auto& f = s.need(s.flow, "log|det J|");
  return makeHeatmap(grid, f.logDetJacobian(grid.points()), "log|det J| (x -> z)", s.iteration);
}

FlowLayerView Toy2dSession::flowLayers(int samples, int lines, int pointsPerLine, float range,
                                       std::uint64_t seed) {
  checkCount(samples, 100000, "sample count");
  if (lines < 0 || lines > 200) throw std::invalid_argument("grid lines must be 0 to 200");
  checkCount(pointsPerLine, 2000, "points per line");
  if (!(range > 0 && range <= 100)) throw std::invalid_argument("range must be in (0, 100]");
  auto& s = *m_impl;
  auto v = s.need(s.flow, "the layer-by-layer view").layers(samples, lines, pointsPerLine, range, seed);
  v.step = s.iteration;
  return v;
}

Heatmap Toy2dSession::discriminator(const GridSpec& grid) {
  grid.validate();
  auto& s = *m_impl;
  auto& g = s.need(s.gan, "the decision surface");
  return makeHeatmap(grid, g.discriminator(grid.points()), g.discriminatorQuantity(), s.iteration);
}

LatentMesh Toy2dSession::generatorMesh(int nu, float range) {
  checkCount(nu, 200, "mesh size");
  if (!(range > 0 && range <= 100)) throw std::invalid_argument("range must be in (0, 100]");
  auto& s = *m_impl;
  auto& g = s.need(s.gan, "the generator mesh");
  auto z = paddedLatentGrid(g.noiseDim(), nu, range);
  auto xy = g.generate(z);
  return makeMesh(g.noiseDim(), nu, range, std::move(z), std::move(xy), s.iteration);
}

VectorField Toy2dSession::generatorGradients(int n, std::uint64_t seed) {
  checkCount(n, 100000, "sample count");
  auto& s = *m_impl;
  VectorField f;
  s.need(s.gan, "the generator gradients").generatorGradients(n, seed, f.xy, f.uv);
  f.quantity = "-dL_G/dx";
  f.step = s.iteration;
  return f;
}

NoisedData Toy2dSession::noisedData(float t, int n, std::uint64_t seed) {
  checkTime(t);
  checkCount(n, 100000, "point count");
  auto& s = *m_impl;
  double alpha, sigma;
  s.need(s.diffusion, "forward noising").alphaSigma(t, alpha, sigma);
  NoisedData d;
  d.t = t;
  d.alpha = static_cast<float>(alpha);
  d.sigma = static_cast<float>(sigma);
  const auto src = headPoints(m_data->train, static_cast<std::size_t>(n));
  Rng rng(seed);
  d.xy.resize(src.xy.size());
  for (std::size_t i = 0; i < src.xy.size(); ++i)
    d.xy[i] = static_cast<float>(alpha * src.xy[i] + sigma * rng.normal());
  return d;
}

Heatmap Toy2dSession::noisedLogDensity(const GridSpec& grid, float t) {
  // log of (1/m) sum_i N(x; alpha x_i, sigma^2 I) over m training points:
  // the exact density of the noised empirical distribution.
  grid.validate();
  checkTime(t);
  auto& s = *m_impl;
  double alpha, sigma;
  s.need(s.diffusion, "the noised density").alphaSigma(t, alpha, sigma);
  sigma = std::max(sigma, kMinSigma);
  const auto src = headPoints(m_data->train, kMixturePoints);
  const double m = double(src.size());
  std::vector<float> v;
  v.reserve(grid.count());
  std::vector<double> e(src.size());
  for (int j = 0; j < grid.ny; ++j)
    for (int i = 0; i < grid.nx; ++i) {
      double best = -1e300;
      for (std::size_t k = 0; k < src.size(); ++k) {
        const double dx = grid.x(i) - alpha * src.x(k), dy = grid.y(j) - alpha * src.y(k);
        e[k] = -(dx * dx + dy * dy) / (2 * sigma * sigma);
        best = std::max(best, e[k]);
      }
      double sum = 0;
      for (double ek : e) sum += std::exp(ek - best);
      v.push_back(static_cast<float>(best + std::log(sum / m) - std::log(2 * M_PI * sigma * sigma)));
    }
  return makeHeatmap(grid, std::move(v), "log p_t(x)", s.iteration);
}

VectorField Toy2dSession::scoreField(const GridSpec& grid, float t) {
  grid.validate();
  checkTime(t);
  auto& s = *m_impl;
  VectorField f;
  f.xy = grid.points();
  f.uv = s.need(s.diffusion, "the score field").score(f.xy, t);
  f.quantity = "score";
  f.t = t;
  f.step = s.iteration;
  return f;
}

Trajectories Toy2dSession::trajectories(const SamplerSettings& settings, int n, std::uint64_t seed) {
  settings.validate();
  checkCount(n, 10000, "trajectory count");
  auto& s = *m_impl;
  auto tr = s.need(s.diffusion, "reverse-time sampling").trajectories(settings, n, seed);
  tr.step = s.iteration;
  return tr;
}

void Toy2dSession::setSampler(const SamplerSettings& settings) {
  settings.validate();
  auto& s = *m_impl;
  s.need(s.diffusion, "the sampler").setSampler(settings);
}

SamplerSettings Toy2dSession::sampler() const {
  auto& s = *m_impl;
  return s.need(s.diffusion, "the sampler").sampler();
}

PointSet Toy2dSession::posteriorMeans(int n) {
  checkCount(n, 100000, "point count");
  auto& s = *m_impl;
  auto& v = s.need(s.vae, "the latent space");
  const auto mu = v.posteriorMeans(headPoints(m_data->heldOut, n).xy);
  PointSet p;
  p.role = "posterior means";
  p.step = s.iteration;
  const int d = v.latentDim();
  for (std::size_t i = 0; i + d <= mu.size(); i += d) {
    p.xy.push_back(mu[i]);
    p.xy.push_back(d > 1 ? mu[i + 1] : 0.f);
  }
  return p;
}

LatentMesh Toy2dSession::decoderMesh(int nu, float range) {
  checkCount(nu, 200, "mesh size");
  if (!(range > 0 && range <= 100)) throw std::invalid_argument("range must be in (0, 100]");
  auto& s = *m_impl;
  auto& v = s.need(s.vae, "the decoder mesh");
  auto z = paddedLatentGrid(v.latentDim(), nu, range);
  auto xy = v.decoderMeans(z);
  return makeMesh(v.latentDim(), nu, range, std::move(z), std::move(xy), s.iteration);
}

ModelOverview Toy2dSession::overview(int points, int gridSize) {
  checkCount(points, 10000, "thumbnail points");
  checkCount(gridSize, 128, "thumbnail grid size");
  auto& s = *m_impl;
  ModelOverview ov;
  s.model->overview(ov, headPoints(m_data->train, points), defaultGrid(gridSize), points);
  ov.step = s.iteration;
  return ov;
}

std::string comparisonCsv(const std::vector<ComparisonRow>& rows) {
  std::string out =
      "model,data,iterations,heldout_nll,nll_kind,nll_gaussian_baseline,mmd,mmd_gaussian_baseline,"
      "samples_per_second,train_seconds,iterations_per_second\n";
  auto num = [](double v) {
    if (!std::isfinite(v)) return std::string();
    char b[64];
    std::snprintf(b, sizeof b, "%.6g", v);
    return std::string(b);
  };
  auto quoted = [](const std::string& s) {
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  for (const auto& r : rows)
    out += quoted(r.model) + "," + quoted(r.data) + "," + std::to_string(r.iterations) + "," +
           num(r.eval.nll) + "," + r.eval.nllKind + "," + num(r.eval.nllBaseline) + "," +
           num(r.eval.mmd) + "," + num(r.eval.mmdBaseline) + "," + num(r.eval.samplesPerSecond) +
           "," + num(r.trainSeconds) + "," + num(r.iterationsPerSecond) + "\n";
  return out;
}

void writeComparisonCsv(const std::string& path, const std::vector<ComparisonRow>& rows) {
  writeFileAtomic(path, comparisonCsv(rows));
}

}  // namespace genlab::core::toy2d
