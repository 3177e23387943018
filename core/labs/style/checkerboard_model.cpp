#include "core/labs/style/checkerboard_model.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <stdexcept>

#include "core/data/image_data.h"
#include "core/labs/style/checkerboard.h"
#include "core/labs/style/checkerboard_judge.h"
#include "core/labs/style/phase_balance.h"

namespace genlab::core::style {

using namespace checkerboard_detail;

namespace {
namespace F = torch::nn::functional;

const std::vector<std::pair<Upsample, std::string>>& names() {
  static const std::vector<std::pair<Upsample, std::string>> n = {
      {Upsample::Transposed3, "transposed3"},       {Upsample::Transposed4, "transposed4"},
      {Upsample::ResizeNearest, "resize-nearest"},  {Upsample::ResizeBilinear, "resize-bilinear"},
      {Upsample::Icnr, "icnr"}, {Upsample::Transposed3Balanced, "transposed3-balanced"}};
  return n;
}
}  // namespace

Upsample parseUpsample(const std::string& name) {
  for (const auto& [u, n] : names())
    if (n == name) return u;
  std::string all;
  for (const auto& [u, n] : names()) all += (all.empty() ? "" : "|") + n;
  throw std::invalid_argument("unknown upsampling '" + name + "' (one of " + all + ")");
}
std::string upsampleName(Upsample u) {
  for (const auto& [v, n] : names())
    if (v == u) return n;
  return "?";
}
std::vector<std::string> upsampleNames() {
  std::vector<std::string> out;
  for (const auto& [u, n] : names()) out.push_back(n);
  return out;
}
Objective parseObjective(const std::string& name) {
  if (name == "gan") return Objective::Gan;
  if (name == "reconstruction") return Objective::Reconstruction;
  throw std::invalid_argument("unknown objective '" + name + "' (one of gan|reconstruction)");
}
std::string objectiveName(Objective o) {
  return o == Objective::Gan ? "gan" : "reconstruction";
}

bool isTransposed(Upsample u) {
  return u == Upsample::Transposed3 || u == Upsample::Transposed4 ||
         u == Upsample::Transposed3Balanced;
}

double CheckerboardOptions::effectiveBalanceWeight() const {
  if (balanceWeight >= 0) return isTransposed(upsample) ? balanceWeight : 0.0;
  return upsample == Upsample::Transposed3Balanced ? 1.0 : 0.0;
}

double CheckerboardOptions::effectiveLr() const {
  if (lr > 0) return lr;
  return objective == Objective::Gan ? 5e-4 : 2e-3;
}

void CheckerboardOptions::validate() const {
  if (steps < 0) throw std::invalid_argument("steps must be >= 0");
  if (batch < 1 || batch > 4096) throw std::invalid_argument("batch must be in 1..4096");
  if (std::isnan(lr) || lr == 0 || lr > 1)
    throw std::invalid_argument("learning rate must be in (0, 1] (or < 0 for the default)");
  if (qualityImages < 2 || qualityImages > 100000)
    throw std::invalid_argument("quality images must be in 2..100000");
  if (latent < 1 || latent > 1024) throw std::invalid_argument("latent must be in 1..1024");
  if (!std::isfinite(balanceWeight) || balanceWeight > 1e6)
    throw std::invalid_argument("balance weight must be finite and <= 1e6");
  if (evalImages < 1 || spectrumImages < 4)
    throw std::invalid_argument("need >= 1 evaluation and >= 4 spectrum images");
}

namespace {

// One upsampling layer (x2), any of the six kinds.
struct UpLayerImpl : torch::nn::Module {
  Upsample kind;
  int cin, cout, kernel = 3, padding = 1;
  torch::nn::ConvTranspose2d tconv{nullptr};
  torch::nn::Conv2d conv{nullptr};
  UpLayerImpl(Upsample k, int in, int out) : kind(k), cin(in), cout(out) {
    using namespace torch::nn;
    if (kind == Upsample::Transposed4) {
      kernel = 4;
      tconv = register_module("tconv", ConvTranspose2d(ConvTranspose2dOptions(in, out, 4)
                                                           .stride(2).padding(1)));
    } else if (isTransposed(kind)) {
      tconv = register_module("tconv", ConvTranspose2d(ConvTranspose2dOptions(in, out, 3)
                                                           .stride(2).padding(1)
                                                           .output_padding(1)));
    } else if (kind == Upsample::Icnr) {
      conv = register_module("conv", Conv2d(Conv2dOptions(in, out * 4, 3).padding(1)));
      // ICNR (Aitken et al. 2017): the four sub-pixel kernels of each output
      // channel start equal, so the shuffle starts as nearest upsampling of
      // one convolution: no checkerboard at initialisation.
      torch::NoGradGuard ng;
      conv->weight.copy_(conv->weight.slice(0, 0, out).repeat_interleave(4, 0));
      conv->bias.copy_(conv->bias.slice(0, 0, out).repeat_interleave(4, 0));
    } else {
      conv = register_module("conv", Conv2d(Conv2dOptions(in, out, 3).padding(1)));
    }
  }
  torch::Tensor forward(const torch::Tensor& x) {
    switch (kind) {
      case Upsample::ResizeNearest:
        return conv(F::interpolate(x, F::InterpolateFuncOptions()
                                          .scale_factor(std::vector<double>{2.0, 2.0})
                                          .mode(torch::kNearest)));
      case Upsample::ResizeBilinear:
        return conv(F::interpolate(x, F::InterpolateFuncOptions()
                                          .scale_factor(std::vector<double>{2.0, 2.0})
                                          .mode(torch::kBilinear)
                                          .align_corners(false)));
      case Upsample::Icnr: return torch::pixel_shuffle(conv(x), 2);
      default: return tconv(x);
    }
  }
  // Differentiable phase sums of a transposed kernel: A W A^T with
  // A[p][t] = 1 when tap t reaches phase p. [cin, cout, 2, 2].
  torch::Tensor kernelPhaseSums() const { return transposedPhaseSums(tconv->weight, kernel, padding); }
  // Phase sums of any kind, measured: the response (bias removed) to an
  // input that is 1 on one channel everywhere, read in the interior.
  PhaseSums probe() {
    torch::NoGradGuard ng;
    auto x = torch::eye(cin).view({cin, cin, 1, 1}).expand({cin, cin, 6, 6}).contiguous();
    auto y = (forward(x) - forward(torch::zeros({1, cin, 6, 6}))).contiguous();
    PhaseSums s;
    s.inChannels = cin;
    s.outChannels = cout;
    s.values.resize(std::size_t(cin) * cout * 4);
    auto acc = y.accessor<float, 4>();
    for (int i = 0; i < cin; ++i)
      for (int o = 0; o < cout; ++o)
        for (int py = 0; py < 2; ++py)
          for (int px = 0; px < 2; ++px)
            s.values[((std::size_t(i) * cout + o) * 2 + py) * 2 + px] = acc[i][o][4 + py][4 + px];
    return s;
  }
};
TORCH_MODULE(UpLayer);

struct AutoencoderImpl : torch::nn::Module {
  torch::nn::Conv2d e1{nullptr}, e2{nullptr};
  torch::nn::Linear ef{nullptr}, df{nullptr};
  UpLayer u1{nullptr}, u2{nullptr};
  AutoencoderImpl(Upsample kind, int latent) {
    using namespace torch::nn;
    e1 = register_module("e1", Conv2d(Conv2dOptions(1, 16, 4).stride(2).padding(1)));
    e2 = register_module("e2", Conv2d(Conv2dOptions(16, 32, 4).stride(2).padding(1)));
    ef = register_module("ef", Linear(32 * 49, latent));
    df = register_module("df", Linear(latent, 32 * 49));
    u1 = register_module("u1", UpLayer(kind, 32, 16));
    u2 = register_module("u2", UpLayer(kind, 16, 1));
  }
  torch::Tensor encode(const torch::Tensor& x) {
    auto h = F::leaky_relu(e1(x), F::LeakyReLUFuncOptions().negative_slope(0.2));
    h = F::leaky_relu(e2(h), F::LeakyReLUFuncOptions().negative_slope(0.2));
    return ef(h.flatten(1));
  }
  torch::Tensor decode(const torch::Tensor& z) {
    return u2(torch::relu(u1(torch::relu(df(z)).view({-1, 32, 7, 7}))));
  }
  torch::Tensor logits(const torch::Tensor& x) { return decode(encode(x)); }
};
TORCH_MODULE(Autoencoder);

// The adversary (gan objective): two strided convs and a linear score.
struct DiscriminatorImpl : torch::nn::Module {
  torch::nn::Conv2d c1{nullptr}, c2{nullptr};
  torch::nn::Linear out{nullptr};
  DiscriminatorImpl() {
    using namespace torch::nn;
    c1 = register_module("c1", Conv2d(Conv2dOptions(1, 32, 4).stride(2).padding(1)));
    c2 = register_module("c2", Conv2d(Conv2dOptions(32, 64, 4).stride(2).padding(1)));
    out = register_module("out", Linear(64 * 49, 1));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    auto h = F::leaky_relu(c1(x), F::LeakyReLUFuncOptions().negative_slope(0.2));
    h = F::leaky_relu(c2(h), F::LeakyReLUFuncOptions().negative_slope(0.2));
    return out(h.flatten(1)).squeeze(1);
  }
};
TORCH_MODULE(Discriminator);

Image tile(const std::vector<torch::Tensor>& rows) {
  Image im;
  const int cols = int(rows[0].size(0));
  im.width = cols * kSize;
  im.height = int(rows.size()) * kSize;
  im.pixels.assign(std::size_t(im.width) * im.height, 0);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    auto t = rows[r].reshape({cols, kSize, kSize}).clamp(0, 1).contiguous();
    auto a = t.accessor<float, 3>();
    for (int c = 0; c < cols; ++c)
      for (int y = 0; y < kSize; ++y)
        for (int x = 0; x < kSize; ++x)
          im.pixels[(r * kSize + y) * im.width + c * kSize + x] =
              std::uint8_t(a[c][y][x] * 255.0f + 0.5f);
  }
  return im;
}

}  // namespace

