#pragma once
// The Style lab's model state behind a torch-free facade: the frozen encoder,
// the decoder, the current content and up to four styles with their encoder
// features cached, and the decoder's training state. Every method except the
// const accessors runs on the engine's worker thread (or the CLI's).
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/engine/snapshot.h"

namespace genlab::core {
struct ModelFile;
}

namespace genlab::core::style {

inline constexpr int kMaxStyles = 4;
// Per-layer strengths: the AdaIN layer (deepest encoder features) and the
// decoder's two stages (1/4 and 1/2 resolution), coarse to fine.
inline constexpr int kStrengths = 3;

struct TransferParams {
  double alpha = 1.0;                                // content (0) ... style (1)
  std::array<double, kMaxStyles> weights{1, 0, 0, 0};  // style pad mix; only loaded slots count
  std::array<double, kStrengths> strength{1, 0, 0};  // times alpha, per layer
  bool preserveColour = false;
  bool resultStats = true;  // re-encode the result for its statistics
};

// Per-channel statistics of the deepest encoder layer (128 channels random,
// 192 pretrained).
struct StatsView {
  std::vector<float> mean, std;
};

struct TransferResult : Payload {
  Image image;
  StatsView content, style, result;  // result: re-encoded output (or the AdaIN target when not asked)
  std::string statsLayer;            // which layer: "block_6_expand_relu (192 channels, 1/8)"
  bool resultReencoded = false;
  double milliseconds = 0;           // worker time of this transfer
  // Checkerboard energy (checkerboard.h) of the result, each colour channel
  // one image, at the decoder's total upsampling; NaN for a flat result.
  double checkerboard = 0;
  int checkerboardStride = 0;
};

struct TrainMetrics {
  double content = 0, style = 0, total = 0;
  double identity = 0;  // pixel MSE of decoding the content's own features
};

// Losses of a transfer against the originals: content = MSE between the
// re-encoded result's deepest features and the content's; style = AdaIN's
// style loss between the re-encoded result and the (mixed) style statistics.
struct PairLosses {
  double content = 0, style = 0;
  std::vector<double> styleByLayer;  // style's terms per encoder layer (sum = style)
};

struct TrainConfig {
  int size = 128;        // crop side (multiple of 4)
  int batch = 4;
  double learningRate = 1e-3;
  double styleWeight = 5.0;
  double identityWeight = 5.0;
  // Weight of the decoder's overlap-add balance regulariser (only a decoder
  // with transposed upsampling has one; DecoderImpl::balancePenalty).
  double balanceWeight = 0.0;
  std::uint64_t seed = 1;
};

// Checkerboard measurements of a decoder (docs/style.md, "Checkerboard
// artifacts in the AdaIN decoder"): checkerboard energy (checkerboard.h) of
// its outputs on a fixed seeded set of training crops, each colour channel
// one image, at the decoder's total upsampling (8 pretrained, 4 random).
struct DecoderCheckerboard {
  int images = 0, size = 0, stride = 0;
  double stylised = 0;        // outputs at alpha = 1 (content of one crop, style of another)
  double reconstructed = 0;   // outputs at alpha = 0 (the content's own features)
  double content = 0;         // the content crops themselves (the photos' own energy)
  double imbalance = 0;       // phase imbalance, mean over the upsampling layers
};

// The encoders (adain_net.h): "mobilenet_v2" (pretrained, the weights at
// mobileNetPath()) or "random". The default is the pretrained one when its
// weights are there.
std::string mobileNetPath();  // <styleDataDirectory()>/mobilenet_v2.genlab
std::string defaultEncoderKind();
// Throws std::invalid_argument for an unknown kind.
void checkEncoderKind(const std::string& kind);

class StyleSession {
 public:
  // A fresh decoder (seeded) on the fixed random encoder, or on the kind named.
  // upsampling: "nearest" (the lab's decoder), or the checkerboard
  // experiment's "transposed3" / "transposed4" (DecoderImpl).
  explicit StyleSession(std::uint64_t decoderSeed = 1, const std::string& encoder = "random",
                        const std::string& upsampling = "nearest");
  std::string decoderUpsampling() const;
  // Throws ModelFileError when the file is not a decoder, or when the encoder
  // it was trained for is missing or differs (a pretrained decoder whose
  // MobileNetV2 weights are not those it was trained on).
  static std::shared_ptr<StyleSession> load(const std::string& path);
  std::string encoderKind() const;  // "mobilenet_v2" or "random"
  int encoderLayers() const;
  ~StyleSession();
  StyleSession(const StyleSession&) = delete;
  StyleSession& operator=(const StyleSession&) = delete;

  void save(const std::string& path) const;  // atomic
  long step() const;                         // decoder training steps so far
  std::string describe() const;              // "decoder: 300 steps at 128 px, seed 1"

  // Resized so the longer side is at most maxSide and both are multiples of
  // 4 (random encoder) or 8 (pretrained).
  void setContent(const Image& image, int maxSide = 256);
  void setStyle(int slot, const Image& image, int maxSide = 256);
  void clearStyle(int slot);
  bool hasContent() const;
  bool hasStyle(int slot) const;
  Image contentImage() const;  // as resized
  Image styleImage(int slot) const;

  TransferResult transfer(const TransferParams& p);
  PairLosses evaluate(const TransferParams& p);

  // Training: crops of config.size from these photos.
  void setTraining(const std::vector<Image>& contents, const std::vector<Image>& styles,
                   const TrainConfig& config);
  // One Adam step on a whole batch (the reference the sliced step is tested against).
  TrainMetrics trainStep();
  // The same step in short pieces, for the engine's worker: each call runs
  // pieces of the step (one sample's encoding, its forward pass, the backward
  // through the encoder, through the decoder, the identity term, ...; the
  // gradients accumulate, the Adam step is the last piece) until the next
  // piece would take the call past budgetMs (at least one piece per call;
  // piece times are those measured last time). Returns true when the step is
  // complete, with its batch metrics in *metrics. Same parameters as
  // trainStep() to float rounding (tested): the losses are means over the
  // batch, and the samples do not interact.
  bool trainSlice(double budgetMs, TrainMetrics* metrics);
  // Mean loss over a fixed seeded set of crops (same for every call).
  TrainMetrics evaluateTraining(int batches = 2);
  // The same in pieces (no gradients); true when done, with *metrics. A call
  // after completion starts a new evaluation.
  bool evaluateSlice(double budgetMs, TrainMetrics* metrics, int batches = 2);
  // The decoder's gradient of the last completed step, parameter by parameter,
  // flattened (for tests: Adam's update hides a wrong gradient scale).
  std::vector<std::vector<float>> lastGradients() const;
  // Drops a half-done sliced step or evaluation (the gradients so far are discarded).
  void abandonSlices();
  // Needs setTraining (the crops come from its photos and seed); `pairs`
  // crops of config.size, the same for every call.
  DecoderCheckerboard measureCheckerboard(int pairs = 16);

  struct Impl;

 private:
  static std::shared_ptr<StyleSession> fromFile(const ModelFile& f, const std::string& path);
  std::unique_ptr<Impl> m;
};

}  // namespace genlab::core::style
