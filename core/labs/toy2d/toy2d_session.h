#pragma once
// One model of the "Architects and Alchemists" 2-D lab on one data set,
// behind a torch-free facade: the ui holds it and posts requests on it.
// Every method except the const accessors marked "any thread" must run on
// the engine's worker thread (Engine::post, or from a Job). View methods
// return plain payloads (toy2d_views.h) ready to wrap in a Snapshot; each
// throws std::logic_error when the model has no such view (check
// capabilities() first) and std::invalid_argument for bad arguments.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/engine/snapshot.h"
#include "core/labs/toy2d/toy2d_data.h"
#include "core/labs/toy2d/toy2d_metrics.h"
#include "core/labs/toy2d/toy2d_options.h"
#include "core/labs/toy2d/toy2d_views.h"

namespace genlab::core::toy2d {

// Which views a model has; fixed when the session is made.
struct Capabilities {
  bool logDensity = false;          // flow (exact), VAE (importance-weighted bound)
  bool flowLayers = false;          // flow: layer-by-layer view, log|det J| heatmap
  bool discriminator = false;       // GAN: decision surface, latent mesh, gradient arrows
  bool diffusion = false;           // diffusion: noising, score field, trajectories
  bool latentSpace = false;         // VAE: posterior means, decoder mesh
  std::string nllKind;              // "exact", "bound" or ""
  int noiseDim = 0;                 // GAN noise / VAE latent dimension
};

class Toy2dSession;

// Carries a freshly made session from the worker to its owner.
struct SessionHandle : Payload {
  std::shared_ptr<Toy2dSession> session;
  std::string description;
};

class Toy2dSession {
 public:
  // Loads options.data (a built-in or a CSV file) and builds the model.
  static std::shared_ptr<Toy2dSession> create(const Toy2dOptions& options);
  // On a data set already made (drawn points, or shared with a second model
  // for the side-by-side comparison).
  Toy2dSession(const Toy2dOptions& options, std::shared_ptr<const Toy2dData> data);
  ~Toy2dSession();
  Toy2dSession(const Toy2dSession&) = delete;
  Toy2dSession& operator=(const Toy2dSession&) = delete;

  // Any thread.
  const Toy2dOptions& options() const { return m_options; }
  const Toy2dData& data() const { return *m_data; }
  std::shared_ptr<const Toy2dData> sharedData() const { return m_data; }
  const Capabilities& capabilities() const { return m_caps; }
  const std::string& label() const { return m_label; }       // "flow (realnvp)", ...
  const Baseline& baseline() const { return m_baseline; }     // the Gaussian yardstick
  const std::vector<std::string>& lossNames() const { return m_lossNames; }

  // ---- Training (worker) ----
  struct TrainChunk {
    long iterations = 0;
    std::vector<double> lossSums;  // per loss name, summed over the iterations
    double seconds = 0;
  };
  // Runs iterations until `maxSeconds` have passed or `maxIterations` ran
  // (at least one). The learning rate follows the options' cosine decay over
  // options().steps iterations, then stays at its floor.
  TrainChunk train(double maxSeconds, long maxIterations);

  // ---- TorchScript (worker) ----
  // The model's plain forward functions for PyTorch (docs/export.md), in the
  // model's standardised coordinates with to_data/from_data beside them; a
  // flow refuses with the reason.
  void exportTorchScript(const std::string& pathPt);
  // What the export's forward() gives on `input` (n rows), by GenLab's own code.
  std::vector<float> scriptForward(const std::vector<float>& input, int n);
  long iteration() const;
  double trainSeconds() const;  // training only, evaluations excluded

  // ---- Held-out evaluation (worker), in slices ----
  // beginEvaluation(), then evaluateChunk() until it returns true.
  void beginEvaluation();
  bool evaluateChunk();
  bool evaluating() const;
  const EvalMetrics& lastEvaluation() const;
  EvalMetrics evaluate();  // all at once
  ComparisonRow comparisonRow() const;  // from the last evaluation

  // ---- Views (worker) ----
  // A square grid covering the data with a margin.
  GridSpec defaultGrid(int n = 64) const;
  // "train" or "held-out", at most `max` points.
  PointSet dataPoints(const std::string& which, int max) const;
  PointSet samples(int n, std::uint64_t seed);
  // log p(x) (flow exact; VAE importance-weighted bound with `importance`
  // samples: 4 keeps a 64 x 64 grid near 20 ms) and the Gaussian baseline's
  // log-density, for comparison.
  Heatmap logDensity(const GridSpec& grid, int importance = 4);
  Heatmap baselineLogDensity(const GridSpec& grid) const;
  // Flow: log|det J| of the normalising map x -> z; the layer-by-layer view.
  Heatmap logDetJacobian(const GridSpec& grid);
  FlowLayerView flowLayers(int samples = 500, int lines = 13, int pointsPerLine = 61,
                           float range = 3.f, std::uint64_t seed = 7);
  // GAN: decision surface; generator's pushforward of a latent grid; arrows
  // -dL_G/dx at generated samples.
  Heatmap discriminator(const GridSpec& grid);
  LatentMesh generatorMesh(int nu = 21, float range = 2.5f);
  VectorField generatorGradients(int n = 200, std::uint64_t seed = 11);
  // Diffusion: noised data at time t in [0, 1]; the log-density of the
  // noised (empirical) training distribution; the learned score at time t;
  // reverse-time sample paths.
  NoisedData noisedData(float t, int n = 1000, std::uint64_t seed = 13);
  Heatmap noisedLogDensity(const GridSpec& grid, float t);
  VectorField scoreField(const GridSpec& grid, float t);
  Trajectories trajectories(const SamplerSettings& s, int n = 100, std::uint64_t seed = 17);
  void setSampler(const SamplerSettings& s);  // used by samples() and evaluation
  SamplerSettings sampler() const;
  // VAE: held-out points' posterior means (first two latent dimensions) and
  // the decoder means over a latent grid (dimensions beyond 2 held at 0).
  PointSet posteriorMeans(int n = 1000);
  LatentMesh decoderMesh(int nu = 21, float range = 2.5f);
  // The model as a graph of thumbnails.
  ModelOverview overview(int points = 300, int gridSize = 32);

  struct Impl;  // opaque outside core/labs/toy2d

 private:
  Toy2dOptions m_options;
  std::shared_ptr<const Toy2dData> m_data;
  Capabilities m_caps;
  std::string m_label;
  Baseline m_baseline;
  std::vector<std::string> m_lossNames;
  std::unique_ptr<Impl> m_impl;
};

// The comparison table as CSV (header + one line per row) and its atomic save.
std::string comparisonCsv(const std::vector<ComparisonRow>& rows);
void writeComparisonCsv(const std::string& path, const std::vector<ComparisonRow>& rows);

}  // namespace genlab::core::toy2d
