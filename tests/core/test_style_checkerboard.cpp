// Style lab, part 3: the checkerboard measurements against answers worked by
// hand, the upsampling layers' measured phase sums, and short trainings.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <nlohmann/json.hpp>

#include "core/cli/cli.h"
#include "core/data/image_data.h"
#include "core/labs/style/checkerboard.h"
#include "core/labs/style/checkerboard_model.h"
#include "core/labs/style/style_gan_cli.h"
#include "tests/core/mnist_fixture.h"
#include "tests/test_skips.h"

using namespace genlab::core;
using namespace genlab::core::style;

namespace {

// Runs a command that registerGanCli registered, as genlab-cli would.
int runStyleCommand(const std::string& verb, std::vector<std::string> args, std::string& out,
                    std::string& err) {
  cli::Registry r;
  registerGanCli(r);
  for (const auto& c : r.commands()) {
    if (c.lab != "style" || c.verb != verb) continue;
    std::ostringstream o, e;
    int rc = 0;
    try {
      rc = c.run(cli::Args(args, c.flags), o, e);
    } catch (const std::exception& ex) {
      e << ex.what();
      rc = 2;
    }
    out = o.str();
    err = e.str();
    return rc;
  }
  FAIL("no command style " << verb);
  return -1;
}
}  // namespace

TEST_CASE("overlap counts of transposed convolutions, worked by hand", "[style][checkerboard]") {
  // k=3, s=2, p=1: o = 2i - 1 + t; taps t=0,2 reach odd outputs, t=1 even ones.
  CHECK(transposedOverlapCounts(3, 2, 1) == std::vector<int>{1, 2, 2, 4});
  // k=4, s=2, p=1: two taps reach each phase along each axis.
  CHECK(transposedOverlapCounts(4, 2, 1) == std::vector<int>{4, 4, 4, 4});
  // k=3, s=2, p=0: t=0,2 reach even outputs.
  CHECK(transposedOverlapCounts(3, 2, 0) == std::vector<int>{4, 2, 2, 1});
  // k=5, s=3, p=0: phases get taps {0,3}, {1,4}, {2}.
  CHECK(transposedOverlapCounts(5, 3, 0) == std::vector<int>{4, 4, 2, 4, 4, 2, 2, 2, 1});
  CHECK_THROWS_AS(transposedOverlapCounts(0, 2, 0), std::invalid_argument);
}

TEST_CASE("phase imbalance and overlap map of known phase sums", "[style][checkerboard]") {
  PhaseSums s;
  s.inChannels = s.outChannels = 1;
  s.values = {1, 2, 2, 4};  // a k=3/s=2 kernel of ones
  // mean 2.25; squared deviations 1.5625+0.0625+0.0625+3.0625 = 4.75; sum S^2 = 25.
  CHECK(phaseImbalance(s) == Approx(std::sqrt(4.75 / 25.0)).epsilon(1e-12));
  s.values = {4, 4, 4, 4};
  CHECK(phaseImbalance(s) == 0.0);
  s.values = {0, 0, 0, 0};
  CHECK(std::isnan(phaseImbalance(s)));  // no weight: undefined, not "balanced"
  // Two pairs: RMS per phase over the pairs.
  s.outChannels = 2;
  s.values = {1, 2, 3, 4, 3, 2, 1, 0};
  const auto m = overlapMap(s);
  REQUIRE(m.size() == 4);
  CHECK(m[0] == Approx(std::sqrt((1 + 9) / 2.0)));
  CHECK(m[3] == Approx(std::sqrt((16 + 0) / 2.0)));
}

TEST_CASE("checkerboard energy from images (phase folding) equals the spectrum's ratio",
          "[style][checkerboard]") {
  std::mt19937 rng(4);
  std::normal_distribution<float> g(0.3f, 1.0f);
  struct Case { int count, h, w, stride; };
  for (const auto c : {Case{3, 28, 28, 4}, Case{2, 32, 48, 8}, Case{1, 12, 6, 2}, Case{4, 18, 27, 9}}) {
    std::vector<float> images(std::size_t(c.count) * c.h * c.w);
    for (std::size_t k = 0; k < images.size(); ++k)  // noise plus a little of a phase pattern
      images[k] = g(rng) + 0.4f * float(((k % c.w) % c.stride == 1) ? 1 : 0);
    const double fast = checkerboardEnergy(images, c.count, c.h, c.w, c.stride);
    const double slow = checkerboardEnergy(powerSpectrum(images, c.count, c.h, c.w), c.h, c.w, c.stride);
    INFO(c.count << " x " << c.h << "x" << c.w << " stride " << c.stride << ": " << fast << " vs " << slow);
    CHECK(slow > 0.01);
    CHECK(fast == Approx(slow).epsilon(1e-9));
  }
}

