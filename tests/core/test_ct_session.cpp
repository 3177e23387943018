// The inverse-problems lab end to end: session, engine jobs, prior file, CLI.
#include <catch2/catch.hpp>

#include "cli_test_util.h"

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/cli/cli.h"
#include "core/engine/engine.h"
#include "core/labs/ct/ct_requests.h"
#include "core/labs/ct/ct_session.h"
#include "core/util/model_file.h"

using namespace genlab::core;
using genlab::test::runCli;
using namespace genlab::core::ct;
namespace fs = std::filesystem;

namespace {
fs::path tempPath(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("genlab-ct-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}


ScanOptions smallScan() {
  ScanOptions s;
  s.size = 32;
  s.views = 20;
  s.arcDeg = 120;
  s.photons = 1e5;
  return s;
}
}  // namespace

TEST_CASE("options round-trip through JSON and reject nonsense", "[ct][options]") {
  auto s = smallScan();
  s.noise = "gaussian";
  CHECK(ScanOptions::fromJson(s.toJson()).toJson() == s.toJson());
  ReconOptions r;
  r.method = "tv";
  r.tvWeight = 0.01;
  CHECK(ReconOptions::fromJson(r.toJson()).toJson() == r.toJson());
  PriorOptions p;
  p.steps = 7;
  CHECK(PriorOptions::fromJson(p.toJson()).toJson() == p.toJson());
  // TV weight 0 is automatic: lighter for a limited arc, as tuned; a set weight wins.
  ReconOptions automatic;
  auto la = smallScan(), sv = smallScan();
  la.arcDeg = 90;
  sv.arcDeg = 180;
  CHECK(automatic.effectiveTvWeight(la) == Approx(1e-4));
  CHECK(automatic.effectiveTvWeight(sv) == Approx(3e-4));
  CHECK(r.effectiveTvWeight(la) == Approx(0.01));
  CHECK_THROWS_AS(ReconOptions::fromJson(R"({"method":"magic"})"), std::invalid_argument);
  CHECK_THROWS_AS(ScanOptions::fromJson(R"({"views":0})"), std::invalid_argument);
  CHECK_THROWS_AS(PriorOptions::fromJson(R"({"size":100})"), std::invalid_argument);
}

TEST_CASE("a session simulates a scan and every classical method improves on nothing",
          "[ct][session]") {
  CtSession s;
  s.setScan(smallScan());
  s.generatePhantom("ellipses", 4);
  REQUIRE(s.hasObject());
  s.simulate();
  const auto y = s.measurement();
  CHECK(y.height == 20);
  CHECK(y.width == 46);  // ceil(32 sqrt 2)
  CHECK(s.cleanMeasurement().values != y.values);  // Poisson noise was added
  for (const char* m : {"fbp", "sirt", "tv"}) {
    ReconOptions o;
    o.method = m;
    o.iterations = 60;
    o.nullspace = std::string(m) == "tv";
    const auto r = s.reconstruct(o);
    INFO(m << ": PSNR " << r.metrics.psnr << " SSIM " << r.metrics.ssim);
    CHECK(r.image.width == 32);
    CHECK(r.metrics.psnr > 12);
    CHECK(r.metrics.ssim > 0.2);
    CHECK(r.metrics.residual < 0.5);
    CHECK_FALSE(r.curve.empty());
    CHECK(r.error.values.size() == 32u * 32u);
    if (o.nullspace) {
      REQUIRE(r.rowSpace.values.size() == r.image.values.size());
      double worst = 0;
      for (std::size_t i = 0; i < r.image.values.size(); ++i)
        worst = std::max(worst, double(std::abs(r.rowSpace.values[i] + r.nullSpace.values[i] -
                                                r.image.values[i])));
      CHECK(worst < 1e-5);
    }
  }
  // A measurement without an object: metrics are unknown, the residual is not.
  const auto data = s.measurement();
  s.setMeasurement(data);
  CHECK_FALSE(s.hasObject());
  ReconOptions o;
  const auto r = s.reconstruct(o);
  CHECK(std::isnan(r.metrics.psnr));
  CHECK(r.metrics.residual < 1.0);
  CHECK_THROWS_AS(s.reconstruct([] { ReconOptions x; x.method = "score"; return x; }()),
                  std::invalid_argument);
}

TEST_CASE("deblurring runs through the same methods", "[ct][session][blur]") {
  CtSession s;
  auto scan = smallScan();
  scan.modality = "blur";
  scan.noise = "gaussian";
  scan.gaussianLevel = 0.002;
  s.setScan(scan);
  s.generatePhantom("shepp-logan", 1);
  s.simulate();
  ReconOptions blurred;  // FBP has no meaning for a blur
  CHECK_THROWS_AS(s.reconstruct(blurred), std::invalid_argument);
  ReconOptions tv;
  tv.method = "tv";
  tv.iterations = 100;
  tv.tvWeight = 1e-3;
  const auto r = s.reconstruct(tv);
  CHECK(r.metrics.residual < 0.05);
  CHECK(r.metrics.psnr > 18);
}

TEST_CASE("a tiny prior trains on the engine, saves, loads and samples the posterior",
          "[ct][session][score]") {
  const auto path = tempPath("prior.glm").string();
  auto session = std::make_shared<CtSession>();
  auto scan = smallScan();
  session->setScan(scan);
  std::mutex m;
  std::shared_ptr<const PriorResult> trained;
  std::shared_ptr<const ReconResult> recon;
  int progress = 0;
  std::string error;
  {
    Engine engine([&](const Snapshot& snap) {
      std::lock_guard<std::mutex> g(m);
      if (snap.kind == Snapshot::Kind::Error) error = snap.message;
      if (auto p = std::dynamic_pointer_cast<const PriorResult>(snap.payload)) trained = p;
      if (auto p = std::dynamic_pointer_cast<const ReconResult>(snap.payload)) recon = p;
      if (std::dynamic_pointer_cast<const ReconProgress>(snap.payload)) ++progress;
    });
    PriorOptions p;
    p.size = 32;
    p.steps = 12;
    p.batch = 4;
    p.channels = 8;
    engine.submit(makePriorTrainingJob(session, p, path));
    engine.waitIdle();
    REQUIRE(error.empty());
    REQUIRE(trained);
    CHECK(trained->steps == 12);
    CHECK(fs::exists(path));
    CHECK(session->hasPrior());
    engine.runSync([&] {
      session->generatePhantom("ellipses", 2);
      session->simulate();
      session->loadPrior(path);  // the saved file, not the object in memory
    });
    ReconOptions o;
    o.method = "score";
    o.samples = 3;
    o.scoreSteps = 8;
    engine.submit(makeReconstructionJob(session, o));
    engine.waitIdle();
  }
  REQUIRE(error.empty());
  REQUIRE(recon);
  CHECK(recon->samples.depth == 3);
  CHECK(recon->stddev.values.size() == 32u * 32u);
  double meanStd = 0;
  for (float v : recon->stddev.values) meanStd += v;
  CHECK(meanStd > 0);  // the samples differ
  CHECK(std::isfinite(recon->metrics.psnr));
  CHECK(recon->metrics.residual < 1.0);  // 8 levels of an untrained prior: only sanity
  // A prior file is not a VAE file and a VAE loader must say so.
  CHECK_THROWS_AS(ModelFile::load(path, "vae"), ModelFileError);

  // ct eval-prior scores its denoiser on held-out images, level by level.
  std::vector<std::string> lines;
  REQUIRE(runCli({"ct", "eval-prior", "--prior", path, "--images", "2", "--sigmas", "0.05,0.5",
                  "--symmetric", "1", "--json"},
                 lines) == 0);
  const auto res = nlohmann::json::parse(lines.back());
  CHECK(res["event"] == "result");
  CHECK(res["trained_steps"] == 12);
  REQUIRE(res["levels"].size() == 2u);
  // Noise at 0.5 is 20 dB worse than at 0.05: the noisy PSNRs say so.
  const double n1 = res["levels"][0]["noisy_psnr"], n2 = res["levels"][1]["noisy_psnr"];
  CHECK(n1 - n2 == Approx(20).margin(1.0));
  for (const auto& l : res["levels"]) CHECK(std::isfinite(l["denoised_psnr"].get<double>()));
  std::string err;
  CHECK(runCli({"ct", "eval-prior", "--prior", path, "--sigmas", "0.1,x"}, lines, &err) != 0);
  CHECK(err.find("--sigmas") != std::string::npos);
  CHECK(runCli({"ct", "eval-prior", "--prior", path + ".missing"}, lines, &err) != 0);
}

TEST_CASE("genlab-cli ct reconstruct and radon-bench end in a JSON result line", "[ct][cli]") {
  std::vector<std::string> lines;
  REQUIRE(runCli({"ct", "reconstruct", "--phantom", "ellipses", "--size", "32", "--views", "30",
                  "--arc", "90", "--photons", "1e5", "--method", "tv", "--iterations", "50",
                  "--seed", "3", "--json"},
                 lines) == 0);
  REQUIRE_FALSE(lines.empty());
  const auto res = nlohmann::json::parse(lines.back());
  CHECK(res["event"] == "result");
  for (const char* k : {"psnr", "ssim", "residual", "seconds"}) CHECK(res.contains(k));
  CHECK(res["psnr"].get<double>() > 10);
  // The first four keys keep the documented order.
  CHECK(lines.back().rfind(R"({"event":"result","psnr":)", 0) == 0);
  CHECK(lines.back().find(R"(,"ssim":)") < lines.back().find(R"(,"residual":)"));

  lines.clear();
  REQUIRE(runCli({"ct", "radon-bench", "--size", "32", "--angles", "10", "--repeats", "2", "--json"},
                 lines) == 0);
  const auto bench = nlohmann::json::parse(lines.back());
  CHECK(bench["event"] == "result");
  // A transform that ran takes some time: 0 (or NaN) would mean it was not timed.
  for (const char* k : {"forward_ms", "adjoint_ms"}) {
    INFO(k);
    REQUIRE(bench[k].is_number());
    CHECK(bench[k].get<double>() > 0);
    CHECK(std::isfinite(bench[k].get<double>()));
  }

  std::string err;
  lines.clear();
  CHECK(runCli({"ct", "reconstruct", "--method", "score", "--size", "32", "--json"}, lines, &err) != 0);
  CHECK(err.find("prior") != std::string::npos);
  CHECK(runCli({"ct", "reconstruct", "--views", "0"}, lines, &err) != 0);
}

TEST_CASE("the Nullspace tab's split stops when asked and gives no half result",
          "[ct][session]") {
  CtSession s;
  s.setScan(smallScan());
  s.generatePhantom("ellipses", 4);
  s.simulate();
  const auto object = s.object();
  int asked = 0;
  // Stop after three iterations: no result; without stopping: the split.
  const auto stopped = nullspaceSplit(s, "truth", object, [&] { return ++asked > 3; });
  CHECK(stopped == nullptr);
  CHECK(asked >= 4);
  const auto whole = nullspaceSplit(s, "truth", object, [] { return false; });
  REQUIRE(whole != nullptr);
  CHECK(whole->key == "truth");
  CHECK(whole->views.rowSpace.values.size() == object.values.size());
}