// ---- the session ----------------------------------------------------------------

struct CheckerboardSession::Impl {
  Autoencoder net{nullptr};
  Discriminator disc{nullptr};
  std::unique_ptr<torch::optim::Adam> opt, optD;
  std::mt19937_64 rng;
  at::Generator noiseGen;
  torch::Tensor trainU8, testX, fixedX, fixedNoise, qualityNoise;
  long step = 0;
  double balanceWeight = 0, lastLoss = 0, lastDLoss = -1, lastPenalty = 0, dataEnergy = 0;
  bool gan = false;

  // Generated images (pixels in [0, 1]) from standard normal `noise`: gan,
  // the generator itself; reconstruction, the decoder on codes from a
  // diagonal Gaussian fit to `codes` (the decoder used as a generator).
  torch::Tensor generate(const torch::Tensor& noise, const torch::Tensor& codes) {
    if (gan) return torch::sigmoid(net->decode(noise));
    // (Spelled out rather than Tensor::std, whose overloads differ across LibTorch versions.)
    const auto n = codes.size(0);
    auto mean = codes.mean(0, true);
    auto sd = (codes - mean).pow(2).sum(0, true).div(double(std::max<std::int64_t>(1, n - 1))).sqrt();
    return torch::sigmoid(net->decode(mean + sd * noise));
  }

