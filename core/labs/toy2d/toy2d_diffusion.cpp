// The diffusion / score model of the 2-D lab: a VP-SDE (or the DDPM
// schedule), an MLP noise predictor with a sinusoidal time embedding trained
// by denoising score matching, and reverse-time samplers (Euler-Maruyama on
// the reverse SDE, Euler on the probability-flow ODE, ancestral), each with
// an optional Langevin corrector (Song et al. 2021, predictor-corrector).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/engine/device.h"
#include "core/labs/toy2d/toy2d_model.h"
#include "core/labs/toy2d/toy2d_script.h"
#include "core/labs/toy2d/toy2d_torch.h"

namespace genlab::core::toy2d {

namespace {
constexpr double kBetaMin = 0.1, kBetaMax = 20.0;  // VP-SDE, = DDPM's 1e-4..0.02 x 1000
constexpr int kDdpmSteps = 1000;
constexpr double kTMin = 1e-3;  // sampling stops here; training starts here
constexpr int kEmbed = 16;      // time-embedding width
constexpr int kFourier = 16;            // random Fourier features of the point
constexpr double kFourierScale = 0.5;   // their frequency spread, cycles per data unit
constexpr double kAverageDecay = 0.995;  // weight averaging (see ParamAverage)

// The noise schedule: alpha(t)^2 = bar-alpha, sigma^2 = 1 - alpha^2, beta(t).
class Schedule {
 public:
  explicit Schedule(bool ddpm) : m_ddpm(ddpm) {
    if (!ddpm) return;
    double logBar = 0;
    m_logBar.push_back(0);
    for (int i = 0; i < kDdpmSteps; ++i) {
      const double b = 1e-4 + (0.02 - 1e-4) * i / (kDdpmSteps - 1);
      logBar += std::log(1 - b);
      m_logBar.push_back(logBar);
    }
  }
  bool ddpm() const { return m_ddpm; }
  double logAlphaBar(double t) const {
    if (!m_ddpm) return -(kBetaMin * t + 0.5 * (kBetaMax - kBetaMin) * t * t);
    const double u = std::clamp(t, 0.0, 1.0) * kDdpmSteps;
    const int i = std::min(kDdpmSteps - 1, static_cast<int>(u));
    return m_logBar[i] + (u - i) * (m_logBar[i + 1] - m_logBar[i]);
  }
  double beta(double t) const {  // -d/dt log bar-alpha
    if (!m_ddpm) return kBetaMin + t * (kBetaMax - kBetaMin);
    const int i = std::min(kDdpmSteps - 1, static_cast<int>(std::clamp(t, 0.0, 1.0) * kDdpmSteps));
    return -(m_logBar[i + 1] - m_logBar[i]) * kDdpmSteps;
  }
  void alphaSigma(double t, double& a, double& s) const {
    const double lb = logAlphaBar(t);
    a = std::exp(0.5 * lb);
    s = std::sqrt(std::max(0.0, -std::expm1(lb)));
  }

 private:
  bool m_ddpm;
  std::vector<double> m_logBar;
};

class DiffusionModel : public Model, public DiffusionViews {
 public:
  DiffusionModel(const Toy2dOptions& o, std::shared_ptr<DataSampler> sampler)
      : m_o(o), m_sampler(std::move(sampler)), m_dev(defaultDevice()),
        m_schedule(o.schedule == "ddpm"), m_gen(makeGenerator(o.seed ^ 0xd1ffULL)) {
    torch::manual_seed(o.seed);
    // Random Fourier features of the point (Tancik et al. 2020): a plain MLP
    // on (x, y) learns ring- and moon-shaped scores several times slower
    // (measured: rings needed ~20 000 steps instead of < 5 000).
    m_fourier = (torch::randn({2, kFourier}) * (2 * M_PI * kFourierScale)).to(m_dev);
    m_net = Mlp(2 + kEmbed + 2 * kFourier, o.hidden, o.layers, 2, Activation::Silu);
    m_net->to(m_dev);
    m_opt = std::make_unique<FlatOptimizer>(*m_net, o.optimizer, o.lr);
    m_avg = std::make_unique<ParamAverage>(m_opt->params(), kAverageDecay);
    m_batch.resize(static_cast<std::size_t>(2) * o.batch);
    m_settings = {o.sampler, o.sampleSteps, o.correctorSteps, o.snr};
    // Smooth Fourier features of sqrt(t): the usual sin(1000 t / 10000^(k/d))
    // embedding is meant for integer steps; on continuous t its fastest
    // features look like noise across the small-t range this data needs.
    m_freqs = (torch::arange(1, kEmbed / 2 + 1, torch::kFloat) * M_PI).to(m_dev);
  }

