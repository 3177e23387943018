#include "core/nn/flat_optimizer.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <stdexcept>

#include "core/nn/adam_kernel.h"

namespace genlab::core::nn {

FlatOptimizer::FlatOptimizer(torch::nn::Module& module, const std::string& kind, double lr,
                             double beta1, double beta2, double eps)
    : m_adam(kind == "adam"), m_lr(lr), m_b1(beta1), m_b2(beta2), m_eps(eps) {
  if (kind != "adam" && kind != "sgd")
    throw std::invalid_argument("optimizer must be 'adam' or 'sgd', not '" + kind + "'");
  auto params = module.parameters();
  TORCH_CHECK(!params.empty(), "model has no parameters");
  int64_t total = 0;
  for (auto& p : params) total += p.numel();
  auto opts = params.front().options().requires_grad(false);
  m_params = torch::empty({total}, opts);
  m_grads = torch::zeros({total}, opts);
  if (m_adam) {
    m_m = torch::zeros({total}, opts);
    m_v = torch::zeros({total}, opts);
  }
  torch::NoGradGuard ng;
  int64_t off = 0;
  for (auto& p : params) {
    const auto n = p.numel();
    auto pv = m_params.narrow(0, off, n).view(p.sizes());
    pv.copy_(p);
    // Keep each parameter's autograd identity but move its storage (and its
    // gradient's, which autograd then accumulates into in place) into the
    // flat buffers.
    p.set_data(pv);
    p.mutable_grad() = m_grads.narrow(0, off, n).view(p.sizes());
    off += n;
  }
}

void FlatOptimizer::step() {
  torch::NoGradGuard ng;
  if (!m_adam) {
    m_params.add_(m_grads, -m_lr);
    return;
  }
  ++m_step;
  const double bc1 = 1.0 - std::pow(m_b1, static_cast<double>(m_step));
  const double bc2Sqrt = std::sqrt(1.0 - std::pow(m_b2, static_cast<double>(m_step)));
  const double stepSize = m_lr / bc1;
  if (m_params.is_cpu() && m_params.scalar_type() == torch::kFloat) {
    const AdamCoefficients c{static_cast<float>(m_b1), static_cast<float>(m_b2),
                             static_cast<float>(stepSize), static_cast<float>(1.0 / bc2Sqrt),
                             static_cast<float>(m_eps)};
    float* p = m_params.data_ptr<float>();
    const float* g = m_grads.data_ptr<float>();
    float* m = m_m.data_ptr<float>();
    float* v = m_v.data_ptr<float>();
    at::parallel_for(0, m_params.numel(), 1 << 16, [&](int64_t begin, int64_t end) {
      adamUpdate(p + begin, g + begin, m + begin, v + begin, end - begin, c);
    });
    return;
  }
  // Other devices: the same rule with tensor ops.
  m_m.mul_(m_b1).add_(m_grads, 1 - m_b1);
  m_v.mul_(m_b2).addcmul_(m_grads, m_grads, 1 - m_b2);
  auto denom = (m_v.sqrt() / bc2Sqrt).add_(m_eps);
  m_params.addcdiv_(m_m, denom, -stepSize);
}

}  // namespace genlab::core::nn
