// The normalising-flow model of the 2-D lab: maximum-likelihood training,
// exact log-density, and the layer-by-layer view.
#include <algorithm>
#include <cmath>

#include "core/engine/device.h"
#include "core/labs/toy2d/toy2d_flow.h"
#include "core/labs/toy2d/toy2d_model.h"

namespace genlab::core::toy2d {

namespace {
constexpr int kChunk = 8192;  // rows per no-grad pass in views

class FlowModel : public Model, public FlowViews {
 public:
  FlowModel(const Toy2dOptions& o, std::shared_ptr<DataSampler> sampler)
      : m_o(o), m_sampler(std::move(sampler)), m_dev(defaultDevice()) {
    torch::manual_seed(o.seed);  // layer initialisation draws from the global generator
    m_net = FlowNet(o.flowType, o.flowLayers, o.hidden, o.layers);
    m_net->to(m_dev);
    m_opt = std::make_unique<FlatOptimizer>(*m_net, o.optimizer, o.lr);
    m_batch.resize(static_cast<std::size_t>(2) * o.batch);
  }

  std::string label() const override { return "flow (" + m_o.flowType + ")"; }
  std::vector<std::string> lossNames() const override { return {"nll"}; }
  std::string nllKind() const override { return "exact"; }
  void setLearningRateScale(double s) override { m_opt->setLr(m_o.lr * s); }

  void trainStep(float* losses) override {
    m_sampler->batch(m_o.batch, m_batch.data());
    auto x = toTensor(m_batch, 2, m_dev);
    m_opt->zeroGrad();
    auto loss = -m_net->logProb(x).mean();
    loss.backward();
    m_opt->step();
    losses[0] = loss.item<float>();
  }

  std::vector<float> sample(int n, std::uint64_t seed) override {
    torch::NoGradGuard ng;
    auto gen = makeGenerator(seed);
    return toVector(m_net->inverse(randn({n, 2}, gen, m_dev)));
  }

  std::vector<double> logDensity(const std::vector<float>& xy) override {
    torch::NoGradGuard ng;
    std::vector<double> out;
    out.reserve(xy.size() / 2);
    for (std::size_t at = 0; at < xy.size(); at += 2 * kChunk) {
      const std::size_t end = std::min(xy.size(), at + 2 * kChunk);
      std::vector<float> part(xy.begin() + at, xy.begin() + end);
      for (float v : toVector(m_net->logProb(toTensor(part, 2, m_dev)))) out.push_back(v);
    }
    return out;
  }

  std::vector<float> logDetJacobian(const std::vector<float>& xy) override {
    torch::NoGradGuard ng;
    return toVector(m_net->forward(toTensor(xy, 2, m_dev)).second);
  }

  FlowLayerView layers(int samples, int lines, int pointsPerLine, float range,
                       std::uint64_t seed) override {
    torch::NoGradGuard ng;
    auto gen = makeGenerator(seed);
    auto z = randn({samples, 2}, gen, m_dev);
    // Grid lines in base space: `lines` vertical then `lines` horizontal.
    std::vector<float> g;
    for (int dir = 0; dir < 2; ++dir)
      for (int l = 0; l < lines; ++l)
        for (int p = 0; p < pointsPerLine; ++p) {
          const float a = -range + 2 * range * float(l) / float(std::max(1, lines - 1));
          const float b = -range + 2 * range * float(p) / float(std::max(1, pointsPerLine - 1));
          g.push_back(dir == 0 ? a : b);
          g.push_back(dir == 0 ? b : a);
        }
    const bool haveGrid = !g.empty();
    torch::Tensor grid = haveGrid ? toTensor(g, 2, m_dev) : torch::Tensor();
    FlowLayerView v;
    auto addStage = [&](const std::string& name) {
      FlowLayerView::Stage st;
      st.name = name;
      st.samples = toVector(z);
      const auto all = haveGrid ? toVector(grid) : std::vector<float>();
      const std::size_t per = 2 * static_cast<std::size_t>(pointsPerLine);
      for (std::size_t at = 0; at + per <= all.size(); at += per)
        st.lines.emplace_back(all.begin() + at, all.begin() + at + per);
      v.stages.push_back(std::move(st));
    };
    addStage("base N(0, I)");
    const int count = static_cast<int>(m_net->stack.size());
    for (int k = count - 1; k >= 0; --k) {  // generative order: last layer first
      z = m_net->stack[k]->inverse(z);
      if (haveGrid) grid = m_net->stack[k]->inverse(grid);
      addStage("layer " + std::to_string(count - k) + ": " + m_net->stack[k]->name());
    }
    return v;
  }

  void overview(ModelOverview& ov, const Points2D& data, const GridSpec& grid,
                int points) override {
    ov.model = label();
    auto lv = layers(points, 0, 2, 3.f, 777);
    // At most 6 intermediate stages, evenly spread, so the graph stays legible.
    const int last = static_cast<int>(lv.stages.size()) - 1;
    std::vector<int> pick{0};
    const int inner = std::min(6, last - 1);
    for (int k = 1; k <= inner; ++k) pick.push_back(k * last / (inner + 1));
    pick.push_back(last);
    pick.erase(std::unique(pick.begin(), pick.end()), pick.end());
    for (std::size_t i = 0; i < pick.size(); ++i) {
      const auto& st = lv.stages[pick[i]];
      const std::string id = "stage" + std::to_string(pick[i]);
      ov.nodes.push_back(pointsNode(id, pick[i] == 0 ? "base z ~ N(0, I)" : st.name, st.samples,
                                    "after " + std::to_string(pick[i]) + " layers"));
      if (i > 0)
        ov.edges.push_back({"stage" + std::to_string(pick[i - 1]), id,
                            std::to_string(pick[i] - pick[i - 1]) + " layer(s)"});
    }
    std::vector<float> lp;
    for (double v : logDensity(grid.points())) lp.push_back(static_cast<float>(v));
    ov.nodes.push_back(heatmapNode("density", "exact log p(x)", grid, std::move(lp), "log p(x)"));
    ov.nodes.push_back(pointsNode("data", "data", data.xy, "training points"));
    ov.edges.push_back({"stage" + std::to_string(last), "density", "change of variables"});
    ov.edges.push_back({"data", "density", "maximum likelihood"});
  }

 private:
  Toy2dOptions m_o;
  std::shared_ptr<DataSampler> m_sampler;
  c10::Device m_dev;
  FlowNet m_net{nullptr};
  std::unique_ptr<FlatOptimizer> m_opt;
  std::vector<float> m_batch;
};
}  // namespace

std::unique_ptr<Model> makeFlowModel(const Toy2dOptions& o, std::shared_ptr<DataSampler> sampler) {
  return std::make_unique<FlowModel>(o, std::move(sampler));
}

}  // namespace genlab::core::toy2d
