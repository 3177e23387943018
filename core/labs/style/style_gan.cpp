#include "core/labs/style/style_gan.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>

#include "core/data/image_data.h"
#include "core/util/model_file.h"
#include "core/util/tensor_blob.h"

namespace genlab::core::style {

namespace {
namespace F = torch::nn::functional;
constexpr int kPx = 32;
constexpr int kChannels[kStyleLayers] = {32, 32, 32, 32, 16, 16, 8, 8};
constexpr int kRes[kStyleLayers] = {4, 4, 8, 8, 16, 16, 32, 32};

torch::Tensor lrelu(const torch::Tensor& x) {
  return F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(0.2));
}
at::Generator generator(std::uint64_t seed) { return at::detail::createCPUGenerator(seed); }

struct MappingImpl : torch::nn::Module {
  torch::nn::Linear l1{nullptr}, l2{nullptr}, l3{nullptr};
  MappingImpl(int z, int w) {
    l1 = register_module("l1", torch::nn::Linear(z, 64));
    l2 = register_module("l2", torch::nn::Linear(64, 64));
    l3 = register_module("l3", torch::nn::Linear(64, w));
  }
  torch::Tensor forward(const torch::Tensor& z) {
    auto x = z * torch::rsqrt(z.pow(2).mean(1, true) + 1e-8);  // pixel norm of z
    return l3(lrelu(l2(lrelu(l1(x)))));
  }
};
TORCH_MODULE(Mapping);

// One synthesis layer: [upsample x2] [conv 3x3], noise, leaky ReLU, AdaIN(w).
struct SynthLayerImpl : torch::nn::Module {
  bool up = false;
  torch::nn::Conv2d conv{nullptr};
  torch::nn::Linear affine{nullptr};
  torch::Tensor noiseStrength;
  int channels;
  SynthLayerImpl(int in, int out, bool upsample, bool hasConv, int wDim) : up(upsample),
                                                                          channels(out) {
    if (hasConv)
      conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3)
                                                            .padding(1)));
    affine = register_module("affine", torch::nn::Linear(wDim, 2 * out));
    noiseStrength = register_parameter("noise_strength", torch::zeros({out}));
    torch::NoGradGuard ng;
    affine->bias.zero_();  // styles start at scale 1 + 0, bias 0
  }
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& w, const torch::Tensor& noise,
                        double noiseScale) {
    if (up)
      x = F::interpolate(x, F::InterpolateFuncOptions()
                                .scale_factor(std::vector<double>{2.0, 2.0})
                                .mode(torch::kBilinear)
                                .align_corners(false));
    if (conv) x = conv(x);
    if (noiseScale != 0) x = x + noiseScale * noiseStrength.view({1, -1, 1, 1}) * noise;
    x = lrelu(x);
    // AdaIN: instance-normalise, then the style's per-channel scale and bias.
    auto mean = x.mean({2, 3}, true);
    auto var = (x - mean).pow(2).mean({2, 3}, true);  // biased, as instance norm uses
    x = (x - mean) * torch::rsqrt(var + 1e-5);
    auto st = affine(w).view({-1, 2 * channels, 1, 1});
    return x * (1 + st.slice(1, 0, channels)) + st.slice(1, channels, 2 * channels);
  }
};
TORCH_MODULE(SynthLayer);

struct SynthesisImpl : torch::nn::Module {
  torch::Tensor constant;
  std::vector<SynthLayer> layers;
  torch::nn::Conv2d toImage{nullptr};
  explicit SynthesisImpl(int wDim) {
    constant = register_parameter("constant", torch::randn({1, kChannels[0], 4, 4}));
    for (int l = 0; l < kStyleLayers; ++l) {
      const int in = l ? kChannels[l - 1] : kChannels[0];
      const bool up = l > 0 && kRes[l] > kRes[l - 1];
      layers.push_back(register_module("layer" + std::to_string(l),
                                       SynthLayer(in, kChannels[l], up, l > 0, wDim)));
    }
    toImage = register_module("to_image", torch::nn::Conv2d(torch::nn::Conv2dOptions(
                                                   kChannels[kStyleLayers - 1], 1, 1)));
  }
  // ws: [B, kStyleLayers, wDim]; noises: one [B, 1, r, r] per layer. Logits.
  torch::Tensor forward(const torch::Tensor& ws, const std::vector<torch::Tensor>& noises,
                        double noiseScale) {
    auto x = constant.expand({ws.size(0), -1, -1, -1});
    for (int l = 0; l < kStyleLayers; ++l)
      x = layers[std::size_t(l)]->forward(x, ws.select(1, l), noises[std::size_t(l)], noiseScale);
    return toImage(x);
  }
};
TORCH_MODULE(Synthesis);

