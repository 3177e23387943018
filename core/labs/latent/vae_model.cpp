#include "core/labs/latent/vae_model.h"

#include <torch/nn/functional/activation.h>

#include <cmath>
#include <stdexcept>

namespace genlab::core::latent {

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

}  // namespace genlab::core::latent
