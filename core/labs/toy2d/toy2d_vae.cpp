// The VAE of the 2-D lab, for the comparison: an MLP encoder to a diagonal
// Gaussian posterior, an MLP decoder to a diagonal Gaussian over the point
// (mean and variance both learned), trained on the ELBO; its held-out NLL is
// the importance-weighted bound (Burda et al. 2016), an upper bound on the
// true NLL.
#include <algorithm>
#include <cmath>

#include <sstream>

#include "core/engine/device.h"
#include "core/labs/toy2d/toy2d_model.h"
#include "core/labs/toy2d/toy2d_native_gan.h"
#include "core/labs/toy2d/toy2d_script.h"
#include "core/labs/toy2d/toy2d_torch.h"

namespace genlab::core::toy2d {

namespace {
constexpr double kLog2Pi = 1.8378770664093454836;
constexpr double kMaxLogVar = 6.0;  // decoder log-variance stays within +-6 (std >= 0.05)
constexpr int64_t kMaxRows = 65536;  // rows per no-grad pass of the bound
constexpr int kFourier = 16;          // Fourier features of encoder and decoder inputs
constexpr double kFourierScale = 0.5; // their frequency spread, cycles per unit

class VaeModel : public Model, public VaeViews {
 public:
  VaeModel(const Toy2dOptions& o, std::shared_ptr<DataSampler> sampler)
      : m_o(o), m_sampler(std::move(sampler)), m_dev(defaultDevice()), m_gen(makeGenerator(o.seed ^ 0x7aeULL)) {
    torch::manual_seed(o.seed);
    // Random Fourier features of the encoder's point and of the decoder's
    // latent: as for the score network, plain MLPs on 2-D inputs learn these
    // sharp maps several times slower (measured: rings and moons stayed
    // blurred at 5 000 steps without them).
    m_encFeatures = (torch::randn({2, kFourier}) * (2 * M_PI * kFourierScale)).to(m_dev);
    m_decFeatures = (torch::randn({o.latentDim, kFourier}) * (2 * M_PI * kFourierScale)).to(m_dev);
    m_enc = Mlp(2 + 2 * kFourier, o.hidden, o.layers, 2 * o.latentDim, Activation::Relu);
    m_dec = Mlp(o.latentDim + 2 * kFourier, o.hidden, o.layers, 4, Activation::Relu);
    m_all = std::make_shared<torch::nn::Module>();
    m_all->register_module("encoder", m_enc);
    m_all->register_module("decoder", m_dec);
    m_all->to(m_dev);
    m_opt = std::make_unique<FlatOptimizer>(*m_all, o.optimizer, o.lr);
    m_batch.resize(static_cast<std::size_t>(2) * o.batch);
  }

  std::string label() const override { return "vae"; }

  // encode(x) -> (mean, logvar) of q(z|x); decode(z) -> (mean, logvar) of
  // p(x|z), its log-variance bounded as here; forward(z) = decode(z)'s mean.
  void exportTorchScript(const std::string& pathPt, ScriptFrame frame) override {
    ScriptWriter w("GenLabToy2dVae");
    w.addMlp("encoder_net", m_enc);
    w.addMlp("decoder_net", m_dec);
    w.addBuffer("encoder_features", m_encFeatures);
    w.addBuffer("decoder_features", m_decFeatures);
    const std::string d = std::to_string(m_o.latentDim);
    std::ostringstream bound;
    bound.precision(9);
    bound << kMaxLogVar;
    w.addSource(
        "def encode(self, x: Tensor) -> Tuple[Tensor, Tensor]:\n"
        "    b = x.matmul(self.encoder_features)\n"
        "    h = self.encoder_net(torch.cat([x, torch.sin(b), torch.cos(b)], 1))\n"
        "    return h[:, 0:" + d + "], h[:, " + d + ":" + std::to_string(2 * m_o.latentDim) + "]\n"
        "def decode(self, z: Tensor) -> Tuple[Tensor, Tensor]:\n"
        "    b = z.matmul(self.decoder_features)\n"
        "    h = self.decoder_net(torch.cat([z, torch.sin(b), torch.cos(b)], 1))\n"
        "    return h[:, 0:2], " + bound.str() + " * torch.tanh(h[:, 2:4] / " + bound.str() + ")\n"
        "def forward(self, z: Tensor) -> Tensor:\n"
        "    return self.decode(z)[0]\n");
    frame.kind = "decoder mean: z [N, " + d + "] -> x [N, 2]";
    w.save(pathPt, frame);
  }
  std::vector<float> scriptForward(const std::vector<float>& z, int n) override {
    torch::NoGradGuard ng;
    return toVector(decode(toTensor(z, m_o.latentDim, m_dev)).first.contiguous());
  }
  std::vector<std::string> lossNames() const override { return {"-elbo", "kl"}; }
  std::string nllKind() const override { return "bound"; }
  void setLearningRateScale(double s) override { m_opt->setLr(m_o.lr * s); }
  int latentDim() const override { return m_o.latentDim; }