struct EncoderImpl : torch::nn::Module {
  torch::nn::Conv2d c1{nullptr}, c2{nullptr}, c3{nullptr};
  torch::nn::Linear out{nullptr};
  explicit EncoderImpl(int zDim) {
    using torch::nn::Conv2dOptions;
    c1 = register_module("c1", torch::nn::Conv2d(Conv2dOptions(1, 32, 4).stride(2).padding(1)));
    c2 = register_module("c2", torch::nn::Conv2d(Conv2dOptions(32, 64, 4).stride(2).padding(1)));
    c3 = register_module("c3", torch::nn::Conv2d(Conv2dOptions(64, 64, 4).stride(2).padding(1)));
    out = register_module("out", torch::nn::Linear(64 * 16, 2 * zDim));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    return out(lrelu(c3(lrelu(c2(lrelu(c1(x)))))).flatten(1));
  }
};
TORCH_MODULE(Encoder);

struct ClassifierImpl : torch::nn::Module {
  torch::nn::Conv2d c1{nullptr}, c2{nullptr};
  torch::nn::Linear out{nullptr};
  ClassifierImpl() {
    using torch::nn::Conv2dOptions;
    c1 = register_module("c1", torch::nn::Conv2d(Conv2dOptions(1, 16, 3).stride(2).padding(1)));
    c2 = register_module("c2", torch::nn::Conv2d(Conv2dOptions(16, 32, 3).stride(2).padding(1)));
    out = register_module("out", torch::nn::Linear(32 * 64, 10));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    return out(torch::relu(c2(torch::relu(c1(x)))).flatten(1));
  }
};
TORCH_MODULE(Classifier);

Image tiles(const torch::Tensor& images, int cols, int rows) {
  Image im;
  im.width = cols * kPx;
  im.height = rows * kPx;
  im.pixels.assign(std::size_t(im.width) * im.height, 0);
  auto t = images.reshape({-1, kPx, kPx}).clamp(0, 1).contiguous();
  auto a = t.accessor<float, 3>();
  for (int k = 0; k < std::min<int>(int(t.size(0)), cols * rows); ++k)
    for (int y = 0; y < kPx; ++y)
      for (int x = 0; x < kPx; ++x)
        im.pixels[std::size_t((k / cols) * kPx + y) * im.width + (k % cols) * kPx + x] =
            std::uint8_t(a[k][y][x] * 255.0f + 0.5f);
  return im;
}
}  // namespace

std::string StyleGanOptions::toJson() const {
  nlohmann::json j{{"steps", steps}, {"batch", batch}, {"lr", lr}, {"beta", beta},
                   {"z_dim", zDim}, {"w_dim", wDim}, {"classifier_steps", classifierSteps},
                   {"seed", seed}, {"data", data}, {"mixing", mixing},
                   {"mixing_weight", mixingWeight}};
  return j.dump();
}

StyleGanOptions StyleGanOptions::fromJson(const std::string& text) {
  const auto j = nlohmann::json::parse(text);
  StyleGanOptions o;
  o.steps = j.value("steps", o.steps);
  o.batch = j.value("batch", o.batch);
  o.lr = j.value("lr", o.lr);
  o.beta = j.value("beta", o.beta);
  o.zDim = j.value("z_dim", o.zDim);
  o.wDim = j.value("w_dim", o.wDim);
  o.classifierSteps = j.value("classifier_steps", o.classifierSteps);
  o.seed = j.value("seed", o.seed);
  o.data = j.value("data", o.data);
  // Files saved before the regulariser existed were trained without it.
  o.mixing = j.value("mixing", 0.0);
  o.mixingWeight = j.value("mixing_weight", o.mixingWeight);
  o.validate();
  return o;
}