TEST_CASE("checkerboard energy: a checkerboard is 1, a constant undefined, a smooth wave ~0",
          "[style][checkerboard]") {
  const int h = 28, w = 28;
  std::vector<float> board(h * w), flat(h * w, 0.7f), wave(h * w), period4(h * w);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      board[y * w + x] = ((x + y) % 2) ? 1.0f : 0.0f;  // 0/1: the mean is removed first
      wave[y * w + x] = float(std::cos(2 * M_PI * 3 * x / w));
      period4[y * w + x] = (x % 4 < 2) ? 1.0f : -1.0f;  // stride-4 artefact of the first layer
    }
  CHECK(checkerboardEnergy(board, 1, h, w, 2) == Approx(1.0).margin(1e-12));
  CHECK(checkerboardEnergy(board, 1, h, w, 4) == Approx(1.0).margin(1e-12));
  CHECK(std::isnan(checkerboardEnergy(flat, 1, h, w, 4)));  // no power at all: undefined, not 0
  CHECK(checkerboardEnergy(wave, 1, h, w, 4) == Approx(0.0).margin(1e-12));
  // A period-4 square wave along x: power at kx = 7, 21 (stride frequencies) only.
  CHECK(checkerboardEnergy(period4, 1, h, w, 4) == Approx(1.0).margin(1e-12));
  // ... but only half of it is at stride-2 frequencies: none (kx = 14 holds nothing).
  CHECK(checkerboardEnergy(period4, 1, h, w, 2) == Approx(0.0).margin(1e-12));
  // Half checkerboard, half smooth wave of equal power: energy 1/2.
  std::vector<float> mix(h * w);
  for (int k = 0; k < h * w; ++k) mix[k] = (board[k] - 0.5f) * 2.0f + float(std::sqrt(2.0)) * wave[k];
  CHECK(checkerboardEnergy(mix, 1, h, w, 2) == Approx(0.5).epsilon(1e-6));  // float pixels
  CHECK_THROWS_AS(checkerboardEnergy(board, 1, 27, 27, 2), std::invalid_argument);
  CHECK_THROWS_AS(checkerboardEnergy(std::vector<double>(10), h, w, 2), std::invalid_argument);
  // Parseval: the spectrum's total is the variance times the pixel count.
  const auto p = powerSpectrum(wave, 1, h, w);
  double total = 0;
  for (double v : p) total += v;
  CHECK(total == Approx(0.5 * h * w).epsilon(1e-6));
  // The centred picture puts DC in the middle.
  const auto pic = spectrumPicture(powerSpectrum(board, 1, h, w), h, w);
  CHECK(int(pic[0]) == 255);  // (ky, kx) = (14, 14) lands at (0, 0)
}

