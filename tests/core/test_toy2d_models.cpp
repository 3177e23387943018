// 2-D lab: short training runs of every model beating the Gaussian baseline,
// the learned score of a Gaussian against its closed form, the session's
// views, the training job on the engine, and the CLI.
#include <catch2/catch.hpp>

#include <cmath>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "core/cli/cli.h"
#include "core/engine/engine.h"
#include "core/labs/toy2d/toy2d_job.h"
#include "core/labs/toy2d/toy2d_metrics.h"
#include "core/labs/toy2d/toy2d_random.h"
#include "core/labs/toy2d/toy2d_session.h"

using namespace genlab::core;
using namespace genlab::core::toy2d;

namespace {
std::shared_ptr<const Toy2dData> dataset(const std::string& name) {
  return std::make_shared<Toy2dData>(loadData(name, 6000, 1.0 / 6.0, 1, true));
}

Toy2dOptions shortRun(const std::string& model, long steps) {
  auto o = Toy2dOptions::defaultsFor(model);
  o.steps = steps;  // the learning-rate decay completes within the short run
  o.evalSamples = 1000;
  return o;
}

EvalMetrics train(Toy2dSession& s, long steps) {
  s.train(1e9, steps);
  return s.evaluate();
}
}  // namespace

TEST_CASE("every model beats the Gaussian baseline after a short run", "[toy2d][learning]") {
  struct Run {
    const char* model;
    const char* data;
    long steps;
    double maxRatio;  // MMD^2 / baseline MMD^2 (the bar at 5 000 steps is 0.25)
  };
  for (auto r : {Run{"flow", "8gaussians", 600, 0.25}, Run{"gan", "moons", 1200, 0.5},
                 Run{"diffusion", "8gaussians", 1000, 0.25}, Run{"vae", "8gaussians", 1200, 0.5}}) {
    Toy2dSession s(shortRun(r.model, r.steps), dataset(r.data));
    const auto m = train(s, r.steps);
    INFO(r.model << " on " << r.data << ": MMD^2 " << m.mmd << ", baseline " << m.mmdBaseline
                 << ", NLL " << m.nll << ", baseline NLL " << m.nllBaseline);
    CHECK(m.valid);
    CHECK(m.mmd < r.maxRatio * m.mmdBaseline);
    if (s.capabilities().nllKind == "exact") CHECK(m.nll < m.nllBaseline - 0.5);
    if (s.capabilities().nllKind == "bound") CHECK(m.nll < m.nllBaseline);
    if (s.capabilities().nllKind.empty()) CHECK(std::isnan(m.nll));
    const auto row = s.comparisonRow();
    CHECK(row.iterations == r.steps);
    CHECK(row.trainSeconds > 0);
    CHECK(row.eval.samplesPerSecond > 0);
  }
}

TEST_CASE("the mode-collapse preset collapses, visibly and measurably", "[toy2d][gan]") {
  auto o = Toy2dOptions::preset("gan-mode-collapse");
  o.steps = 1500;
  o.evalSamples = 1000;
  Toy2dSession s(o, dataset(o.data));
  const auto m = train(s, o.steps);
  INFO("MMD^2 " << m.mmd << ", baseline " << m.mmdBaseline << ", modes " << m.modesCovered);
  CHECK(m.modesCovered <= 2);
  CHECK(m.mmd > m.mmdBaseline);
  CHECK(Toy2dOptions::preset("gan-lab").hidden == 8);
  CHECK_THROWS_AS(Toy2dOptions::preset("best"), std::invalid_argument);
}

TEST_CASE("the score network learns a Gaussian's analytic score", "[toy2d][diffusion]") {
  // Data N(m, diag(s^2)); noised to time t it is N(alpha m, alpha^2 s^2 + sigma^2),
  // whose score is -(x - alpha m) / (alpha^2 s^2 + sigma^2) per coordinate.
  const double m[2] = {0.5, -0.3}, sd[2] = {0.6, 0.3};
  Rng r(21);
  Points2D all;
  for (int i = 0; i < 6000; ++i) all.add(float(m[0] + sd[0] * r.normal()), float(m[1] + sd[1] * r.normal()));
  auto data = std::make_shared<Toy2dData>(splitData(all, 1.0 / 6.0, 1, false, "gaussian", ""));
  Toy2dSession s(shortRun("diffusion", 1500), data);
  s.train(1e9, 1500);
  for (float t : {0.05f, 0.2f, 0.5f, 0.9f}) {
    const auto noised = s.noisedData(t, 400, 5);
    // On a grid over +-2 standard deviations of the noised data, where the
    // model saw training points.
    GridSpec g;
    double err = 0, norm = 0;
    g.nx = 20;
    g.ny = 20;
    const double v0 = noised.alpha * noised.alpha * sd[0] * sd[0] + noised.sigma * noised.sigma;
    const double v1 = noised.alpha * noised.alpha * sd[1] * sd[1] + noised.sigma * noised.sigma;
    g.x0 = float(noised.alpha * m[0] - 2 * std::sqrt(v0));
    g.x1 = float(noised.alpha * m[0] + 2 * std::sqrt(v0));
    g.y0 = float(noised.alpha * m[1] - 2 * std::sqrt(v1));
    g.y1 = float(noised.alpha * m[1] + 2 * std::sqrt(v1));
    const auto f = s.scoreField(g, t);
    for (std::size_t i = 0; i < f.xy.size() / 2; ++i) {
      const double ex = -(f.xy[2 * i] - noised.alpha * m[0]) / v0;
      const double ey = -(f.xy[2 * i + 1] - noised.alpha * m[1]) / v1;
      err += std::pow(f.uv[2 * i] - ex, 2) + std::pow(f.uv[2 * i + 1] - ey, 2);
      norm += ex * ex + ey * ey;
    }
    INFO("t " << t << " relative error " << std::sqrt(err / norm));
    CHECK(std::sqrt(err / norm) < 0.15);
  }
}

