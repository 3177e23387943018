#include "core/labs/ct/score_sampler.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "core/labs/ct/solvers.h"

namespace genlab::core::ct {

at::Tensor cglsCorrection(const physics::LinearOperator& op, const at::Tensor& x,
                          const at::Tensor& target, int iterations) {
  at::NoGradGuard ng;
  if (iterations <= 0) return x;
  ConjugateGradientNormal cg(op, target - op.forwardRaw(x));
  for (int i = 0; i < iterations; ++i) cg.iterate();
  return x + cg.estimate();
}

at::Tensor applyDihedral(const at::Tensor& x, int g) {
  const auto turned = at::rot90(x, g % 4, {-2, -1});
  return g >= 4 ? turned.flip({-1}) : turned;
}

at::Tensor undoDihedral(const at::Tensor& x, int g) {
  const auto unflipped = g >= 4 ? x.flip({-1}) : x;
  return at::rot90(unflipped, -(g % 4), {-2, -1});
}

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
  if (options.scheme != "dds" && options.scheme != "pc")
    throw std::invalid_argument("the posterior sampler must be 'dds' or 'pc', not '" +
                                options.scheme + "'");
  if (!(options.sigmaMin > 0 && options.sigmaMin <= options.sigmaMax))
    throw std::invalid_argument("the sampler needs 0 < sigma_min <= sigma_max");
  if (!(options.eta >= 0 && options.eta <= 1))
    throw std::invalid_argument("eta must be in [0, 1]");
  at::NoGradGuard ng;
  m_y = m_y.to(m_prior->device(), at::kFloat);
  if (options.measurementStd.defined()) {
    const auto std = options.measurementStd.to(m_prior->device(), at::kFloat);
    // Noiseless data (std 0 somewhere) has no finite weights: plain CGLS then.
    if (std.numel() > 0 && std.min().item<double>() > 0) m_weights = 1.0 / std;
  }
  if (!(options.tweedieError > 0)) throw std::invalid_argument("the Tweedie error factor must be positive");
  const int64_t k = options.samples, h = shape[0], w = shape[1];
  auto start = init.defined() ? init.to(m_prior->device(), at::kFloat).view({1, 1, h, w})
                              : at::full({1, 1, h, w}, ScorePrior::kCentre, m_y.options());
  m_x0 = start.expand({k, 1, h, w}).clone();
  m_x = m_x0 + options.sigmaMax * noise({k, 1, h, w});
}

at::Tensor PosteriorSampler::noise(at::IntArrayRef sizes) {
  return at::randn(sizes, m_gen, at::TensorOptions().dtype(at::kFloat)).to(m_prior->device());
}

bool PosteriorSampler::denoisePart(double sigma) {
  const int64_t k = m_x.size(0);
  if (m_chain == 0) {
    m_denoised = at::empty_like(m_x);
    m_turns.clear();
    if (m_options.symmetric) {
      auto g = at::randint(8, {k}, m_gen, at::TensorOptions().dtype(at::kLong));
      // A non-square image keeps its shape only under the even elements
      // (identity, half turn, and the flips with and without it).
      if (m_x.size(-1) != m_x.size(-2)) g = g - g.remainder(2);
      const auto* gs = g.data_ptr<int64_t>();
      m_turns.assign(gs, gs + k);
    }
  }
  // kChainsPerPart chains per call (a lone image costs the denoiser about
  // what two do: see score_sampler.h).
  const int64_t c0 = m_chain, n = std::min<int64_t>(kChainsPerPart, k - m_chain);
  const auto sig = at::full({n}, sigma, m_x.options());
  if (m_turns.empty()) {
    m_denoised.narrow(0, c0, n).copy_(m_prior->denoise(m_x.narrow(0, c0, n), sig));
  } else {
    std::vector<at::Tensor> turned;
    for (int64_t c = c0; c < c0 + n; ++c)
      turned.push_back(applyDihedral(m_x[c], static_cast<int>(m_turns[static_cast<std::size_t>(c)])));
    const auto d = m_prior->denoise(at::stack(turned), sig);
    for (int64_t c = c0; c < c0 + n; ++c)
      m_denoised[c].copy_(undoDihedral(d[c - c0], static_cast<int>(m_turns[static_cast<std::size_t>(c)])));
  }
  m_chain += n;
  if (m_chain < k) return false;
  m_chain = 0;
  return true;
}

double PosteriorSampler::sigmaAt(int i) const {
  if (m_options.steps == 1) return m_options.sigmaMax;
  const double t = double(i) / (m_options.steps - 1);
  return m_options.sigmaMax * std::pow(m_options.sigmaMin / m_options.sigmaMax, t);
}

void PosteriorSampler::advance() {
  if (finished()) return;
  while (!advancePart()) {
  }
}