TEST_CASE("Frechet distance between Gaussians, worked by hand", "[style][checkerboard]") {
  const auto ev = symmetricEigenvalues({2, 1, 1, 2}, 2);
  REQUIRE(ev.size() == 2);
  CHECK(ev[0] == Approx(1.0).epsilon(1e-12));
  CHECK(ev[1] == Approx(3.0).epsilon(1e-12));
  const auto ev3 = symmetricEigenvalues({4, 0, 0, 0, 1, 0, 0, 0, 9}, 3);
  CHECK(ev3 == std::vector<double>{1, 4, 9});
  CHECK_THROWS_AS(symmetricEigenvalues({1, 2, 3}, 2), std::invalid_argument);

  FeatureGaussian a, b;
  a.dim = b.dim = 2;
  a.mean = {0, 0};
  a.covariance = {2, 1, 1, 2};
  b = a;
  CHECK(frechetDistance(a, b) == Approx(0.0).margin(1e-9));
  // Same axes, 4x the covariance: (C1 C2)^(1/2) = 2 C1, so 4 + 16 - 2*8 = 4;
  // plus the squared mean shift 3^2 + 4^2.
  b.covariance = {8, 4, 4, 8};
  b.mean = {3, 4};
  CHECK(frechetDistance(a, b) == Approx(4.0 + 25.0).epsilon(1e-9));
  // Diagonal: sum of (sqrt(a_i) - sqrt(b_i))^2.
  FeatureGaussian c, d;
  c.dim = d.dim = 3;
  c.mean = d.mean = {1, 2, 3};
  c.covariance = {1, 0, 0, 0, 4, 0, 0, 0, 9};
  d.covariance = {4, 0, 0, 0, 4, 0, 0, 0, 1};
  CHECK(frechetDistance(c, d) == Approx(1.0 + 0.0 + 4.0).epsilon(1e-9));
  CHECK_THROWS_AS(frechetDistance(a, c), std::invalid_argument);

  // fitGaussian: unbiased covariance of four points.
  const auto g = fitGaussian({0, 0, 2, 0, 0, 2, 2, 2}, 4, 2);
  CHECK(g.mean == std::vector<double>{1, 1});
  CHECK(g.covariance[0] == Approx(4.0 / 3.0));
  CHECK(g.covariance[1] == Approx(0.0).margin(1e-12));
  CHECK_THROWS_AS(fitGaussian({1, 2}, 1, 2), std::invalid_argument);
}

TEST_CASE("measured phase sums of the six upsampling layers", "[style][checkerboard][mnist]") {
  GENLAB_MNIST_OR_SKIP(data);
  for (const auto& name : upsampleNames()) {
    CheckerboardOptions o;
    o.upsample = parseUpsample(name);
    o.spectrumImages = 64;
    CheckerboardSession s(o, data);
    const auto v = s.view();
    INFO(name);
    REQUIRE(v.layerImbalance.size() == 2);
    const Upsample u = o.upsample;
    if (u == Upsample::ResizeNearest || u == Upsample::ResizeBilinear || u == Upsample::Icnr) {
      // Every phase sees every tap with the same total weight at initialisation.
      CHECK(v.imbalance < 1e-5);
    } else {
      CHECK(v.imbalance > 0.05);  // random kernels: phases get unequal sums
      REQUIRE(v.overlapCounts.size() == 2);
      CHECK(v.overlapCounts[0] == (u == Upsample::Transposed4 ? std::vector<int>{4, 4, 4, 4}
                                                              : std::vector<int>{1, 2, 2, 4}));
    }
    CHECK(v.energy >= 0);
    CHECK(v.energy <= 1);
  }
  CHECK_THROWS_AS(parseUpsample("deconv"), std::invalid_argument);
}

TEST_CASE("at initialisation transposed k3/s2 carries more checkerboard energy than resize-conv",
          "[style][checkerboard][mnist]") {
  GENLAB_MNIST_OR_SKIP(data);
  CheckerboardOptions t3, rn;
  t3.upsample = Upsample::Transposed3;
  rn.upsample = Upsample::ResizeNearest;
  t3.seed = rn.seed = 2;
  CheckerboardSession a(t3, data), b(rn, data);
  const double ea = a.view().energy, eb = b.view().energy;
  INFO("transposed3 " << ea << ", resize-nearest " << eb);
  CHECK(ea > 10 * eb);
}

TEST_CASE("the balance regulariser balances transposed conv in a short training",
          "[style][checkerboard][mnist][learning]") {
  GENLAB_MNIST_OR_SKIP(data);
  CheckerboardOptions plain, bal;
  plain.upsample = Upsample::Transposed3;
  bal.upsample = Upsample::Transposed3Balanced;
  plain.objective = bal.objective = Objective::Reconstruction;
  plain.evalImages = bal.evalImages = 300;
  plain.spectrumImages = bal.spectrumImages = 64;
  CheckerboardSession p(plain, data), b(bal, data);
  const double mse0 = p.testMse();
  for (int k = 0; k < 150; ++k) {
    p.trainStep();
    b.trainStep();
  }
  const auto vp = p.view(), vb = b.view();
  INFO("imbalance plain " << vp.imbalance << ", balanced " << vb.imbalance);
  CHECK(vb.imbalance < 0.5 * vp.imbalance);
  CHECK(p.testMse() < 0.8 * mse0);  // it learned something
  CHECK(b.testMse() < 0.8 * mse0);
}

