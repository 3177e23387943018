#pragma once
// What the Latent Explorer asks of its model, as functions: the GUI runs them
// on the engine's worker through its LabClient; the CLI, benchmarks and tests
// call them directly. Torch-free: sessions and payloads are opaque or plain.
#include <memory>
#include <string>

#include "core/labs/latent/script_import.h"
#include "core/labs/latent/vae_options.h"
#include "core/labs/latent/vae_session.h"

namespace genlab::core::latent {

// Channel names of this lab (job snapshots and request slots).
namespace channel {
inline constexpr char kLab[] = "latent";
inline constexpr char kTrain[] = "latent.train";        // the training job: result
inline constexpr char kProgress[] = "latent.progress";  // ... its progress
inline constexpr char kMap[] = "latent.map";            // ... its live latent map
}  // namespace channel

// Live settings a training job reads between steps (Engine::setLive).
namespace live {
inline constexpr char kBeta[] = "beta";
}

// A session made or loaded on the worker, with what the GUI shows about it.
struct OpenedSession : SessionHandle {
  VaeOptions effective;   // the options, with `data` naming the data actually used
  std::string provenance;
  bool loaded = false;
  std::shared_ptr<const LatentMap> map;  // the untrained (or loaded) model's map
};

// "MNIST · 60000 train / 10000 test · 28×28"
std::string dataSummary(const std::string& spec, const ImageSplit& data);
// A new session from `options` (loads the data, builds the model, maps the test set).
std::shared_ptr<OpenedSession> createSession(const VaeOptions& options);
// Opens a model file; when its data is not here, explores it with the embedded
// digits if the image size matches, else says why not.
std::shared_ptr<OpenedSession> openModel(const std::string& path);
// Opens a model trained elsewhere (TorchScript, script_import.h); the map
// shows `import.data` through the encoder when one is named.
std::shared_ptr<OpenedSession> openScriptModel(const ScriptImport& import);

std::shared_ptr<DecodedPoint> decodePoint(VaeSession& s, float x, float y);
// An n x n grid whose tiles' centres span [x0, x1] x [y0, y1].
std::shared_ptr<DecodedGrid> decodeGrid(VaeSession& s, float x0, float x1, float y0, float y1,
                                        int n);
std::shared_ptr<Interpolation> interpolate(VaeSession& s, float ax, float ay, float bx, float by,
                                           int steps);
// The encoder's latent map of the test set, now.
std::shared_ptr<const LatentMap> refreshMap(VaeSession& s);

}  // namespace genlab::core::latent
