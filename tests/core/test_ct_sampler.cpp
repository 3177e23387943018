// The score prior's posterior sampler: its data-consistency step (weighted,
// damped CGLS) and the samplers' reproducibility, on problems small enough
// for a unit test. Torch headers first: c10's logging defines a CHECK macro
// that would otherwise silently replace Catch's.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "core/labs/ct/ct_options.h"
#include "core/labs/ct/score_prior.h"
#include "core/labs/ct/score_sampler.h"
#include "core/labs/ct/solvers.h"
#include "core/physics/phantom.h"
#include "core/physics/radon.h"
#include "tensor_test_util.h"
#undef CHECK

#include <catch2/catch.hpp>

#include <cmath>
#include <memory>

using namespace genlab::core;
using namespace genlab::core::physics;
using genlab::test::tensorOf;
namespace {

double l2(const at::Tensor& t) { return t.norm().item<double>(); }

std::shared_ptr<ct::ScorePrior> tinyPrior(int size) {
  ct::PriorOptions o;
  o.size = size;
  o.channels = 4;
  return std::make_shared<ct::ScorePrior>(o, c10::Device(c10::kCPU));
}
}  // namespace

TEST_CASE("weighted, damped CGLS solves its normal equations and plain CGLS is unchanged",
          "[ct][sampler][cgls]") {
  const int n = 24;
  RadonTransform radon(ParallelBeamGeometry::limitedAngle(n, 12, 120));
  auto g = at::make_generator<at::CPUGeneratorImpl>(3);
  const auto opts = at::TensorOptions().dtype(at::kDouble);
  const auto x = tensorOf(randomEllipsePhantom(n, 5, PhantomStream::HeldOut)).to(at::kDouble);
  const auto b = radon.forward(x) + 0.1 * at::randn(radon.measurementShape(), g, opts);
  const auto w = 0.5 + at::rand(radon.measurementShape(), g, opts);  // per-bin 1 / std
  const double damping = 3.0;
  ct::ConjugateGradientNormal cg(radon, b, w, damping);
  for (int i = 0; i < 200 && cg.normalResidual() > 1e-10; ++i) cg.iterate();
  const auto z = cg.estimate();
  // (A^T W^2 A + damping I) z = A^T W^2 b
  const auto lhs = radon.adjoint(w * w * radon.forward(z)) + damping * z;
  const auto rhs = radon.adjoint(w * w * b);
  INFO("iterations " << cg.iterations());
  CHECK(l2(lhs - rhs) < 1e-6 * l2(rhs));
  // The damping keeps the solution shorter than the undamped least-squares one.
  ct::ConjugateGradientNormal free(radon, b, w);
  for (int i = 0; i < cg.iterations(); ++i) free.iterate();
  CHECK(l2(z) < l2(free.estimate()));
  // Without weights and damping it is plain CGLS: A^T (A z - b) -> 0.
  ct::ConjugateGradientNormal plain(radon, b);
  for (int i = 0; i < 100; ++i) plain.iterate();
  const auto grad = radon.adjoint(radon.forward(plain.estimate()) - b);
  CHECK(l2(grad) < 1e-3 * l2(radon.adjoint(b)));
  CHECK(plain.normalResidual() == Approx(l2(grad) / l2(radon.adjoint(b))).margin(1e-9));
}

TEST_CASE("a data-consistency step moves an image toward the measurement", "[ct][sampler][dc]") {
  const int n = 32;
  RadonTransform radon(ParallelBeamGeometry::limitedAngle(n, 16, 90));
  const auto truth = tensorOf(randomEllipsePhantom(n, 9, PhantomStream::HeldOut));
  const auto y = radon.forward(truth);
  // A batch of two starting points, each corrected toward the same data.
  const auto x0 = at::stack({at::full({n, n}, 0.5f), truth * 0.5f});
  const double before = l2(radon.forward(x0) - y);
  for (int iters : {1, 3, 10}) {
    const auto x = ct::cglsCorrection(radon, x0, y, iters);
    INFO(iters << " iterations");
    CHECK(l2(radon.forward(x) - y) < 0.5 * before);
  }
  CHECK(l2(radon.forward(ct::cglsCorrection(radon, x0, y, 10)) - y) <
        l2(radon.forward(ct::cglsCorrection(radon, x0, y, 3)) - y));
  // Weighted and damped: still toward the data, less far than undamped.
  const auto w = at::ones(radon.measurementShape());
  ct::ConjugateGradientNormal strong(radon, y - radon.forward(x0), w, 100.0);
  ct::ConjugateGradientNormal weak(radon, y - radon.forward(x0), w, 1e-3);
  for (int i = 0; i < 5; ++i) {
    strong.iterate();
    weak.iterate();
  }
  const double rStrong = l2(radon.forward(x0 + strong.estimate()) - y);
  const double rWeak = l2(radon.forward(x0 + weak.estimate()) - y);
  CHECK(rStrong < before);
  CHECK(rWeak < rStrong);
}

