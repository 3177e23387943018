#pragma once
// The Style lab's encoder and decoder. Core-internal (torch).
//
// Encoder: a frozen, fixed-seed random shallow multi-scale conv net (three
// 3x3 conv + ReLU layers at full, 1/2 and 1/4 resolution, 32/64/128
// channels). No pretrained weights can be fetched here (docs/style.md says why
// the nsfwjs MobileNetV2 conversion was not used); random conv features'
// per-channel statistics are known to capture texture (Ulyanov et al. 2017,
// "what matters is the statistics, not the weights"). Its weights come from
// our own seeded generator, so they are the same on every LibTorch version.
//
// Decoder: the mirror, with nearest-neighbour upsampling and reflection
// padding (as in AdaIN), trained in-app. It exposes its two intermediate
// stages so the lab can re-normalise them towards a style ("per-layer strength").
#include <torch/nn/module.h>
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace genlab::core::style {

inline constexpr int kEncoderLayers = 3;
inline constexpr int kEncoderChannels[kEncoderLayers] = {32, 64, 128};
inline constexpr std::uint64_t kDefaultEncoderSeed = 20170301;

// Images enter the encoder as N x 3 x H x W in [0, 1]; H and W multiples of 4.
class Encoder {
 public:
  explicit Encoder(std::uint64_t seed = kDefaultEncoderSeed);
  Encoder(std::uint64_t seed, std::vector<torch::Tensor> weights);  // loaded from a file
  std::vector<torch::Tensor> forward(const torch::Tensor& image) const;  // one per layer
  torch::Tensor deepest(const torch::Tensor& image) const;
  const std::vector<torch::Tensor>& weights() const { return m_weights; }
  std::uint64_t seed() const { return m_seed; }
  void to(torch::Device device);

 private:
  std::uint64_t m_seed;
  std::vector<torch::Tensor> m_weights;  // conv weights, no biases
};

// Called on a decoder stage (0: after the first conv at 1/4, 1: after the
// second at 1/2) with its activations; returns what the decoder continues with.
using StageHook = std::function<torch::Tensor(int stage, const torch::Tensor&)>;
inline constexpr int kDecoderStages = 2;

struct DecoderImpl : torch::nn::Module {
  explicit DecoderImpl(std::uint64_t seed = 1);  // He-uniform weights from our own generator
  // Features of the encoder's deepest layer -> image (unclamped, ~[0, 1]).
  torch::Tensor forward(const torch::Tensor& features, const StageHook& hook = {});
  std::vector<torch::Tensor> convW, convB;  // 3 layers: 128->64 (1/4), 64->32 (1/2), 32->3 (full)
};
TORCH_MODULE(Decoder);

// Nearest-neighbour x2 upsampling, reflection padding 1 and a 3x3 conv, as
// one computation on the low-resolution input: each of the four output
// phases (even/odd row, even/odd column) sees only a 2x2 neighbourhood of the
// input, with the 3x3 kernel's taps summed onto it, so the conv runs at the
// input's resolution with 4/9 of the multiply-adds. Equal to the three steps
// to float rounding (tested); differentiable in x, w and b.
torch::Tensor upsampleConv(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b);

// Mean squared difference of the per-channel means plus that of the stds,
// summed over the encoder's layers (AdaIN's style loss).
torch::Tensor styleLoss(const std::vector<torch::Tensor>& out, const std::vector<torch::Tensor>& style);
// The same against precomputed style statistics (each N x C x 1 x 1).
torch::Tensor styleLossToStats(const std::vector<torch::Tensor>& out,
                               const std::vector<torch::Tensor>& means,
                               const std::vector<torch::Tensor>& stds);

}  // namespace genlab::core::style