  std::string label() const override { return "diffusion (" + m_o.schedule + ")"; }

  // epsilon(x, t): the noise predictor with the averaged weights that the
  // samplers use, t in [0, 1]; forward = epsilon. (The samplers themselves are
  // loops over it, not one forward function.)
  void exportTorchScript(const std::string& pathPt, ScriptFrame frame) override {
    ParamAverage::Use averaged(*m_avg);
    ScriptWriter w("GenLabToy2dDiffusion");
    w.addMlp("net", m_net);
    w.addBuffer("time_freqs", m_freqs);
    w.addBuffer("fourier", m_fourier);
    w.addSource(
        "def epsilon(self, x: Tensor, t: Tensor) -> Tensor:\n"
        "    a = torch.sqrt(t.view(-1, 1)) * self.time_freqs.unsqueeze(0)\n"
        "    b = x.matmul(self.fourier)\n"
        "    return self.net(torch.cat([x, torch.sin(a), torch.cos(a), torch.sin(b), torch.cos(b)], 1))\n"
        "def forward(self, x: Tensor, t: Tensor) -> Tensor:\n"
        "    return self.epsilon(x, t)\n");
    frame.kind = "noise predictor: x [N, 2], t [N] in [0, 1] -> epsilon [N, 2] (" + m_o.schedule + ")";
    w.save(pathPt, frame);
  }
  // Input rows (x, y, t).
  std::vector<float> scriptForward(const std::vector<float>& in, int n) override {
    torch::NoGradGuard ng;
    ParamAverage::Use averaged(*m_avg);
    const auto xt = toTensor(in, 3, m_dev);
    return toVector(epsilon(xt.narrow(1, 0, 2).contiguous(), xt.narrow(1, 2, 1).contiguous()).contiguous());
  }
  std::vector<std::string> lossNames() const override { return {"dsm"}; }
  void setLearningRateScale(double s) override { m_opt->setLr(m_o.lr * s); }
  std::unique_ptr<SampleRun> startSampling(int n, std::uint64_t seed) override;

  void trainStep(float* losses) override {
    const int n = m_o.batch;
    m_sampler->batch(n, m_batch.data());
    auto x0 = toTensor(m_batch, 2, m_dev);
    auto t = rand({n, 1}, m_gen, m_dev);
    if (m_schedule.ddpm())
      t = (t * kDdpmSteps).floor().add_(1).div_(kDdpmSteps);  // integer steps 1..1000
    else
      t = kTMin + (1 - kTMin) * t * t;  // see timeAt(): small t is where 2-D detail lives
    auto [alpha, sigma] = alphaSigmaTensor(t);
    auto eps = randn({n, 2}, m_gen, m_dev);
    auto pred = epsilon(alpha * x0 + sigma * eps, t);
    auto loss = (pred - eps).pow(2).sum(1).mean();
    m_opt->zeroGrad();
    loss.backward();
    m_opt->step();
    m_avg->update();
    losses[0] = loss.item<float>();
  }

  std::vector<float> sample(int n, std::uint64_t seed) override {
    return toVector(run(m_settings, n, seed, nullptr));
  }

  void alphaSigma(double t, double& a, double& s) const override { m_schedule.alphaSigma(t, a, s); }

  std::vector<float> score(const std::vector<float>& xy, double t) override {
    torch::NoGradGuard ng;
    ParamAverage::Use averaged(*m_avg);
    t = std::max(t, kTMin);
    auto x = toTensor(xy, 2, m_dev);
    return toVector(scoreAt(x, t));
  }

  Trajectories trajectories(const SamplerSettings& s, int n, std::uint64_t seed) override {
    Trajectories tr;
    tr.count = n;
    tr.steps = s.steps;
    tr.sampler = s.sampler;
    tr.correctorSteps = s.correctorSteps;
    tr.snr = static_cast<float>(s.snr);
    run(s, n, seed, &tr);
    return tr;
  }

  void setSampler(const SamplerSettings& s) override { m_settings = s; }
  SamplerSettings sampler() const override { return m_settings; }

