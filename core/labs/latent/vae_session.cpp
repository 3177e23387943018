#include "core/labs/latent/vae_session.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/cuda.h>
#include <torch/types.h>
#include <torch/nn/functional/loss.h>
#include <torch/utils.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/data/image_data.h"
#include "core/engine/device.h"
#include "core/labs/latent/vae_fused.h"
#include "core/labs/latent/vae_math.h"
#include "core/labs/latent/vae_model.h"
#include "core/labs/latent/vae_session_impl.h"
#include "core/util/model_file.h"

namespace genlab::core::latent {



torch::Tensor toFloatTensor(const ImageDataset& d, int limit, c10::Device dev) {
  const int n = limit > 0 ? std::min(limit, d.count) : d.count;
  auto bytes = torch::from_blob(const_cast<std::uint8_t*>(d.pixels.data()),
                                {n, static_cast<int64_t>(d.imageSize())}, torch::kUInt8);
  return bytes.to(torch::kFloat).div_(255.0).to(dev);
}

Image toImage(const torch::Tensor& probs, int h, int w) {
  auto t = probs.detach().to(torch::kCPU).mul(255.0).round_().clamp_(0, 255).to(torch::kUInt8)
               .contiguous();
  Image img;
  img.width = w;
  img.height = h;
  img.channels = 1;
  img.pixels.assign(t.data_ptr<std::uint8_t>(), t.data_ptr<std::uint8_t>() + h * w);
  return img;
}

torch::Tensor VaeSession::Impl::decodeProbs(const torch::Tensor& z) {
  torch::NoGradGuard ng;
  if (scripted) return scriptedDecode(*scripted, z);
  return torch::sigmoid(net->decodeLogits(z));
}

torch::Tensor VaeSession::Impl::encodeMeans(const torch::Tensor& x) {
  torch::NoGradGuard ng;
  if (scripted) return scriptedEncodeMean(*scripted, x);
  return net->encode(x).first;
}

Image VaeSession::Impl::decodeOne(const torch::Tensor& z) {
  return toImage(decodeProbs(z).view({height, width}), height, width);
}

void VaeSession::Impl::finishMap(const std::vector<int>& labels, double epochs) {
  const int64_t d = means.size(1), n = means.size(0);
  if (n < 2 && d > 2) means = torch::zeros({0, d}, torch::kFloat);  // nothing to project
  auto m = std::make_shared<LatentMap>();
  m->latentDim = static_cast<int>(d);
  m->epochs = epochs;
  m->labels.assign(labels.begin(), labels.begin() + n);
  origin.assign(d, 0.f);
  axisX.assign(d, 0.f);
  axisY.assign(d, 0.f);
  torch::Tensor xy;
  if (d <= 2) {
    axisX[0] = 1.f;
    if (d == 2) axisY[1] = 1.f;
    xy = d == 2 ? means : torch::cat({means, torch::zeros_like(means)}, 1);
  } else if (n == 0) {
    axisX[0] = 1.f;
    axisY[1] = 1.f;
    xy = torch::zeros({0, 2}, torch::kFloat);
  } else {
    auto mean = means.mean(0);
    auto c = means - mean;
    auto cov = c.t().mm(c) / std::max<int64_t>(1, n - 1);
    auto eig = at::linalg_eigh(cov, "L");
    auto vecs = std::get<1>(eig);                       // ascending eigenvalues
    auto top = torch::stack({vecs.select(1, d - 1), vecs.select(1, d - 2)});  // 2 x d
    // Fix each axis' sign so the picture does not flip between refreshes.
    auto idx = top.abs().argmax(1);
    for (int k = 0; k < 2; ++k)
      if (top[k][idx[k].item<int64_t>()].item<float>() < 0) top[k].neg_();
    xy = c.mm(top.t());
    auto copyVec = [](const torch::Tensor& t, std::vector<float>& out) {
      auto tc = t.contiguous();
      out.assign(tc.data_ptr<float>(), tc.data_ptr<float>() + tc.numel());
    };
    copyVec(mean, origin);
    copyVec(top[0], axisX);
    copyVec(top[1], axisY);
  }
  auto xyc = xy.contiguous();
  m->xy.assign(xyc.data_ptr<float>(), xyc.data_ptr<float>() + xyc.numel());
  m->origin = origin;
  m->axisX = axisX;
  m->axisY = axisY;
  map = std::move(m);
}

std::shared_ptr<VaeSession> VaeSession::create(const VaeOptions& options) {
  options.validate();
  auto data = std::make_shared<ImageSplit>(loadImageData(options.data, static_cast<unsigned>(options.seed)));
  return std::make_shared<VaeSession>(options, std::move(data));
}

VaeSession::VaeSession(const VaeOptions& options, std::shared_ptr<const ImageSplit> data)
    : m_options(options), m_data(std::move(data)), m_impl(std::make_unique<Impl>()) {
  m_options.validate();
  if (!m_data || m_data->train.count == 0)
    throw std::invalid_argument("the training set is empty");
  if (m_data->test.count == 0) throw std::invalid_argument("the test set is empty");
  if (m_data->test.height != m_data->train.height || m_data->test.width != m_data->train.width)
    throw std::invalid_argument("train and test images differ in size");
  auto& s = *m_impl;
  s.device = defaultDevice();
  s.height = m_data->train.height;
  s.width = m_data->train.width;
  s.beta = m_options.beta;
  torch::manual_seed(m_options.seed);  // module init draws from the global generator
  if (s.device.is_cuda()) torch::cuda::manual_seed_all(m_options.seed);
  s.shuffleGen = at::make_generator<at::CPUGeneratorImpl>(m_options.seed);
  s.trainGen = at::make_generator<at::CPUGeneratorImpl>(m_options.seed + 1);
  s.evalGen = at::make_generator<at::CPUGeneratorImpl>(m_options.seed + 7919);
  if (m_options.architecture == "conv")
    s.net = std::make_shared<ConvVaeImpl>(s.height, s.width, m_options.hidden, m_options.latentDim);
  else
    s.net = std::make_shared<MlpVaeImpl>(s.height * s.width, m_options.hidden, m_options.latentDim);
  s.net->to(s.device);
  s.adam = std::make_unique<FlatAdam>(*s.net, "adam", m_options.lr);
  s.mlp = dynamic_cast<MlpVaeImpl*>(s.net.get());
  if (s.mlp && MlpVaeStep::supports(*s.mlp)) s.mlpStep = std::make_unique<MlpVaeStep>();
  s.trainX = toFloatTensor(m_data->train, m_options.maxTrainImages, s.device);
  s.testX = toFloatTensor(m_data->test, 0, s.device);
  s.origin.assign(m_options.latentDim, 0.f);
  s.axisX.assign(m_options.latentDim, 0.f);
  s.axisY.assign(m_options.latentDim, 0.f);
  s.axisX[0] = 1.f;
  if (m_options.latentDim > 1) s.axisY[1] = 1.f;
}

VaeSession::VaeSession(const VaeOptions& options, std::shared_ptr<const ImageSplit> data,
                       std::unique_ptr<Impl> impl)
    : m_options(options), m_data(std::move(data)), m_impl(std::move(impl)) {}

VaeSession::~VaeSession() = default;

bool VaeSession::imported() const { return bool(m_impl->scripted); }

void VaeSession::setBeta(double beta) {
  if (!(beta >= 0 && beta <= 1000)) throw std::invalid_argument("beta must be between 0 and 1000");
  m_impl->beta = beta;
  m_options.beta = beta;
}

double VaeSession::effectiveBeta() const {
  if (m_options.klWarmupEpochs <= 0) return m_impl->beta;
  return m_impl->beta * std::min(1.0, epochsDone() / m_options.klWarmupEpochs);
}

long VaeSession::stepsPerEpoch() const {
  if (m_impl->scripted) return 1;  // never trained here
  const auto n = m_impl->trainX.size(0);
  return static_cast<long>((n + m_options.batch - 1) / m_options.batch);
}
long VaeSession::globalStep() const { return m_impl->step; }
long VaeSession::samplesSeen() const { return m_impl->samples; }
double VaeSession::epochsDone() const {
  return static_cast<double>(m_impl->step) / static_cast<double>(stepsPerEpoch());
}

VaeMetrics VaeSession::trainStep() {
  auto& s = *m_impl;
  if (s.scripted)
    throw std::logic_error("an imported TorchScript model is explored here, not trained: GenLab "
                           "trains only the models it builds");
  const int64_t n = s.trainX.size(0);
  if (s.cursor == 0 || !s.perm.defined()) {
    s.shuffleState = s.shuffleGen.get_state();
    s.perm = torch::randperm(n, s.shuffleGen, torch::TensorOptions().dtype(torch::kLong));
    s.cursor = 0;
  }
  const int64_t b = std::min<int64_t>(m_options.batch, n - s.cursor);
  // Gathered into one buffer reused across steps (new only when the batch
  // size changes, at the epoch's last batch).
  if (!s.batchX.defined() || s.batchX.size(0) != b)
    s.batchX = torch::empty({0, s.trainX.size(1)}, s.trainX.options());
  auto idx = s.perm.narrow(0, s.cursor, b);
  at::index_select_out(s.batchX, s.trainX, 0, s.device.is_cpu() ? idx : idx.to(s.device));
  const auto& x = s.batchX;
  const double beta = effectiveBeta();
  auto eps = s.randn({b, static_cast<int64_t>(m_options.latentDim)}, s.trainGen);
  double reconSum = 0, klSum = 0;
  if (s.mlpStep) {
    // The same model and loss as below, without autograd (vae_mlp_step.h).
    const MlpStepSums sums = s.mlpStep->step(*s.mlp, x, eps, beta);
    reconSum = sums.recon;
    klSum = sums.kl;
  } else {
    s.adam->zeroGrad();
    auto stats = s.net->encodeStats(x);
    auto [z, kl] = gaussianLatent(stats, eps);
    auto recon = bceWithLogitsSum(s.net->decodeLogits(z), x);
    // Summed over the batch, as the reference model does (Adam is nearly
    // insensitive to the scale, but not exactly: keep it identical).
    auto loss = beta == 1.0 ? recon + kl : recon + beta * kl;
    loss.backward();
    reconSum = recon.item<double>();
    klSum = kl.item<double>();
  }
  s.adam->step();
  s.cursor += b;
  s.samples += b;
  if (s.cursor >= n) s.cursor = 0;
  ++s.step;
  VaeMetrics m;
  m.recon = reconSum / b;
  m.kl = klSum / b;
  m.elbo = -(m.recon + m.kl);
  return m;
}

void VaeSession::beginEvaluation() {
  auto& s = *m_impl;
  if (s.scripted) return;  // evaluateChunk() only maps an imported model
  s.evalCursor = 0;
  s.sumRecon = s.sumKl = 0;
  s.klSum = torch::zeros({m_options.latentDim}, torch::kDouble);
  s.means = torch::empty({s.mapCount(), m_options.latentDim}, torch::kFloat);
  s.evalGen.set_current_seed(m_options.seed + 7919);
  // All of the evaluation's noise at once: the numbers do not depend on how
  // the evaluation is split into chunks (their size adapts to the machine).
  s.evalNoise = s.randn({s.testX.size(0), static_cast<int64_t>(m_options.latentDim)}, s.evalGen);
}

bool VaeSession::evaluateChunk(int maxImages) {
  auto& s = *m_impl;
  if (s.scripted) {
    // No likelihood to evaluate: the ELBO of a model GenLab did not build is
    // not known here (NaN, shown as "—"); the map comes from the encoder.
    s.last = {std::nan(""), std::nan(""), std::nan("")};
    s.klPerDim.clear();
    beginMapRefresh();
    while (!mapRefreshChunk(std::max(1, maxImages))) {
    }
    return true;
  }
  const int64_t n = s.testX.size(0);
  if (!s.klSum.defined()) beginEvaluation();
  if (s.evalCursor >= n) return true;
  const int64_t b = std::min<int64_t>(std::max(1, maxImages), n - s.evalCursor);
  torch::NoGradGuard ng;
  auto x = s.testX.narrow(0, s.evalCursor, b);
  auto [mu, logvar] = s.net->encode(x);
  auto z = reparameterize(mu, logvar, s.evalNoise.narrow(0, s.evalCursor, b));
  auto logits = s.net->decodeLogits(z);
  s.sumRecon += at::binary_cross_entropy_with_logits(logits, x, {}, {}, at::Reduction::Sum)
                    .item<double>();
  auto klDims = klToStandardNormal(mu, logvar);  // b x d
  s.sumKl += klDims.sum().item<double>();
  s.klSum += klDims.sum(0).to(torch::kCPU, torch::kDouble);
  const int64_t keep = std::max<int64_t>(0, std::min(b, s.mapCount() - s.evalCursor));
  if (keep > 0) s.means.narrow(0, s.evalCursor, keep).copy_(mu.narrow(0, 0, keep).to(torch::kCPU));
  s.evalCursor += b;
  if (s.evalCursor < n) return false;
  s.last.recon = s.sumRecon / n;
  s.last.kl = s.sumKl / n;
  s.last.elbo = -(s.last.recon + s.last.kl);
  auto kd = (s.klSum / static_cast<double>(n)).contiguous();
  s.klPerDim.assign(kd.data_ptr<double>(), kd.data_ptr<double>() + kd.numel());
  s.finishMap(m_data->test.labels, epochsDone());
  s.klSum = torch::Tensor();
  return true;
}

VaeMetrics VaeSession::lastEvaluation() const { return m_impl->last; }
std::vector<double> VaeSession::klPerDimension() const { return m_impl->klPerDim; }
int VaeSession::activeUnits(double threshold) const {
  return static_cast<int>(std::count_if(m_impl->klPerDim.begin(), m_impl->klPerDim.end(),
                                        [&](double k) { return k > threshold; }));
}
std::shared_ptr<const LatentMap> VaeSession::latentMap() const { return m_impl->map; }

void VaeSession::beginMapRefresh() {
  auto& s = *m_impl;
  s.mapCursor = 0;
  if (!s.canEncode()) {  // a decoder alone: no data on the map
    s.means = torch::zeros({0, m_options.latentDim}, torch::kFloat);
    return;
  }
  if (!s.means.defined() || s.means.size(0) != s.mapCount())
    s.means = torch::empty({s.mapCount(), m_options.latentDim}, torch::kFloat);
}

bool VaeSession::mapRefreshChunk(int maxImages) {
  auto& s = *m_impl;
  const int64_t n = s.canEncode() ? s.mapCount() : 0;
  if (s.mapCursor >= n) {
    if (n == 0) s.finishMap(m_data->test.labels, epochsDone());
    return true;
  }
  const int64_t b = std::min<int64_t>(std::max(1, maxImages), n - s.mapCursor);
  torch::NoGradGuard ng;
  auto mu = s.encodeMeans(s.testX.narrow(0, s.mapCursor, b));
  s.means.narrow(0, s.mapCursor, b).copy_(mu.to(torch::kCPU));
  s.mapCursor += b;
  if (s.mapCursor < n) return false;
  s.finishMap(m_data->test.labels, epochsDone());
  return true;
}

VaeMetrics VaeSession::evaluate() {
  beginEvaluation();
  while (!evaluateChunk()) {
  }
  return lastEvaluation();
}

std::vector<float> VaeSession::decodeLatents(const std::vector<float>& z, int n) {
  const int d = m_options.latentDim;
  if (n < 1 || z.size() != std::size_t(n) * d)
    throw std::invalid_argument("each z needs " + std::to_string(d) + " values (the latent size)");
  auto& s = *m_impl;
  auto zt = torch::from_blob(const_cast<float*>(z.data()), {n, d}, torch::kFloat).clone();
  auto probs = s.decodeProbs(zt.to(s.device)).to(torch::kCPU).contiguous();
  return std::vector<float>(probs.data_ptr<float>(), probs.data_ptr<float>() + probs.numel());
}

Image VaeSession::decode(float x, float y) {
  auto& s = *m_impl;
  return s.decodeOne(s.planePoints(torch::tensor({x, y}).view({1, 2})));
}

Image VaeSession::decodeGrid(float x0, float x1, float y0, float y1, int n) {
  if (n < 1 || n > 64) throw std::invalid_argument("grid size must be between 1 and 64");
  auto& s = *m_impl;
  auto xs = torch::linspace(x0, x1, n);
  auto ys = torch::linspace(y1, y0, n);  // row 0 at the top
  auto grid = torch::stack({xs.repeat({n}), ys.repeat_interleave(n)}, 1);
  torch::NoGradGuard ng;
  auto probs = s.decodeProbs(s.planePoints(grid))
                   .view({n, n, s.height, s.width})
                   .permute({0, 2, 1, 3})
                   .reshape({n * s.height, n * s.width});
  return toImage(probs, n * s.height, n * s.width);
}

std::vector<Image> VaeSession::interpolate(float ax, float ay, float bx, float by, int steps) {
  if (steps < 2 || steps > 64) throw std::invalid_argument("interpolation needs 2 to 64 steps");
  std::vector<Image> out;
  for (int i = 0; i < steps; ++i) {
    const float t = static_cast<float>(i) / (steps - 1);
    out.push_back(decode(ax + t * (bx - ax), ay + t * (by - ay)));
  }
  return out;
}

Reconstruction VaeSession::reconstruct(int index) {
  auto& s = *m_impl;
  if (index < 0 || index >= s.testX.size(0)) throw std::out_of_range("no such test image");
  torch::NoGradGuard ng;
  auto x = s.testX.narrow(0, index, 1);
  Reconstruction r;
  r.index = index;
  r.original = toImage(x.view({s.height, s.width}), s.height, s.width);
  if (!s.canEncode()) throw std::invalid_argument("this model has no encoder to reconstruct with");
  r.reconstruction = s.decodeOne(s.encodeMeans(x));
  return r;
}

}  // namespace genlab::core::latent
