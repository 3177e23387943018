#pragma once
// What the Style lab asks of its model, as functions: the GUI runs them on
// the engine's worker through its LabClient("style"); the CLI and tests call
// them directly. Torch-free: sessions are opaque, payloads plain.
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "core/engine/snapshot.h"
#include "core/labs/style/style_session.h"

namespace genlab::core::style {

namespace channel {
inline constexpr char kLab[] = "style";
inline constexpr char kTrain[] = "style.train";        // the decoder's training job: result
inline constexpr char kProgress[] = "style.progress";  // ... its progress
}  // namespace channel

struct OpenedDecoder : Payload {
  std::shared_ptr<StyleSession> session;
  bool trained = false;
  std::string path;     // where it was read from ("" when fresh)
  std::string upsampling = "nearest";  // the decoder's (StyleSession::decoderUpsampling)
  std::string summary;  // "decoder: 300 steps at 128 px, seed 1", or how to train one
};

// The default decoder (defaultDecoderPath()) when there is one, else a fresh
// untrained one (on defaultEncoderKind()) whose summary says how to train it.
std::shared_ptr<OpenedDecoder> openDefaultDecoder();
// What the lab opens at launch: the default decoder when there is one, else
// the user's own (userDecoderPath(), what the GUI's training saved), else a
// fresh one with the note.
std::shared_ptr<OpenedDecoder> openLaunchDecoder();
std::shared_ptr<OpenedDecoder> openDecoder(const std::string& path);
// A fresh, untrained decoder on defaultEncoderKind() with this upsampling
// ("nearest", "transposed3", "transposed4"; the checkerboard experiment).
std::shared_ptr<OpenedDecoder> newDecoder(const std::string& upsampling);

// The images as the session keeps them (resized), after setting one.
struct LoadedImages : Payload {
  Image content;
  std::array<Image, kMaxStyles> styles;
};
// slot -1: the content image; 0..3: a style slot. An empty image clears a style slot.
std::shared_ptr<LoadedImages> setImage(StyleSession& s, int slot, const Image& image, int maxSide);

std::shared_ptr<TransferResult> runTransfer(StyleSession& s, const TransferParams& p);

// The alpha sweep of docs/style.md: for each (content, style) pair, the
// content and style losses of the re-encoded result at each alpha.
struct SweepRow {
  std::string content, style;
  std::vector<double> contentLoss, styleLoss;  // one per alpha
  std::vector<std::vector<double>> styleByLayer;  // one per alpha: the style loss's per-layer terms
  std::vector<bool> layerFalls;  // each encoder layer's term strictly decreasing in alpha
  bool styleFalls = false;     // strictly decreasing in alpha
  bool contentRises = false;   // strictly increasing in alpha
};
std::vector<SweepRow> alphaSweep(StyleSession& s, const std::vector<std::string>& contents,
                                 const std::vector<std::string>& styles,
                                 const std::vector<std::pair<int, int>>& pairs,
                                 const std::vector<double>& alphas, int size);

}  // namespace genlab::core::style