TEST_CASE("sessions serve the views their model has, and refuse the others", "[toy2d][views]") {
  auto data = dataset("moons");
  for (const std::string model : {"flow", "gan", "diffusion", "vae"}) {
    INFO(model);
    auto o = shortRun(model, 20);
    o.flowType = "planar";  // the planar option builds and runs too
    Toy2dSession s(o, data);
    s.train(1e9, 20);
    const auto grid = s.defaultGrid(16);
    CHECK(grid.count() == 256);
    CHECK(s.samples(50, 1).xy.size() == 100);
    CHECK(s.samples(50, 1).xy == s.samples(50, 1).xy);  // seeded
    CHECK(s.dataPoints("held-out", 30).xy.size() == 60);
    CHECK(s.baselineLogDensity(grid).values.size() == 256);
    const auto& c = s.capabilities();
    if (c.logDensity) {
      const auto h = s.logDensity(grid, 4);
      CHECK(h.values.size() == 256);
      // The range is the values' own, and a trained density is not flat.
      float lo = INFINITY, hi = -INFINITY;
      for (float v : h.values)
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
      CHECK(h.minValue == Approx(lo));
      CHECK(h.maxValue == Approx(hi));
      CHECK(h.maxValue > h.minValue);
    } else {
      CHECK_THROWS_AS(s.logDensity(grid), std::logic_error);
    }
    if (c.flowLayers) {
      CHECK(s.logDetJacobian(grid).values.size() == 256);
      const auto v = s.flowLayers(40, 5, 11);
      CHECK(v.stages.size() == static_cast<std::size_t>(o.flowLayers) + 1);
      CHECK(v.stages.back().samples.size() == 80);
      CHECK(v.stages.front().lines.size() == 10);
      CHECK(v.stages.back().lines.front().size() == 22);
    } else {
      CHECK_THROWS_AS(s.flowLayers(), std::logic_error);
    }
    if (c.discriminator) {
      CHECK(s.discriminator(grid).values.size() == 256);
      const auto mesh = s.generatorMesh(9);
      CHECK(mesh.xy.size() == 2u * 81u);
      const auto arrows = s.generatorGradients(30);
      CHECK(arrows.uv.size() == arrows.xy.size());
    } else {
      CHECK_THROWS_AS(s.discriminator(grid), std::logic_error);
    }
    if (c.diffusion) {
      const auto nd = s.noisedData(0.5f, 100);
      CHECK(nd.xy.size() == 200);
      CHECK(nd.alpha * nd.alpha + nd.sigma * nd.sigma == Approx(1.0).margin(1e-5));
      CHECK(s.noisedLogDensity(grid, 0.3f).values.size() == 256);
      CHECK(s.scoreField(grid, 0.3f).uv.size() == 512);
      SamplerSettings ss;
      ss.steps = 10;
      for (const char* sampler : {"sde", "ode", "ancestral"}) {
        ss.sampler = sampler;
        ss.correctorSteps = 1;
        const auto tr = s.trajectories(ss, 7);
        CHECK(tr.times.size() == 11);
        CHECK(tr.xy.size() == 11u * 7u * 2u);
      }
      CHECK_THROWS_AS(s.noisedData(1.5f), std::invalid_argument);
    } else {
      CHECK_THROWS_AS(s.scoreField(grid, 0.5f), std::logic_error);
    }
    if (c.latentSpace) {
      CHECK(s.posteriorMeans(40).xy.size() == 80);
      CHECK(s.decoderMesh(7).xy.size() == 2u * 49u);
    }
    const auto ov = s.overview(60, 8);
    CHECK(ov.nodes.size() >= 4);
    CHECK(!ov.edges.empty());
    for (const auto& e : ov.edges) {
      auto has = [&](const std::string& id) {
        for (const auto& n : ov.nodes)
          if (n.id == id) return true;
        return false;
      };
      CHECK(has(e.from));
      CHECK(has(e.to));
    }
  }
}

