#pragma once
// The 2-D lab's work outside training: building sessions, importing points,
// the reparameterization experiment and every view's frame. Worker thread
// only; the GUI posts these through its LabClient. Torch-free header.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/engine/snapshot.h"
#include "core/labs/toy2d/toy2d_data.h"
#include "core/labs/toy2d/toy2d_options.h"
#include "core/labs/toy2d/toy2d_reparam.h"
#include "core/labs/toy2d/toy2d_session.h"
#include "core/labs/toy2d/toy2d_views.h"

namespace genlab::core::toy2d {

using PointsPtr = std::shared_ptr<const Points2D>;

// What to train: one or two models on one data set.
struct Toy2dSetup {
  std::vector<Toy2dOptions> models;  // 1 or 2; models[0] names the data
  PointsPtr drawn;  // when set: the data are these points (drawn or edited), not models[0].data
  long drawnRevision = 0;
  long steps = 5000;
  SamplerSettings sampler;
  // Equal signatures: Play continues the current sessions instead of rebuilding.
  std::string signature() const;
};

struct BuiltSessions : Payload {
  std::vector<std::shared_ptr<Toy2dSession>> sessions;
  std::uint64_t generation = 0;
  std::string description;  // "moons · 4,000 train / 1,000 held out"
};
// The data (built-in, CSV or drawn points) and one session per model on it.
std::shared_ptr<BuiltSessions> buildSessions(const Toy2dSetup& setup, std::uint64_t generation);

struct ImportedPoints : Payload {
  PointsPtr points;
  std::string path;
};
// A CSV of 2-D points, refused below 4 points (some to train on, some held out).
std::shared_ptr<ImportedPoints> importPoints(const std::string& path);

std::shared_ptr<ReparamExperiment> reparamExperiment(const std::string& function, double mu,
                                                     double sigma, int repeats,
                                                     std::uint64_t seed);

// The views a 2-D model offers.
enum class Toy2dView {
  Density,        // log p(x) heatmap (flow exact, VAE bound) + samples
  FlowLayers,     // grid and base samples pushed through each layer
  LogDet,         // log|det J| of the flow
  Discriminator,  // GAN: decision surface, real / fake, gradient arrows, mesh
  GeneratorMesh,  // GAN: pushforward of a latent grid
  Noising,        // diffusion: forward-noised data at time t
  Score,          // diffusion: learned score at t over the noised density
  Trajectories,   // diffusion: reverse-time sample paths
  LatentSpace,    // VAE: posterior means in latent space
  DecoderMesh,    // VAE: decoder means over a latent grid
  Samples,        // model samples over the data
  Baseline,       // the Gaussian baseline's density
  Overview        // the model as a graph of thumbnails
};

// What the GUI asks for to refresh one view.
struct Toy2dViewRequest {
  Toy2dView view = Toy2dView::Samples;
  float t = 0.1f;                 // diffusion time
  bool noisedDensity = false;     // also compute the noised density at t (cached by the ui)
  SamplerSettings sampler;
  int trajectories = 100;
  int gridSize = 64;   // heatmap cells along the longer side of the view
  int samples = 600;
  // The world rectangle the view shows: heatmaps and arrows cover it (pan and
  // zoom recompute them). Empty: the session's default grid around the data.
  float x0 = 0, x1 = 0, y0 = 0, y1 = 0;
  bool hasExtent() const { return x1 > x0 && y1 > y0; }
  // A grid of cell centres filling the extent with about `cells` along the longer side.
  GridSpec grid(const Toy2dSession& s, int cells) const;
};

// What comes back: plain payloads for one view.
struct Toy2dFrame : Payload {
  int column = 0;
  std::uint64_t generation = 0;  // which set of sessions made it (stale frames are dropped)
  double computeMs = 0;          // worker time it took
  double queueMs = 0;            // time it waited for the worker
  Toy2dView view = Toy2dView::Samples;
  int gridSize = 0;
  long step = 0;
  float t = 0;
  std::optional<Heatmap> heatmap;
  std::optional<PointSet> samples;
  std::optional<VectorField> arrows;
  std::optional<LatentMesh> mesh;
  std::optional<FlowLayerView> layers;
  std::optional<NoisedData> noised;
  std::optional<Trajectories> trajectories;
  std::optional<PointSet> latent;
  std::optional<ModelOverview> overview;
};

// The payloads `request` needs from `session`.
std::shared_ptr<Toy2dFrame> computeToy2dFrame(Toy2dSession& session,
                                              const Toy2dViewRequest& request, int column);

// The lab's channels: request slots are "toy2d.<name>"; the training job
// (toy2d_job.h) publishes its progress and result on these.
namespace channel {
inline constexpr char kLab[] = "toy2d";
inline constexpr char kTrain[] = "toy2d.train";
inline constexpr char kProgress[] = "toy2d.progress";
}  // namespace channel

}  // namespace genlab::core::toy2d
