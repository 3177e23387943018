// 2-D lab: the hand-written CPU MLP, GAN losses and optimisers against
// LibTorch autograd and torch.optim.
#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>

#include <memory>

#include "core/labs/toy2d/toy2d_native_gan.h"
#include "core/labs/toy2d/toy2d_native_mlp.h"
#include "core/labs/toy2d/toy2d_torch.h"

// LibTorch pulls in glog, whose CHECK aborts instead of reporting: Catch's
// CHECK must be the one defined here, so Catch comes last.
#undef CHECK
#include <catch2/catch.hpp>

using namespace genlab::core::toy2d;

namespace {
// The same network in LibTorch, in double precision, with the native weights.
Mlp torchCopy(const NativeMlp& m, int hiddenLayers) {
  const int hidden = m.linearLayers() > 1 ? m.layerOut(0) : 1;
  Mlp t(m.inputs(), hidden, hiddenLayers, m.outputs(), Activation::Relu);
  t->to(torch::kDouble);
  torch::NoGradGuard ng;
  for (int k = 0; k < m.linearLayers(); ++k) {
    const int in = m.layerIn(k), out = m.layerOut(k);
    auto w = t->fcs[k]->weight.accessor<double, 2>();
    auto b = t->fcs[k]->bias.accessor<double, 1>();
    for (int o = 0; o < out; ++o) {
      b[o] = m.params()[m.biasOffset(k) + o];
      for (int i = 0; i < in; ++i) w[o][i] = m.params()[m.weightOffset(k) + i * out + o];
    }
  }
  return t;
}

// Native gradient of layer k (weights then bias) in torch's layout.
void checkGrads(NativeMlp& m, Mlp& t) {
  for (int k = 0; k < m.linearLayers(); ++k) {
    const int in = m.layerIn(k), out = m.layerOut(k);
    auto gw = t->fcs[k]->weight.grad().accessor<double, 2>();
    auto gb = t->fcs[k]->bias.grad().accessor<double, 1>();
    for (int o = 0; o < out; ++o) {
      CHECK(m.grads()[m.biasOffset(k) + o] == Approx(gb[o]).epsilon(1e-5).margin(1e-5));
      for (int i = 0; i < in; ++i)
        CHECK(m.grads()[m.weightOffset(k) + i * out + o] == Approx(gw[o][i]).epsilon(1e-5).margin(1e-5));
    }
  }
}

std::vector<float> randomVector(std::size_t n, Rng& r) {
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(r.normal());
  return v;
}

torch::Tensor asTensor(const std::vector<float>& v, int cols) {
  return toTensor(v, cols, c10::Device(c10::kCPU)).to(torch::kDouble);
}
}  // namespace

TEST_CASE("the native MLP's gradients equal LibTorch autograd's", "[toy2d][native]") {
  struct Shape {
    int in, hidden, layers, out, rows;
  };
  for (auto s : {Shape{2, 8, 1, 1, 150}, Shape{2, 64, 3, 1, 37}, Shape{3, 20, 2, 5, 9},
                 Shape{2, 17, 2, 2, 64}, Shape{1, 33, 0, 3, 5}}) {
    INFO("in " << s.in << " hidden " << s.hidden << " layers " << s.layers << " out " << s.out
               << " rows " << s.rows);
    Rng r(s.hidden * 100 + s.rows);
    NativeMlp m(s.in, s.hidden, s.layers, s.out);
    m.initUniform(r);
    auto t = torchCopy(m, s.layers);
    const auto x = randomVector(static_cast<std::size_t>(s.rows) * s.in, r);
    const auto dy = randomVector(static_cast<std::size_t>(s.rows) * s.out, r);
    // Native: forward, then backward of L = sum(y * dy).
    m.zeroGrad();
    const float* y = m.forward(x.data(), s.rows);
    std::vector<float> yNative(y, y + s.rows * s.out), dx(x.size());
    m.backward(dy.data(), dx.data(), true);
    // LibTorch.
    auto xt = asTensor(x, s.in).requires_grad_(true);
    auto yt = t->forward(xt);
    (yt * asTensor(dy, s.out)).sum().backward();
    auto yRef = yt.detach().contiguous();
    for (int i = 0; i < s.rows * s.out; ++i)
      CHECK(yNative[i] == Approx(yRef.data_ptr<double>()[i]).epsilon(1e-5).margin(1e-5));
    auto dxRef = xt.grad().contiguous();
    for (std::size_t i = 0; i < dx.size(); ++i)
      CHECK(dx[i] == Approx(dxRef.data_ptr<double>()[i]).epsilon(1e-5).margin(1e-5));
    checkGrads(m, t);
    // infer() gives the same outputs without touching the caches.
    std::vector<float> y2(yNative.size());
    m.infer(x.data(), s.rows, y2.data());
    for (std::size_t i = 0; i < y2.size(); ++i) CHECK(y2[i] == Approx(yNative[i]).margin(1e-6));
  }
}

