// Torch headers first: c10's logging defines a CHECK macro that would
// otherwise silently replace Catch's.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "core/labs/ct/ct_metrics.h"
#include "core/labs/ct/fbp.h"
#include "core/labs/ct/solvers.h"
#include "core/physics/blur.h"
#include "core/physics/noise.h"
#include "core/physics/phantom.h"
#include "core/physics/radon.h"
#include "tensor_test_util.h"
#undef CHECK

#include <catch2/catch.hpp>

#include <cmath>

using namespace genlab::core;
using namespace genlab::core::physics;
using genlab::test::tensorOf;

TEST_CASE("PSNR and SSIM have their known answers", "[ct][metrics]") {
  const auto x = tensorOf(sheppLogan(64));
  CHECK(ct::ssim(x, x) == Approx(1.0).epsilon(1e-12));
  CHECK(std::isinf(ct::psnr(x, x)));
  // A constant offset of 0.1 on a [0, 1] truth: MSE 0.01, PSNR 20 dB.
  CHECK(ct::psnr(x + 0.1, x) == Approx(20.0).epsilon(1e-6));
  CHECK(ct::ssim(x + 0.3 * at::randn_like(x), x) < 0.5);
}

TEST_CASE("the blur operator's adjoint passes the dot-product test", "[ct][blur][adjoint]") {
  BlurOperator gauss(40, 52, gaussianPsf(2.0));
  BlurOperator motion(40, 52, motionPsf(9, 30));
  for (const LinearOperator* op : {static_cast<const LinearOperator*>(&gauss),
                                   static_cast<const LinearOperator*>(&motion)}) {
    CHECK(adjointMismatch(*op, 1, at::kDouble) < 1e-12);
    CHECK(adjointMismatch(*op, 2, at::kFloat) < 1e-5);
  }
  // A PSF of sum 1 keeps the mass of an image far from the border.
  auto x = at::zeros({40, 52}, at::kDouble);
  x.select(0, 20).select(0, 26).fill_(1.0);
  CHECK(gauss.forward(x).sum().item<double>() == Approx(1.0).epsilon(1e-6));
}

TEST_CASE("FBP of the noiseless full-view Shepp-Logan at 256 px reaches 30 dB", "[ct][fbp]") {
  const auto truth = tensorOf(sheppLogan(256));
  RadonTransform radon(ParallelBeamGeometry::full(256, 180));
  const auto sino = radon.forward(truth);
  double best = 0;
  for (auto f : {ct::FbpFilter::Ramp, ct::FbpFilter::SheppLogan, ct::FbpFilter::Cosine,
                 ct::FbpFilter::Hann}) {
    const double p = ct::psnr(ct::fbp(radon, sino, f), truth);
    WARN("FBP " << ct::fbpFilterName(f) << ": " << p << " dB");
    best = std::max(best, p);
    if (f == ct::FbpFilter::Ramp) CHECK(p >= 30.0);
  }
  CHECK(best >= 30.0);
}

TEST_CASE("gradient and divergence are negative adjoints", "[ct][tv]") {
  auto g = at::make_generator<at::CPUGeneratorImpl>(3);
  auto x = at::randn({2, 17, 23}, g, at::kDouble);
  auto px = at::randn({2, 17, 23}, g, at::kDouble), py = at::randn({2, 17, 23}, g, at::kDouble);
  at::Tensor gx, gy;
  ct::gradient2d(x, gx, gy);
  // The fields' unused last column / row must not matter: zero them as the solver does.
  px.select(-1, 22).zero_();
  py.select(-2, 16).zero_();
  const double lhs = (gx * px + gy * py).sum().item<double>();
  const double rhs = -(x * ct::divergence2d(px, py)).sum().item<double>();
  CHECK(lhs == Approx(rhs).epsilon(1e-12));
}

TEST_CASE("seeded Poisson noise is reproducible and zero photons means noiseless", "[ct][noise]") {
  RadonTransform radon(ParallelBeamGeometry::sparseView(64, 20));
  const auto clean = radon.forward(tensorOf(sheppLogan(64)));
  NoiseModel m;
  m.kind = NoiseModel::Kind::Poisson;
  m.photons = 1e4;
  auto g1 = at::make_generator<at::CPUGeneratorImpl>(5), g2 = at::make_generator<at::CPUGeneratorImpl>(5);
  const auto a = simulateMeasurement(clean, m, 64, g1), b = simulateMeasurement(clean, m, 64, g2);
  CHECK(at::equal(a, b));
  const double rel = ((a - clean).norm() / clean.norm()).item<double>();
  CHECK(rel > 1e-4);
  CHECK(rel < 0.1);
  CHECK(at::isfinite(a).all().item<bool>());
  m.photons = 1;  // nearly every bin counts zero photons: the log stays finite
  CHECK(at::isfinite(simulateMeasurement(clean, m, 64, g1)).all().item<bool>());
  m.kind = NoiseModel::Kind::None;
  CHECK(at::equal(simulateMeasurement(clean, m, 64, g1), clean));
}

TEST_CASE("TV beats FBP and SIRT on a limited-angle scan", "[ct][tv]") {
  const int n = 64;
  const auto truth = tensorOf(randomEllipsePhantom(n, 3, PhantomStream::HeldOut));
  RadonTransform radon(ParallelBeamGeometry::limitedAngle(n, 45, 90));
  NoiseModel m;
  m.kind = NoiseModel::Kind::Poisson;
  auto g = at::make_generator<at::CPUGeneratorImpl>(1);
  const auto y = simulateMeasurement(radon.forward(truth), m, n, g);
  const double pFbp = ct::psnr(ct::fbp(radon, y, ct::FbpFilter::Ramp), truth);
  ct::Sirt sirt(radon, y);
  for (int i = 0; i < 100; ++i) sirt.iterate();
  ct::TvChambollePock tv(radon, y, 2e-3);
  for (int i = 0; i < 300; ++i) tv.iterate();
  const double pSirt = ct::psnr(sirt.estimate(), truth), pTv = ct::psnr(tv.estimate(), truth);
  INFO("FBP " << pFbp << " dB, SIRT " << pSirt << " dB, TV " << pTv << " dB");
  CHECK(pTv > pFbp + 3);
  CHECK(pTv > pSirt);
}

TEST_CASE("the nullspace split sums back and its measured part explains the data", "[ct][nullspace]") {
  const int n = 48;
  RadonTransform radon(ParallelBeamGeometry::limitedAngle(n, 30, 90));
  const auto x = tensorOf(randomEllipsePhantom(n, 7, PhantomStream::HeldOut)).to(at::kDouble);
  const auto split = ct::nullspaceSplit(radon, x, 300, 1e-6);
  CHECK((split.rowSpace + split.nullSpace - x).abs().max().item<double>() < 1e-12);
  const auto ax = radon.forward(x);
  const double rel = ((radon.forward(split.rowSpace) - ax).norm() / ax.norm()).item<double>();
  INFO("CG iterations " << split.iterations << ", measured residual " << rel);
  CHECK(rel < 1e-3);
  // The unseen part is (nearly) invisible to the scanner and orthogonal to the seen part.
  CHECK((radon.forward(split.nullSpace).norm() / ax.norm()).item<double>() < 1e-3);
  const double cosine = ((split.rowSpace * split.nullSpace).sum() /
                         (split.rowSpace.norm() * split.nullSpace.norm())).item<double>();
  CHECK(std::abs(cosine) < 0.05);
  // A 90-degree arc leaves a large part of the object unseen.
  CHECK(split.nullSpace.norm().item<double>() > 0.05 * x.norm().item<double>());
}