void StyleGanOptions::validate() const {
  if (steps < 0) throw std::invalid_argument("steps must be >= 0");
  if (batch < 1 || batch > 4096) throw std::invalid_argument("batch must be in 1..4096");
  if (!(lr > 0) || lr > 1) throw std::invalid_argument("learning rate must be in (0, 1]");
  if (!(beta >= 0) || beta > 1000) throw std::invalid_argument("beta must be in [0, 1000]");
  if (zDim < 1 || zDim > 512 || wDim < 1 || wDim > 512)
    throw std::invalid_argument("z and w dimensions must be in 1..512");
  if (wDim < kPcaComponents) throw std::invalid_argument("w needs >= 4 dimensions for PCA");
  if (classifierSteps < 0) throw std::invalid_argument("classifier steps must be >= 0");
  if (!(mixing >= 0) || mixing > 1) throw std::invalid_argument("mixing must be in [0, 1]");
  if (!(mixingWeight >= 0) || mixingWeight > 1000)
    throw std::invalid_argument("mixing weight must be in [0, 1000]");
}

struct StyleGanSession::Impl {
  Encoder enc{nullptr};
  Mapping map{nullptr};
  Synthesis syn{nullptr};
  Classifier cls{nullptr};
  std::unique_ptr<torch::optim::Adam> opt, clsOpt;
  std::mt19937_64 rng;
  torch::Tensor trainU8, trainLabels, testU8, testLabels;
  long step = 0, clsStep = 0;
  double accuracy = -1;
  struct Eval {  // a test evaluation in chunks of 250 images
    int n = 0, next = 0;
    double recon = 0, kl = 0;
    at::Generator g;
  } eval;
  struct Pending {  // a generator step between its two pieces
    bool active = false, mix = false;
    int cross = 0;
    torch::Tensor x, w;
    double recon = 0, kl = 0;
  } pending;
  long wAvgStep = -1, pcaStep = -1;
  torch::Tensor wAvg, pcaDirs, pcaSig;

  torch::Tensor batch(const torch::Tensor& u8, const std::vector<std::int64_t>& idx) const {
    auto x = u8.index_select(0, torch::tensor(idx)).to(torch::kFloat).div(255.0);
    return F::pad(x, F::PadFuncOptions({2, 2, 2, 2}));
  }
  std::vector<std::int64_t> pick(int n) {
    std::uniform_int_distribution<std::int64_t> d(0, trainU8.size(0) - 1);
    std::vector<std::int64_t> idx(static_cast<std::size_t>(n));
    for (auto& i : idx) i = d(rng);
    return idx;
  }
  std::vector<torch::Tensor> noises(std::int64_t n, at::Generator* gen) const {
    std::vector<torch::Tensor> out;
    for (int l = 0; l < kStyleLayers; ++l)
      out.push_back(gen ? torch::randn({n, 1, kRes[l], kRes[l]}, *gen)
                        : torch::randn({n, 1, kRes[l], kRes[l]}));
    return out;
  }
  torch::Tensor meanW(int zDim) {
    if (wAvgStep != step) {
      auto g = generator(0x5eed);
      wAvg = map->forward(torch::randn({4096, zDim}, g)).mean(0);
      wAvgStep = step;
    }
    return wAvg;
  }
  // Mapped and truncated w for n z's drawn from `zSeed`.
  torch::Tensor ws(int n, int zDim, std::uint64_t zSeed, double psi) {
    auto g = generator(zSeed);
    auto w = map->forward(torch::randn({n, zDim}, g));
    auto avg = meanW(zDim);
    return avg + psi * (w - avg);
  }
  torch::Tensor render(const torch::Tensor& perLayer, const SampleSettings& s) {
    auto g = generator(s.seed);
    return torch::sigmoid(syn->forward(perLayer, noises(perLayer.size(0), &g), s.noise));
  }
  static torch::Tensor broadcast(const torch::Tensor& w) {
    return w.unsqueeze(1).expand({w.size(0), kStyleLayers, w.size(1)});
  }
  static torch::Tensor mix(const torch::Tensor& coarse, const torch::Tensor& fine, int k) {
    auto ws = broadcast(fine).clone();
    if (k > 0) ws.slice(1, 0, k).copy_(broadcast(coarse).slice(1, 0, k));
    return ws;
  }
  std::vector<std::pair<std::string, torch::Tensor>> parameters() {
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto& [prefix, m] : std::vector<std::pair<std::string, torch::nn::Module*>>{
             {"enc.", enc.get()}, {"map.", map.get()}, {"syn.", syn.get()}, {"cls.", cls.get()}})
      for (const auto& p : m->named_parameters()) out.push_back({prefix + p.key(), p.value()});
    return out;
  }
};