TEST_CASE("the native GAN's losses and gradients equal LibTorch's", "[toy2d][native][gan]") {
  auto data = std::make_shared<Toy2dData>(
      splitData(generateBuiltin("8gaussians", 600, 3), 0.2, 3, true, "8g", ""));
  for (const std::string loss : {"ns", "ls"}) {
    INFO("loss " << loss);
    auto o = Toy2dOptions::defaultsFor("gan");
    o.ganLoss = loss;
    o.hidden = 16;
    o.layers = 2;
    o.backend = "native";
    NativeGan gan(o, std::make_shared<DataSampler>(data, 1));
    const int n = 40;
    Rng r(77);
    const auto real = randomVector(2 * n, r);
    const auto noise = randomVector(2 * n, r);
    auto tg = torchCopy(gan.generatorNet(), o.layers);
    auto td = torchCopy(gan.discriminatorNet(), o.layers);
    auto dLoss = [&](const torch::Tensor& lr, const torch::Tensor& lf) {
      if (loss == "ns") return at::softplus(-lr).mean() + at::softplus(lf).mean();
      return 0.5 * (lr - 1).pow(2).mean() + 0.5 * lf.pow(2).mean();
    };
    // Discriminator step.
    const float nativeD = gan.discriminatorLossAndGrad(real.data(), noise.data(), n);
    auto fake = tg->forward(asTensor(noise, 2)).detach();
    auto ld = dLoss(td->forward(asTensor(real, 2)), td->forward(fake));
    ld.backward();
    CHECK(nativeD == Approx(ld.item<double>()).epsilon(1e-5));
    checkGrads(gan.discriminatorNet(), td);
    // Generator step (gradients through D into G).
    for (auto& p : td->parameters()) p.mutable_grad() = torch::Tensor();
    const float nativeG = gan.generatorLossAndGrad(noise.data(), n);
    auto lf = td->forward(tg->forward(asTensor(noise, 2)));
    auto lg = loss == "ns" ? at::softplus(-lf).mean() : (0.5 * (lf - 1).pow(2)).mean();
    lg.backward();
    CHECK(nativeG == Approx(lg.item<double>()).epsilon(1e-5));
    checkGrads(gan.generatorNet(), tg);
  }
}

TEST_CASE("native SGD and Adam take torch.optim's steps", "[toy2d][native][optim]") {
  for (const std::string kind : {"sgd", "adam"}) {
    INFO(kind);
    Rng r(5);
    auto p = randomVector(50, r);
    auto ref = asTensor(p, 1).requires_grad_(true);
    std::unique_ptr<torch::optim::Optimizer> opt;
    if (kind == "sgd")
      opt = std::make_unique<torch::optim::SGD>(std::vector<torch::Tensor>{ref},
                                                torch::optim::SGDOptions(0.05));
    else
      opt = std::make_unique<torch::optim::Adam>(
          std::vector<torch::Tensor>{ref},
          torch::optim::AdamOptions(0.01).betas(std::make_tuple(0.5, 0.999)));
    NativeOptimizer native(kind, kind == "sgd" ? 0.05 : 0.01, 0.5, 0.999);
    for (int step = 0; step < 5; ++step) {
      auto g = randomVector(50, r);
      ref.mutable_grad() = asTensor(g, 1);
      opt->step();
      native.step(p.data(), g.data(), p.size());
    }
    auto refValues = ref.detach().contiguous();
    for (std::size_t i = 0; i < p.size(); ++i)
      CHECK(p[i] == Approx(refValues.data_ptr<double>()[i]).margin(1e-5));
  }
}
