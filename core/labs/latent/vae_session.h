#pragma once
// The Latent Explorer's model state, behind a torch-free facade so that the
// ui can hold it and post work on it. Every method except options() must run
// on the engine's worker thread (post it with Engine::post or from a Job).
#include <memory>
#include <string>
#include <vector>

#include "core/data/image_dataset.h"
#include "core/engine/snapshot.h"
#include "core/labs/latent/vae_options.h"

namespace genlab::core::latent {

// Terms of the ELBO in nats per image. elbo = -(recon + beta_eff * kl) is what
// training maximises; `elbo` here is always reported with beta = 1 (the true bound).
struct VaeMetrics {
  double elbo = 0;
  double recon = 0;  // E_q[-log p(x|z)] (BCE summed over pixels)
  double kl = 0;     // KL(q(z|x) || N(0, I))
};

// Posterior means of test images projected to 2-D (identity for latentDim 2,
// else the top-2 PCA plane of the means). Clicks decode through the plane.
struct LatentMap : Payload {
  int latentDim = 0;
  std::vector<float> xy;        // 2 * n
  std::vector<int> labels;      // n
  std::vector<float> origin;    // latentDim: the plane's origin (mean of the means)
  std::vector<float> axisX;     // latentDim: first principal direction
  std::vector<float> axisY;     // latentDim: second principal direction
  double epochs = 0;            // training progress when computed, in epochs
};

struct DecodedPoint : Payload {
  float x = 0, y = 0;  // map coordinates
  Image image;
};

struct DecodedGrid : Payload {
  float x0 = 0, x1 = 0, y0 = 0, y1 = 0;  // region covered (map coordinates)
  int n = 0;                              // n x n tiles, row 0 at y1 (top)
  Image tiles;                            // (n*h) x (n*w)
};

struct Interpolation : Payload {
  float ax = 0, ay = 0, bx = 0, by = 0;
  std::vector<Image> images;
};

struct Reconstruction : Payload {
  int index = 0;
  Image original, reconstruction;
};

class VaeSession;
struct ScriptImport;
}  // namespace genlab::core::latent
namespace genlab::core {
struct ModelFile;
}
namespace genlab::core::latent {

// Carries a freshly created or loaded session from the worker to its owner.
struct SessionHandle : Payload {
  std::shared_ptr<VaeSession> session;
  std::string description;  // e.g. data provenance, for the status bar
};

class VaeSession {
 public:
  // Loads options.data (see loadImageData) and builds the model. Worker only.
  static std::shared_ptr<VaeSession> create(const VaeOptions& options);

  // Builds the model for `data` (which it keeps) with options.seed.
  VaeSession(const VaeOptions& options, std::shared_ptr<const ImageSplit> data);
  // A model trained elsewhere (script_import.h), to explore, never to train:
  // decoding works always, the map when an encoder and `data` are given.
  // `data` may be null. Worker only.
  static std::unique_ptr<VaeSession> openScript(const ScriptImport& import,
                                                std::shared_ptr<const ImageSplit> data);
  // True for an imported TorchScript model (trainStep() and save() refuse).
  bool imported() const;
  ~VaeSession();
  VaeSession(const VaeSession&) = delete;
  VaeSession& operator=(const VaeSession&) = delete;

  const VaeOptions& options() const { return m_options; }
  const ImageSplit& data() const { return *m_data; }
  void setBeta(double beta);  // takes effect at the next step
  double effectiveBeta() const;  // beta after warm-up

  // Training, one mini-batch at a time. Epoch bookkeeping is the caller's.
  long stepsPerEpoch() const;
  long globalStep() const;
  long samplesSeen() const;  // training images consumed so far
  double epochsDone() const;  // fractional
  VaeMetrics trainStep();     // one Adam step; returns the batch's metrics

  // Test-set evaluation in chunks so a caller can interleave other work:
  // beginEvaluation(), then evaluateChunk() until it returns true, then
  // lastEvaluation(). Also fills the latent map and the per-dimension KL.
  void beginEvaluation();
  bool evaluateChunk(int maxImages = 2000);
  VaeMetrics lastEvaluation() const;
  std::vector<double> klPerDimension() const;  // mean over the test set
  int activeUnits(double threshold = 0.01) const;  // dims with KL above threshold
  std::shared_ptr<const LatentMap> latentMap() const;  // from the last evaluation
  // Encoder-only refresh of the latent map (cheaper than an evaluation), in
  // chunks: beginMapRefresh(), then mapRefreshChunk() until it returns true.
  void beginMapRefresh();
  bool mapRefreshChunk(int maxImages = 2500);
  // Convenience: full evaluation in one call.
  VaeMetrics evaluate();

  // Probabilities (n x H*W, row-major) for n full latent vectors z (n x d).
  std::vector<float> decodeLatents(const std::vector<float>& z, int n);
  // Interactive decoding through the current latent plane.
  Image decode(float x, float y);
  Image decodeGrid(float x0, float x1, float y0, float y1, int n);
  std::vector<Image> interpolate(float ax, float ay, float bx, float by, int steps);
  Reconstruction reconstruct(int testIndex);

  // For PyTorch users: writes <base>.pt (TorchScript with encode(x) ->
  // (mean, logvar), decode(z) -> probabilities [N, 1, H, W], forward =
  // decode), <base>.state.pt (a state dict for the torch.nn module in
  // docs/export.md, torch.load-able) and <base>.options.json. `pathPt` ends
  // in .pt. Each file is written atomically. Worker only.
  void exportTorchScript(const std::string& pathPt) const;

  // Model file: versioned, checksummed, written atomically. Holds the
  // options, the data provenance, the training progress and the weights.
  void save(const std::string& path) const;
  std::string serialise() const;  // the model file's bytes (save() writes them)
  // Loads weights and options; `data` is the data set to keep exploring with.
  static std::unique_ptr<VaeSession> load(const std::string& path,
                                          std::shared_ptr<const ImageSplit> data);
  // The same from a model file's bytes (`name` is used in messages).
  static std::unique_ptr<VaeSession> loadBytes(const std::string& bytes, const std::string& name,
                                               std::shared_ptr<const ImageSplit> data);
  // Reads only the options and provenance of a model file (validating it).
  static VaeOptions peekOptions(const std::string& path, std::string* provenance = nullptr);

  struct Impl;  // opaque outside core/labs/latent
  static std::unique_ptr<VaeSession> fromModelFile(const ModelFile& file, const std::string& name,
                                                   std::shared_ptr<const ImageSplit> data);
  VaeSession(const VaeOptions& options, std::shared_ptr<const ImageSplit> data,
             std::unique_ptr<Impl> impl);  // for openScript

 private:
  VaeOptions m_options;
  std::shared_ptr<const ImageSplit> m_data;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace genlab::core::latent