std::shared_ptr<StyleGanSession> StyleGanSession::create(const StyleGanOptions& o) {
  o.validate();
  auto data = std::make_shared<ImageSplit>(loadImageData(o.data, unsigned(o.seed)));
  return std::make_shared<StyleGanSession>(o, data);
}

StyleGanSession::StyleGanSession(const StyleGanOptions& o, std::shared_ptr<const ImageSplit> data)
    : m_options(o), m_data(std::move(data)), m_impl(std::make_unique<Impl>()) {
  o.validate();
  const auto& tr = m_data->train;
  const auto& te = m_data->test;
  if (tr.height != 28 || tr.width != 28 || te.height != 28 || te.width != 28)
    throw std::invalid_argument("the style generator needs 28x28 images (MNIST format); got " +
                                std::to_string(tr.height) + "x" + std::to_string(tr.width));
  if (tr.count < 1 || te.count < 1) throw std::invalid_argument("no training or test images");
  for (int l : tr.labels)
    if (l < 0 || l > 9)
      throw std::invalid_argument("the style lab's classifier needs labels 0-9 on every image");
  auto& m = *m_impl;
  torch::manual_seed(o.seed);
  m.rng.seed(o.seed);
  m.enc = Encoder(o.zDim);
  m.map = Mapping(o.zDim, o.wDim);
  m.syn = Synthesis(o.wDim);
  m.cls = Classifier();
  std::vector<torch::Tensor> params;
  for (auto* mod : std::vector<torch::nn::Module*>{m.enc.get(), m.map.get(), m.syn.get()})
    for (auto& p : mod->parameters()) params.push_back(p);
  m.opt = std::make_unique<torch::optim::Adam>(params, torch::optim::AdamOptions(o.lr));
  m.clsOpt = std::make_unique<torch::optim::Adam>(m.cls->parameters(),
                                                  torch::optim::AdamOptions(1e-3));
  m.trainU8 = torch::from_blob(const_cast<std::uint8_t*>(tr.pixels.data()),
                               {tr.count, 1, 28, 28}, torch::kUInt8);
  m.testU8 = torch::from_blob(const_cast<std::uint8_t*>(te.pixels.data()),
                              {te.count, 1, 28, 28}, torch::kUInt8);
  m.trainLabels = torch::tensor(std::vector<std::int64_t>(tr.labels.begin(), tr.labels.end()));
  std::vector<std::int64_t> tl;
  for (int l : te.labels) tl.push_back(l < 0 ? 0 : l);
  m.testLabels = torch::tensor(tl);
}

StyleGanSession::~StyleGanSession() = default;
long StyleGanSession::step() const { return m_impl->step; }
long StyleGanSession::classifierStep() const { return m_impl->clsStep; }

StyleGanMetrics StyleGanSession::trainStep() {
  for (;;)
    if (auto met = trainPiece()) return *met;
}