TEST_CASE("the training job trains two models side by side on the engine", "[toy2d][job]") {
  std::mutex mu;
  std::shared_ptr<const Toy2dResult> result;
  int progress = 0;
  Engine engine([&](const Snapshot& s) {
    std::lock_guard<std::mutex> g(mu);
    if (auto r = std::dynamic_pointer_cast<const Toy2dResult>(s.payload)) result = r;
    if (std::dynamic_pointer_cast<const Toy2dProgress>(s.payload)) ++progress;
  });
  std::vector<std::shared_ptr<Toy2dSession>> sessions;
  engine.runSync([&] {
    auto data = dataset("8gaussians");
    sessions.push_back(std::make_shared<Toy2dSession>(shortRun("flow", 40), data));
    sessions.push_back(std::make_shared<Toy2dSession>(shortRun("gan", 40), data));
  });
  engine.submit(std::make_unique<Toy2dTrainJob>(sessions, 40));
  engine.waitIdle();
  std::lock_guard<std::mutex> g(mu);
  REQUIRE(result);
  REQUIRE(result->rows.size() == 2);
  CHECK(result->rows[0].iterations == 40);
  CHECK(result->rows[1].iterations == 40);
  CHECK(result->rows[0].eval.valid);
  CHECK(std::isfinite(result->rows[0].eval.nll));
  CHECK(std::isnan(result->rows[1].eval.nll));
  CHECK(progress > 0);
}

TEST_CASE("a paused job advances one iteration per step", "[toy2d][job]") {
  Engine engine([](const Snapshot&) {});
  std::shared_ptr<Toy2dSession> s;
  engine.runSync([&] { s = std::make_shared<Toy2dSession>(shortRun("gan", 0), dataset("moons")); });
  TrainSettings settings;
  settings.iterationsPerSlice = 1;
  const auto id = engine.submit(std::make_unique<Toy2dTrainJob>(
      std::vector<std::shared_ptr<Toy2dSession>>{s}, 0, settings, false));
  engine.pause(id);
  long before = 0;
  engine.runSync([&] { before = s->iteration(); });
  engine.stepOnce(id);
  engine.stepOnce(id);
  long after = before;
  for (int i = 0; i < 200 && after < before + 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    engine.runSync([&] { after = s->iteration(); });
  }
  CHECK(after == before + 2);
  engine.cancel(id);
  engine.waitIdle();
}

TEST_CASE("genlab-cli toy2d train prints the result line", "[toy2d][cli]") {
  const char* argv[] = {"genlab-cli", "toy2d", "train", "--model", "gan", "--data", "8gaussians",
                        "--steps", "300", "--hidden", "8", "--layers", "1", "--batch", "150",
                        "--optimizer", "sgd", "--lr-d", "0.1", "--lr-g", "0.03", "--d-steps", "2",
                        "--noise-dim", "2", "--seed", "1", "--points", "3000", "--json"};
  std::ostringstream out, err;
  REQUIRE(cli::main(static_cast<int>(std::size(argv)), const_cast<char**>(argv), out, err) == 0);
  std::string last, line;
  std::istringstream lines(out.str());
  while (std::getline(lines, line))
    if (!line.empty()) last = line;
  const auto j = nlohmann::json::parse(last);
  CHECK(j["event"] == "result");
  for (const char* key : {"mmd", "mmd_gaussian_baseline", "nll", "nll_gaussian_baseline",
                          "train_seconds", "iterations_per_second"})
    CHECK(j.contains(key));
  CHECK(j["nll"].is_null());
  CHECK(j["iterations_per_second"].get<double>() > 0);
  std::ostringstream out2, err2;
  const char* bad[] = {"genlab-cli", "toy2d", "train", "--model", "gan", "--noise-dim", "3"};
  CHECK(cli::main(7, const_cast<char**>(bad), out2, err2) != 0);
  CHECK_THAT(err2.str(), Catch::Contains("noise-dim"));
}

TEST_CASE("the held-out NLL and its baseline use the first --eval-samples held-out points",
          "[toy2d][eval]") {
  auto o = shortRun("flow", 5);
  o.evalSamples = 50;  // of the 1000 held-out points
  auto data = dataset("moons");
  REQUIRE(data->heldOut.size() >= 1000);
  Toy2dSession s(o, data);
  const auto m = train(s, 5);
  REQUIRE(m.valid);
  const auto gaussian = Gaussian2D::fit(data->train);
  CHECK(m.nllBaseline == Approx(gaussian.nll(headPoints(data->heldOut, 50))));
  CHECK(m.nllBaseline != Approx(gaussian.nll(data->heldOut)).epsilon(1e-9));
  CHECK(std::isfinite(m.nll));
}
