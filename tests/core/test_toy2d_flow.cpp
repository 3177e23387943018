// 2-D lab: flow layers against numerical Jacobians, invertibility, and the
// normalisation of the flow's density.
#include <cmath>

#include "core/labs/toy2d/toy2d_flow.h"

// LibTorch pulls in glog, whose CHECK aborts instead of reporting: Catch's
// CHECK must be the one defined here, so Catch comes last.
#undef CHECK
#include <catch2/catch.hpp>

using namespace genlab::core::toy2d;

namespace {
// Random (not identity) parameters, so every term of the layer is exercised.
void randomize(torch::nn::Module& m, double scale, int seed) {
  torch::manual_seed(seed);
  torch::NoGradGuard ng;
  for (auto& p : m.parameters()) p.normal_(0, scale);
}

std::vector<std::shared_ptr<FlowLayerImpl>> testLayers() {
  torch::manual_seed(1);
  std::vector<std::shared_ptr<FlowLayerImpl>> layers{
      std::make_shared<AffineCouplingImpl>(0, 16, 2), std::make_shared<AffineCouplingImpl>(1, 16, 2),
      std::make_shared<PlanarImpl>(0), std::make_shared<PlanarImpl>(1)};
  int seed = 10;
  for (auto& l : layers) randomize(*l, 0.7, seed++);
  return layers;
}

// log|det dz/dx| by central differences, in double precision.
double numericLogDet(const std::function<torch::Tensor(const torch::Tensor&)>& f, double x, double y) {
  const double h = 1e-6;
  double j[2][2];
  for (int c = 0; c < 2; ++c) {
    auto p = torch::tensor({{x, y}}, torch::kDouble), m = p.clone();
    p[0][c] += h;
    m[0][c] -= h;
    auto d = (f(p) - f(m)) / (2 * h);
    j[0][c] = d[0][0].item<double>();
    j[1][c] = d[0][1].item<double>();
  }
  return std::log(std::abs(j[0][0] * j[1][1] - j[0][1] * j[1][0]));
}

torch::Tensor testPoints(torch::ScalarType type) {
  torch::manual_seed(99);
  return (torch::randn({25, 2}) * 1.5).to(type);
}
}  // namespace

TEST_CASE("each flow layer's log-det matches a numerical Jacobian", "[toy2d][flow]") {
  auto x = testPoints(torch::kDouble);
  for (auto& layer : testLayers()) {
    INFO(layer->name());
    layer->to(torch::kDouble);
    torch::NoGradGuard ng;
    auto logdet = layer->forward(x).second;
    auto f = [&](const torch::Tensor& p) { return layer->forward(p).first; };
    for (int i = 0; i < x.size(0); ++i) {
      const double num = numericLogDet(f, x[i][0].item<double>(), x[i][1].item<double>());
      CHECK(logdet[i].item<double>() == Approx(num).margin(1e-6));
    }
  }
  // The whole stack: summed log-dets against the Jacobian of the composition.
  torch::manual_seed(4);
  FlowNet realnvp("realnvp", 6, 16, 2), planar("planar", 6, 16, 2);
  for (FlowNet* net : {&realnvp, &planar}) {
    randomize(**net, 0.5, 8);
    (*net)->to(torch::kDouble);
    torch::NoGradGuard ng;
    auto logdet = (*net)->forward(x).second;
    auto f = [&](const torch::Tensor& p) { return (*net)->forward(p).first; };
    for (int i = 0; i < 5; ++i)
      CHECK(logdet[i].item<double>() ==
            Approx(numericLogDet(f, x[i][0].item<double>(), x[i][1].item<double>())).margin(1e-6));
  }
}

TEST_CASE("flow layers invert to 1e-5 in single precision", "[toy2d][flow]") {
  auto x = testPoints(torch::kFloat);
  torch::NoGradGuard ng;
  for (auto& layer : testLayers()) {
    INFO(layer->name());
    auto z = layer->forward(x).first;
    CHECK((layer->inverse(z) - x).abs().max().item<float>() < 1e-5f);
    CHECK((layer->forward(layer->inverse(x)).first - x).abs().max().item<float>() < 1e-5f);
  }
  torch::manual_seed(4);
  for (const char* type : {"realnvp", "planar"}) {
    INFO(type);
    FlowNet net(type, 8, 16, 2);
    randomize(*net, 0.4, 5);
    auto z = net->forward(x).first;
    CHECK((net->inverse(z) - x).abs().max().item<float>() < 1e-5f);
  }
}

TEST_CASE("a flow's density integrates to one", "[toy2d][flow]") {
  torch::manual_seed(6);
  FlowNet net("realnvp", 4, 16, 2);
  randomize(*net, 0.3, 7);
  net->to(torch::kDouble);
  torch::NoGradGuard ng;
  const int n = 400;
  const double lo = -8, hi = 8, step = (hi - lo) / n;
  auto c = torch::linspace(lo + step / 2, hi - step / 2, n, torch::kDouble);
  auto grid = torch::stack({c.repeat({n}), c.repeat_interleave(n)}, 1);
  const double mass = net->logProb(grid).exp().sum().item<double>() * step * step;
  CHECK(mass == Approx(1.0).margin(0.01));
}