std::optional<StyleGanMetrics> StyleGanSession::trainPiece() {
  auto& m = *m_impl;
  auto& p = m.pending;
  const int b = m_options.batch;
  auto finish = [&](double mixValue) {
    m.opt->step();
    ++m.step;
    StyleGanMetrics met{m.step, p.recon, p.kl, mixValue};
    p = {};
    return met;
  };
  if (!p.active) {
    // Piece 1: the VAE's loss, forward and backward.
    p.x = m.batch(m.trainU8, m.pick(b));
    auto h = m.enc->forward(p.x);
    auto mu = h.slice(1, 0, m_options.zDim), logvar = h.slice(1, m_options.zDim).clamp(-10, 10);
    auto z = mu + torch::exp(0.5 * logvar) * torch::randn_like(mu);
    p.w = m.map->forward(z);
    auto logits = m.syn->forward(Impl::broadcast(p.w), m.noises(b, nullptr), 1.0);
    auto recon = F::binary_cross_entropy_with_logits(
                     logits, p.x,
                     F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kSum)) /
                 b;
    auto kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum() / b;
    p.mix = m_options.mixing > 0 && b > 1 &&
            std::uniform_real_distribution<double>(0, 1)(m.rng) < m_options.mixing;
    static constexpr int kCross[3] = {2, 4, 6};
    if (p.mix) p.cross = kCross[std::uniform_int_distribution<int>(0, 2)(m.rng)];
    m.opt->zero_grad();
    // With mixing, the graph through w is kept for piece 2; the two
    // backward passes add up to the gradient of the summed loss.
    (recon + m_options.beta * kl).backward({}, /*retain_graph=*/p.mix);
    p.recon = recon.item<double>();
    p.kl = kl.item<double>();
    if (!p.mix) return finish(std::numeric_limits<double>::quiet_NaN());  // not drawn: no value
    p.active = true;
    return std::nullopt;
  }
  // Piece 2, mixing: each image's own w below the crossover, the next
  // image's above it; the mix must match the image pooled to the crossover's
  // resolution.
  const int k = p.cross;
  const int pool = kPx / kRes[k - 1];
  auto mixed = torch::cat({Impl::broadcast(p.w).slice(1, 0, k),
                           Impl::broadcast(p.w.roll(1, 0)).slice(1, k, kStyleLayers)},
                          1);
  auto img = torch::sigmoid(m.syn->forward(mixed, m.noises(b, nullptr), 1.0));
  auto pm = F::avg_pool2d(img, F::AvgPool2dFuncOptions(pool)).clamp(1e-6, 1 - 1e-6);
  auto px = F::avg_pool2d(p.x, F::AvgPool2dFuncOptions(pool));
  // Per pooled pixel times the pixels it stands for: on the scale of recon.
  auto mixLoss =
      F::binary_cross_entropy(pm, px, F::BinaryCrossEntropyFuncOptions().reduction(torch::kSum)) *
      double(pool * pool) / b;
  (m_options.mixingWeight * mixLoss).backward();
  return finish(mixLoss.item<double>());
}

double StyleGanSession::classifierTrainStep() {
  auto& m = *m_impl;
  auto idx = m.pick(64);
  auto x = m.batch(m.trainU8, idx);
  auto y = m.trainLabels.index_select(0, torch::tensor(idx));
  auto loss = F::cross_entropy(m.cls->forward(x), y);
  m.clsOpt->zero_grad();
  loss.backward();
  m.clsOpt->step();
  ++m.clsStep;
  return loss.item<double>();
}

double StyleGanSession::classifierAccuracy(int n) {
  auto& m = *m_impl;
  torch::NoGradGuard ng;
  n = std::min<int>(n, int(m.testU8.size(0)));
  std::int64_t right = 0;
  for (int k = 0; k < n; k += 500) {
    const int e = std::min(n, k + 500);
    auto x = F::pad(m.testU8.slice(0, k, e).to(torch::kFloat).div(255.0),
                    F::PadFuncOptions({2, 2, 2, 2}));
    right += m.cls->forward(x).argmax(1).eq(m.testLabels.slice(0, k, e)).sum().item<std::int64_t>();
  }
  m.accuracy = n ? double(right) / n : -1;
  return m.accuracy;
}

StyleGanMetrics StyleGanSession::evaluate(int n) {
  beginEvaluation(n);
  while (evaluateChunk()) {
  }
  return evaluationResult();
}

void StyleGanSession::beginEvaluation(int n) {
  auto& m = *m_impl;
  m.eval = {};
  m.eval.n = std::min<int>(n, int(m.testU8.size(0)));
  m.eval.g = generator(m_options.seed + 17);
}