  torch::Tensor penalty() {
    auto total = torch::zeros({});
    for (auto* l : {&net->u1, &net->u2}) total = total + balanceTerm((*l)->kernelPhaseSums());
    return total;
  }
};

std::shared_ptr<CheckerboardSession> CheckerboardSession::create(const CheckerboardOptions& o) {
  o.validate();
  auto data = std::make_shared<ImageSplit>(loadImageData(o.data, unsigned(o.seed)));
  return std::make_shared<CheckerboardSession>(o, data);
}

CheckerboardSession::CheckerboardSession(const CheckerboardOptions& o,
                                         std::shared_ptr<const ImageSplit> data,
                                         std::shared_ptr<CheckerboardJudge> judge)
    : m_options(o), m_data(std::move(data)), m_judge(std::move(judge)),
      m_impl(std::make_unique<Impl>()) {
  o.validate();
  if (!m_data) throw std::invalid_argument("checkerboard session: no data");
  const auto& tr = m_data->train;
  const auto& te = m_data->test;
  if (tr.height != kSize || tr.width != kSize || te.height != kSize || te.width != kSize)
    throw std::invalid_argument("the checkerboard lab needs 28x28 images (MNIST format); got " +
                                std::to_string(tr.height) + "x" + std::to_string(tr.width));
  if (tr.count < 1 || te.count < 4)
    throw std::invalid_argument("the checkerboard lab needs training images and >= 4 test images");
  if (!m_judge) m_judge = std::make_shared<CheckerboardJudge>(m_data, CheckerboardJudge::kDefaultSteps,
                                                            o.qualityImages);
  auto& m = *m_impl;
  m.gan = o.objective == Objective::Gan;
  torch::manual_seed(o.seed);
  m.rng.seed(o.seed);
  m.net = Autoencoder(o.upsample, o.latent);
  if (m.gan) {
    // DCGAN's Adam (beta1 = 0.5); the generator is the decoder (its encoder stays unused).
    std::vector<torch::Tensor> g;
    for (auto& item : m.net->named_parameters()) {
      const std::string& name = item.key();
      if (name.rfind("e1.", 0) != 0 && name.rfind("e2.", 0) != 0 && name.rfind("ef.", 0) != 0)
        g.push_back(item.value());
    }
    m.disc = Discriminator();
    m.opt = std::make_unique<torch::optim::Adam>(
        g, torch::optim::AdamOptions(o.effectiveLr()).betas({0.5, 0.999}));
    m.optD = std::make_unique<torch::optim::Adam>(
        m.disc->parameters(), torch::optim::AdamOptions(o.effectiveLr()).betas({0.5, 0.999}));
  } else {
    m.opt = std::make_unique<torch::optim::Adam>(m.net->parameters(),
                                                 torch::optim::AdamOptions(o.effectiveLr()));
  }
  m.noiseGen = at::detail::createCPUGenerator(o.seed + 7);
  m.balanceWeight = o.effectiveBalanceWeight();
  m.trainU8 = torch::from_blob(const_cast<std::uint8_t*>(tr.pixels.data()),
                               {tr.count, 1, kSize, kSize}, torch::kUInt8);
  auto testU8 = torch::from_blob(const_cast<std::uint8_t*>(te.pixels.data()),
                                 {te.count, 1, kSize, kSize}, torch::kUInt8);
  const int nEval = std::min(o.evalImages, te.count);
  m.testX = testU8.slice(0, 0, nEval).to(torch::kFloat).div(255.0);
  m.fixedX = testU8.slice(0, 0, std::min(o.spectrumImages, te.count)).to(torch::kFloat).div(255.0);
  // Codes for generated samples: fixed standard normals, scaled per view to
  // the mean and spread of the test images' codes.
  m.fixedNoise = torch::randn({m.fixedX.size(0), o.latent},
                              at::detail::createCPUGenerator(o.seed + 99));
  m.qualityNoise = torch::randn({o.qualityImages, o.latent},
                                at::detail::createCPUGenerator(o.seed + 199));
  m.dataEnergy = checkerboardEnergy(toVector(m.fixedX), int(m.fixedX.size(0)), kSize, kSize,
                                    kStrideTotal);
}

