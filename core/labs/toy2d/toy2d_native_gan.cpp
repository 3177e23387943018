#include "core/labs/toy2d/toy2d_native_gan.h"

#include <algorithm>
#include <cmath>

namespace genlab::core::toy2d {

namespace {
// Adam's first-moment decay for GANs: 0.5, as DCGAN and most GAN code use,
// because the two players' gradients keep changing direction.
constexpr double kGanBeta1 = 0.5;

inline float softplus(float x) { return std::max(x, 0.f) + std::log1p(std::exp(-std::abs(x))); }
inline float sigmoid(float x) {
  if (x >= 0) return 1.f / (1.f + std::exp(-x));
  const float e = std::exp(x);
  return e / (1.f + e);
}
}  // namespace

float GanLossTerms::dReal(bool ls, float l, float* grad) {
  if (ls) {
    *grad = l - 1.f;
    return 0.5f * (l - 1.f) * (l - 1.f);
  }
  *grad = sigmoid(l) - 1.f;
  return softplus(-l);
}

float GanLossTerms::dFake(bool ls, float l, float* grad) {
  if (ls) {
    *grad = l;
    return 0.5f * l * l;
  }
  *grad = sigmoid(l);
  return softplus(l);
}

float GanLossTerms::gFake(bool ls, float l, float* grad) { return dReal(ls, l, grad); }

NativeGan::NativeGan(const Toy2dOptions& o, std::shared_ptr<DataSampler> sampler)
    : m_o(o),
      m_sampler(std::move(sampler)),
      m_noiseDim(o.noiseDim),
      m_ls(o.ganLoss == "ls"),
      m_g(o.noiseDim, o.hidden, o.layers, 2),
      m_d(2, o.hidden, o.layers, 1),
      m_optG(o.optimizer, o.lrG, kGanBeta1),
      m_optD(o.optimizer, o.lrD, kGanBeta1),
      m_rng(o.seed ^ 0x6a4eULL) {
  Rng init(o.seed);
  m_g.initUniform(init);
  m_d.initUniform(init);
  m_gAverage = m_g;
}

std::string NativeGan::label() const { return "gan (" + m_o.ganLoss + ", native)"; }

void NativeGan::fillNoise(float* z, int n, Rng& rng) const {
  for (int i = 0; i < n * m_noiseDim; ++i) z[i] = static_cast<float>(rng.normal());
}

float NativeGan::discriminatorLossAndGrad(const float* real, const float* noise, int n) {
  // Real and fake rows go through D as one batch of 2n: one pass each way.
  m_both.resize(static_cast<std::size_t>(4) * n);
  std::copy(real, real + 2 * n, m_both.begin());
  const float* fake = m_g.forward(noise, n);
  std::copy(fake, fake + 2 * n, m_both.begin() + 2 * n);
  const float* l = m_d.forward(m_both.data(), 2 * n);
  m_dl.resize(static_cast<std::size_t>(2) * n);
  float loss = 0;
  const float inv = 1.f / static_cast<float>(n);
  for (int i = 0; i < n; ++i) {
    float g;
    loss += GanLossTerms::dReal(m_ls, l[i], &g) * inv;
    m_dl[i] = g * inv;
    loss += GanLossTerms::dFake(m_ls, l[n + i], &g) * inv;
    m_dl[n + i] = g * inv;
  }
  m_d.zeroGrad();
  m_d.backward(m_dl.data(), nullptr, true);
  return loss;
}

float NativeGan::generatorLossAndGrad(const float* noise, int n) {
  const float* fake = m_g.forward(noise, n);
  const float* l = m_d.forward(fake, n);
  m_dl.resize(n);
  float loss = 0;
  const float inv = 1.f / static_cast<float>(n);
  for (int i = 0; i < n; ++i) {
    float g;
    loss += GanLossTerms::gFake(m_ls, l[i], &g) * inv;
    m_dl[i] = g * inv;
  }
  m_dx.resize(static_cast<std::size_t>(2) * n);
  m_d.backward(m_dl.data(), m_dx.data(), false);
  m_g.zeroGrad();
  m_g.backward(m_dx.data(), nullptr, true);
  return loss;
}

void NativeGan::trainStep(float* losses) {
  const int n = m_o.batch;
  m_real.resize(static_cast<std::size_t>(2) * n);
  m_noise.resize(static_cast<std::size_t>(m_noiseDim) * n);
  float dLoss = 0;
  for (int k = 0; k < m_o.dSteps; ++k) {
    m_sampler->batch(n, m_real.data());
    fillNoise(m_noise.data(), n, m_rng);
    dLoss = discriminatorLossAndGrad(m_real.data(), m_noise.data(), n);
    m_optD.step(m_d.params().data(), m_d.grads().data(), m_d.params().size());
  }
  fillNoise(m_noise.data(), n, m_rng);
  const float gLoss = generatorLossAndGrad(m_noise.data(), n);
  m_optG.step(m_g.params().data(), m_g.grads().data(), m_g.params().size());
  ++m_gSteps;
  const float d = static_cast<float>(
      std::min(kGanAverageDecay, (1.0 + double(m_gSteps)) / (10.0 + double(m_gSteps))));
  auto& avg = m_gAverage.params();
  const auto& raw = m_g.params();
  for (std::size_t i = 0; i < avg.size(); ++i) avg[i] = d * avg[i] + (1.f - d) * raw[i];
  losses[0] = dLoss;
  losses[1] = gLoss;
}

void NativeGan::setLearningRateScale(double scale) {
  m_optD.setLr(m_o.lrD * scale);
  m_optG.setLr(m_o.lrG * scale);
}

std::vector<float> NativeGan::sample(int n, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<float> z(static_cast<std::size_t>(n) * m_noiseDim);
  fillNoise(z.data(), n, rng);
  return generate(z);
}

std::string NativeGan::discriminatorQuantity() const {
  return m_ls ? "D(x) (least squares: 1 real, 0 fake)" : "D(x) = P(real)";
}

std::vector<float> NativeGan::discriminator(const std::vector<float>& xy) {
  const int n = static_cast<int>(xy.size() / 2);
  std::vector<float> out(n);
  m_d.infer(xy.data(), n, out.data());
  if (!m_ls)
    for (float& v : out) v = sigmoid(v);
  return out;
}

std::vector<float> NativeGan::generate(const std::vector<float>& latent) {
  const int n = static_cast<int>(latent.size() / m_noiseDim);
  std::vector<float> out(static_cast<std::size_t>(2) * n);
  m_gAverage.infer(latent.data(), n, out.data());
  return out;
}

void NativeGan::generatorGradients(int n, std::uint64_t seed, std::vector<float>& xy,
                                   std::vector<float>& uv) {
  // Separate nets' caches are reused, which is safe: training steps always
  // run a forward pass before their backward pass.
  Rng rng(seed);
  std::vector<float> z(static_cast<std::size_t>(n) * m_noiseDim);
  fillNoise(z.data(), n, rng);
  xy = generate(z);
  const float* l = m_d.forward(xy.data(), n);
  std::vector<float> dl(n);
  for (int i = 0; i < n; ++i) GanLossTerms::gFake(m_ls, l[i], &dl[i]);
  uv.assign(static_cast<std::size_t>(2) * n, 0.f);
  m_d.backward(dl.data(), uv.data(), false);
  for (float& v : uv) v = -v;  // descent direction of each sample's own G loss
}

void NativeGan::overview(ModelOverview& ov, const Points2D& data, const GridSpec& grid,
                         int points) {
  fillGanOverview(*this, *this, ov, data, grid, points);
}

std::unique_ptr<Model> makeNativeGanModel(const Toy2dOptions& o,
                                          std::shared_ptr<DataSampler> sampler) {
  return std::make_unique<NativeGan>(o, std::move(sampler));
}

std::vector<float> latentGrid(int noiseDim, int nu, float range) {
  std::vector<float> z;
  const int nv = noiseDim == 2 ? nu : 1;
  for (int v = 0; v < nv; ++v)
    for (int u = 0; u < nu; ++u) {
      z.push_back(-range + 2 * range * float(u) / float(std::max(1, nu - 1)));
      if (noiseDim == 2) z.push_back(-range + 2 * range * float(v) / float(std::max(1, nv - 1)));
    }
  return z;
}

void fillGanOverview(Model& m, GanViews& g, ModelOverview& ov, const Points2D& data,
                     const GridSpec& grid, int points) {
  ov.model = m.label();
  Rng rng(12345);
  std::vector<float> z(static_cast<std::size_t>(points) * g.noiseDim());
  for (float& v : z) v = static_cast<float>(rng.normal());
  std::vector<float> zxy = z;
  if (g.noiseDim() == 1) {  // show 1-D noise on the x axis
    zxy.assign(static_cast<std::size_t>(2) * points, 0.f);
    for (int i = 0; i < points; ++i) zxy[2 * i] = z[i];
  }
  ov.nodes.push_back(pointsNode("noise", "noise z ~ N(0, I)", zxy,
                                std::to_string(g.noiseDim()) + "-D Gaussian noise"));
  auto fake = pointsNode("fake", "G(z)", g.generate(z), "generated samples");
  const int nu = g.noiseDim() == 2 ? 12 : 48;
  fake.mesh.noiseDim = g.noiseDim();
  fake.mesh.nu = nu;
  fake.mesh.nv = g.noiseDim() == 2 ? nu : 1;
  fake.mesh.latentRange = 2.5f;
  fake.mesh.latent = latentGrid(g.noiseDim(), nu, 2.5f);
  fake.mesh.xy = g.generate(fake.mesh.latent);
  ov.nodes.push_back(std::move(fake));
  ov.nodes.push_back(pointsNode("data", "data", data.xy, "training points"));
  ov.nodes.push_back(heatmapNode("disc", "discriminator", grid, g.discriminator(grid.points()),
                                 g.discriminatorQuantity()));
  ov.edges = {{"noise", "fake", "generator"},
              {"fake", "disc", "fake"},
              {"data", "disc", "real"}};
}

}  // namespace genlab::core::toy2d
