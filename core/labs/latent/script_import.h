#pragma once
// Models trained elsewhere, in the Latent Explorer: a TorchScript file
// (torch.jit.save of a scripted or traced module) whose `decode` method (or
// `forward`) maps z [N, d] to images [N, 1, H, W], [N, H, W] or [N, H*W], and
// optionally an encoder method mapping images to a mean or (mean, logvar).
// GenLab probes the module before using it and refuses, with what it found,
// anything it cannot explore. Torch-free header.
#include <memory>
#include <string>
#include <vector>

#include "core/engine/snapshot.h"

namespace genlab::core::latent {

// What a probe found.
struct ScriptProbe : Payload {
  std::string path;
  std::string decodeMethod;                // "decode", else "forward"
  std::vector<std::string> methods;        // every method the module exports
  std::vector<std::string> encoderMethods; // candidates for the encoder (not decode/forward)
  int latentDim = 0;
  int height = 0, width = 0;               // one grey image per z
  std::string outputShape;                 // e.g. "[2, 1, 28, 28]" for a batch of 2
  double minValue = 0, maxValue = 0;       // over the probe batch
  bool probabilities = false;              // outputs within [0, 1]
};

struct ScriptImport {
  std::string path;
  int latentDim = 0;             // 0: found by probing (or from <path>.options.json)
  enum class Outputs { Unknown, Probabilities, Logits } outputs = Outputs::Unknown;
  std::string encoderMethod;     // empty: decoder only (no map of data)
  std::string data;              // the data set to map with the encoder ("mnist", a folder...)
  unsigned seed = 1;
};

// Loads and runs the module on a batch of 2 (worker thread). Throws
// std::invalid_argument with a message that says what was found: not a
// TorchScript file, a state dict, a wrong input size, a non-tensor output,
// an output that is not an image, non-finite values.
std::shared_ptr<ScriptProbe> probeScript(const std::string& path, int latentDim = 0);
// True when `path` looks like a TorchScript file rather than a GenLab model
// (by content: a zip archive).
bool looksLikeTorchScript(const std::string& path);

}  // namespace genlab::core::latent
