#include "core/labs/toy2d/toy2d_torch.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/functional/activation.h>

#include <algorithm>
#include <cmath>

namespace genlab::core::toy2d {

MlpImpl::MlpImpl(int inputs, int hidden, int layers, int outputs, Activation a) : act(a) {
  int in = inputs;
  for (int l = 0; l <= layers; ++l) {
    const int out = l < layers ? hidden : outputs;
    fcs.push_back(register_module("fc" + std::to_string(l), torch::nn::Linear(in, out)));
    in = out;
  }
}

torch::Tensor MlpImpl::forward(torch::Tensor x) {
  const std::size_t last = fcs.size() - 1;
  for (std::size_t l = 0; l < last; ++l) {
    x = fcs[l]->forward(x);
    switch (act) {
      case Activation::Relu: x = torch::relu(x); break;
      case Activation::Silu: x = torch::silu(x); break;
      case Activation::Tanh: x = torch::tanh(x); break;
    }
  }
  return fcs[last]->forward(x);
}

FlatOptimizer::FlatOptimizer(torch::nn::Module& module, const std::string& kind, double lr,
                             double beta1, double beta2)
    : m_core(kind, lr, beta1, beta2), m_adam(kind == "adam"), m_b1(beta1), m_b2(beta2) {
  auto params = module.parameters();
  TORCH_CHECK(!params.empty(), "model has no parameters");
  int64_t total = 0;
  for (auto& p : params) total += p.numel();
  auto opts = params.front().options().requires_grad(false);
  m_params = torch::empty({total}, opts);
  m_grads = torch::zeros({total}, opts);
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
  if (m_params.is_cpu() && m_params.scalar_type() == torch::kFloat) {
    m_core.step(m_params.data_ptr<float>(), m_grads.data_ptr<float>(),
                static_cast<std::size_t>(m_params.numel()));
    return;
  }
  const double lr = m_core.lr();
  if (!m_adam) {
    m_params.add_(m_grads, -lr);
    return;
  }
  if (!m_m.defined()) {
    m_m = torch::zeros_like(m_params);
    m_v = torch::zeros_like(m_params);
  }
  ++m_t;
  const double bc1 = 1.0 - std::pow(m_b1, double(m_t));
  const double bc2 = 1.0 - std::pow(m_b2, double(m_t));
  m_m.mul_(m_b1).add_(m_grads, 1 - m_b1);
  m_v.mul_(m_b2).addcmul_(m_grads, m_grads, 1 - m_b2);
  auto denom = (m_v.sqrt() / std::sqrt(bc2)).add_(1e-8);
  m_params.addcdiv_(m_m, denom, -lr / bc1);
}

ParamAverage::ParamAverage(torch::Tensor params, double decay)
    : m_params(std::move(params)), m_decay(decay) {
  torch::NoGradGuard ng;
  m_avg = m_params.detach().clone();
}

void ParamAverage::update() {
  torch::NoGradGuard ng;
  ++m_n;
  const double d = std::min(m_decay, (1.0 + double(m_n)) / (10.0 + double(m_n)));
  m_avg.mul_(d).add_(m_params, 1 - d);
}

ParamAverage::Use::Use(ParamAverage& a) : m_a(a) {
  torch::NoGradGuard ng;
  m_saved = m_a.m_params.clone();
  m_a.m_params.copy_(m_a.m_avg);
}

ParamAverage::Use::~Use() {
  torch::NoGradGuard ng;
  m_a.m_params.copy_(m_saved);
}

torch::Tensor toTensor(const std::vector<float>& v, int cols, c10::Device dev) {
  const int64_t n = static_cast<int64_t>(v.size()) / cols;
  auto t = torch::from_blob(const_cast<float*>(v.data()), {n, cols}, torch::kFloat).clone();
  return dev.is_cpu() ? t : t.to(dev);
}

std::vector<float> toVector(const torch::Tensor& t) {
  auto c = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

at::Generator makeGenerator(std::uint64_t seed) {
  return at::make_generator<at::CPUGeneratorImpl>(seed);
}

torch::Tensor randn(at::IntArrayRef sizes, at::Generator& gen, c10::Device dev) {
  auto t = at::randn(sizes, gen, torch::TensorOptions().dtype(torch::kFloat));
  return dev.is_cpu() ? t : t.to(dev);
}

torch::Tensor rand(at::IntArrayRef sizes, at::Generator& gen, c10::Device dev) {
  auto t = at::rand(sizes, gen, torch::TensorOptions().dtype(torch::kFloat));
  return dev.is_cpu() ? t : t.to(dev);
}

}  // namespace genlab::core::toy2d