TEST_CASE("the posterior samplers are deterministic for a seed and fit the data",
          "[ct][sampler]") {
  const int n = 32;
  RadonTransform radon(ParallelBeamGeometry::limitedAngle(n, 16, 120));
  const auto truth = tensorOf(randomEllipsePhantom(n, 4, PhantomStream::HeldOut));
  const auto y = radon.forward(truth);
  auto prior = tinyPrior(n);  // untrained: D(x; sigma) shrinks toward mid-grey
  for (const char* scheme : {"dds", "pc"}) {
    ct::SamplerOptions o;
    o.scheme = scheme;
    o.samples = 3;
    o.steps = 6;
    o.sigmaMax = 0.3;
    o.sigmaMin = 0.01;
    o.seed = 5;
    if (o.scheme == "dds") o.measurementStd = at::full({}, 0.05);
    auto run = [&](const ct::SamplerOptions& opt) {
      ct::PosteriorSampler s(prior, radon, y, opt);
      while (!s.finished()) s.advance();
      CHECK(s.level() == opt.steps);
      return s.samples().clone();
    };
    INFO(scheme);
    const auto a = run(o), b = run(o);
    REQUIRE(a.sizes() == at::IntArrayRef({3, n, n}));
    CHECK(at::equal(a, b));
    auto other = o;
    other.seed = 6;
    CHECK(!at::equal(a, run(other)));
    // The chains differ from each other (an uncertainty map), and their mean
    // explains the data far better than the mid-grey start did.
    CHECK(l2(a[0] - a[1]) > 0);
    const double start = l2(radon.forward(at::full({n, n}, 0.5f)) - y);
    CHECK(l2(radon.forward(a.mean(0)) - y) < 0.5 * start);
    // Without the random symmetries the chains take other paths (an untrained
    // network is far from equivariant), and are just as reproducible.
    auto plain = o;
    plain.symmetric = false;
    const auto p = run(plain);
    CHECK(at::equal(p, run(plain)));
    CHECK(!at::equal(a, p));
  }
}

TEST_CASE("the square's 8 symmetries are distinct and undone exactly", "[ct][sampler]") {
  const auto x = at::arange(2 * 4 * 4, at::kFloat).reshape({2, 4, 4});
  CHECK(at::equal(ct::applyDihedral(x, 0), x));
  CHECK(at::equal(ct::applyDihedral(x, 4), x.flip({-1})));
  CHECK(at::equal(ct::applyDihedral(ct::applyDihedral(x, 1), 1), ct::applyDihedral(x, 2)));
  std::vector<at::Tensor> images;
  for (int g = 0; g < 8; ++g) {
    INFO("element " << g);
    const auto t = ct::applyDihedral(x, g);
    CHECK(t.sizes() == x.sizes());
    CHECK(at::equal(ct::undoDihedral(t, g), x));
    // Every element moves pixels, never changes them.
    CHECK(at::equal(std::get<0>(t.flatten().sort()), x.flatten()));
    for (const auto& seen : images) CHECK(!at::equal(seen, t));
    images.push_back(t);
    // The even elements keep a non-square image's shape.
    const auto wide = at::zeros({3, 5});
    if (g % 2 == 0) CHECK(ct::applyDihedral(wide, g).sizes() == wide.sizes());
  }
}

TEST_CASE("prior training stops at its time box with the schedule complete", "[ct][score]") {
  ct::PriorOptions o;
  o.size = 16;
  o.channels = 4;
  o.batch = 2;
  o.steps = 1000000;  // far more than the box allows
  o.maxSeconds = 0.3;
  auto prior = std::make_shared<ct::ScorePrior>(o, c10::Device(c10::kCPU));
  ct::PriorTrainer trainer(prior);
  CHECK(trainer.progress() == 0);
  bool finite = true;
  while (!trainer.done()) finite = std::isfinite(trainer.step()) && finite;
  CHECK(finite);
  // Stopped by the box, not by the step count (no wall-clock bound asserted).
  CHECK(trainer.steps() >= 1);
  CHECK(trainer.steps() < o.steps);
  CHECK(trainer.progress() == 1.0);
  // By steps when they run out first.
  o.steps = 3;
  o.maxSeconds = 1000;
  ct::PriorTrainer bySteps(std::make_shared<ct::ScorePrior>(o, c10::Device(c10::kCPU)));
  while (!bySteps.done()) bySteps.step();
  CHECK(bySteps.steps() == 3);
}