  void trainStep(float* losses) override {
    m_sampler->batch(m_o.batch, m_batch.data());
    auto x = toTensor(m_batch, 2, m_dev);
    auto [mu, logvar] = encode(x);
    auto z = mu + torch::exp(0.5 * logvar) * randn(mu.sizes(), m_gen, m_dev);
    auto rec = logLikelihood(x, z);
    auto kl = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(1);
    // KL warm-up: the KL weight ramps from 0 to 1 over the first klWarmup of
    // the run, so the decoder learns to use z before the prior pulls the
    // posterior onto it (without it these VAEs collapse to a Gaussian blob).
    const double ramp = m_o.klWarmup * double(m_o.steps > 0 ? m_o.steps : 5000);
    const double beta = ramp > 0 ? std::min(1.0, double(m_step) / ramp) : 1.0;
    ++m_step;
    auto loss = (beta * kl - rec).mean();
    m_opt->zeroGrad();
    loss.backward();
    m_opt->step();
    losses[0] = loss.item<float>();
    losses[1] = kl.mean().item<float>();
  }

  std::vector<float> sample(int n, std::uint64_t seed) override {
    torch::NoGradGuard ng;
    auto gen = makeGenerator(seed);
    auto [mean, logvar] = decode(randn({n, m_o.latentDim}, gen, m_dev));
    return toVector(mean + torch::exp(0.5 * logvar) * randn({n, 2}, gen, m_dev));
  }

  std::vector<double> logDensity(const std::vector<float>& xy) override {
    return logDensityBound(xy, m_o.iwaeSamples);
  }

  std::vector<double> logDensityBound(const std::vector<float>& xy, int k) override {
    torch::NoGradGuard ng;
    auto gen = makeGenerator(m_o.seed + 31337);  // the same bound for the same model
    const int64_t n = static_cast<int64_t>(xy.size() / 2);
    const int64_t per = std::max<int64_t>(1, kMaxRows / k);
    std::vector<double> out;
    out.reserve(n);
    auto all = toTensor(xy, 2, m_dev);
    for (int64_t at = 0; at < n; at += per) {
      auto x = all.narrow(0, at, std::min(per, n - at));
      auto [mu, logvar] = encode(x);
      const int64_t b = x.size(0), d = m_o.latentDim;
      auto std = torch::exp(0.5 * logvar);
      auto eps = randn({k, b, d}, gen, m_dev);
      auto z = mu.unsqueeze(0) + std.unsqueeze(0) * eps;  // k x b x d
      auto logq = (-0.5 * eps.pow(2) - 0.5 * logvar.unsqueeze(0)).sum(2) - 0.5 * d * kLog2Pi;
      auto logp = (-0.5 * z.pow(2)).sum(2) - 0.5 * d * kLog2Pi;
      auto xr = x.unsqueeze(0).expand({k, b, 2}).reshape({k * b, 2});
      auto rec = logLikelihood(xr, z.reshape({k * b, d})).view({k, b});
      auto w = rec + logp - logq;
      auto lb = torch::logsumexp(w, 0) - std::log(double(k));
      for (float v : toVector(lb)) out.push_back(v);
    }
    return out;
  }

  std::vector<float> posteriorMeans(const std::vector<float>& xy) override {
    torch::NoGradGuard ng;
    return toVector(encode(toTensor(xy, 2, m_dev)).first);
  }

