#include "core/labs/ct/score_net.h"

#include <ATen/ATen.h>
#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/pixelshuffle.h>

#include <cmath>
#include <stdexcept>

namespace genlab::core::ct {

namespace {
namespace F = torch::nn::functional;
using torch::nn::Conv2dOptions;
constexpr int kLevels = 4;
int levelWidth(int channels, int level) { return channels * (level + 1); }
}  // namespace

ResBlockImpl::ResBlockImpl(int channels, int embedDim) {
  conv1 = register_module("conv1", torch::nn::Conv2d(Conv2dOptions(channels, channels, 3).padding(1)));
  conv2 = register_module("conv2", torch::nn::Conv2d(Conv2dOptions(channels, channels, 3).padding(1)));
  film = register_module("film", torch::nn::Linear(embedDim, 2 * channels));
  // Start each block near the identity: training is short on a CPU.
  torch::NoGradGuard ng;
  conv2->weight.mul_(0.1);
}

torch::Tensor ResBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& emb) {
  auto h = conv1->forward(F::silu(x));
  const auto ss = film->forward(emb).unsqueeze(-1).unsqueeze(-1).chunk(2, 1);
  h = h * (1 + ss[0]) + ss[1];
  h = conv2->forward(F::silu(h));
  return x + h;
}

ScoreNetImpl::ScoreNetImpl(int channels, double sigmaData_) : sigmaData(sigmaData_) {
  embed1 = register_module("embed1", torch::nn::Linear(32, embedDim));
  embed2 = register_module("embed2", torch::nn::Linear(embedDim, embedDim));
  inConv = register_module("in_conv", torch::nn::Conv2d(Conv2dOptions(4, channels, 3).padding(1)));
  outConv = register_module("out_conv", torch::nn::Conv2d(Conv2dOptions(channels, 4, 3).padding(1)));
  down = register_module("down", torch::nn::ModuleList());
  up = register_module("up", torch::nn::ModuleList());
  downConv = register_module("down_conv", torch::nn::ModuleList());
  upConv = register_module("up_conv", torch::nn::ModuleList());
  mid = register_module("mid", torch::nn::ModuleList());
  for (int l = 0; l < kLevels; ++l) {
    const int c = levelWidth(channels, l);
    down->push_back(ResBlock(c, embedDim));
    up->push_back(ResBlock(c, embedDim));
    if (l + 1 < kLevels) {
      const int next = levelWidth(channels, l + 1);
      downConv->push_back(torch::nn::Conv2d(Conv2dOptions(c, next, 3).stride(2).padding(1)));
      upConv->push_back(torch::nn::Conv2d(Conv2dOptions(next, 4 * c, 3).padding(1)));
    }
  }
  mid->push_back(ResBlock(levelWidth(channels, kLevels - 1), embedDim));
  torch::NoGradGuard ng;
  outConv->weight.zero_();
  outConv->bias.zero_();
}

torch::Tensor ScoreNetImpl::raw(const torch::Tensor& xIn, const torch::Tensor& logSigma) {
  // Fourier features of the noise level, then a small MLP.
  auto freqs = at::exp(at::linspace(0, std::log(100.0), 16, xIn.options())).unsqueeze(0);
  auto arg = logSigma.view({-1, 1}) * freqs;
  auto emb = at::cat({at::sin(arg), at::cos(arg)}, 1);
  emb = embed2->forward(F::silu(embed1->forward(emb)));
  auto h = inConv->forward(F::pixel_unshuffle(xIn, F::PixelUnshuffleFuncOptions(2)));
  std::vector<torch::Tensor> skips;
  for (int l = 0; l < kLevels; ++l) {
    h = down[l]->as<ResBlock>()->forward(h, emb);
    skips.push_back(h);
    if (l + 1 < kLevels) h = downConv[l]->as<torch::nn::Conv2d>()->forward(F::silu(h));
  }
  h = mid[0]->as<ResBlock>()->forward(h, emb);
  for (int l = kLevels - 1; l >= 0; --l) {
    if (l + 1 < kLevels) {
      h = upConv[l]->as<torch::nn::Conv2d>()->forward(F::silu(h));
      h = F::pixel_shuffle(h, F::PixelShuffleFuncOptions(2));
    }
    h = up[l]->as<ResBlock>()->forward(h + skips[l], emb);
  }
  return F::pixel_shuffle(outConv->forward(F::silu(h)), F::PixelShuffleFuncOptions(2));
}

torch::Tensor ScoreNetImpl::denoise(const torch::Tensor& x, const torch::Tensor& sigma) {
  if (x.dim() != 4 || x.size(1) != 1 || x.size(2) % 16 != 0 || x.size(3) % 16 != 0)
    throw std::invalid_argument("the score network takes (B, 1, H, W) images with H, W % 16 == 0");
  const auto s = sigma.view({-1, 1, 1, 1});
  const double sd2 = sigmaData * sigmaData;
  const auto var = s * s + sd2;
  const auto cSkip = sd2 / var;
  const auto cOut = s * sigmaData / at::sqrt(var);
  const auto cIn = 1 / at::sqrt(var);
  return cSkip * x + cOut * raw(cIn * x, at::log(sigma) / 4);
}

}  // namespace genlab::core::ct