bool StyleGanSession::evaluateChunk() {
  auto& m = *m_impl;
  auto& ev = m.eval;
  if (ev.next >= ev.n) return false;
  torch::NoGradGuard ng;
  const int k = ev.next, e = std::min(ev.n, k + 250);
  auto x = F::pad(m.testU8.slice(0, k, e).to(torch::kFloat).div(255.0),
                  F::PadFuncOptions({2, 2, 2, 2}));
  auto h = m.enc->forward(x);
  auto mu = h.slice(1, 0, m_options.zDim), logvar = h.slice(1, m_options.zDim).clamp(-10, 10);
  auto z = mu + torch::exp(0.5 * logvar) * torch::randn(mu.sizes(), ev.g);
  auto logits = m.syn->forward(Impl::broadcast(m.map->forward(z)), m.noises(e - k, &ev.g), 1.0);
  ev.recon += F::binary_cross_entropy_with_logits(
                  logits, x, F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kSum))
                  .item<double>();
  ev.kl += (-0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum()).item<double>();
  ev.next = e;
  return ev.next < ev.n;
}

StyleGanMetrics StyleGanSession::evaluationResult() const {
  const auto& ev = m_impl->eval;
  const int n = std::max(1, ev.n);
  return {m_impl->step, ev.recon / n, ev.kl / n};
}

Image StyleGanSession::samples(int n, std::uint64_t zSeed, const SampleSettings& s) {
  torch::NoGradGuard ng;
  auto& m = *m_impl;
  const int cols = int(std::ceil(std::sqrt(double(n))));
  auto w = m.ws(n, m_options.zDim, zSeed, s.psi);
  return tiles(m.render(Impl::broadcast(w), s), cols, (n + cols - 1) / cols);
}

Image StyleGanSession::mixingGrid(int rows, int cols, int crossover, std::uint64_t zSeed,
                                  const SampleSettings& s) {
  if (rows < 1 || cols < 1 || rows > 16 || cols > 16)
    throw std::invalid_argument("mixing grid: 1..16 rows and columns");
  if (crossover < 0 || crossover > kStyleLayers)
    throw std::invalid_argument("crossover must be in 0..8");
  torch::NoGradGuard ng;
  auto& m = *m_impl;
  auto wr = m.ws(rows, m_options.zDim, zSeed, s.psi);
  auto wc = m.ws(cols, m_options.zDim, zSeed + 7919, s.psi);
  // Row 0: blank, then the fine (column) sources; each later row: its coarse
  // source, then the mixes.
  std::vector<torch::Tensor> cells;
  auto blank = torch::zeros({1, 1, kPx, kPx});
  auto pureC = m.render(Impl::broadcast(wc), s);
  auto pureR = m.render(Impl::broadcast(wr), s);
  cells.push_back(blank);
  cells.push_back(pureC);
  for (int r = 0; r < rows; ++r) {
    cells.push_back(pureR.slice(0, r, r + 1));
    auto coarse = wr.slice(0, r, r + 1).expand({cols, -1});
    cells.push_back(m.render(Impl::mix(coarse, wc, crossover), s));
  }
  return tiles(torch::cat(cells, 0), cols + 1, rows + 1);
}

std::vector<double> StyleGanSession::pcaSigmas() {
  torch::NoGradGuard ng;
  auto& m = *m_impl;
  if (m.pcaStep != m.step) {
    auto g = generator(0x9ca);
    auto w = m.map->forward(torch::randn({4096, m_options.zDim}, g)).to(torch::kDouble);
    auto c = w - w.mean(0, true);
    auto cov = torch::matmul(c.t(), c) / double(w.size(0) - 1);
    auto [vals, vecs] = torch::linalg_eigh(cov, "L");  // ascending
    const auto d = vals.size(0);
    m.pcaSig = vals.slice(0, d - kPcaComponents, d).flip(0).clamp_min(0).sqrt().to(torch::kFloat);
    m.pcaDirs = vecs.slice(1, d - kPcaComponents, d).flip(1).t().contiguous().to(torch::kFloat);
    m.pcaStep = m.step;
  }
  std::vector<double> out;
  for (int k = 0; k < kPcaComponents; ++k) out.push_back(m.pcaSig[k].item<double>());
  return out;
}

