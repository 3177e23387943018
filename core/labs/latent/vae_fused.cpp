#include "core/labs/latent/vae_fused.h"

#include <torch/csrc/autograd/custom_function.h>

#include <cmath>

#include "core/labs/latent/vae_math.h"

namespace genlab::core::latent {

namespace {
using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

bool fastPath(const at::Tensor& t) {
  return t.is_cpu() && t.scalar_type() == at::kFloat && t.is_contiguous();
}

struct BceLogitsSum : torch::autograd::Function<BceLogitsSum> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& logits,
                            const at::Tensor& target) {
    ctx->save_for_backward({logits, target});
    if (!fastPath(logits) || !fastPath(target))
      return at::binary_cross_entropy_with_logits(logits, target, {}, {}, at::Reduction::Sum);
    const float* x = logits.data_ptr<float>();
    const float* t = target.data_ptr<float>();
    double sum = 0;
    for (int64_t i = 0, n = logits.numel(); i < n; ++i) {
      // max(x, 0) - x t + log(1 + exp(-|x|)): never overflows.
      sum += std::max(x[i], 0.f) - x[i] * t[i] + std::log1p(std::exp(-std::abs(x[i])));
    }
    return at::scalar_tensor(sum, logits.options());
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto& logits = saved[0];
    const auto& target = saved[1];
    const auto& g = grads[0];
    if (!fastPath(logits) || !fastPath(target))
      return {(at::sigmoid(logits) - target) * g, at::Tensor()};
    auto out = at::empty_like(logits);
    const float gs = g.item<float>();
    const float* x = logits.data_ptr<float>();
    const float* t = target.data_ptr<float>();
    float* o = out.data_ptr<float>();
    for (int64_t i = 0, n = logits.numel(); i < n; ++i)
      o[i] = (1.f / (1.f + std::exp(-x[i])) - t[i]) * gs;
    return {out, at::Tensor()};
  }
};

struct GaussianLatent : torch::autograd::Function<GaussianLatent> {
  static tensor_list forward(AutogradContext* ctx, const at::Tensor& stats, const at::Tensor& eps) {
    ctx->save_for_backward({stats, eps});
    const int64_t d = eps.size(1);
    if (!fastPath(stats) || !fastPath(eps)) {
      auto mu = stats.narrow(1, 0, d), lv = stats.narrow(1, d, d);
      return {reparameterize(mu, lv, eps), klToStandardNormal(mu, lv).sum()};
    }
    const int64_t b = eps.size(0);
    auto z = at::empty_like(eps);
    const float* s = stats.data_ptr<float>();
    const float* e = eps.data_ptr<float>();
    float* zp = z.data_ptr<float>();
    double kl = 0;
    for (int64_t r = 0; r < b; ++r) {
      const float* mu = s + r * 2 * d;
      const float* lv = mu + d;
      for (int64_t j = 0; j < d; ++j) {
        const float sigma = std::exp(0.5f * lv[j]);
        zp[r * d + j] = mu[j] + sigma * e[r * d + j];
        kl += 0.5 * (double(mu[j]) * mu[j] + double(sigma) * sigma - 1.0 - lv[j]);
      }
    }
    return {z, at::scalar_tensor(kl, stats.options())};
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto& stats = saved[0];
    const auto& eps = saved[1];
    const int64_t d = eps.size(1);
    at::Tensor gz = grads[0].defined() ? grads[0] : at::zeros_like(eps);
    at::Tensor gk = grads[1].defined() ? grads[1] : at::zeros({}, stats.options());
    if (!fastPath(stats) || !fastPath(eps) || !fastPath(gz)) {
      auto mu = stats.narrow(1, 0, d), lv = stats.narrow(1, d, d);
      auto sigma = (0.5 * lv).exp();
      auto dmu = gz + gk * mu;
      auto dlv = 0.5 * gz * eps * sigma + 0.5 * gk * (lv.exp() - 1);
      return {at::cat({dmu, dlv}, 1), at::Tensor()};
    }
    const int64_t b = eps.size(0);
    auto out = at::empty_like(stats);
    const float k = gk.item<float>();
    const float* s = stats.data_ptr<float>();
    const float* e = eps.data_ptr<float>();
    const float* g = gz.data_ptr<float>();
    float* o = out.data_ptr<float>();
    for (int64_t r = 0; r < b; ++r) {
      const float* mu = s + r * 2 * d;
      const float* lv = mu + d;
      for (int64_t j = 0; j < d; ++j) {
        const float sigma = std::exp(0.5f * lv[j]);
        const float gzj = g[r * d + j];
        o[r * 2 * d + j] = gzj + k * mu[j];
        o[r * 2 * d + d + j] = 0.5f * gzj * e[r * d + j] * sigma + 0.5f * k * (sigma * sigma - 1.f);
      }
    }
    return {out, at::Tensor()};
  }
};
}  // namespace

at::Tensor bceWithLogitsSum(const at::Tensor& logits, const at::Tensor& target) {
  return BceLogitsSum::apply(logits, target);
}

std::pair<at::Tensor, at::Tensor> gaussianLatent(const at::Tensor& stats, const at::Tensor& eps) {
  auto out = GaussianLatent::apply(stats, eps);
  return {out[0], out[1]};
}

}  // namespace genlab::core::latent
