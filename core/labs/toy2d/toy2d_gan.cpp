// The GAN on LibTorch: any size, any device, and WGAN-GP (which needs double
// backward). Small nets on a CPU use NativeGan instead (toy2d_native_gan.h).
#include <torch/autograd.h>

#include "core/engine/device.h"
#include "core/labs/toy2d/toy2d_model.h"
#include "core/labs/toy2d/toy2d_native_gan.h"
#include "core/labs/toy2d/toy2d_script.h"
#include "core/labs/toy2d/toy2d_torch.h"

namespace genlab::core::toy2d {

namespace {
class TorchGan : public Model, public GanViews {
 public:
  TorchGan(const Toy2dOptions& o, std::shared_ptr<DataSampler> sampler)
      : m_o(o), m_sampler(std::move(sampler)), m_dev(defaultDevice()), m_gen(makeGenerator(o.seed ^ 0x6a4eULL)) {
    torch::manual_seed(o.seed);
    m_g = Mlp(o.noiseDim, o.hidden, o.layers, 2, Activation::Relu);
    m_d = Mlp(2, o.hidden, o.layers, 1, Activation::Relu);
    m_g->to(m_dev);
    m_d->to(m_dev);
    // Adam's beta1 = 0.5 as in most GAN code; WGAN-GP's paper also uses beta2 = 0.9.
    const double beta2 = o.ganLoss == "wgan-gp" ? 0.9 : 0.999;
    m_optG = std::make_unique<FlatOptimizer>(*m_g, o.optimizer, o.lrG, 0.5, beta2);
    m_optD = std::make_unique<FlatOptimizer>(*m_d, o.optimizer, o.lrD, 0.5, beta2);
    m_gAverage = std::make_unique<ParamAverage>(m_optG->params(), kGanAverageDecay);
    m_batch.resize(static_cast<std::size_t>(2) * o.batch);
  }

  std::string label() const override { return "gan (" + m_o.ganLoss + ")"; }
  std::vector<std::string> lossNames() const override { return {"D", "G"}; }
  void setLearningRateScale(double s) override {
    m_optD->setLr(m_o.lrD * s);
    m_optG->setLr(m_o.lrG * s);
  }

  void trainStep(float* losses) override {
    const int n = m_o.batch;
    torch::Tensor lossD;
    for (int k = 0; k < m_o.dSteps; ++k) {
      m_sampler->batch(n, m_batch.data());
      auto real = toTensor(m_batch, 2, m_dev);
      auto fake = m_g->forward(randn({n, m_o.noiseDim}, m_gen, m_dev)).detach();
      lossD = discriminatorLoss(real, fake);
      m_optD->zeroGrad();
      lossD.backward();
      m_optD->step();
    }
    auto lf = m_d->forward(m_g->forward(randn({n, m_o.noiseDim}, m_gen, m_dev)));
    auto lossG = generatorLoss(lf).mean();
    m_optG->zeroGrad();
    lossG.backward();  // also fills D's gradients, which its next step zeroes first
    m_optG->step();
    m_gAverage->update();
    losses[0] = lossD.item<float>();
    losses[1] = lossG.item<float>();
  }

  std::vector<float> sample(int n, std::uint64_t seed) override {
    torch::NoGradGuard ng;
    ParamAverage::Use averaged(*m_gAverage);
    auto gen = makeGenerator(seed);
    return toVector(m_g->forward(randn({n, m_o.noiseDim}, gen, m_dev)));
  }

  void overview(ModelOverview& ov, const Points2D& data, const GridSpec& grid, int points) override {
    fillGanOverview(*this, *this, ov, data, grid, points);
  }