Image StyleGanSession::pcaEdit(std::uint64_t zSeed, const std::vector<double>& coefficients,
                               const SampleSettings& s) {
  pcaSigmas();
  torch::NoGradGuard ng;
  auto& m = *m_impl;
  auto w = m.ws(1, m_options.zDim, zSeed, s.psi);
  for (int k = 0; k < kPcaComponents && k < int(coefficients.size()); ++k)
    w = w + coefficients[std::size_t(k)] * m.pcaSig[k] * m.pcaDirs[k].unsqueeze(0);
  return tiles(m.render(Impl::broadcast(w), s), 1, 1);
}

MixingTable StyleGanSession::beginMixing(const SampleSettings& s) {
  MixingTable t;
  t.psi = s.psi;
  t.noise = s.noise;
  t.classifierAccuracy = m_impl->accuracy >= 0 ? m_impl->accuracy : classifierAccuracy();
  for (int k = 0; k <= kStyleLayers; ++k) t.rows.push_back({k, 0, 0, 0});
  return t;
}

void StyleGanSession::measureMixing(MixingTable& t, int pairs, std::uint64_t seed) {
  if (pairs < 1) return;
  torch::NoGradGuard ng;
  auto& m = *m_impl;
  SampleSettings s{t.psi, t.noise, seed ^ 0xabcdefULL};
  auto wa = m.ws(pairs, m_options.zDim, seed, t.psi);
  auto wb = m.ws(pairs, m_options.zDim, seed ^ 0x5555555555ULL, t.psi);
  auto label = [&](const torch::Tensor& ws) { return m.cls->forward(m.render(ws, s)).argmax(1); };
  auto ca = label(Impl::broadcast(wa)), cb = label(Impl::broadcast(wb));
  auto differ = ca.ne(cb);
  const int counted = int(differ.sum().item<std::int64_t>());
  const int before = t.counted;
  t.pairs += pairs;
  t.counted += counted;
  for (auto& row : t.rows) {
    auto c = label(Impl::mix(wa, wb, row.crossover));
    const double coarse = double(c.eq(ca).logical_and(differ).sum().item<std::int64_t>());
    const double fine = double(c.eq(cb).logical_and(differ).sum().item<std::int64_t>());
    // Running fractions over all counted pairs so far.
    auto update = [&](double& frac, double n) {
      frac = t.counted ? (frac * before + n) / t.counted : 0;
    };
    update(row.followsCoarse, coarse);
    update(row.followsFine, fine);
    row.other = t.counted ? 1.0 - row.followsCoarse - row.followsFine : 0;
  }
}

void StyleGanSession::save(const std::string& path) const {
  ModelFile f;
  f.lab = "style.gan";
  nlohmann::json meta{{"options", nlohmann::json::parse(m_options.toJson())},
                      {"step", m_impl->step}, {"classifier_step", m_impl->clsStep},
                      {"provenance", m_data->train.provenance}};
  f.metaJson = meta.dump();
  for (const auto& [name, t] : m_impl->parameters()) f.tensors[name] = toBlob(t);
  f.save(path);
}

std::shared_ptr<StyleGanSession> StyleGanSession::load(const std::string& path) {
  const ModelFile f = ModelFile::load(path, "style.gan");
  nlohmann::json meta;
  try {
    meta = nlohmann::json::parse(f.metaJson);
  } catch (const std::exception& e) {
    throw ModelFileError(path + ": unreadable metadata: " + e.what());
  }
  auto o = StyleGanOptions::fromJson(meta.at("options").dump());
  auto s = create(o);
  torch::NoGradGuard ng;
  for (auto& [name, t] : s->m_impl->parameters()) {
    auto it = f.tensors.find(name);
    if (it == f.tensors.end()) throw ModelFileError(path + ": no tensor " + name);
    copyInto(t, it->second, name, path);
  }
  s->m_impl->step = meta.value("step", 0L);
  s->m_impl->clsStep = meta.value("classifier_step", 0L);
  return s;
}

// ---- jobs -----------------------------------------------------------------------

StyleGanTrainJob::StyleGanTrainJob(std::shared_ptr<StyleGanSession> s, long steps)
    : m_s(std::move(s)), m_steps(steps) {}