  void overview(ModelOverview& ov, const Points2D& data, const GridSpec& grid, int points) override;

 private:
  std::pair<torch::Tensor, torch::Tensor> alphaSigmaTensor(const torch::Tensor& t) {
    torch::Tensor lb;
    if (m_schedule.ddpm()) {
      auto v = toVector(t);
      std::vector<float> out(v.size());
      for (std::size_t i = 0; i < v.size(); ++i) out[i] = float(m_schedule.logAlphaBar(v[i]));
      lb = toTensor(out, 1, m_dev);
    } else {
      lb = -(kBetaMin * t + 0.5 * (kBetaMax - kBetaMin) * t * t);
    }
    return {torch::exp(0.5 * lb), torch::sqrt(-torch::expm1(lb))};
  }

  torch::Tensor epsilon(const torch::Tensor& x, const torch::Tensor& t) {
    auto a = torch::sqrt(t) * m_freqs.unsqueeze(0);  // n x kEmbed/2
    auto b = x.matmul(m_fourier);  // n x kFourier
    return m_net->forward(
        torch::cat({x, torch::sin(a), torch::cos(a), torch::sin(b), torch::cos(b)}, 1));
  }

  torch::Tensor scoreAt(const torch::Tensor& x, double t) {
    double a, s;
    m_schedule.alphaSigma(t, a, s);
    auto tt = torch::full({x.size(0), 1}, static_cast<float>(t), x.options());
    return epsilon(x, tt) / -s;
  }

  torch::Tensor run(const SamplerSettings& s, int n, std::uint64_t seed, Trajectories* tr);
  // Predictor step k of s.steps (and its corrector steps) on x, in place.
  // The caller holds a NoGradGuard and the averaged weights.
  void reverseStep(torch::Tensor& x, int k, const SamplerSettings& s, at::Generator& gen);
  class Run;

  // The sampler's time grid, quadratic in the step index: with the standard
  // VP constants, data at the scale of these 2-D sets is only resolved for
  // t < ~0.05 (sigma below the data's own noise), which a uniform grid would
  // cross in a handful of steps. Training (vp) samples t the same way.
  static double timeAt(int k, int steps) {
    const double u = 1.0 - double(k) / steps;
    return kTMin + (1.0 - kTMin) * u * u;
  }

  Toy2dOptions m_o;
  std::shared_ptr<DataSampler> m_sampler;
  c10::Device m_dev;
  Schedule m_schedule;
  at::Generator m_gen;
  Mlp m_net{nullptr};
  std::unique_ptr<FlatOptimizer> m_opt;
  std::vector<float> m_batch;
  SamplerSettings m_settings;
  torch::Tensor m_freqs;
  torch::Tensor m_fourier;  // 2 x kFourier, fixed
  std::unique_ptr<ParamAverage> m_avg;  // sampling and views use the averaged weights
};

void DiffusionModel::reverseStep(torch::Tensor& x, int k, const SamplerSettings& s,
                                 at::Generator& gen) {
  const int64_t n = x.size(0);
  const double t = timeAt(k, s.steps), tNext = timeAt(k + 1, s.steps), dt = t - tNext;
  const bool last = k == s.steps - 1;
  const double beta = m_schedule.beta(t);
  auto sc = scoreAt(x, t);
  if (s.sampler == "ode") {
    x = x + (0.5 * beta * dt) * (x + sc);
  } else if (s.sampler == "ancestral") {
    // One DDPM step from t to tNext: beta_k = 1 - bar-alpha(t) / bar-alpha(tNext).
    const double bk = -std::expm1(m_schedule.logAlphaBar(t) - m_schedule.logAlphaBar(tNext));
    x = (x + bk * sc) / std::sqrt(1 - bk);
    if (!last) x = x + std::sqrt(bk) * randn({n, 2}, gen, m_dev);
  } else {
    x = x + (beta * dt) * (0.5 * x + sc);  // reverse-SDE drift, Euler-Maruyama
    // The last step returns the mean: its noise would only blur the samples.
    if (!last) x = x + std::sqrt(beta * dt) * randn({n, 2}, gen, m_dev);
  }
  for (int c = 0; c < s.correctorSteps && !last; ++c) {
    // Langevin corrector: step size from the target signal-to-noise ratio.
    auto g = scoreAt(x, tNext);
    auto z = randn({n, 2}, gen, m_dev);
    const double gn = g.norm(2, 1).mean().item<double>();
    const double zn = z.norm(2, 1).mean().item<double>();
    const double a = 1.0 - m_schedule.beta(tNext) * dt;
    const double eps = 2 * a * std::pow(s.snr * zn / std::max(gn, 1e-12), 2);
    x = x + eps * g + std::sqrt(2 * eps) * z;
  }
}

torch::Tensor DiffusionModel::run(const SamplerSettings& s, int n, std::uint64_t seed,
                                  Trajectories* tr) {
  torch::NoGradGuard ng;
  ParamAverage::Use averaged(*m_avg);
  auto gen = makeGenerator(seed);
  auto x = randn({n, 2}, gen, m_dev);
  auto record = [&](double t) {
    if (!tr) return;
    tr->times.push_back(static_cast<float>(t));
    const auto v = toVector(x);
    tr->xy.insert(tr->xy.end(), v.begin(), v.end());
  };
  record(1.0);
  for (int k = 0; k < s.steps; ++k) {
    reverseStep(x, k, s, gen);
    record(timeAt(k + 1, s.steps));
  }
  return x;
}

// Evaluation's sampling, a few reverse-time steps per worker slice; the same
// numbers as sample(n, seed).
class DiffusionModel::Run : public SampleRun {
 public:
  Run(DiffusionModel& m, int n, std::uint64_t seed)
      : m_model(m), m_settings(m.m_settings), m_gen(makeGenerator(seed)) {
    m_x = randn({n, 2}, m_gen, m.m_dev);
  }
  bool advance(double seconds) override {
    const auto start = std::chrono::steady_clock::now();
    torch::NoGradGuard ng;
    ParamAverage::Use averaged(*m_model.m_avg);
    while (m_k < m_settings.steps) {
      m_model.reverseStep(m_x, m_k++, m_settings, m_gen);
      if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >= seconds)
        break;
    }
    return m_k >= m_settings.steps;
  }
  std::vector<float> result() override { return toVector(m_x); }

