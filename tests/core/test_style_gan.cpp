// Style lab, part 2: the style-based generator, its mixing and PCA, the
// classifier that judges mixes, saving, and the CLI.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/data/image_data.h"
#include "core/labs/style/style_gan.h"
#include "core/labs/style/style_gan_cli.h"
#include "core/labs/style/style_gan_requests.h"
#include "tests/core/mnist_fixture.h"
#include "tests/test_skips.h"

using namespace genlab::core;
using namespace genlab::core::style;

TEST_CASE("style generator options: JSON round trip and readable refusals", "[style][gan]") {
  StyleGanOptions o;
  o.steps = 123;
  o.beta = 0.5;
  o.seed = 9;
  o.mixing = 0.25;
  o.mixingWeight = 2;
  const auto back = StyleGanOptions::fromJson(o.toJson());
  CHECK(back.steps == 123);
  CHECK(back.beta == 0.5);
  CHECK(back.seed == 9);
  CHECK(back.mixing == 0.25);
  CHECK(back.mixingWeight == 2);
  // A file from before the mixing regulariser was trained without it.
  CHECK(StyleGanOptions::fromJson(R"({"steps": 5})").mixing == 0.0);
  o.mixing = 1.5;
  CHECK_THROWS_AS(o.validate(), std::invalid_argument);
  o.mixing = 0.5;
  o.batch = 0;
  CHECK_THROWS_AS(o.validate(), std::invalid_argument);
  o = {};
  o.wDim = 2;
  CHECK_THROWS_AS(o.validate(), std::invalid_argument);
}

TEST_CASE("style generator: the mixing regulariser adds its loss on mixed-w images",
          "[style][gan][mnist]") {
  GENLAB_MNIST_OR_SKIP(data);
  StyleGanOptions on, off;
  on.mixing = 1.0;  // every step
  off.mixing = 0.0;
  on.batch = off.batch = 8;
  StyleGanSession a(on, data), b(off, data);
  for (int k = 0; k < 3; ++k) {
    const auto ma = a.trainStep(), mb = b.trainStep();
    CHECK(ma.mix > 0);  // a Bernoulli loss on pooled pixels in (0, 1)
    CHECK(std::isfinite(ma.mix));
    CHECK(std::isnan(mb.mix));  // not drawn: no value, not 0
  }
}

TEST_CASE("style generator: trains, mixes by layer, PCA, saves and loads",
          "[style][gan][mnist][learning]") {
  GENLAB_MNIST_OR_SKIP(data);
  StyleGanOptions o;
  o.seed = 3;
  StyleGanSession s(o, data);
  const auto before = s.evaluate(200);
  for (int k = 0; k < 400; ++k) s.classifierTrainStep();
  CHECK(s.classifierAccuracy(1000) > 0.9);
  for (int k = 0; k < 60; ++k) s.trainStep();
  const auto after = s.evaluate(200);
  INFO("recon " << before.recon << " -> " << after.recon);
  CHECK(after.recon < 0.7 * before.recon);

  SampleSettings st;
  // The grid: (rows + 1) x (cols + 1) tiles of 32 px.
  const Image g = s.mixingGrid(3, 5, kMiddleCrossover, 4, st);
  CHECK(g.width == 6 * 32);
  CHECK(g.height == 4 * 32);
  CHECK_THROWS_AS(s.mixingGrid(3, 3, 9, 1, st), std::invalid_argument);
  // Crossover 0 takes every layer from the fine source, 8 from the coarse one:
  // the class follows that source in every counted pair, by construction.
  MixingTable t = s.beginMixing(st);
  s.measureMixing(t, 40, 5);
  REQUIRE(t.rows.size() == std::size_t(kStyleLayers + 1));
  if (t.counted > 0) {
    CHECK(t.rows[0].followsFine == Approx(1.0));
    CHECK(t.rows[0].followsCoarse == Approx(0.0));
    CHECK(t.rows[kStyleLayers].followsCoarse == Approx(1.0));
  }
  for (const auto& r : t.rows) CHECK(r.followsCoarse + r.followsFine + r.other == Approx(1.0));
  // PCA: four directions, largest first; zero coefficients give the plain sample.
  const auto sig = s.pcaSigmas();
  REQUIRE(sig.size() == std::size_t(kPcaComponents));
  CHECK(sig[0] >= sig[1]);
  CHECK(sig[3] > 0);
  CHECK(s.pcaEdit(21, {0, 0, 0, 0}, st).pixels == s.samples(1, 21, st).pixels);
  CHECK(s.pcaEdit(21, {3, 0, 0, 0}, st).pixels != s.samples(1, 21, st).pixels);
  // Truncation psi = 0 collapses every sample to the mean w: identical tiles
  // when the noise is off.
  SampleSettings flat{0.0, 0.0, 1};
  const Image two = s.samples(2, 8, flat);
  bool same = true;
  for (int y = 0; y < 32; ++y)
    for (int x = 0; x < 32; ++x)
      same = same && two.pixels[y * two.width + x] == two.pixels[y * two.width + 32 + x];
  CHECK(same);

  const auto path = (std::filesystem::temp_directory_path() / "genlab_style_gan_test.glm").string();
  s.save(path);
  auto loaded = StyleGanSession::load(path);
  CHECK(loaded->step() == s.step());
  CHECK(loaded->samples(4, 2, st).pixels == s.samples(4, 2, st).pixels);
  std::remove(path.c_str());
  CHECK_THROWS(StyleGanSession::load(path));
}