  std::vector<float> decoderMeans(const std::vector<float>& latent) override {
    torch::NoGradGuard ng;
    return toVector(decode(toTensor(latent, m_o.latentDim, m_dev)).first);
  }

  void overview(ModelOverview& ov, const Points2D& data, const GridSpec& grid, int points) override {
    ov.model = label();
    auto toXy = [&](const std::vector<float>& z) {  // first two latent dimensions
      std::vector<float> xy;
      const int d = m_o.latentDim;
      for (std::size_t i = 0; i + d <= z.size(); i += d) {
        xy.push_back(z[i]);
        xy.push_back(d > 1 ? z[i + 1] : 0.f);
      }
      return xy;
    };
    ov.nodes.push_back(pointsNode("data", "data x", data.xy, "training points"));
    ov.nodes.push_back(pointsNode("posterior", "encoder means E[z|x]", toXy(posteriorMeans(data.xy)),
                                  "latent space"));
    Rng rng(2024);
    std::vector<float> z(static_cast<std::size_t>(points) * m_o.latentDim);
    for (float& v : z) v = static_cast<float>(rng.normal());
    ov.nodes.push_back(pointsNode("prior", "prior z ~ N(0, I)", toXy(z), "latent space"));
    auto samples = pointsNode("samples", "decoded samples", sample(points, 98), "x ~ p(x|z)");
    const int nu = 12;
    samples.mesh.noiseDim = m_o.latentDim;
    samples.mesh.nu = nu;
    samples.mesh.nv = m_o.latentDim >= 2 ? nu : 1;
    samples.mesh.latentRange = 2.5f;
    if (m_o.latentDim <= 2) {
      samples.mesh.latent = latentGrid(m_o.latentDim, nu, 2.5f);
      samples.mesh.xy = decoderMeans(samples.mesh.latent);
    }
    ov.nodes.push_back(std::move(samples));
    std::vector<float> lp;
    for (double v : logDensityBound(grid.points(), 8)) lp.push_back(static_cast<float>(v));
    ov.nodes.push_back(heatmapNode("density", "log p(x) bound", grid, std::move(lp), "IWAE bound"));
    ov.edges = {{"data", "posterior", "encoder"},
                {"prior", "samples", "decoder"},
                {"samples", "density", "importance-weighted bound"}};
  }

 private:
  std::pair<torch::Tensor, torch::Tensor> encode(const torch::Tensor& x) {
    auto h = m_enc->forward(withFeatures(x, m_encFeatures));
    return {h.narrow(1, 0, m_o.latentDim), h.narrow(1, m_o.latentDim, m_o.latentDim)};
  }
  std::pair<torch::Tensor, torch::Tensor> decode(const torch::Tensor& z) {
    auto h = m_dec->forward(withFeatures(z, m_decFeatures));
    return {h.narrow(1, 0, 2), kMaxLogVar * torch::tanh(h.narrow(1, 2, 2) / kMaxLogVar)};
  }
  static torch::Tensor withFeatures(const torch::Tensor& v, const torch::Tensor& freqs) {
    auto b = v.matmul(freqs);
    return torch::cat({v, torch::sin(b), torch::cos(b)}, 1);
  }
  // log N(x; decoder(z)) per row.
  torch::Tensor logLikelihood(const torch::Tensor& x, const torch::Tensor& z) {
    auto [mean, logvar] = decode(z);
    return (-0.5 * ((x - mean).pow(2) * torch::exp(-logvar) + logvar)).sum(1) - kLog2Pi;
  }

  Toy2dOptions m_o;
  std::shared_ptr<DataSampler> m_sampler;
  c10::Device m_dev;
  at::Generator m_gen;
  Mlp m_enc{nullptr}, m_dec{nullptr};
  torch::Tensor m_encFeatures, m_decFeatures;  // fixed Fourier frequencies
  std::shared_ptr<torch::nn::Module> m_all;
  std::unique_ptr<FlatOptimizer> m_opt;
  std::vector<float> m_batch;
  long m_step = 0;
};
}  // namespace

std::unique_ptr<Model> makeVaeModel(const Toy2dOptions& o, std::shared_ptr<DataSampler> sampler) {
  return std::make_unique<VaeModel>(o, std::move(sampler));
}

}  // namespace genlab::core::toy2d
