// Torch headers first: c10's logging defines a CHECK macro that would
// otherwise silently replace Catch's (an uncounted, aborting check).
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "core/physics/radon.h"
#undef CHECK

#include <catch2/catch.hpp>

#include <cmath>

using namespace genlab::core::physics;

TEST_CASE("scan presets spread their views over the arc", "[radon]") {
  const auto full = ParallelBeamGeometry::full(64, 180);
  CHECK(full.views() == 180);
  CHECK(full.anglesDeg.back() == Approx(179.0));
  CHECK(full.angleStepRad() == Approx(M_PI / 180));
  CHECK(full.detectorCount() == 91);  // ceil(64 sqrt 2)
  const auto la = ParallelBeamGeometry::limitedAngle(64, 60, 90);
  CHECK(la.anglesDeg.back() == Approx(88.5));
  CHECK(la.angleStepRad() == Approx(1.5 * M_PI / 180));
  CHECK(ParallelBeamGeometry::sparseView(64, 23).views() == 23);
  CHECK_THROWS_AS(ParallelBeamGeometry::limitedAngle(64, 0, 90), std::invalid_argument);
}

TEST_CASE("the Radon adjoint passes the dot-product test", "[radon][adjoint]") {
  for (bool generic : {false, true}) {
    for (int detectors : {0, 40}) {  // 40 bins < 64: pixels fall off the detector
      auto g = ParallelBeamGeometry::limitedAngle(64, 37, 150, 10);
      g.detectors = detectors;
      RadonTransform op(g);
      op.setForceGenericPath(generic);
      INFO("generic " << generic << " detectors " << detectors);
      CHECK(adjointMismatch(op, 3, at::kDouble) < 1e-12);
      CHECK(adjointMismatch(op, 4, at::kFloat) < 1e-5);
    }
  }
}

TEST_CASE("the CPU kernels and the generic path agree", "[radon]") {
  RadonTransform cpu(ParallelBeamGeometry::full(48, 31));
  RadonTransform gen(ParallelBeamGeometry::full(48, 31));
  gen.setForceGenericPath(true);
  auto g = at::make_generator<at::CPUGeneratorImpl>(5);
  auto x = at::rand({3, 48, 48}, g, at::kDouble);
  auto y = at::rand({3, 31, cpu.geometry().detectorCount()}, g, at::kDouble);
  CHECK((cpu.forward(x) - gen.forward(x)).abs().max().item<double>() < 1e-9);
  CHECK((cpu.adjoint(y) - gen.adjoint(y)).abs().max().item<double>() < 1e-9);
}

TEST_CASE("a projection conserves mass and a centred disc projects symmetrically", "[radon]") {
  RadonTransform op(ParallelBeamGeometry::full(64, 12));
  auto idx = at::arange(64, at::kDouble) - 31.5;
  auto r2 = idx.view({64, 1}).pow(2) + idx.view({1, 64}).pow(2);
  auto disc = (r2 < 20.0 * 20.0).to(at::kDouble);
  auto sino = op.forward(disc);
  // Every view integrates the whole image (the disc fits on the detector).
  auto sums = sino.sum(1);
  CHECK((sums - disc.sum()).abs().max().item<double>() < 1e-9);
  // The centre bin sees a chord of ~40 pixels at every angle.
  const double centre = sino.select(1, sino.size(1) / 2).mean().item<double>();
  CHECK(centre == Approx(40.0).epsilon(0.05));
}

TEST_CASE("gradients flow through the Radon operator as its adjoint", "[radon]") {
  // The loss <A x, y> is linear in x, so its gradient g must satisfy
  // <g, v> = <A v, y> for every direction v: a check on what autograd
  // returns that uses only the forward projection (not the adjoint that
  // the backward pass is built from).
  for (bool generic : {false, true}) {
    INFO("generic " << generic);
    RadonTransform op(ParallelBeamGeometry::sparseView(32, 9));
    op.setForceGenericPath(generic);
    auto g = at::make_generator<at::CPUGeneratorImpl>(9);
    auto x = at::rand({2, 32, 32}, g, at::kDouble).requires_grad_(true);
    auto y = at::rand({2, 9, op.geometry().detectorCount()}, g, at::kDouble);
    auto loss = (op.forward(x) * y).sum();
    loss.backward();
    REQUIRE(x.grad().defined());
    for (int k = 0; k < 3; ++k) {
      const auto v = at::randn({2, 32, 32}, g, at::kDouble);
      const double viaGrad = (x.grad() * v).sum().item<double>();
      at::NoGradGuard ng;
      const double viaForward = (op.forward(v) * y).sum().item<double>();
      CHECK(viaGrad == Approx(viaForward).epsilon(1e-10));
    }
  }
}