TEST_CASE("the DDS ladder runs from sigma_max down to sigma_min", "[ct][sampler]") {
  const int n = 16;
  RadonTransform radon(ParallelBeamGeometry::limitedAngle(n, 8, 180));
  auto prior = tinyPrior(n);
  ct::SamplerOptions o;
  o.steps = 5;
  o.sigmaMax = 0.2;
  o.sigmaMin = 0.005;
  ct::PosteriorSampler s(prior, radon, at::zeros(radon.measurementShape()), o);
  CHECK(s.sigmaAt(0) == Approx(0.2));
  CHECK(s.sigmaAt(4) == Approx(0.005));
  for (int i = 1; i < 5; ++i) CHECK(s.sigmaAt(i) < s.sigmaAt(i - 1));
  o.eta = 1.5;
  CHECK_THROWS_AS(ct::PosteriorSampler(prior, radon, at::zeros(radon.measurementShape()), o),
                  std::invalid_argument);
}

TEST_CASE("the sampler and the prior's training advance in short parts", "[ct][sampler][score]") {
  const int n = 32;
  RadonTransform radon(ParallelBeamGeometry::limitedAngle(n, 16, 120));
  const auto truth = tensorOf(randomEllipsePhantom(n, 2, PhantomStream::HeldOut));
  const auto y = radon.forward(truth);
  auto prior = tinyPrior(n);
  // The network has no batch-coupled layer: chains denoised one at a time
  // equal chains denoised as a batch (the premise of denoising in parts).
  {
    at::NoGradGuard ng;
    const auto x = at::rand({3, 1, n, n});
    const auto sig = at::full({3}, 0.2);
    const auto batched = prior->denoise(x, sig);
    for (int c = 0; c < 3; ++c)
      CHECK(at::allclose(prior->denoise(x.narrow(0, c, 1), sig.narrow(0, c, 1)),
                         batched.narrow(0, c, 1), 1e-5, 1e-6));
  }
  for (const char* scheme : {"dds", "pc"}) {
    INFO(scheme);
    ct::SamplerOptions o;
    o.scheme = scheme;
    o.samples = 3;
    o.steps = 4;
    o.corrector = 2;
    o.sigmaMax = 0.3;
    o.seed = 2;
    ct::PosteriorSampler parts(prior, radon, y, o);
    int calls = 0;
    while (!parts.finished()) {
      const int level = parts.level();
      const bool ended = parts.advancePart();
      ++calls;
      CHECK(parts.level() == (ended ? level + 1 : level));
    }
    // DDS: a call per part of chains per level; PC: the same per denoiser
    // call (2 corrector steps and the predictor).
    const int chunks = int((o.samples + ct::PosteriorSampler::kChainsPerPart - 1) /
                           ct::PosteriorSampler::kChainsPerPart);
    // DDS: the consistency step's CG iterations are parts too; the first
    // runs in the call that ends the denoising, so a level takes
    // chunks + (iterations - 1) calls.
    const int dc = o.scheme == "pc" ? 0 : o.steps * (o.dcIterations - 1);
    CHECK(calls == o.steps * chunks * (o.scheme == "pc" ? 3 : 1) + dc);
    ct::PosteriorSampler whole(prior, radon, y, o);
    while (!whole.finished()) whole.advance();
    CHECK(at::equal(parts.samples(), whole.samples()));
  }
  ct::PriorOptions po;
  po.size = 16;
  po.channels = 4;
  po.batch = 3;
  po.steps = 2;
  ct::PriorTrainer trainer(std::make_shared<ct::ScorePrior>(po, c10::Device(c10::kCPU)));
  CHECK_FALSE(trainer.advance());  // images 1-2 of 3
  CHECK(trainer.steps() == 0);
  CHECK(trainer.advance());  // the third image ends the step
  CHECK(trainer.steps() == 1);
  CHECK(std::isfinite(trainer.lastLoss()));
  CHECK(trainer.lastLoss() > 0);
}
