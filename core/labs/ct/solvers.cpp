#include "core/labs/ct/solvers.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace genlab::core::ct {

namespace {
// Per-problem sum over the operator's trailing dims, kept broadcastable.
at::Tensor batchDot(const at::Tensor& a, const at::Tensor& b, int64_t trailing) {
  std::vector<int64_t> dims;
  for (int64_t d = a.dim() - trailing; d < a.dim(); ++d) dims.push_back(d);
  return (a * b).sum(dims, /*keepdim=*/true);
}

at::Tensor safeInverse(const at::Tensor& t) {
  return at::where(t.abs() > 1e-8, 1.0 / t, at::zeros_like(t));
}
}  // namespace

Sirt::Sirt(const physics::LinearOperator& op, at::Tensor y, bool nonNegative, double relaxation)
    : m_op(op), m_y(std::move(y)), m_nonNegative(nonNegative), m_relaxation(relaxation) {
  at::NoGradGuard ng;
  auto opts = m_y.options();
  m_rowScale = safeInverse(op.forwardRaw(at::ones(op.imageShape(), opts)));
  m_colScale = safeInverse(op.adjointRaw(at::ones(op.measurementShape(), opts)));
  m_x = at::zeros(physics::withBatch(m_y, op.measurementShape().size(), op.imageShape()), opts);
}

void Sirt::iterate() {
  at::NoGradGuard ng;
  const auto residual = (m_y - m_op.forwardRaw(m_x)) * m_rowScale;
  m_x = m_x + m_relaxation * m_colScale * m_op.adjointRaw(residual);
  if (m_nonNegative) m_x.clamp_min_(0);
  ++m_iterations;
}

void gradient2d(const at::Tensor& x, at::Tensor& gx, at::Tensor& gy) {
  gx = at::constant_pad_nd(x.narrow(-1, 1, x.size(-1) - 1) - x.narrow(-1, 0, x.size(-1) - 1),
                           {0, 1}, 0);
  gy = at::constant_pad_nd(x.narrow(-2, 1, x.size(-2) - 1) - x.narrow(-2, 0, x.size(-2) - 1),
                           {0, 0, 0, 1}, 0);
}

at::Tensor divergence2d(const at::Tensor& gx, const at::Tensor& gy) {
  // -grad^T: backward differences of the fields, whose last entries are unused.
  const int64_t w = gx.size(-1), h = gy.size(-2);
  const auto px = gx.narrow(-1, 0, w - 1), py = gy.narrow(-2, 0, h - 1);
  const auto dx = at::constant_pad_nd(px, {0, 1}, 0) - at::constant_pad_nd(px, {1, 0}, 0);
  const auto dy = at::constant_pad_nd(py, {0, 0, 0, 1}, 0) - at::constant_pad_nd(py, {0, 0, 1, 0}, 0);
  return dx + dy;
}

TvChambollePock::TvChambollePock(const physics::LinearOperator& op, at::Tensor y, double lambda,
                                 bool nonNegative, bool preconditioned)
    : m_op(op), m_y(std::move(y)), m_lambda(lambda), m_nonNegative(nonNegative) {
  if (!(lambda >= 0)) throw std::invalid_argument("the TV weight must not be negative");
  at::NoGradGuard ng;
  const auto opts = m_y.options();
  m_normA = physics::operatorNorm(op, 30, 11, m_y.device(), m_y.scalar_type());
  if (preconditioned) {
    // |K| row sums: A's rows (A >= 0 for CT; |A| in general) and 2 per
    // gradient row; column sums: A's columns plus up to 4 gradient entries.
    const auto ones = at::ones(op.imageShape(), opts);
    auto rowSums = op.forwardRaw(ones).abs();
    // The gradient block is scaled by mu (K = [A; mu grad], the TV weight
    // divided by mu: the same problem) so that both blocks weigh equally in
    // the primal steps: mu = mean column sum of |A| / 4. Measured on a 90-degree
    // arc at 128 px, this reaches in 300 iterations what mu = 1 does in 5000.
    auto colA = op.adjointRaw(at::ones(op.measurementShape(), opts)).abs();
    const double mu = std::max(colA.mean().item<double>() / 4, 1e-3);
    auto colSums = colA + 4 * mu;
    m_sigmaData = safeInverse(rowSums);
    m_tau = 1.0 / colSums;
    m_sigmaGrad = 0.5 * mu;
  } else {
    // ||K||^2 = ||A^T A + grad^T grad|| by power iteration; sigma = tau = 0.99 / ||K||.
    auto gen = at::make_generator<at::CPUGeneratorImpl>(13);
    auto v = (at::rand(op.imageShape(), gen, at::TensorOptions().dtype(m_y.scalar_type())) - 0.5)
                 .to(m_y.device());
    double normK = 1;
    for (int i = 0; i < 30; ++i) {
      v = v / v.norm();
      at::Tensor gx, gy;
      gradient2d(v, gx, gy);
      const auto ktk = op.adjointRaw(op.forwardRaw(v)) - divergence2d(gx, gy);
      normK = std::sqrt(ktk.norm().item<double>());
      v = ktk;
    }
    m_sigmaData = at::full({}, 0.99 / normK, opts);
    m_tau = at::full({}, 0.99 / normK, opts);
    m_sigmaGrad = 0.99 / normK;
  }
  m_x = at::zeros(physics::withBatch(m_y, op.measurementShape().size(), op.imageShape()), opts);
  m_xBar = m_x.clone();
  m_p = at::zeros_like(m_y);
  m_qx = at::zeros_like(m_x);
  m_qy = at::zeros_like(m_x);
}

