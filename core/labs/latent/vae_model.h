#pragma once
// VAE networks (core-internal; includes torch). Encoders output the mean and
// log-variance of a diagonal Gaussian; decoders output Bernoulli logits.
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <utility>

#include "core/nn/flat_optimizer.h"

namespace genlab::core::latent {

struct VaeNetImpl : torch::nn::Module {
  // [mu | logvar] side by side, B x 2d.
  virtual torch::Tensor encodeStats(const torch::Tensor& x) = 0;
  std::pair<torch::Tensor, torch::Tensor> encode(const torch::Tensor& x) {
    auto out = encodeStats(x);
    const auto d = out.size(1) / 2;
    return {out.narrow(1, 0, d), out.narrow(1, d, d)};
  }
  virtual torch::Tensor decodeLogits(const torch::Tensor& z) = 0;
};

// 784-400-(z) encoder and (z)-400-784 decoder, ReLU; the mean and
// log-variance heads share one matrix multiply (same model as two heads).
struct MlpVaeImpl : VaeNetImpl {
  MlpVaeImpl(int inputDim, int hidden, int latent);
  torch::Tensor encodeStats(const torch::Tensor& x) override;
  torch::Tensor decodeLogits(const torch::Tensor& z) override;
  int latent;
  torch::nn::Linear fc1{nullptr}, fcMuLogvar{nullptr}, fc3{nullptr}, fc4{nullptr};
};

// Two stride-2 convolutions down, two transposed convolutions up.
// Needs image sides divisible by 4.
struct ConvVaeImpl : VaeNetImpl {
  ConvVaeImpl(int height, int width, int hidden, int latent);
  torch::Tensor encodeStats(const torch::Tensor& x) override;
  torch::Tensor decodeLogits(const torch::Tensor& z) override;
  int height, width, latent;
  torch::nn::Conv2d c1{nullptr}, c2{nullptr};
  torch::nn::Linear encFc{nullptr}, encHead{nullptr}, decFc1{nullptr}, decFc2{nullptr};
  torch::nn::ConvTranspose2d d1{nullptr}, d2{nullptr};
};

// Adam over all parameters at once (core/nn/flat_optimizer.h).
using FlatAdam = nn::FlatOptimizer;

}  // namespace genlab::core::latent
