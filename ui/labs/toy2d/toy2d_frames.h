#pragma once
// The views a 2-D model offers, what the ui asks the worker for to refresh
// one of them (a ViewRequest) and what comes back (a ViewFrame: plain core
// payloads). computeFrame() runs on the engine worker; everything else here
// is GUI-side. Torch-free.
#include <QString>
#include <QVector>

#include <cstdint>
#include <memory>
#include <optional>

#include "core/engine/snapshot.h"
#include "core/labs/toy2d/toy2d_session.h"
#include "core/labs/toy2d/toy2d_views.h"

namespace genlab::ui {

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

struct Toy2dViewInfo {
  Toy2dView view;
  QString name;
  QString tooltip;
  bool usesTime = false;   // shows the diffusion time slider
  bool usesStage = false;  // shows the flow layer slider
  int minIntervalMs = 0;   // expensive views refresh at most this often while training
};

// The views a model with these capabilities offers; the first is its default.
QVector<Toy2dViewInfo> toy2dViewsFor(const core::toy2d::Capabilities& caps);
Toy2dViewInfo toy2dViewInfo(Toy2dView view);

struct Toy2dViewRequest {
  Toy2dView view = Toy2dView::Samples;
  float t = 0.1f;                 // diffusion time
  bool noisedDensity = false;     // also compute the noised density at t (cached by the ui)
  core::toy2d::SamplerSettings sampler;
  int trajectories = 100;
  int gridSize = 64;   // heatmap cells along the longer side of the view
  int samples = 600;
  // The world rectangle the view shows: heatmaps and arrows cover it (pan and
  // zoom recompute them). Empty: the session's default grid around the data.
  float x0 = 0, x1 = 0, y0 = 0, y1 = 0;
  bool hasExtent() const { return x1 > x0 && y1 > y0; }
  // A grid of cell centres filling the extent with about `cells` along the longer side.
  core::toy2d::GridSpec grid(const core::toy2d::Toy2dSession& s, int cells) const;
};

struct Toy2dFrame : core::Payload {
  int column = 0;
  std::uint64_t generation = 0;  // which set of sessions made it (stale frames are dropped)
  double computeMs = 0;          // worker time it took
  double queueMs = 0;            // time it waited for the worker
  Toy2dView view = Toy2dView::Samples;
  int gridSize = 0;
  long step = 0;
  float t = 0;
  std::optional<core::toy2d::Heatmap> heatmap;
  std::optional<core::toy2d::PointSet> samples;
  std::optional<core::toy2d::VectorField> arrows;
  std::optional<core::toy2d::LatentMesh> mesh;
  std::optional<core::toy2d::FlowLayerView> layers;
  std::optional<core::toy2d::NoisedData> noised;
  std::optional<core::toy2d::Trajectories> trajectories;
  std::optional<core::toy2d::PointSet> latent;
  std::optional<core::toy2d::ModelOverview> overview;
};

// Worker thread only: the payloads `request` needs from `session`.
std::shared_ptr<Toy2dFrame> computeToy2dFrame(core::toy2d::Toy2dSession& session,
                                              const Toy2dViewRequest& request, int column);

}  // namespace genlab::ui
