#include "core/labs/ct/score_sampler.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "core/labs/ct/solvers.h"

namespace genlab::core::ct {

PosteriorSampler::PosteriorSampler(std::shared_ptr<ScorePrior> prior,
                                   const physics::LinearOperator& op, at::Tensor y,
                                   const SamplerOptions& options, at::Tensor init)
    : m_prior(std::move(prior)),
      m_op(op),
      m_y(std::move(y)),
      m_options(options),
      m_gen(at::make_generator<at::CPUGeneratorImpl>(options.seed * 104729 + 3)) {
  const auto shape = op.imageShape();
  if (shape.size() != 2 || shape[0] != m_prior->size() || shape[1] != m_prior->size())
    throw std::invalid_argument("the score prior was trained on " + std::to_string(m_prior->size()) +
                                " px images; this problem's images are " +
                                std::to_string(shape[0]) + " x " + std::to_string(shape.back()));
  if (options.samples < 1 || options.steps < 1)
    throw std::invalid_argument("posterior sampling needs at least one sample and one step");
  at::NoGradGuard ng;
  m_y = m_y.to(m_prior->device(), at::kFloat);
  const int64_t k = options.samples, h = shape[0], w = shape[1];
  auto start = init.defined() ? init.to(m_prior->device(), at::kFloat).view({1, 1, h, w})
                              : at::full({1, 1, h, w}, ScorePrior::kCentre, m_y.options());
  m_x = start.expand({k, 1, h, w}) + options.sigmaMax * noise({k, 1, h, w});
}

at::Tensor PosteriorSampler::noise(at::IntArrayRef sizes) {
  return at::randn(sizes, m_gen, at::TensorOptions().dtype(at::kFloat)).to(m_prior->device());
}

double PosteriorSampler::sigmaAt(int i) const {
  if (m_options.steps == 1) return m_options.sigmaMin;
  const double t = double(i) / (m_options.steps - 1);
  return m_options.sigmaMax * std::pow(m_options.sigmaMin / m_options.sigmaMax, t);
}

void PosteriorSampler::dataConsistency(double sigma) {
  // Each chain is pulled toward its own noised copy of the measurement.
  const auto x = m_x.squeeze(1);
  auto target = m_y.unsqueeze(0).expand_as(m_op.forwardRaw(x)).clone();
  if (sigma > m_options.sigmaMin) target = target + sigma * m_op.forwardRaw(noise(x.sizes()));
  ConjugateGradientNormal cg(m_op, target - m_op.forwardRaw(x));
  for (int i = 0; i < m_options.dcIterations; ++i) cg.iterate();
  m_x = (x + cg.estimate()).unsqueeze(1);
}

void PosteriorSampler::advance() {
  if (finished()) return;
  at::NoGradGuard ng;
  const int64_t k = m_x.size(0);
  const double sigma = sigmaAt(m_level);
  const double next = m_level + 1 < m_options.steps ? sigmaAt(m_level + 1) : 0.0;
  const auto sig = at::full({k}, sigma, m_x.options());
  // Corrector: Langevin steps at this level, step size from the target SNR.
  for (int c = 0; c < m_options.corrector; ++c) {
    const auto grad = m_prior->score(m_x, sig);
    const auto z = noise(m_x.sizes());
    const auto gn = grad.flatten(1).norm(2, 1).mean().item<double>();
    const auto zn = z.flatten(1).norm(2, 1).mean().item<double>();
    const double eps = 2 * std::pow(m_options.snr * zn / std::max(gn, 1e-12), 2);
    m_x = m_x + eps * grad + std::sqrt(2 * eps) * z;
  }
  // Predictor: one reverse-diffusion (ancestral) step of the VE SDE to `next`.
  const double var = sigma * sigma - next * next;
  const auto grad = m_prior->score(m_x, sig);
  m_x = m_x + var * grad;
  if (next > 0) m_x = m_x + std::sqrt(var) * noise(m_x.sizes());
  static const bool finalDc = std::getenv("GENLAB_FINALDC") ? std::atoi(std::getenv("GENLAB_FINALDC")) : 1;
  if (m_options.dcIterations > 0 && (next > 0 || finalDc)) dataConsistency(next);
  if (m_options.nonNegative && next == 0) m_x.clamp_min_(0);
  ++m_level;
}

at::Tensor PosteriorSampler::samples() const { return m_x.squeeze(1); }

at::Tensor PosteriorSampler::mean() const { return m_x.squeeze(1).mean(0); }

at::Tensor PosteriorSampler::stddev() const {
  if (m_x.size(0) < 2) return at::zeros_like(mean());
  return m_x.squeeze(1).std(0, /*unbiased=*/true);
}

}  // namespace genlab::core::ct
