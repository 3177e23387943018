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
