#include "core/labs/toy2d/toy2d_model.h"

#include <stdexcept>

namespace genlab::core::toy2d {

namespace {
class OneShotRun : public SampleRun {
 public:
  OneShotRun(Model& m, int n, std::uint64_t seed) : m_model(m), m_n(n), m_seed(seed) {}
  bool advance(double) override {
    if (!m_done) m_samples = m_model.sample(m_n, m_seed);
    m_done = true;
    return true;
  }
  std::vector<float> result() override { return m_samples; }

 private:
  Model& m_model;
  int m_n;
  std::uint64_t m_seed;
  bool m_done = false;
  std::vector<float> m_samples;
};
}  // namespace

std::unique_ptr<SampleRun> Model::startSampling(int n, std::uint64_t seed) {
  return std::make_unique<OneShotRun>(*this, n, seed);
}

std::vector<double> Model::logDensity(const std::vector<float>&) {
  throw std::logic_error("the " + label() + " model has no density to evaluate");
}

void Model::exportTorchScript(const std::string&, ScriptFrame) {
  throw std::invalid_argument("the " + label() +
                              " model has no TorchScript export: a flow's map is a chain of "
                              "coupling layers with their own inverses, not one plain forward "
                              "function (docs/export.md)");
}

std::vector<float> Model::scriptForward(const std::vector<float>&, int) {
  throw std::logic_error("the " + label() + " model has no TorchScript export");
}

bool useNativeGan(const Toy2dOptions& o, bool cuda) {
  if (o.backend == "native") return true;
  if (o.backend == "torch" || cuda || o.ganLoss == "wgan-gp") return false;
  // Up to this width the hand-written loops beat LibTorch's per-op overhead
  // on a CPU (measured: bench/toy2d_gan_speed.sh); beyond it BLAS wins.
  return o.hidden <= 64;
}

OverviewNode pointsNode(const std::string& id, const std::string& title,
                        const std::vector<float>& xy, const std::string& caption) {
  OverviewNode n;
  n.id = id;
  n.title = title;
  n.caption = caption;
  n.points = xy;
  return n;
}

OverviewNode heatmapNode(const std::string& id, const std::string& title, const GridSpec& grid,
                         std::vector<float> values, const std::string& quantity) {
  OverviewNode n;
  n.id = id;
  n.title = title;
  n.heatmap.grid = grid;
  n.heatmap.values = std::move(values);
  n.heatmap.quantity = quantity;
  n.heatmap.computeRange();
  return n;
}

}  // namespace genlab::core::toy2d
