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

namespace genlab::core::style {

namespace {
namespace F = torch::nn::functional;
constexpr int kSize = 28, kStrideTotal = 4;

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
bool isTransposed(Upsample u) {
  return u == Upsample::Transposed3 || u == Upsample::Transposed4 ||
         u == Upsample::Transposed3Balanced;
}

double CheckerboardOptions::effectiveBalanceWeight() const {
  if (balanceWeight >= 0) return isTransposed(upsample) ? balanceWeight : 0.0;
  return upsample == Upsample::Transposed3Balanced ? 1.0 : 0.0;
}

void CheckerboardOptions::validate() const {
  if (steps < 0) throw std::invalid_argument("steps must be >= 0");
  if (batch < 1 || batch > 4096) throw std::invalid_argument("batch must be in 1..4096");
  if (!(lr > 0) || lr > 1) throw std::invalid_argument("learning rate must be in (0, 1]");
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
  torch::Tensor kernelPhaseSums() const {
    auto a = torch::zeros({2, kernel});
    for (int t = 0; t < kernel; ++t) a[((t - padding) % 2 + 2) % 2][t] = 1.0;
    return torch::matmul(torch::matmul(a, tconv->weight), a.t());
  }
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

std::vector<float> toVector(const torch::Tensor& t) {
  auto c = t.contiguous().to(torch::kFloat);
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

}  // namespace

struct CheckerboardSession::Impl {
  Autoencoder net{nullptr};
  std::unique_ptr<torch::optim::Adam> opt;
  std::mt19937_64 rng;
  torch::Tensor trainU8, testX, fixedX, fixedNoise;
  long step = 0;
  double balanceWeight = 0, lastLoss = 0, lastPenalty = 0, dataEnergy = 0;

  torch::Tensor penalty() {
    auto total = torch::zeros({});
    for (auto* l : {&net->u1, &net->u2}) {
      auto s = (*l)->kernelPhaseSums();
      auto dev = s - s.mean({2, 3}, true);
      total = total + dev.pow(2).sum() / s.detach().pow(2).sum().clamp_min(1e-12);
    }
    return total;
  }
};

std::shared_ptr<CheckerboardSession> CheckerboardSession::create(const CheckerboardOptions& o) {
  o.validate();
  auto data = std::make_shared<ImageSplit>(loadImageData(o.data, unsigned(o.seed)));
  return std::make_shared<CheckerboardSession>(o, data);
}

CheckerboardSession::CheckerboardSession(const CheckerboardOptions& o,
                                         std::shared_ptr<const ImageSplit> data)
    : m_options(o), m_data(std::move(data)), m_impl(std::make_unique<Impl>()) {
  o.validate();
  const auto& tr = m_data->train;
  const auto& te = m_data->test;
  if (tr.height != kSize || tr.width != kSize || te.height != kSize || te.width != kSize)
    throw std::invalid_argument("the checkerboard lab needs 28x28 images (MNIST format); got " +
                                std::to_string(tr.height) + "x" + std::to_string(tr.width));
  if (tr.count < 1 || te.count < 4)
    throw std::invalid_argument("the checkerboard lab needs training images and >= 4 test images");
  auto& m = *m_impl;
  torch::manual_seed(o.seed);
  m.rng.seed(o.seed);
  m.net = Autoencoder(o.upsample, o.latent);
  m.opt = std::make_unique<torch::optim::Adam>(m.net->parameters(),
                                               torch::optim::AdamOptions(o.lr));
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
  auto loss = F::binary_cross_entropy_with_logits(m.net->logits(x), x);
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
  v.step = m.step;
  v.loss = m.lastLoss;
  v.penalty = m.lastPenalty;
  const int n = int(m.fixedX.size(0));
  auto codes = m.net->encode(m.fixedX);
  auto recon = torch::sigmoid(m.net->decode(codes));
  // Generated images: the decoder on codes drawn from a diagonal Gaussian fit
  // to the test codes (the decoder used as a generator, off its training pairs).
  // (Spelled out rather than Tensor::std, whose overloads differ across LibTorch versions.)
  auto mean = codes.mean(0, true);
  auto sd = (codes - mean).pow(2).sum(0, true).div(double(std::max(1, n - 1))).sqrt();
  auto z = mean + sd * m.fixedNoise;
  auto generated = torch::sigmoid(m.net->decode(z));
  v.spectrum = powerSpectrum(toVector(generated), n, kSize, kSize);
  v.energy = checkerboardEnergy(v.spectrum, kSize, kSize, kStrideTotal);
  v.reconstructionEnergy =
      checkerboardEnergy(toVector(recon), n, kSize, kSize, kStrideTotal);
  v.residualEnergy =
      checkerboardEnergy(toVector(recon - m.fixedX), n, kSize, kSize, kStrideTotal);
  const auto pic = spectrumPicture(v.spectrum, kSize, kSize);
  v.spectrumImage.width = v.spectrumImage.height = kSize;
  v.spectrumImage.pixels = pic;
  v.samples = tile({m.fixedX.slice(0, 0, 4), recon.slice(0, 0, 4), generated.slice(0, 0, 4)});
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

double CheckerboardSession::testMse() {
  auto& m = *m_impl;
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

// ---- the job ------------------------------------------------------------------

CheckerboardJob::CheckerboardJob(std::vector<std::shared_ptr<CheckerboardSession>> sessions,
                                 long steps, long evalEvery)
    : m_sessions(std::move(sessions)), m_steps(steps), m_evalEvery(evalEvery) {
  if (m_sessions.empty()) throw std::invalid_argument("checkerboard job: no model to train");
}

void CheckerboardJob::begin(JobContext& ctx) {
  for (auto& s : m_sessions) {
    const auto v = s->view();
    m_initEnergy.push_back(v.energy);
    m_initImbalance.push_back(v.imbalance);
    if (s->curve.empty()) s->curve.push_back({v.step, v.energy, v.imbalance, v.loss});
  }
  publish(ctx);
}

void CheckerboardJob::publish(JobContext& ctx) {
  auto p = std::make_shared<CheckerboardProgress>();
  p->step = m_done;
  p->totalSteps = m_steps;
  p->elapsedSeconds = m_seconds;
  for (auto& s : m_sessions) {
    p->sides.push_back(s->view());
    const auto& v = p->sides.back();
    if (s->curve.empty() || s->curve.back().step != v.step)
      s->curve.push_back({v.step, v.energy, v.imbalance, v.loss});
    p->curves.push_back(s->curve);
  }
  ctx.publish(Snapshot::progressOf("style.gan.checkerboard.progress", p,
                                   m_steps > 0 ? double(m_done) / double(m_steps) : 1.0));
}

bool CheckerboardJob::step(JobContext& ctx) {
  if (auto w = ctx.live().take("balance_weight"))
    for (auto& s : m_sessions)  // the regularised side only: the plain one stays plain
      if (s->options().upsample == Upsample::Transposed3Balanced || s->balanceWeight() > 0)
        s->setBalanceWeight(*w);
  if (m_done < m_steps) {
    // One mini-batch of one side per job step (A, then B): shorter steps.
    const auto t0 = std::chrono::steady_clock::now();
    m_sessions[m_turn]->trainStep();
    m_turn = (m_turn + 1) % m_sessions.size();
    m_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (m_turn != 0) return false;
    ++m_done;
    const bool evalDue = m_evalEvery > 0 && m_done % m_evalEvery == 0;
    if (m_done < m_steps && (evalDue || ctx.publishDue(std::chrono::milliseconds(400))))
      publish(ctx);
    if (m_done < m_steps) return false;
  }
  publish(ctx);
  auto r = std::make_shared<CheckerboardResult>();
  for (std::size_t k = 0; k < m_sessions.size(); ++k) {
    auto& s = m_sessions[k];
    CheckerboardSummary sum;
    sum.view = s->view();
    sum.view.quality = sum.testMse = s->testMse();
    sum.upsample = sum.view.upsample;
    sum.steps = s->step();
    sum.balanceWeight = s->balanceWeight();
    sum.initEnergy = m_initEnergy[k];
    sum.initImbalance = m_initImbalance[k];
    sum.energy = sum.view.energy;
    sum.imbalance = sum.view.imbalance;
    sum.dataEnergy = s->dataEnergy();
    sum.trainSeconds = m_seconds;
    r->sides.push_back(std::move(sum));
  }
  ctx.publish(Snapshot::result("style.gan.checkerboard", r));
  return true;
}

}  // namespace genlab::core::style