void TvChambollePock::iterate() {
  at::NoGradGuard ng;
  // The same minimiser, scaled by c = ||A||^2: 1/2 |A x - y|^2 + c lambda TV(x),
  // so that the data term's prox is well conditioned for any operator scale.
  const double weight = m_lambda * m_normA * m_normA;
  m_p = (m_p + m_sigmaData * (m_op.forwardRaw(m_xBar) - m_y)) / (1 + m_sigmaData);
  // Dual step for weight * |grad x|_{2,1}: projection onto |q| <= weight.
  at::Tensor gx, gy;
  gradient2d(m_xBar, gx, gy);
  m_qx = m_qx + m_sigmaGrad * gx;
  m_qy = m_qy + m_sigmaGrad * gy;
  if (weight > 0) {
    const auto scale = at::clamp_min(at::sqrt(m_qx * m_qx + m_qy * m_qy) / weight, 1.0);
    m_qx = m_qx / scale;
    m_qy = m_qy / scale;
  } else {
    m_qx.zero_();
    m_qy.zero_();
  }
  // Primal step and over-relaxation.
  auto x = m_x - m_tau * (m_op.adjointRaw(m_p) - divergence2d(m_qx, m_qy));
  if (m_nonNegative) x.clamp_min_(0);
  m_xBar = 2 * x - m_x;
  m_x = x;
  ++m_iterations;
}

ConjugateGradientNormal::ConjugateGradientNormal(const physics::LinearOperator& op, at::Tensor b,
                                                 at::Tensor weights, double damping)
    : m_op(op), m_w(std::move(weights)), m_damping(damping) {
  if (!(damping >= 0)) throw std::invalid_argument("CGLS damping must not be negative");
  at::NoGradGuard ng;
  const auto trailingX = static_cast<int64_t>(op.imageShape().size());
  if (m_w.defined()) m_w = m_w.to(b.device(), b.scalar_type());
  m_b = weigh(b);
  m_z = at::zeros(physics::withBatch(m_b, op.measurementShape().size(), op.imageShape()),
                  m_b.options());
  m_r = m_b.clone();
  m_s = op.adjointRaw(weigh(m_r));
  m_p = m_s.clone();
  m_gamma = batchDot(m_s, m_s, trailingX);
  m_s0 = std::sqrt(m_gamma.sum().item<double>());
}

at::Tensor ConjugateGradientNormal::weigh(const at::Tensor& r) const {
  return m_w.defined() ? r * m_w : r;
}

void ConjugateGradientNormal::iterate() {
  at::NoGradGuard ng;
  const auto trailingB = static_cast<int64_t>(m_op.measurementShape().size());
  const auto trailingX = static_cast<int64_t>(m_op.imageShape().size());
  const auto q = weigh(m_op.forwardRaw(m_p));
  auto qq = batchDot(q, q, trailingB);
  qq = qq.reshape(physics::withBatch(qq, trailingB, std::vector<int64_t>(trailingX, 1)));
  if (m_damping > 0) qq = qq + m_damping * batchDot(m_p, m_p, trailingX);
  const auto alpha = at::where(qq > 0, m_gamma / qq, at::zeros_like(qq));
  const auto alphaB = alpha.reshape(physics::withBatch(alpha, trailingX, std::vector<int64_t>(trailingB, 1)));
  m_z = m_z + alpha * m_p;
  m_r = m_r - alphaB * q;
  m_s = m_op.adjointRaw(weigh(m_r));
  if (m_damping > 0) m_s = m_s - m_damping * m_z;
  const auto gammaNew = batchDot(m_s, m_s, trailingX);
  const auto beta = at::where(m_gamma > 0, gammaNew / m_gamma, at::zeros_like(m_gamma));
  m_p = m_s + beta * m_p;
  m_gamma = gammaNew;
  ++m_iterations;
}

double ConjugateGradientNormal::residual() const {
  const double nb = m_b.norm().item<double>();
  return nb > 0 ? m_r.norm().item<double>() / nb : 0.0;
}

double ConjugateGradientNormal::normalResidual() const {
  return m_s0 > 0 ? std::sqrt(m_gamma.sum().item<double>()) / m_s0 : 0.0;
}

NullspaceSplit nullspaceSplit(const physics::LinearOperator& op, const at::Tensor& x,
                              int maxIterations, double tolerance,
                              const std::function<bool()>& stop) {
  at::NoGradGuard ng;
  const auto ax = op.forwardRaw(x);
  ConjugateGradientNormal cg(op, ax);
  NullspaceSplit out;
  while (cg.iterations() < maxIterations && cg.normalResidual() > tolerance) {
    if (stop && stop()) {
      out.stopped = true;
      break;
    }
    cg.iterate();
  }
  out.rowSpace = cg.estimate();
  out.nullSpace = x - out.rowSpace;
  out.iterations = cg.iterations();
  out.measuredResidual = cg.residual();
  return out;
}

}  // namespace genlab::core::ct