TEST_CASE("the gan objective trains the generator against a discriminator",
          "[style][checkerboard][mnist][learning]") {
  GENLAB_MNIST_OR_SKIP(data);
  CheckerboardOptions plain, bal;
  plain.upsample = Upsample::Transposed3;
  bal.upsample = Upsample::Transposed3Balanced;
  REQUIRE(plain.objective == Objective::Gan);  // the default
  bal.balanceWeight = 10;  // against adversarial gradients weight 1 balances only slowly
  plain.spectrumImages = bal.spectrumImages = 64;
  plain.qualityImages = bal.qualityImages = 500;
  auto judge = std::make_shared<CheckerboardJudge>(data, CheckerboardJudge::kDefaultSteps, 500);
  CheckerboardSession p(plain, data, judge), b(bal, data, judge);
  while (!judge->ready()) judge->trainStep();
  const double acc = judge->accuracy();
  INFO("judge accuracy " << acc);
  CHECK(acc > 0.9);
  const double fd0 = p.frechetDistance();
  CHECK(b.frechetDistance() == Approx(fd0).epsilon(1e-6));  // same init, same judge, same noise
  CHECK(p.testMse() < 0);  // no encoder is trained: no reconstruction quality
  for (int k = 0; k < 300; ++k) {
    p.trainStep();
    b.trainStep();
  }
  const auto vp = p.view(), vb = b.view();
  CHECK(vp.objective == "gan");
  CHECK(std::isfinite(vp.loss));
  CHECK(vp.discriminatorLoss > 0);
  CHECK(vp.reconstructionEnergy < 0);  // not measured without reconstructions
  const double fd = p.frechetDistance();
  INFO("Frechet distance at init " << fd0 << ", after 300 steps " << fd << "; imbalance plain "
                                   << vp.imbalance << ", balanced " << vb.imbalance);
  CHECK(fd < 0.85 * fd0);  // the samples moved towards the digits (776 -> 540 seen)
  CHECK(vb.imbalance < 0.75 * vp.imbalance);  // 0.36 vs 0.66 seen at 250 steps
}

TEST_CASE("style checkerboard on the CLI: JSON result with the three numbers",
          "[style][checkerboard][mnist][cli]") {
  GENLAB_MNIST_OR_SKIP(data);
  std::string out, err;
  REQUIRE(runStyleCommand("checkerboard", {"--upsample", "icnr", "--steps", "5", "--seed", "3",
                                           "--json"}, out, err) == 0);
  std::istringstream in(out);
  nlohmann::json last;
  for (std::string line; std::getline(in, line);) last = nlohmann::json::parse(line);
  CHECK(last["event"] == "result");
  CHECK(last["upsample"] == "icnr");
  CHECK(last["objective"] == "gan");
  CHECK(last["steps"] == 5);
  CHECK(last["checkerboard_energy"].is_number());
  CHECK(last["phase_imbalance"].is_number());
  CHECK(last["quality_frechet"].is_number());
  CHECK(last["judge_test_accuracy"].is_number());
  CHECK(last["quality_test_mse"].is_null());
  CHECK(last["reconstruction_checkerboard_energy"].is_null());
  REQUIRE(runStyleCommand("checkerboard", {"--upsample", "transposed3", "--objective",
                                           "reconstruction", "--steps", "3", "--json"},
                          out, err) == 0);
  std::istringstream in2(out);
  for (std::string line; std::getline(in2, line);) last = nlohmann::json::parse(line);
  CHECK(last["objective"] == "reconstruction");
  CHECK(last["quality_test_mse"].is_number());
  CHECK(last["quality_frechet"].is_number());
  CHECK(last["reconstruction_checkerboard_energy"].is_number());
  CHECK(runStyleCommand("checkerboard", {"--upsample", "deconv", "--json"}, out, err) != 0);
  CHECK(err.find("transposed3") != std::string::npos);
  CHECK(runStyleCommand("checkerboard", {"--objective", "wgan", "--json"}, out, err) != 0);
  CHECK(err.find("reconstruction") != std::string::npos);
}
