#pragma once
// The plain payloads every view of the 2-D lab draws from. Torch-free: the
// ui includes this. Coordinates are the data's (standardised) coordinates;
// point sets are interleaved x0, y0, x1, y1, ...; grids are row-major with
// row 0 at y0 (the bottom) and column 0 at x0.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/engine/snapshot.h"

namespace genlab::core::toy2d {

// An axis-aligned grid of nx * ny cell centres spanning [x0, x1] x [y0, y1].
struct GridSpec {
  float x0 = -3, x1 = 3, y0 = -3, y1 = 3;
  int nx = 64, ny = 64;
  float x(int i) const { return nx > 1 ? x0 + (x1 - x0) * float(i) / float(nx - 1) : 0.5f * (x0 + x1); }
  float y(int j) const { return ny > 1 ? y0 + (y1 - y0) * float(j) / float(ny - 1) : 0.5f * (y0 + y1); }
  std::size_t count() const { return static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny); }
  std::vector<float> points() const;  // count() interleaved (x, y), row by row
  void validate() const;              // throws std::invalid_argument (1..512 per side)
};

// A scalar on a grid: log-density, discriminator output, log|det J|, ...
struct Heatmap : Payload {
  GridSpec grid;
  std::vector<float> values;  // grid.count(), row-major; -inf allowed for log-densities
  std::string quantity;       // e.g. "log p(x)", "D(x)", "log|det J|"
  float minValue = 0, maxValue = 0;  // range of the finite values (colour scale)
  long step = 0;                     // training step it shows
  void computeRange();
};

// Arrows: at xy[2i], xy[2i+1] the vector uv[2i], uv[2i+1].
struct VectorField : Payload {
  std::vector<float> xy, uv;
  std::string quantity;  // "score", "-dL_G/dx", ...
  float t = 0;           // diffusion time when it applies
  long step = 0;
};

struct PointSet : Payload {
  std::vector<float> xy;
  std::string role;  // "train", "held-out", "samples", "noised", "posterior means", ...
  long step = 0;
};

// Forward-noised data at diffusion time t: x_t = alpha x_0 + sigma eps.
struct NoisedData : Payload {
  float t = 0, alpha = 1, sigma = 0;
  std::vector<float> xy;
};

// The flow's layer-by-layer view. Stage 0 is the base N(0, I); stage k is
// after k generative layers; the last stage is the model's sample space.
// Lines are polylines of a regular grid in base space pushed through the
// same layers (each line: interleaved points), so the panel can draw how
// each layer bends space; a slider picks the stage.
struct FlowLayerView : Payload {
  struct Stage {
    std::string name;                      // "base", "coupling 1 (x|y)", "planar 3", ...
    std::vector<float> samples;            // the same base samples at this stage
    std::vector<std::vector<float>> lines;  // grid lines at this stage
  };
  std::vector<Stage> stages;
  long step = 0;
};

// The GAN generator's pushforward of a regular latent grid: nu x nv latent
// points (nv == 1 for 1-D noise) and where the generator sends each; the
// panel joins neighbours in u and in v to draw the warped mesh.
struct LatentMesh : Payload {
  int noiseDim = 2;
  int nu = 0, nv = 0;
  float latentRange = 3;     // the grid spans [-range, range] per noise dimension
  std::vector<float> latent;  // nu * nv * noiseDim, index (v * nu + u)
  std::vector<float> xy;      // nu * nv * 2, same order
  long step = 0;
};

// How the diffusion model samples: predictor, steps, Langevin corrector.
struct SamplerSettings {
  std::string sampler = "sde";  // sde (reverse SDE, Euler-Maruyama) | ode (probability flow) | ancestral
  int steps = 200;              // predictor steps from t = 1 to t ~ 0
  int correctorSteps = 0;       // Langevin corrector steps after each predictor step
  double snr = 0.16;            // the corrector's signal-to-noise ratio
  void validate() const;        // throws std::invalid_argument
};

// Reverse-time sampling paths: xy[(s * count + i) * 2 + {0,1}] is path i
// after s steps, s = 0 (pure noise, t = 1) .. steps (the sample, t ~ 0).
struct Trajectories : Payload {
  int count = 0, steps = 0;
  std::string sampler;      // "sde", "ode", "ancestral"
  int correctorSteps = 0;
  float snr = 0;
  std::vector<float> times;  // steps + 1 diffusion times
  std::vector<float> xy;
  long step = 0;
};

// Loss history, decimated so it stays small however long training runs.
struct LossCurve {
  std::string name;           // "loss", "D", "G", "nll", "elbo", ...
  std::vector<float> steps;   // x: training iteration
  std::vector<float> values;  // y: mean over the iterations since the previous point
};

// Held-out evaluation of one model (see toy2d_metrics.h for the MMD).
struct EvalMetrics {
  long step = 0;
  double mmd = 0;            // MMD^2 (unbiased), model samples vs held-out
  double mmdBaseline = 0;    // the same for the Gaussian fitted to the training data
  double nll = std::numeric_limits<double>::quiet_NaN();  // nats/point; NaN: none
  std::string nllKind;       // "exact" (flow), "bound" (VAE, importance-weighted), "" (none)
  double nllBaseline = 0;    // held-out NLL of the Gaussian baseline
  double samplesPerSecond = 0;
  int modesCovered = -1;     // 8gaussians only: modes holding their share (see toy2d_metrics.h)
  bool valid = false;        // false until a first evaluation finished
};

// One row of the side-by-side comparison table (the GUI and the CLI share it).
struct ComparisonRow {
  std::string model;     // "flow (realnvp)", "gan (ns)", ...
  std::string data;
  EvalMetrics eval;
  double trainSeconds = 0;
  long iterations = 0;
  double iterationsPerSecond = 0;
};

// The model-overview "graph of thumbnails": small views joined by arrows,
// e.g. noise -> G -> samples -> D -> decision surface. A node shows any of
// its non-empty parts (points, a heatmap, arrows, a mesh).
struct OverviewNode {
  std::string id, title, caption;
  std::vector<float> points;
  Heatmap heatmap;    // grid.count() values when present, else values empty
  VectorField arrows;
  LatentMesh mesh;
};
struct OverviewEdge {
  std::string from, to, label;
};
struct ModelOverview : Payload {
  std::string model;
  std::vector<OverviewNode> nodes;
  std::vector<OverviewEdge> edges;
  long step = 0;
};

}  // namespace genlab::core::toy2d
