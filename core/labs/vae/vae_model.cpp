#include "core/labs/vae/vae_model.h"

#include "core/labs/vae/adam_kernel.h"

#include <ATen/Parallel.h>
#include <torch/nn/functional/activation.h>

#include <cmath>
#include <stdexcept>

namespace genlab::core::vae {

namespace F = torch::nn::functional;

MlpVaeImpl::MlpVaeImpl(int inputDim, int hidden, int latentDim) : latent(latentDim) {
  fc1 = register_module("fc1", torch::nn::Linear(inputDim, hidden));
  fcMuLogvar = register_module("fc2", torch::nn::Linear(hidden, 2 * latentDim));
  fc3 = register_module("fc3", torch::nn::Linear(latentDim, hidden));
  fc4 = register_module("fc4", torch::nn::Linear(hidden, inputDim));
  // Two separate heads (mean, log-variance) would each get PyTorch's default
  // init with fan-in `hidden`; the fused head has the same fan-in, so the
  // default init of the fused layer is the same distribution.
}

torch::Tensor MlpVaeImpl::encodeStats(const torch::Tensor& x) {
  return fcMuLogvar(torch::relu(fc1(x)));
}

torch::Tensor MlpVaeImpl::decodeLogits(const torch::Tensor& z) {
  return fc4(torch::relu(fc3(z)));
}

ConvVaeImpl::ConvVaeImpl(int h, int w, int hidden, int latentDim)
    : height(h), width(w), latent(latentDim) {
  if (h % 4 != 0 || w % 4 != 0 || h < 4 || w < 4)
    throw std::invalid_argument("the convolutional VAE needs image sides divisible by 4 (got " +
                                std::to_string(h) + "x" + std::to_string(w) + ")");
  const int flat = 64 * (h / 4) * (w / 4);
  using torch::nn::Conv2dOptions;
  using torch::nn::ConvTranspose2dOptions;
  c1 = register_module("c1", torch::nn::Conv2d(Conv2dOptions(1, 32, 4).stride(2).padding(1)));
  c2 = register_module("c2", torch::nn::Conv2d(Conv2dOptions(32, 64, 4).stride(2).padding(1)));
  encFc = register_module("enc_fc", torch::nn::Linear(flat, hidden));
  encHead = register_module("enc_head", torch::nn::Linear(hidden, 2 * latentDim));
  decFc1 = register_module("dec_fc1", torch::nn::Linear(latentDim, hidden));
  decFc2 = register_module("dec_fc2", torch::nn::Linear(hidden, flat));
  d1 = register_module(
      "d1", torch::nn::ConvTranspose2d(ConvTranspose2dOptions(64, 32, 4).stride(2).padding(1)));
  d2 = register_module(
      "d2", torch::nn::ConvTranspose2d(ConvTranspose2dOptions(32, 1, 4).stride(2).padding(1)));
}

torch::Tensor ConvVaeImpl::encodeStats(const torch::Tensor& x) {
  auto h = x.view({-1, 1, height, width});
  h = torch::relu(c1(h));
  h = torch::relu(c2(h));
  h = torch::relu(encFc(h.flatten(1)));
  return encHead(h);
}

torch::Tensor ConvVaeImpl::decodeLogits(const torch::Tensor& z) {
  auto h = torch::relu(decFc1(z));
  h = torch::relu(decFc2(h)).view({-1, 64, height / 4, width / 4});
  h = torch::relu(d1(h));
  return d2(h).flatten(1);
}

FlatAdam::FlatAdam(torch::nn::Module& module, double lr, double beta1, double beta2, double eps)
    : m_lr(lr), m_b1(beta1), m_b2(beta2), m_eps(eps) {
  auto params = module.parameters();
  int64_t total = 0;
  for (auto& p : params) total += p.numel();
  TORCH_CHECK(!params.empty(), "model has no parameters");
  auto opts = params.front().options().requires_grad(false);
  m_params = torch::empty({total}, opts);
  m_grads = torch::zeros({total}, opts);
  m_m = torch::zeros({total}, opts);
  m_v = torch::zeros({total}, opts);
  int64_t off = 0;
  torch::NoGradGuard ng;
  for (auto& p : params) {
    const auto n = p.numel();
    auto pv = m_params.narrow(0, off, n).view(p.sizes());
    pv.copy_(p);
    // Keep the parameter's autograd identity but move its storage into the
    // flat buffer; do the same for its gradient, which autograd then
    // accumulates into in place.
    p.set_data(pv);
    p.mutable_grad() = m_grads.narrow(0, off, n).view(p.sizes());
    off += n;
  }
}

void FlatAdam::zeroGrad() { m_grads.zero_(); }

void FlatAdam::step() {
  ++m_step;
  const double bc1 = 1.0 - std::pow(m_b1, static_cast<double>(m_step));
  const double bc2 = 1.0 - std::pow(m_b2, static_cast<double>(m_step));
  const double stepSize = m_lr / bc1;
  const double bc2Sqrt = std::sqrt(bc2);
  torch::NoGradGuard ng;
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

}  // namespace genlab::core::vae
