#pragma once
// Internal model interface of the 2-D lab (core only, torch-free). Each model
// (flow, GAN, diffusion, VAE) implements Model plus the view interface that
// explains it; Toy2dSession owns one and routes the ui's requests to it.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/labs/toy2d/toy2d_data.h"
#include "core/labs/toy2d/toy2d_options.h"
#include "core/labs/toy2d/toy2d_random.h"
#include "core/labs/toy2d/toy2d_views.h"

namespace genlab::core::toy2d {

// Training batches drawn with replacement from the training points.
class DataSampler {
 public:
  DataSampler(std::shared_ptr<const Toy2dData> data, std::uint64_t seed)
      : m_data(std::move(data)), m_rng(seed) {}
  void batch(int n, float* out) {
    const auto& p = m_data->train;
    for (int i = 0; i < n; ++i) {
      const std::size_t k = m_rng.below(p.size());
      out[2 * i] = p.xy[2 * k];
      out[2 * i + 1] = p.xy[2 * k + 1];
    }
  }
  const Toy2dData& data() const { return *m_data; }

 private:
  std::shared_ptr<const Toy2dData> m_data;
  Rng m_rng;
};

// Sampling that can be spread over several worker slices.
class SampleRun {
 public:
  virtual ~SampleRun() = default;
  virtual bool advance(double seconds) = 0;  // works about that long; true when done
  virtual std::vector<float> result() = 0;   // the samples, once done
};

// How an export maps the model's standardised coordinates to the data's,
// with the options to record beside it.
struct ScriptFrame {
  float shiftX = 0, shiftY = 0, scale = 1;
  std::string optionsJson;
  std::string kind;  // what forward() is, set by the model ("generator", ...)
};

class Model {
 public:
  virtual ~Model() = default;
  virtual std::string label() const = 0;  // e.g. "flow (realnvp)"
  virtual std::vector<std::string> lossNames() const = 0;
  // One training iteration (for the GAN: dSteps D steps and one G step);
  // writes one value per loss name.
  virtual void trainStep(float* losses) = 0;
  // Multiplies every base learning rate (the session's decay schedule).
  virtual void setLearningRateScale(double scale) = 0;
  // n samples, deterministic in `seed`.
  virtual std::vector<float> sample(int n, std::uint64_t seed) = 0;
  // The same samples as sample(n, seed), in slices (the default does it all
  // at once; diffusion steps through reverse time).
  virtual std::unique_ptr<SampleRun> startSampling(int n, std::uint64_t seed);
  // "exact", "bound" or "" when the model has no likelihood.
  virtual std::string nllKind() const { return ""; }
  // log p(x) per point (or its lower bound); only when nllKind() is not "".
  virtual std::vector<double> logDensity(const std::vector<float>& xy);
  // The model's plain forward functions as TorchScript (docs/export.md):
  // writes pathPt, <base>.state.pt and <pathPt>.options.json. Models without
  // a plain forward function refuse (the default).
  virtual void exportTorchScript(const std::string& pathPt, ScriptFrame frame);
  // What the export's forward() gives on `input` (n rows), by GenLab's own
  // code path (the round-trip test compares the two).
  virtual std::vector<float> scriptForward(const std::vector<float>& input, int n);
  // The model-overview graph, thumbnails from `data` and the model.
  virtual void overview(ModelOverview& ov, const Points2D& data, const GridSpec& grid,
                        int points) = 0;
};

class FlowViews {
 public:
  virtual ~FlowViews() = default;
  virtual FlowLayerView layers(int samples, int lines, int pointsPerLine, float range,
                               std::uint64_t seed) = 0;
  // log|det d f(x)/dx| of the whole normalising map f: x -> z, per point.
  virtual std::vector<float> logDetJacobian(const std::vector<float>& xy) = 0;
};

class GanViews {
 public:
  virtual ~GanViews() = default;
  virtual int noiseDim() const = 0;
  virtual std::string discriminatorQuantity() const = 0;  // "D(x) = P(real)", "D(x)", "critic"
  virtual std::vector<float> discriminator(const std::vector<float>& xy) = 0;
  virtual std::vector<float> generate(const std::vector<float>& latent) = 0;
  // Generated samples and -dL_G/dx at each: where the generator pushes them.
  virtual void generatorGradients(int n, std::uint64_t seed, std::vector<float>& xy,
                                  std::vector<float>& uv) = 0;
};

class DiffusionViews {
 public:
  virtual ~DiffusionViews() = default;
  virtual void alphaSigma(double t, double& alpha, double& sigma) const = 0;
  virtual std::vector<float> score(const std::vector<float>& xy, double t) = 0;
  virtual Trajectories trajectories(const SamplerSettings& s, int n, std::uint64_t seed) = 0;
  // The settings sample() uses (evaluation included).
  virtual void setSampler(const SamplerSettings& s) = 0;
  virtual SamplerSettings sampler() const = 0;
};

class VaeViews {
 public:
  virtual ~VaeViews() = default;
  virtual int latentDim() const = 0;
  virtual std::vector<float> posteriorMeans(const std::vector<float>& xy) = 0;  // n * latentDim
  virtual std::vector<float> decoderMeans(const std::vector<float>& latent) = 0;  // n * 2
  // Importance-weighted lower bound on log p(x) with `importance` samples.
  virtual std::vector<double> logDensityBound(const std::vector<float>& xy, int importance) = 0;
};

// Factories (one .cpp each). `sampler` feeds training batches.
std::unique_ptr<Model> makeFlowModel(const Toy2dOptions& o, std::shared_ptr<DataSampler> sampler);
std::unique_ptr<Model> makeGanModel(const Toy2dOptions& o, std::shared_ptr<DataSampler> sampler);
std::unique_ptr<Model> makeNativeGanModel(const Toy2dOptions& o,
                                          std::shared_ptr<DataSampler> sampler);
std::unique_ptr<Model> makeDiffusionModel(const Toy2dOptions& o,
                                          std::shared_ptr<DataSampler> sampler);
std::unique_ptr<Model> makeVaeModel(const Toy2dOptions& o, std::shared_ptr<DataSampler> sampler);
// Picks the native GAN when the backend is "native", or "auto" on a CPU with
// small nets and a loss it implements.
bool useNativeGan(const Toy2dOptions& o, bool cuda);

// Thumbnail helpers shared by the models' overview().
OverviewNode pointsNode(const std::string& id, const std::string& title,
                        const std::vector<float>& xy, const std::string& caption = "");
OverviewNode heatmapNode(const std::string& id, const std::string& title, const GridSpec& grid,
                         std::vector<float> values, const std::string& quantity);

}  // namespace genlab::core::toy2d
