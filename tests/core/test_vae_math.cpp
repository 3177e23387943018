#include <ATen/ATen.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/container/functional.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/optim/adam.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "core/labs/latent/vae_fused.h"
#include "core/labs/latent/vae_math.h"
#include "core/labs/latent/vae_mlp_step.h"
#include "core/labs/latent/vae_model.h"

// LibTorch's logging header defines a CHECK macro of its own; Catch's must
// win, so Catch comes after every torch header.
#undef CHECK
#include <catch2/catch.hpp>

using namespace genlab::core::latent;

TEST_CASE("KL to N(0,1) matches its closed form and a Monte-Carlo estimate", "[vae][math]") {
  // mu = 1, sigma = 2: KL = 0.5 (mu^2 + sigma^2 - 1 - ln sigma^2) = 0.5 (4 - ln 4).
  auto mu = at::tensor({1.0}, at::kDouble);
  auto logvar = at::tensor({std::log(4.0)}, at::kDouble);
  const double closed = 0.5 * (4.0 - std::log(4.0));
  CHECK(klToStandardNormal(mu, logvar).item<double>() == Approx(closed).epsilon(1e-12));

  // Monte Carlo: E_q[log q(z) - log p(z)], z ~ q, for several (mu, sigma).
  auto gen = at::make_generator<at::CPUGeneratorImpl>(42);
  for (auto [m, s] : {std::pair{0.0, 1.0}, {1.0, 2.0}, {-2.0, 0.5}, {0.3, 0.1}}) {
    const int n = 400000;
    auto eps = at::randn({n}, gen, at::TensorOptions().dtype(at::kDouble));
    auto z = m + s * eps;
    auto logq = -0.5 * eps.pow(2) - std::log(s) - 0.5 * std::log(2 * M_PI);
    auto logp = -0.5 * z.pow(2) - 0.5 * std::log(2 * M_PI);
    const double mc = (logq - logp).mean().item<double>();
    const double kl = klToStandardNormal(at::tensor({m}, at::kDouble),
                                         at::tensor({2 * std::log(s)}, at::kDouble))
                          .item<double>();
    INFO("mu " << m << " sigma " << s << " MC " << mc << " closed " << kl);
    CHECK(std::abs(mc - kl) < 0.02 + 0.01 * kl);
  }
}

TEST_CASE("reparameterized gradients match finite differences", "[vae][math]") {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(7);
  auto eps = at::randn({5000, 3}, gen, at::TensorOptions().dtype(at::kDouble));
  auto f = [&](const at::Tensor& mu, const at::Tensor& logvar) {
    auto z = reparameterize(mu, logvar, eps);
    return (at::sin(z) + z.pow(3) / 3.0).mean(0).sum();
  };
  auto mu = at::tensor({0.5, -1.0, 2.0}, at::kDouble).requires_grad_();
  auto logvar = at::tensor({-1.0, 0.0, 0.7}, at::kDouble).requires_grad_();
  f(mu, logvar).backward();
  const double h = 1e-6;
  for (int i = 0; i < 3; ++i) {
    for (auto* which : {&mu, &logvar}) {
      auto plus = which->detach().clone(), minus = which->detach().clone();
      plus[i] += h;
      minus[i] -= h;
      const bool isMu = which == &mu;
      const double fp = isMu ? f(plus, logvar.detach()).item<double>()
                             : f(mu.detach(), plus).item<double>();
      const double fm = isMu ? f(minus, logvar.detach()).item<double>()
                             : f(mu.detach(), minus).item<double>();
      const double fd = (fp - fm) / (2 * h);
      CHECK(which->grad()[i].item<double>() == Approx(fd).epsilon(1e-6).margin(1e-8));
    }
  }
  // And for f(z) = z^2 against the exact gradient of E[z^2] = mu^2 + sigma^2.
  auto big = at::randn({400000, 1}, gen, at::TensorOptions().dtype(at::kDouble));
  auto m2 = at::tensor({0.7}, at::kDouble).requires_grad_();
  auto lv2 = at::tensor({std::log(0.25)}, at::kDouble).requires_grad_();
  reparameterize(m2, lv2, big).pow(2).mean().backward();
  CHECK(m2.grad().item<double>() == Approx(2 * 0.7).margin(0.01));
  CHECK(lv2.grad().item<double>() == Approx(0.25).margin(0.01));  // d sigma^2 / d logvar
}