  // generate(z) with the averaged generator that sample() uses; forward = generate.
  void exportTorchScript(const std::string& pathPt, ScriptFrame frame) override {
    ParamAverage::Use averaged(*m_gAverage);
    ScriptWriter w("GenLabToy2dGan");
    w.addMlp("generator", m_g);
    w.addMlp("discriminator", m_d);
    w.addSource("def generate(self, z: Tensor) -> Tensor:\n    return self.generator(z)\n"
                "def forward(self, z: Tensor) -> Tensor:\n    return self.generator(z)\n");
    frame.kind = "generator: z [N, " + std::to_string(m_o.noiseDim) + "] -> x [N, 2]";
    w.save(pathPt, frame);
  }
  std::vector<float> scriptForward(const std::vector<float>& z, int n) override {
    torch::NoGradGuard ng;
    ParamAverage::Use averaged(*m_gAverage);
    return toVector(m_g->forward(toTensor(z, m_o.noiseDim, m_dev).view({n, m_o.noiseDim})));
  }

  int noiseDim() const override { return m_o.noiseDim; }
  std::string discriminatorQuantity() const override {
    if (m_o.ganLoss == "ns") return "D(x) = P(real)";
    if (m_o.ganLoss == "ls") return "D(x) (least squares: 1 real, 0 fake)";
    return "critic f(x)";
  }

  std::vector<float> discriminator(const std::vector<float>& xy) override {
    torch::NoGradGuard ng;
    auto l = m_d->forward(toTensor(xy, 2, m_dev)).squeeze(1);
    return toVector(m_o.ganLoss == "ns" ? torch::sigmoid(l) : l);
  }

  std::vector<float> generate(const std::vector<float>& latent) override {
    torch::NoGradGuard ng;
    ParamAverage::Use averaged(*m_gAverage);
    return toVector(m_g->forward(toTensor(latent, m_o.noiseDim, m_dev)));
  }

  void generatorGradients(int n, std::uint64_t seed, std::vector<float>& xy,
                          std::vector<float>& uv) override {
    auto gen = makeGenerator(seed);
    torch::Tensor fake;
    {
      torch::NoGradGuard ng;
      ParamAverage::Use averaged(*m_gAverage);
      fake = m_g->forward(randn({n, m_o.noiseDim}, gen, m_dev));
    }
    fake.requires_grad_(true);
    auto perSample = generatorLoss(m_d->forward(fake));
    auto grad = torch::autograd::grad({perSample.sum()}, {fake})[0];
    xy = toVector(fake);
    uv = toVector(-grad);
  }

 private:
  // Per-sample generator loss from the discriminator's logits (n x 1).
  torch::Tensor generatorLoss(const torch::Tensor& lf) {
    if (m_o.ganLoss == "ns") return at::softplus(-lf);
    if (m_o.ganLoss == "ls") return 0.5 * (lf - 1).pow(2);
    return -lf;
  }

  torch::Tensor discriminatorLoss(const torch::Tensor& real, const torch::Tensor& fake) {
    auto lr = m_d->forward(real), lf = m_d->forward(fake);
    if (m_o.ganLoss == "ns") return at::softplus(-lr).mean() + at::softplus(lf).mean();
    if (m_o.ganLoss == "ls") return 0.5 * (lr - 1).pow(2).mean() + 0.5 * lf.pow(2).mean();
    // WGAN-GP: critic difference plus (|grad f| - 1)^2 at random interpolates.
    auto eps = rand({real.size(0), 1}, m_gen, m_dev);
    auto mid = (eps * real + (1 - eps) * fake).detach().requires_grad_(true);
    auto g = torch::autograd::grad({m_d->forward(mid).sum()}, {mid}, {}, true, true)[0];
    auto gp = (g.norm(2, 1) - 1).pow(2).mean();
    return lf.mean() - lr.mean() + m_o.gpWeight * gp;
  }

  Toy2dOptions m_o;
  std::shared_ptr<DataSampler> m_sampler;
  c10::Device m_dev;
  at::Generator m_gen;
  Mlp m_g{nullptr}, m_d{nullptr};
  std::unique_ptr<FlatOptimizer> m_optG, m_optD;
  std::unique_ptr<ParamAverage> m_gAverage;  // samples and views use the averaged generator
  std::vector<float> m_batch;
};
}  // namespace

std::unique_ptr<Model> makeGanModel(const Toy2dOptions& o, std::shared_ptr<DataSampler> sampler) {
  return std::make_unique<TorchGan>(o, std::move(sampler));
}

}  // namespace genlab::core::toy2d
