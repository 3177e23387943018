#pragma once
// The Style lab's encoder and decoder. Core-internal (torch).
//
// Encoder, one of two frozen nets:
// - pretrained (the default when `make data` converted it): the first layers
//   of nsfwjs@4.3.0's MobileNetV2 (mobilenet.h), four ReLU6 outputs at 1/2,
//   1/2, 1/4 and 1/8 resolution (32, 96, 144, 192 channels); docs/style.md
//   says why these;
// - random: a fixed-seed shallow multi-scale conv net (three 3x3 conv + ReLU
//   layers at full, 1/2 and 1/4 resolution, 32/64/128 channels) whose
//   weights come from our own seeded generator, so they are the same on
//   every LibTorch version. Random conv features' per-channel statistics
//   capture texture too (Ulyanov et al. 2017), at a receptive field of 18 px.
//
// Decoder: the mirror of the deepest layer, with nearest-neighbour upsampling
// and reflection padding (as in AdaIN), trained in-app. It exposes its two
// stages at 1/4 and 1/2 resolution so the lab can re-normalise them towards a
// style ("per-layer strength").
#include <torch/nn/module.h>
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace genlab::core::style {

class MobileNetV2;

// The random encoder's layers.
inline constexpr int kEncoderLayers = 3;
inline constexpr int kEncoderChannels[kEncoderLayers] = {32, 64, 128};
inline constexpr std::uint64_t kDefaultEncoderSeed = 20170301;
// The pretrained encoder's layers (MobileNetV2's ReLU6 outputs), shallow to deep.
inline const std::vector<std::string>& mobileNetTaps() {
  static const std::vector<std::string> taps{"Conv1_relu", "block_1_expand_relu", "block_3_expand_relu",
                                             "block_6_expand_relu"};
  return taps;
}
inline constexpr char kRandomEncoder[] = "random";
inline constexpr char kMobileNetEncoder[] = "mobilenet_v2";

// Images enter the encoder as N x 3 x H x W in [0, 1]; H and W multiples of
// downsampling() (4 random, 8 pretrained).
class Encoder {
 public:
  explicit Encoder(std::uint64_t seed = kDefaultEncoderSeed);
  Encoder(std::uint64_t seed, std::vector<torch::Tensor> weights);  // loaded from a file
  explicit Encoder(std::shared_ptr<MobileNetV2> net);               // pretrained
  std::vector<torch::Tensor> forward(const torch::Tensor& image) const;  // one per layer
  torch::Tensor deepest(const torch::Tensor& image) const;
  const std::vector<torch::Tensor>& weights() const { return m_weights; }  // random only
  std::uint64_t seed() const { return m_seed; }
  const char* kind() const { return m_net ? kMobileNetEncoder : kRandomEncoder; }
  const MobileNetV2* net() const { return m_net.get(); }
  int layers() const;
  int channels(int layer) const;
  int downsampling() const { return m_net ? 8 : 4; }  // of the deepest layer
  std::string layerName(int layer) const;              // "block_6_expand_relu (192 channels, 1/8)"
  void to(torch::Device device);

 private:
  std::uint64_t m_seed = 0;
  std::vector<torch::Tensor> m_weights;  // random: conv weights, no biases
  std::shared_ptr<MobileNetV2> m_net;    // pretrained
};

// The encoder of that kind ("random", or "mobilenet_v2" from mobileNetPath(),
// style_session.h); throws std::invalid_argument or ModelFileError.
Encoder makeEncoder(const std::string& kind);

// Called on a decoder stage (0: after the first conv at 1/4, 1: after the
// second at 1/2) with its activations; returns what the decoder continues with.
using StageHook = std::function<torch::Tensor(int stage, const torch::Tensor&)>;
inline constexpr int kDecoderStages = 2;

struct DecoderImpl : torch::nn::Module {
  // He-uniform weights from our own generator. For features of `in` channels
  // at 1/2^levels: a 3x3 conv there, then `levels` nearest x2 + 3x3 convs
  // ending in 3 channels. Random encoder (128, 2): 128->64 (1/4), 64->32
  // (1/2), 32->3. Pretrained (192, 3): 192->128 (1/8), 128->64 (1/4),
  // 64->32 (1/2), 32->3.
  //
  // transposedKernel 3 or 4 (the checkerboard experiment, docs/style-gan.md):
  // each "nearest x2 + 3x3 conv" is a transposed conv of stride 2 instead
  // (weights in x out x k x k): k=3 (padding 1, output padding 1), the layer
  // Distill's article blames for checkerboard artifacts, or k=4 (padding 1),
  // a kernel the stride divides. 0: nearest. The first conv stays a 3x3 conv.
  explicit DecoderImpl(std::uint64_t seed = 1, int in = 128, int levels = 2, int transposedKernel = 0);
  // Features of the encoder's deepest layer -> image (unclamped, ~[0, 1]).
  torch::Tensor forward(const torch::Tensor& features, const StageHook& hook = {});
  // The overlap-add balance regulariser over the transposed layers (0 for a
  // nearest decoder): sum over layers of sum_{i,o,p} (S - mean_p S)^2 /
  // sum S^2 (denominator detached), S[i,o,p] the kernel taps from channel i to
  // o that land on output phase p. Zero when a locally constant input gives a
  // locally constant output at every layer.
  torch::Tensor balancePenalty() const;
  // Phase sums of upsampling layer j (0 = the coarsest), in x out x 2 x 2:
  // for a nearest decoder the taps a replicated input gives each phase (all
  // nine, so always balanced).
  torch::Tensor phaseSums(int j) const;
  std::vector<torch::Tensor> convW, convB;
  int levels = 2;
  int transposedKernel = 0;  // 0: nearest
  bool transposed() const { return transposedKernel != 0; }
};

// "nearest", "transposed3", "transposed4" <-> the decoder's transposedKernel;
// throws std::invalid_argument for another name.
int decoderTransposedKernel(const std::string& upsampling);
std::string decoderUpsamplingName(int transposedKernel);
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