 private:
  DiffusionModel& m_model;
  SamplerSettings m_settings;
  at::Generator m_gen;
  torch::Tensor m_x;
  int m_k = 0;
};

std::unique_ptr<SampleRun> DiffusionModel::startSampling(int n, std::uint64_t seed) {
  return std::make_unique<Run>(*this, n, seed);
}

void DiffusionModel::overview(ModelOverview& ov, const Points2D& data, const GridSpec& grid,
                              int points) {
  ov.model = label();
  ov.nodes.push_back(pointsNode("data", "data x_0", data.xy, "training points"));
  Rng rng(4242);
  const double ts[] = {0.1, 0.3, 1.0};
  std::string prev = "data";
  for (double t : ts) {
    double a, s;
    m_schedule.alphaSigma(t, a, s);
    std::vector<float> xt(data.xy.size());
    for (std::size_t i = 0; i < xt.size(); ++i) xt[i] = float(a * data.xy[i] + s * rng.normal());
    const std::string id = "t" + std::to_string(int(t * 100));
    char title[48];
    std::snprintf(title, sizeof title, "x_t, t = %.1f", t);
    ov.nodes.push_back(pointsNode(id, title, xt, "forward-noised"));
    ov.edges.push_back({prev, id, "add noise"});
    prev = id;
  }
  auto field = pointsNode("score", "learned score, t = 0.1", {}, "arrows: s(x, t)");
  field.arrows.xy = grid.points();
  field.arrows.uv = score(field.arrows.xy, 0.1);
  field.arrows.quantity = "score";
  field.arrows.t = 0.1f;
  ov.nodes.push_back(std::move(field));
  // A thumbnail needs no more than 50 steps, and the graph must stay cheap.
  SamplerSettings quick = m_settings;
  quick.steps = std::min(quick.steps, 50);
  ov.nodes.push_back(pointsNode("samples", "samples (" + quick.sampler + ")",
                                toVector(run(quick, points, 99, nullptr)),
                                std::to_string(quick.steps) + " steps"));
  ov.edges.push_back({prev, "samples", "reverse time"});
  ov.edges.push_back({"score", "samples", "guides"});
}
}  // namespace

std::unique_ptr<Model> makeDiffusionModel(const Toy2dOptions& o,
                                          std::shared_ptr<DataSampler> sampler) {
  return std::make_unique<DiffusionModel>(o, std::move(sampler));
}

}  // namespace genlab::core::toy2d