void StyleGanTrainJob::publish(JobContext& ctx) {
  auto p = std::make_shared<StyleGanProgress>();
  const long clsTarget = m_s->options().classifierSteps;
  p->phase = m_s->classifierStep() < clsTarget ? "classifier" : "generator";
  p->step = m_done;
  p->totalSteps = m_steps;
  p->classifierStep = m_s->classifierStep();
  p->classifierSteps = clsTarget;
  p->classifierLoss = m_classifierLoss;
  p->classifierAccuracy = m_accuracy;
  p->elapsedSeconds = m_seconds;
  p->stepsPerSecond = m_seconds > 0 ? m_done / m_seconds : 0;
  p->curve = m_curve;
  p->samples = m_s->samples(16, 1, SampleSettings{});
  const double total = double(clsTarget + m_steps);
  ctx.publish(Snapshot::progressOf("style.gan.train.progress", p,
                                   total > 0 ? (m_s->classifierStep() + m_done) / total : 1.0));
}

bool StyleGanTrainJob::step(JobContext& ctx) {
  const auto t0 = std::chrono::steady_clock::now();
  auto since = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  if (m_s->classifierStep() < m_s->options().classifierSteps) {
    while (m_s->classifierStep() < m_s->options().classifierSteps && since() < 0.01)
      m_classifierLoss = m_s->classifierTrainStep();
    if (m_s->classifierStep() >= m_s->options().classifierSteps)
      m_accuracy = m_s->classifierAccuracy();
    if (ctx.publishDue(std::chrono::milliseconds(500))) publish(ctx);
    return false;
  }
  if (m_done < m_steps) {
    // One piece per worker step: the VAE's loss, then (on mixing steps) the
    // mixing loss, so a click waits for at most one of them.
    const auto piece = m_s->trainPiece();
    m_seconds += since();
    if (!piece) return false;
    const auto& met = *piece;
    ++m_done;
    m_acc.recon += met.recon;
    m_acc.kl += met.kl;
    if (++m_accN == 25 || m_done == m_steps) {
      m_curve.push_back({m_s->step(), m_acc.recon / m_accN, m_acc.kl / m_accN});
      m_acc = {};
      m_accN = 0;
    }
    if (m_done < m_steps) {
      if (ctx.publishDue(std::chrono::milliseconds(500))) publish(ctx);
      return false;
    }
  }
  // The end in three worker steps, so a click waits for one of them.
  if (m_endPhase == 0) {
    publish(ctx);
    m_result = std::make_shared<StyleGanResult>();
    m_endPhase = 1;
    return false;
  }
  if (m_endPhase == 1) {
    m_s->beginEvaluation(500);
    m_endPhase = 2;
  }
  if (m_endPhase == 2) {
    if (m_s->evaluateChunk()) return false;
    m_result->test = m_s->evaluationResult();
    m_endPhase = 3;
    return false;
  }
  auto r = m_result;
  if (!m_curve.empty()) r->train = m_curve.back();
  r->classifierAccuracy = m_accuracy >= 0 ? m_accuracy : m_s->classifierAccuracy();
  r->trainSeconds = m_seconds;
  r->steps = m_s->step();
  ctx.publish(Snapshot::result("style.gan.train", r));
  return true;
}

MixingJob::MixingJob(std::shared_ptr<StyleGanSession> s, int pairs, const SampleSettings& settings,
                     std::uint64_t seed)
    : m_s(std::move(s)), m_pairs(pairs), m_settings(settings), m_seed(seed) {
  if (pairs < 1) throw std::invalid_argument("mixing: need >= 1 pair");
}

bool MixingJob::step(JobContext& ctx) {
  if (!m_table) m_table = std::make_shared<MixingTable>(m_s->beginMixing(m_settings));
  const int n = std::min(20, m_pairs - m_done);
  m_s->measureMixing(*m_table, n, m_seed + std::uint64_t(m_done) * 1000003ULL);
  m_done += n;
  auto copy = std::make_shared<MixingTable>(*m_table);
  if (m_done < m_pairs) {
    ctx.publish(Snapshot::progressOf("style.gan.mixing.progress", copy,
                                     double(m_done) / m_pairs));
    return false;
  }
  ctx.publish(Snapshot::result("style.gan.mixing", copy));
  return true;
}

}  // namespace genlab::core::style