CheckerboardSession::~CheckerboardSession() = default;

void CheckerboardSession::setBalanceWeight(double w) {
  if (!std::isfinite(w) || w < 0) throw std::invalid_argument("balance weight must be >= 0");
  if (isTransposed(m_options.upsample)) m_impl->balanceWeight = w;
}
double CheckerboardSession::balanceWeight() const { return m_impl->balanceWeight; }
long CheckerboardSession::step() const { return m_impl->step; }
double CheckerboardSession::dataEnergy() const { return m_impl->dataEnergy; }

double CheckerboardSession::trainStep() {
  auto& m = *m_impl;
  m.net->train();
  std::uniform_int_distribution<std::int64_t> pick(0, m.trainU8.size(0) - 1);
  std::vector<std::int64_t> idx(std::size_t(m_options.batch));
  for (auto& i : idx) i = pick(m.rng);
  auto x = m.trainU8.index_select(0, torch::tensor(idx)).to(torch::kFloat).div(255.0);
  torch::Tensor loss;
  if (m.gan) {
    // Non-saturating GAN: D step on real vs fake (detached), then G step
    // through the updated D on the same fake batch. No pixel loss.
    m.disc->train();
    auto z = torch::randn({x.size(0), m_options.latent}, m.noiseGen);
    auto fake = torch::sigmoid(m.net->decode(z));
    auto lossD = F::softplus(-m.disc->forward(x)).mean() +
                 F::softplus(m.disc->forward(fake.detach())).mean();
    m.optD->zero_grad();
    lossD.backward();
    m.optD->step();
    m.lastDLoss = lossD.item<double>();
    loss = F::softplus(-m.disc->forward(fake)).mean();
  } else {
    loss = F::binary_cross_entropy_with_logits(m.net->logits(x), x);
  }
  auto total = loss;
  if (isTransposed(m_options.upsample)) {
    auto pen = m.penalty();
    m.lastPenalty = pen.item<double>();
    if (m.balanceWeight > 0) total = total + m.balanceWeight * pen;
  }
  m.opt->zero_grad();
  total.backward();
  m.opt->step();
  ++m.step;
  m.lastLoss = loss.item<double>();
  return m.lastLoss;
}