bool PosteriorSampler::advancePart() {
  if (finished()) return true;
  at::NoGradGuard ng;
  const double sigma = sigmaAt(m_level);
  const double next = m_level + 1 < m_options.steps ? sigmaAt(m_level + 1) : 0.0;
  if (!m_cg && !denoisePart(sigma)) return false;
  if (m_options.scheme == "pc") {
    if (m_call < m_options.corrector) {
      correctPc(sigma);
      ++m_call;
      return false;
    }
    m_call = 0;
    predictPc(sigma, next);
  } else {
    // The consistency step's CG iterations, one per part (each a forward
    // and an adjoint projection of every chain), then the re-noising.
    if (!m_cg) {
      const int iters = next > 0 ? m_options.dcIterations
                                 : (m_options.finalIterations >= 0 ? m_options.finalIterations
                                                                   : m_options.dcIterations);
      m_cgLeft = iters;
      m_cg = consistency(m_denoised.squeeze(1), sigma);
    }
    if (m_cgLeft > 0) {
      m_cg->iterate();
      if (--m_cgLeft > 0) return false;
    }
    advanceDds(sigma, next);
    m_cg.reset();
  }
  m_denoised = at::Tensor();
  ++m_level;
  return true;
}

std::unique_ptr<ConjugateGradientNormal> PosteriorSampler::consistency(const at::Tensor& x0,
                                                                     double sigma) const {
  if (!m_weights.defined())  // plain CGLS on A d = y - A x0 from d = 0
    return std::make_unique<ConjugateGradientNormal>(m_op, m_y - m_op.forwardRaw(x0));
  const double trust = m_options.tweedieError * sigma;
  return std::make_unique<ConjugateGradientNormal>(m_op, m_y - m_op.forwardRaw(x0), m_weights,
                                                   1.0 / (trust * trust));
}

void PosteriorSampler::advanceDds(double sigma, double next) {
  const auto& x0 = m_denoised;
  // m_cg has run its iterations (none: x0 as it is).
  auto x0dc = (x0.squeeze(1) + m_cg->estimate()).unsqueeze(1);
  if (m_options.nonNegative) x0dc.clamp_min_(0);
  m_x0 = x0dc;
  if (next > 0) {
    const auto eps = (m_x - x0) / sigma;
    const double eta = m_options.eta;
    m_x = x0dc + next * std::sqrt(1 - eta * eta) * eps;
    if (eta > 0) m_x = m_x + next * eta * noise(m_x.sizes());
  } else {
    m_x = x0dc;
  }
}

// A Langevin corrector step at this level, from the denoiser's output on
// m_x, with its step size from the target signal-to-noise ratio.
void PosteriorSampler::correctPc(double sigma) {
  const auto grad = (m_denoised - m_x) / (sigma * sigma);
  const auto z = noise(m_x.sizes());
  const auto gn = grad.flatten(1).norm(2, 1).mean().item<double>();
  const auto zn = z.flatten(1).norm(2, 1).mean().item<double>();
  const double eps = 2 * std::pow(m_options.snr * zn / std::max(gn, 1e-12), 2);
  m_x = m_x + eps * grad + std::sqrt(2 * eps) * z;
}

void PosteriorSampler::predictPc(double sigma, double next) {
  // Predictor: one reverse-diffusion (ancestral) step of the VE SDE to `next`.
  const double var = sigma * sigma - next * next;
  const auto grad = (m_denoised - m_x) / (sigma * sigma);
  m_x = m_x + var * grad;
  if (next > 0) m_x = m_x + std::sqrt(var) * noise(m_x.sizes());
  // Each chain is pulled toward its own noised copy of the measurement. The
  // last predictor step is the denoiser's estimate D(x; sigma_min); by default
  // it is the output, since consistency with the raw noisy data after it puts
  // the measurement noise back (-1.2 dB on sparse view, tuning seeds).
  const int iters = next > 0 ? m_options.dcIterations : std::max(m_options.finalIterations, 0);
  if (iters > 0) {
    const auto x = m_x.squeeze(1);
    auto target = m_y.unsqueeze(0).expand_as(m_op.forwardRaw(x)).clone();
    if (next > 0) target = target + next * m_op.forwardRaw(noise(x.sizes()));
    m_x = cglsCorrection(m_op, x, target, iters).unsqueeze(1);
  }
  if (m_options.nonNegative && next == 0) m_x.clamp_min_(0);
  m_x0 = m_x;
}

at::Tensor PosteriorSampler::samples() const { return m_x0.squeeze(1); }

at::Tensor PosteriorSampler::mean() const { return m_x0.squeeze(1).mean(0); }

at::Tensor PosteriorSampler::stddev() const {
  if (m_x0.size(0) < 2) return at::zeros_like(mean());
  return m_x0.squeeze(1).std(0, /*unbiased=*/true);
}

}  // namespace genlab::core::ct
