#include "core/labs/toy2d/toy2d_requests.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

namespace genlab::core::toy2d {

std::string Toy2dSetup::signature() const {
  std::string sig = drawn ? "drawn:" + std::to_string(drawnRevision) : "data";
  for (Toy2dOptions o : models) {
    // Live settings and the training length do not need a new model.
    const Toy2dOptions d;
    o.steps = 0;
    o.sampler = d.sampler;
    o.sampleSteps = d.sampleSteps;
    o.correctorSteps = d.correctorSteps;
    o.snr = d.snr;
    sig += "|" + o.toJson();
  }
  return sig;
}

namespace {
// "1,234": thousands grouped, as the status bar shows counts.
std::string grouped(std::size_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string describe(const Toy2dData& d) {
  std::string name = d.name;
  if (!isBuiltinDataset(name) && name != "drawn")
    name = std::filesystem::path(name).filename().string();
  return name + " \u00b7 " + grouped(d.train.size()) + " train / " + grouped(d.heldOut.size()) +
         " held out";
}
}  // namespace

std::shared_ptr<BuiltSessions> buildSessions(const Toy2dSetup& setup, std::uint64_t generation) {
  if (setup.models.empty()) throw std::invalid_argument("choose at least one model");
  const Toy2dOptions& first = setup.models.front();
  std::shared_ptr<const Toy2dData> data;
  if (setup.drawn) {
    data = std::make_shared<Toy2dData>(splitData(
        *setup.drawn, first.heldOutFraction, first.seed, false, "drawn",
        "drawn with the mouse: " + std::to_string(setup.drawn->size()) + " points"));
  } else {
    data = std::make_shared<Toy2dData>(loadData(first.data, first.dataPoints,
                                                first.heldOutFraction, first.seed,
                                                first.standardize));
  }
  auto out = std::make_shared<BuiltSessions>();
  out->generation = generation;
  for (const Toy2dOptions& o : setup.models) {
    auto s = std::make_shared<Toy2dSession>(o, data);
    if (s->capabilities().diffusion) s->setSampler(setup.sampler);
    out->sessions.push_back(std::move(s));
  }
  out->description = describe(*data);
  return out;
}

std::shared_ptr<ImportedPoints> importPoints(const std::string& path) {
  auto pts = std::make_shared<Points2D>(readPointsCsv(path));
  if (pts->size() < 4)
    throw std::invalid_argument(path + ": only " + std::to_string(pts->size()) +
                                " points; the lab needs at least 4 (some to train on, some held out)");
  auto out = std::make_shared<ImportedPoints>();
  out->points = std::move(pts);
  out->path = path;
  return out;
}

std::shared_ptr<ReparamExperiment> reparamExperiment(const std::string& function, double mu,
                                                     double sigma, int repeats,
                                                     std::uint64_t seed) {
  return std::make_shared<ReparamExperiment>(
      runReparamExperiment(function, mu, sigma, defaultSampleCounts(), repeats, seed));
}

namespace {
// Fixed seeds: the same noise every frame, so samples move smoothly as the
// model learns instead of jittering.
constexpr std::uint64_t kSampleSeed = 4242;
constexpr std::uint64_t kGradientSeed = 11;
constexpr std::uint64_t kNoiseSeed = 13;
constexpr std::uint64_t kPathSeed = 17;
constexpr int kScoreGrid = 22;
constexpr int kGradientSamples = 150;
constexpr int kMeshSize = 21;

void addNoised(Toy2dSession& s, const Toy2dViewRequest& r, Toy2dFrame& f, int points) {
  f.noised = s.noisedData(r.t, points, kNoiseSeed);
  // The exact mixture density costs a few ms per 1000 cells: a coarser grid.
  if (r.noisedDensity) f.heatmap = s.noisedLogDensity(r.grid(s, 48), r.t);
}
}  // namespace

GridSpec Toy2dViewRequest::grid(const Toy2dSession& s, int cells) const {
  if (!hasExtent()) return s.defaultGrid(cells);
  const float w = x1 - x0, h = y1 - y0;
  GridSpec g;
  g.nx = std::max(4, int(std::lround(cells * std::min(1.f, w / h))));
  g.ny = std::max(4, int(std::lround(cells * std::min(1.f, h / w))));
  // Cell centres half a cell inside, so the cells tile the extent exactly.
  g.x0 = x0 + w / (2.f * g.nx);
  g.x1 = x1 - w / (2.f * g.nx);
  g.y0 = y0 + h / (2.f * g.ny);
  g.y1 = y1 - h / (2.f * g.ny);
  return g;
}

std::shared_ptr<Toy2dFrame> computeToy2dFrame(Toy2dSession& s, const Toy2dViewRequest& r,
                                              int column) {
  auto f = std::make_shared<Toy2dFrame>();
  f->column = column;
  f->view = r.view;
  f->gridSize = r.gridSize;
  f->step = s.iteration();
  f->t = r.t;
  const GridSpec grid = r.grid(s, r.gridSize);
  switch (r.view) {
    case Toy2dView::Density:
      f->heatmap = s.logDensity(grid, r.gridSize > 64 ? 32 : 8);  // VAE: importance samples
      f->samples = s.samples(r.samples, kSampleSeed);
      break;
    case Toy2dView::FlowLayers:
      f->layers = s.flowLayers(600, 15, 61, 3.f, 7);
      break;
    case Toy2dView::LogDet:
      f->heatmap = s.logDetJacobian(grid);
      break;
    case Toy2dView::Discriminator:
      f->heatmap = s.discriminator(grid);
      f->arrows = s.generatorGradients(kGradientSamples, kGradientSeed);
      f->samples = s.samples(r.samples, kSampleSeed);
      f->mesh = s.generatorMesh(kMeshSize, 2.5f);
      break;
    case Toy2dView::GeneratorMesh:
      f->mesh = s.generatorMesh(kMeshSize, 2.5f);
      f->samples = s.samples(r.samples, kSampleSeed);
      break;
    case Toy2dView::Noising:
      addNoised(s, r, *f, 1500);
      break;
    case Toy2dView::Score: {
      addNoised(s, r, *f, 600);
      f->arrows = s.scoreField(r.grid(s, kScoreGrid), r.t);
      break;
    }
    case Toy2dView::Trajectories:
      f->trajectories = s.trajectories(r.sampler, r.trajectories, kPathSeed);
      break;
    case Toy2dView::LatentSpace:
      f->latent = s.posteriorMeans(1000);
      break;
    case Toy2dView::DecoderMesh:
      f->mesh = s.decoderMesh(kMeshSize, 2.5f);
      f->samples = s.samples(r.samples, kSampleSeed);
      break;
    case Toy2dView::Samples:
      f->samples = s.samples(r.samples, kSampleSeed);
      break;
    case Toy2dView::Baseline:
      f->heatmap = s.baselineLogDensity(grid);
      break;
    case Toy2dView::Overview:
      f->overview = s.overview(300, 32);
      break;
  }
  return f;
}

}  // namespace genlab::core::toy2d
