#include "core/labs/ct/score_prior.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/utils.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/physics/phantom.h"
#include "core/util/model_file.h"
#include "core/util/tensor_blob.h"

namespace genlab::core::ct {

namespace {
constexpr const char* kLab = "ct-prior";

}  // namespace

ScorePrior::ScorePrior(const PriorOptions& options, c10::Device device)
    : m_options(options), m_device(device) {
  m_options.validate();
  torch::manual_seed(m_options.seed);  // weight initialisation
  m_net = ScoreNet(m_options.channels, 0.5);
  m_net->to(device);
}

at::Tensor ScorePrior::denoise(const at::Tensor& x, const at::Tensor& sigma) {
  return m_net->denoise(x - kCentre, sigma) + kCentre;
}

at::Tensor ScorePrior::score(const at::Tensor& x, const at::Tensor& sigma) {
  const auto s2 = (sigma * sigma).view({-1, 1, 1, 1});
  return (denoise(x, sigma) - x) / s2;
}

void ScorePrior::save(const std::string& path) const {
  ModelFile mf;
  mf.lab = kLab;
  nlohmann::json meta{{"options", nlohmann::json::parse(m_options.toJson())},
                      {"trained_steps", m_steps},
                      {"trained_seconds", m_seconds},
                      {"last_loss", m_loss},
                      {"centre", kCentre},
                      {"provenance", m_options.data == "ellipses"
                                         ? "random-ellipse phantoms (training seed stream)"
                                         : m_options.data}};
  mf.metaJson = meta.dump();
  for (const auto& p : m_net->named_parameters()) mf.tensors["net." + p.key()] = toBlob(p.value());
  mf.save(path);
}

std::shared_ptr<ScorePrior> ScorePrior::load(const std::string& path, c10::Device device) {
  const auto mf = ModelFile::load(path, kLab);
  nlohmann::json meta;
  PriorOptions options;
  try {
    meta = nlohmann::json::parse(mf.metaJson);
    options = PriorOptions::fromJson(meta.at("options").dump());
  } catch (const std::exception& e) {
    throw ModelFileError(path + ": not a usable score prior (" + e.what() + ")");
  }
  auto prior = std::make_shared<ScorePrior>(options, c10::Device(c10::kCPU));
  torch::NoGradGuard ng;
  for (auto& p : prior->m_net->named_parameters()) {
    auto it = mf.tensors.find("net." + p.key());
    if (it == mf.tensors.end()) throw ModelFileError(path + ": tensor '" + p.key() + "' is missing");
    copyInto(p.value(), it->second, p.key(), path);
  }
  prior->m_net->to(device);
  prior->m_device = device;
  prior->m_steps = meta.value("trained_steps", 0L);
  prior->m_seconds = meta.value("trained_seconds", 0.0);
  prior->m_loss = meta.value("last_loss", 0.0);
  return prior;
}

PriorTrainer::PriorTrainer(std::shared_ptr<ScorePrior> prior)
    : m_prior(std::move(prior)),
      m_gen(at::make_generator<at::CPUGeneratorImpl>(m_prior->options().seed * 7919 + 17)) {
  m_images = std::make_unique<TrainingImages>(m_prior->options().data, m_prior->options().size,
                                              m_prior->options().seed);
  m_adam = std::make_unique<torch::optim::Adam>(
      m_prior->net()->parameters(), torch::optim::AdamOptions(m_prior->options().lr));
  m_prior->net()->train();
  for (const auto& p : m_prior->net()->parameters()) m_average.push_back(p.detach().clone());
}

double PriorTrainer::progress() const {
  const auto& o = m_prior->options();
  double t = o.steps > 0 ? double(m_steps) / o.steps : 1.0;
  if (o.maxSeconds > 0) t = std::max(t, m_seconds / o.maxSeconds);
  return std::min(1.0, t);
}

double PriorTrainer::learningRate() const {
  const auto& o = m_prior->options();
  const double warm = std::min(1.0, (m_steps + 1) / 100.0);
  const double t = progress();
  return o.lr * warm * (0.1 + 0.9 * 0.5 * (1 + std::cos(3.14159265358979 * t)));
}

void PriorTrainer::finish() {
  torch::NoGradGuard ng;
  auto params = m_prior->net()->parameters();
  for (std::size_t i = 0; i < params.size(); ++i) params[i].copy_(m_average[i]);
  m_prior->net()->eval();
}

at::Tensor PriorTrainer::trainingBatch() {
  const auto& o = m_prior->options();
  auto batch = at::empty({o.batch, 1, o.size, o.size}, at::kFloat);
  float* dst = batch.data_ptr<float>();
  for (int i = 0; i < o.batch; ++i) {
    // Training phantoms are numbered per prior seed; held-out draws use
    // another stream (see phantom.h), so evaluation never sees these.
    const std::uint64_t id = (o.seed << 32) + m_nextImage++;
    const auto img = m_images->image(id);  // ellipses: randomEllipsePhantom(size, id, Training)
    std::memcpy(dst + static_cast<std::size_t>(i) * o.size * o.size, img.values.data(),
                img.values.size() * sizeof(float));
  }
  return batch.to(m_prior->device());
}

bool PriorTrainer::advance() {
  const auto started = std::chrono::steady_clock::now();
  const auto& o = m_prior->options();
  if (m_part == 0) {
    m_x = trainingBatch();
    const auto opts = at::TensorOptions().dtype(at::kFloat);
    const double lo = std::log(o.sigmaMin), hi = std::log(o.sigmaMax);
    auto logSigma = at::rand({o.batch}, m_gen, opts) * (hi - lo) + lo;
    if (o.sigmaMedian > 0) {
      const auto centred =
          (at::randn({o.batch}, m_gen, opts) * o.sigmaLogStd + std::log(o.sigmaMedian)).clamp(lo, hi);
      const auto uniform = at::rand({o.batch}, m_gen, opts) < o.uniformShare;
      logSigma = at::where(uniform, logSigma, centred);
    }
    m_sigma = at::exp(logSigma).to(m_prior->device());
    const auto noise = at::randn(m_x.sizes(), m_gen, opts).to(m_prior->device());
    m_noisy = m_x + m_sigma.view({-1, 1, 1, 1}) * noise;
    // EDM weighting: (sigma^2 + sd^2) / (sigma sd)^2 makes every level's loss O(1).
    const double sd2 = 0.25;
    const auto s2 = (m_sigma * m_sigma).view({-1, 1, 1, 1});
    m_weight = (s2 + sd2) / (s2 * sd2);
    for (auto& group : m_adam->param_groups())
      static_cast<torch::optim::AdamOptions&>(group.options()).lr(learningRate());
    m_adam->zero_grad();
    m_lossSum = 0;
  }
  // These images' share of the batch mean: their own mean over pixels,
  // times their share of the batch.
  const int64_t i = m_part, m = std::min<int64_t>(kImagesPerPart, o.batch - m_part);
  const auto part = (m_weight.narrow(0, i, m) *
                     (m_prior->denoise(m_noisy.narrow(0, i, m), m_sigma.narrow(0, i, m)) -
                      m_x.narrow(0, i, m))
                         .pow(2))
                        .mean() *
                    (double(m) / o.batch);
  part.backward();
  m_lossSum += part.item<double>();
  m_part += static_cast<int>(m);
  const bool stepDone = m_part >= o.batch;
  if (stepDone) {
    m_part = 0;
    m_x = m_sigma = m_noisy = m_weight = at::Tensor();
    // Clipping the gradient's norm at 1 lets the short CPU schedule use a high
    // learning rate without the occasional blown-up step (low noise levels give
    // large, rare gradients).
    torch::nn::utils::clip_grad_norm_(m_prior->net()->parameters(), 1.0);
    m_adam->step();
    ++m_steps;
    torch::NoGradGuard ng;
    const double decay = std::min(0.999, (1.0 + m_steps) / (10.0 + m_steps));
    auto params = m_prior->net()->parameters();
    for (std::size_t k = 0; k < params.size(); ++k)
      m_average[k].mul_(decay).add_(params[k].detach(), 1 - decay);
    m_lastLoss = m_lossSum;
  }
  m_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return stepDone;
}

double PriorTrainer::step() {
  while (!advance()) {
  }
  return m_lastLoss;
}

}  // namespace genlab::core::ct
