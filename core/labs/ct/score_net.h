#pragma once
// The noise-conditional denoiser behind the score prior (core-internal).
//
// A small U-Net sized for 2 CPU cores: the input is folded 2x2 into channels
// (pixel unshuffle), four levels (64, 32, 16, 8 px at 128 px input) with one
// residual block each way and two at the bottom, skip connections by
// addition, and the noise level injected into every block as a scale and
// shift (FiLM) of Fourier features of log sigma. Wrapped in the
// preconditioning of Karras et al. (2022, "EDM"):
//   D(x; sigma) = c_skip x + c_out F(c_in x; log sigma / 4)
// so the network's target has unit variance at every noise level. The score
// of the noised data density is (D(x; sigma) - x) / sigma^2.
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/container/modulelist.h>

namespace genlab::core::ct {

struct ResBlockImpl : torch::nn::Module {
  ResBlockImpl(int channels, int embedDim);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& emb);
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::Linear film{nullptr};
};
TORCH_MODULE(ResBlock);

struct ScoreNetImpl : torch::nn::Module {
  // `channels`: width of the top level; deeper levels use 2x, 3x, 4x.
  explicit ScoreNetImpl(int channels, double sigmaData = 0.5);
  // x: (B, 1, H, W) in the prior's centred units, sigma: (B). H, W % 16 == 0.
  torch::Tensor denoise(const torch::Tensor& x, const torch::Tensor& sigma);
  torch::Tensor raw(const torch::Tensor& xIn, const torch::Tensor& logSigma);  // F
  double sigmaData;
  int embedDim = 64;
  torch::nn::Linear embed1{nullptr}, embed2{nullptr};
  torch::nn::Conv2d inConv{nullptr}, outConv{nullptr};
  torch::nn::ModuleList down{nullptr}, up{nullptr}, downConv{nullptr}, upConv{nullptr};
  torch::nn::ModuleList mid{nullptr};
};
TORCH_MODULE(ScoreNet);

}  // namespace genlab::core::ct