TEST_CASE("FlatAdam takes the same steps as torch::optim::Adam", "[vae][optim]") {
  auto make = [] {
    torch::manual_seed(3);
    return torch::nn::Sequential(torch::nn::Linear(6, 5), torch::nn::Functional(torch::relu),
                                 torch::nn::Linear(5, 2));
  };
  auto a = make();
  auto b = make();
  torch::optim::Adam ref(a->parameters(), torch::optim::AdamOptions(1e-2));
  FlatAdam flat(*b, "adam", 1e-2);
  auto x = torch::randn({16, 6});
  auto y = torch::randn({16, 2});
  for (int step = 0; step < 20; ++step) {
    ref.zero_grad();
    (a->forward(x) - y).pow(2).sum().backward();
    ref.step();
    flat.zeroGrad();
    (b->forward(x) - y).pow(2).sum().backward();
    flat.step();
  }
  auto pa = a->parameters();
  auto pb = b->parameters();
  REQUIRE(pa.size() == pb.size());
  for (std::size_t i = 0; i < pa.size(); ++i) {
    INFO("parameter " << i);
    CHECK(torch::allclose(pa[i], pb[i], 1e-5, 1e-6));
    CHECK(pb[i].grad().abs().sum().item().toDouble() > 0);  // gradients land in the flat buffer
  }
}

TEST_CASE("fused BCE and Gaussian-latent functions match the composite formulas", "[vae][math]") {
  torch::manual_seed(11);
  const int64_t b = 7, d = 3, p = 13;
  auto stats = (torch::randn({b, 2 * d}) * 2).requires_grad_();
  auto eps = torch::randn({b, d});
  auto logits = (torch::randn({b, p}) * 5).requires_grad_();
  auto target = torch::rand({b, p});
  auto gz = torch::randn({b, d});
  // Fused.
  auto [z, kl] = gaussianLatent(stats, eps);
  auto bce = bceWithLogitsSum(logits, target);
  ((z * gz).sum() + 0.7 * kl + 1.3 * bce).backward();
  auto gStats = stats.grad().clone();
  auto gLogits = logits.grad().clone();
  stats.mutable_grad().reset();
  logits.mutable_grad().reset();
  // Composite.
  auto mu = stats.narrow(1, 0, d), lv = stats.narrow(1, d, d);
  auto z2 = reparameterize(mu, lv, eps);
  auto kl2 = klToStandardNormal(mu, lv).sum();
  auto bce2 = at::binary_cross_entropy_with_logits(logits, target, {}, {}, at::Reduction::Sum);
  ((z2 * gz).sum() + 0.7 * kl2 + 1.3 * bce2).backward();
  CHECK(torch::allclose(z, z2, 1e-5, 1e-6));
  CHECK(kl.item<float>() == Approx(kl2.item<float>()).epsilon(1e-5));
  CHECK(bce.item<float>() == Approx(bce2.item<float>()).epsilon(1e-5));
  CHECK(torch::allclose(gStats, stats.grad(), 1e-4, 1e-5));
  CHECK(torch::allclose(gLogits, logits.grad(), 1e-4, 1e-5));
}

TEST_CASE("the hand-written MLP step has autograd's loss and gradients", "[vae][math]") {
  auto make = [] {
    torch::manual_seed(11);
    return std::make_shared<MlpVaeImpl>(30, 16, 3);
  };
  auto byHand = make();
  auto byAutograd = make();
  FlatAdam flat(*byHand, "adam", 1e-3);  // its gradients become views of one buffer
  REQUIRE(MlpVaeStep::supports(*byHand));
  auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
  const auto x = at::rand({9, 30}, gen);  // targets in [0, 1], as pixel intensities
  const auto eps = at::randn({9, 3}, gen);
  for (const double beta : {1.0, 0.25}) {
    MlpVaeStep step;
    const MlpStepSums sums = step.step(*byHand, x, eps, beta);

    for (auto& p : byAutograd->parameters())
      if (p.grad().defined()) p.mutable_grad().zero_();
    auto stats = byAutograd->encodeStats(x);
    auto [z, kl] = gaussianLatent(stats, eps);
    auto recon = bceWithLogitsSum(byAutograd->decodeLogits(z), x);
    (recon + beta * kl).backward();

    CHECK(sums.recon == Approx(recon.item<double>()).epsilon(1e-5));
    CHECK(sums.kl == Approx(kl.item<double>()).epsilon(1e-5));
    const auto hand = byHand->named_parameters();
    const auto ref = byAutograd->named_parameters();
    for (const auto& item : ref) {
      INFO(item.key() << ", beta " << beta);
      const auto& g = hand[item.key()].grad();
      CHECK(at::allclose(g, item.value().grad(), 1e-4, 1e-5));
      CHECK(g.abs().sum().item<double>() > 0);  // not a gradient that is all zeros
    }
  }
}