TEST_CASE("style mixing on the CLI: a table of nine crossovers", "[style][gan][mnist][cli]") {
  GENLAB_MNIST_OR_SKIP(data);
  cli::Registry r;
  registerGanCli(r);
  const cli::Command* mixing = nullptr;
  for (const auto& c : r.commands())
    if (c.lab == "style" && c.verb == "mixing") mixing = &c;
  REQUIRE(mixing != nullptr);
  std::ostringstream out, err;
  const int rc = mixing->run(cli::Args({"--steps", "10", "--classifier-steps", "50", "--pairs",
                                        "20", "--seed", "2", "--json"},
                                       mixing->flags),
                             out, err);
  INFO(err.str());
  REQUIRE(rc == 0);
  std::istringstream in(out.str());
  nlohmann::json last;
  for (std::string line; std::getline(in, line);) last = nlohmann::json::parse(line);
  CHECK(last["event"] == "result");
  CHECK(last["rows"].size() == 9);
  CHECK(last["pairs"] == 20);
  CHECK(last["training"]["steps"] == 10);
  CHECK(last["classifier_test_accuracy"].is_number());
  // A trained model and training options together are refused, with a reason.
  std::ostringstream o2, e2;
  CHECK_THROWS_WITH(mixing->run(cli::Args({"--model", "x.glm", "--steps", "5"}, mixing->flags), o2, e2),
                    Catch::Contains("give one or the other"));
}

TEST_CASE("style generator: a mixing step runs in two pieces, a plain step in one",
          "[style][gan][mnist]") {
  GENLAB_MNIST_OR_SKIP(data);
  StyleGanOptions on, off;
  on.mixing = 1.0;
  off.mixing = 0.0;
  on.batch = off.batch = 8;
  StyleGanSession a(on, data), b(off, data);
  for (int k = 0; k < 2; ++k) {
    CHECK_FALSE(a.trainPiece().has_value());  // the VAE's loss; no Adam step yet
    CHECK(a.step() == k);
    const auto ma = a.trainPiece();  // the mixing loss and the step
    REQUIRE(ma.has_value());
    CHECK(ma->mix > 0);
    CHECK(a.step() == k + 1);
    const auto mb = b.trainPiece();
    REQUIRE(mb.has_value());
    CHECK(std::isnan(mb->mix));  // not drawn: no value, not 0
    CHECK(b.step() == k + 1);
  }
}