CheckerboardView CheckerboardSession::view() {
  auto& m = *m_impl;
  torch::NoGradGuard ng;
  m.net->eval();
  CheckerboardView v;
  v.upsample = upsampleName(m_options.upsample);
  v.objective = objectiveName(m_options.objective);
  v.step = m.step;
  v.loss = m.lastLoss;
  v.discriminatorLoss = m.gan ? m.lastDLoss : -1;
  v.penalty = m.lastPenalty;
  const int n = int(m.fixedX.size(0));
  torch::Tensor generated, recon;
  if (m.gan) {
    generated = m.generate(m.fixedNoise, {});
  } else {
    auto codes = m.net->encode(m.fixedX);
    recon = torch::sigmoid(m.net->decode(codes));
    generated = m.generate(m.fixedNoise, codes);
    v.reconstructionEnergy = checkerboardEnergy(toVector(recon), n, kSize, kSize, kStrideTotal);
    v.residualEnergy =
        checkerboardEnergy(toVector(recon - m.fixedX), n, kSize, kSize, kStrideTotal);
  }
  v.spectrum = powerSpectrum(toVector(generated), n, kSize, kSize);
  v.energy = checkerboardEnergy(v.spectrum, kSize, kSize, kStrideTotal);
  const auto pic = spectrumPicture(v.spectrum, kSize, kSize);
  v.spectrumImage.width = v.spectrumImage.height = kSize;
  v.spectrumImage.pixels = pic;
  v.samples = tile({m.fixedX.slice(0, 0, 4), m.gan ? generated.slice(0, 4, 8) : recon.slice(0, 0, 4),
                    generated.slice(0, 0, 4)});
  double sum = 0;
  for (auto* l : {&m.net->u1, &m.net->u2}) {
    const PhaseSums s = (*l)->probe();
    v.layerImbalance.push_back(phaseImbalance(s));
    sum += v.layerImbalance.back();
    v.overlapMaps.push_back(overlapMap(s));
    if (isTransposed(m_options.upsample))
      v.overlapCounts.push_back(transposedOverlapCounts((*l)->kernel, 2, (*l)->padding));
  }
  v.imbalance = sum / 2;
  return v;
}

double CheckerboardSession::frechetDistance() {
  auto& m = *m_impl;
  while (!m_judge->ready()) m_judge->trainStep();
  torch::NoGradGuard ng;
  m.net->eval();
  torch::Tensor generated;
  if (m.gan) {
    std::vector<torch::Tensor> parts;
    for (std::int64_t k = 0; k < m.qualityNoise.size(0); k += 500)
      parts.push_back(m.generate(
          m.qualityNoise.slice(0, k, std::min<std::int64_t>(m.qualityNoise.size(0), k + 500)), {}));
    generated = torch::cat(parts, 0);
  } else {
    generated = m.generate(m.qualityNoise, m.net->encode(m.testX));
  }
  auto& j = m_judge->impl();
  return style::frechetDistance(j.gaussian(generated), j.real());
}

double CheckerboardSession::testMse() {
  auto& m = *m_impl;
  if (m.gan) return -1;
  torch::NoGradGuard ng;
  m.net->eval();
  double total = 0;
  const auto n = m.testX.size(0);
  for (std::int64_t k = 0; k < n; k += 250) {
    auto x = m.testX.slice(0, k, std::min<std::int64_t>(n, k + 250));
    total += (torch::sigmoid(m.net->logits(x)) - x).pow(2).sum().item<double>();
  }
  return total / double(n * kSize * kSize);
}

}  // namespace genlab::core::style
