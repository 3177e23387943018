// genlab-cli toy2d train | compare | reparam | data: the 2-D lab headless,
// on the same engine and job as the GUI.
#include <chrono>
#include <cmath>
#include <iomanip>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/cli/cli.h"
#include "core/cli/json_lines.h"
#include "core/engine/device.h"
#include "core/engine/engine.h"
#include "core/labs/toy2d/toy2d_job.h"
#include "core/labs/toy2d/toy2d_reparam.h"

namespace genlab::core::toy2d {

namespace {
using nlohmann::json;

const std::vector<std::string> kModelOptions{
    "data",     "steps",      "seed",     "hidden",         "layers",     "batch",
    "optimizer", "lr",        "lr-d",     "lr-g",           "lr-decay",   "d-steps",
    "noise-dim", "loss",      "gp-weight", "backend",       "flow",       "flow-layers",
    "schedule", "sampler",    "sample-steps", "corrector-steps", "snr",   "latent-dim",
    "iwae",     "kl-warmup", "eval-samples", "points", "threads",     "json"};

// Model defaults, then every option given on the command line.
Toy2dOptions optionsFromArgs(const cli::Args& a, const std::string& model) {
  Toy2dOptions o = Toy2dOptions::defaultsFor(model);
  if (a.has("preset")) {
    o = Toy2dOptions::preset(a.str("preset", ""));
    if (a.has("model") && a.str("model", "") != o.model)
      throw std::invalid_argument("--preset " + a.str("preset", "") + " trains a " + o.model +
                                  ", not a " + a.str("model", ""));
  }
  o.data = a.str("data", o.data);
  o.steps = a.integer("steps", static_cast<int>(o.steps), 0, 100000000);
  o.seed = static_cast<std::uint64_t>(a.integer("seed", 1, 0, 2147483647));
  o.hidden = a.integer("hidden", o.hidden, 1, 4096);
  o.layers = a.integer("layers", o.layers, 0, 16);
  o.batch = a.integer("batch", o.batch, 1, 65536);
  o.optimizer = a.str("optimizer", o.optimizer);
  o.lr = a.real("lr", o.lr);
  o.lrD = a.real("lr-d", o.lrD);
  o.lrG = a.real("lr-g", o.lrG);
  o.lrDecay = a.real("lr-decay", o.lrDecay);
  o.dSteps = a.integer("d-steps", o.dSteps, 1, 100);
  o.noiseDim = a.integer("noise-dim", o.noiseDim, 1, 2);
  o.ganLoss = a.str("loss", o.ganLoss);
  o.gpWeight = a.real("gp-weight", o.gpWeight);
  o.backend = a.str("backend", o.backend);
  o.flowType = a.str("flow", o.flowType);
  o.flowLayers = a.integer("flow-layers", o.flowLayers, 1, 128);
  o.schedule = a.str("schedule", o.schedule);
  o.sampler = a.str("sampler", o.sampler);
  o.sampleSteps = a.integer("sample-steps", o.sampleSteps, 1, 5000);
  o.correctorSteps = a.integer("corrector-steps", o.correctorSteps, 0, 20);
  o.snr = a.real("snr", o.snr);
  o.latentDim = a.integer("latent-dim", o.latentDim, 1, 16);
  o.iwaeSamples = a.integer("iwae", o.iwaeSamples, 1, 5000);
  o.klWarmup = a.real("kl-warmup", o.klWarmup);
  o.evalSamples = a.integer("eval-samples", o.evalSamples, 10, 20000);
  o.dataPoints = a.integer("points", o.dataPoints, 10, 1000000);
  o.threads = a.integer("threads", 0, 0, 1024);
  o.validate();
  return o;
}

json nullable(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json rowJson(const ComparisonRow& r) {
  return {{"model", r.model},
          {"data", r.data},
          {"iterations", r.iterations},
          {"mmd", nullable(r.eval.mmd)},
          {"mmd_gaussian_baseline", r.eval.mmdBaseline},
          {"nll", nullable(r.eval.nll)},
          {"nll_kind", r.eval.nllKind.empty() ? json(nullptr) : json(r.eval.nllKind)},
          {"nll_gaussian_baseline", r.eval.nllBaseline},
          {"samples_per_second", r.eval.samplesPerSecond},
          {"train_seconds", r.trainSeconds},
          {"iterations_per_second", r.iterationsPerSecond},
          {"modes_covered", r.eval.modesCovered >= 0 ? json(r.eval.modesCovered) : json(nullptr)}};
}

// Prints progress once a second (JSON lines or text) and keeps the result.
struct Printer : cli::JsonLines {
  using JsonLines::JsonLines;
  std::shared_ptr<const Toy2dResult> result;

  void onSnapshot(const Snapshot& s) {
    std::lock_guard<std::mutex> g(mutex);
    note(s);
    if (auto r = std::dynamic_pointer_cast<const Toy2dResult>(s.payload)) result = r;
    auto p = std::dynamic_pointer_cast<const Toy2dProgress>(s.payload);
    if (!p || !progressDue()) return;
    for (const auto& m : p->models) {
      json j{{"event", "progress"}, {"model", m.label}, {"iteration", m.iteration},
             {"target", m.targetIteration}, {"iterations_per_second", m.iterationsPerSecond}};
      for (const auto& c : m.losses)
        if (!c.values.empty()) j[c.name] = c.values.back();
      line(j);
      if (!asJson())
        out() << m.label << ": iteration " << m.iteration << "/" << m.targetIteration << ", "
              << static_cast<long>(m.iterationsPerSecond) << " it/s" << std::endl;
    }
  }
};

// Trains `sessions` side by side with one job; returns the comparison rows.
std::vector<ComparisonRow> trainAll(Engine& engine, Printer& printer,
                                    const std::vector<std::shared_ptr<Toy2dSession>>& sessions,
                                    long steps) {
  engine.submit(std::make_unique<Toy2dTrainJob>(sessions, steps));
  engine.waitIdle();
  if (!printer.error.empty() || !printer.result)
    throw std::runtime_error("training failed: " + (printer.error.empty() ? "no result" : printer.error));
  return printer.result->rows;
}

int runTrain(const cli::Args& a, std::ostream& out, std::ostream& err) {
  auto known = kModelOptions;
  known.insert(known.end(), {"model", "preset", "samples-out", "export"});
  a.rejectUnknown(known);
  const Toy2dOptions o = optionsFromArgs(a, a.str("model", "flow"));
  if (a.has("export") && o.model == "flow")  // before training, not after
    throw std::invalid_argument(
        "--export: a flow has no TorchScript export (its map is a chain of coupling layers with "
        "their own inverses, not one plain forward function); gan, diffusion and vae do");
  setTorchThreads(o.threads);
  Printer printer(out, a.flag("json"));
  Engine engine([&](const Snapshot& s) { printer.onSnapshot(s); });
  std::shared_ptr<Toy2dSession> session;
  engine.runSync([&] { session = Toy2dSession::create(o); });
  if (printer.asJson())
    out << json{{"event", "start"}, {"lab", "toy2d"}, {"device", Engine::deviceName()},
                {"threads", o.effectiveThreads()},
                {"model", session->label()}, {"options", json::parse(o.toJson())},
                {"train_points", session->data().train.size()},
                {"held_out_points", session->data().heldOut.size()},
                {"provenance", session->data().provenance}}
               .dump()
        << std::endl;
  const auto rows = trainAll(engine, printer, {session}, o.steps);
  if (a.has("samples-out")) {
    engine.runSync([&] {
      Points2D p;
      p.xy = session->samples(o.evalSamples, 1).xy;
      writePointsCsv(a.str("samples-out", ""), p);
    });
  }
  if (a.has("export")) engine.runSync([&] { session->exportTorchScript(a.str("export", "")); });
  const auto& r = rows.front();
  json res = rowJson(r);
  res["event"] = "result";
  if (a.has("export")) res["torchscript"] = a.str("export", "");
  if (printer.asJson()) {
    out << res.dump() << std::endl;
  } else {
    out << r.model << " on " << r.data << ": MMD^2 " << r.eval.mmd << " (Gaussian baseline "
        << r.eval.mmdBaseline << ")";
    if (std::isfinite(r.eval.nll))
      out << ", held-out NLL " << r.eval.nll << " (baseline " << r.eval.nllBaseline << ")";
    out << ", " << r.trainSeconds << " s, " << static_cast<long>(r.iterationsPerSecond)
        << " it/s\n";
  }
  return 0;
}

int runCompare(const cli::Args& a, std::ostream& out, std::ostream& err) {
  a.rejectUnknown({"models", "data", "steps", "seed", "points", "threads", "csv", "json"});
  std::vector<std::string> models;
  std::stringstream ss(a.str("models", "flow,gan"));
  for (std::string m; std::getline(ss, m, ',');) models.push_back(m);
  if (models.empty() || models.size() > 4) throw std::invalid_argument("--models lists 1 to 4 models");
  Printer printer(out, a.flag("json"));
  Engine engine([&](const Snapshot& s) { printer.onSnapshot(s); });
  engine.setThreads(a.integer("threads", 0, 0, 1024));
  std::vector<std::shared_ptr<Toy2dSession>> sessions;
  long steps = 0;
  engine.runSync([&] {
    std::shared_ptr<const Toy2dData> data;
    for (const auto& m : models) {
      const auto o = optionsFromArgs(a, m);
      steps = o.steps;
      if (!data)
        data = std::make_shared<Toy2dData>(
            loadData(o.data, o.dataPoints, o.heldOutFraction, o.seed, o.standardize));
      sessions.push_back(std::make_shared<Toy2dSession>(o, data));
    }
  });
  const auto rows = trainAll(engine, printer, sessions, steps);
  if (a.has("csv")) writeComparisonCsv(a.str("csv", ""), rows);
  for (const auto& r : rows) {
    if (printer.asJson()) {
      json j = rowJson(r);
      j["event"] = "row";
      out << j.dump() << std::endl;
    }
  }
  if (!printer.asJson()) out << comparisonCsv(rows);
  return 0;
}

int runReparam(const cli::Args& a, std::ostream& out, std::ostream&) {
  a.rejectUnknown({"function", "mu", "sigma", "repeats", "seed", "json"});
  const auto ex = runReparamExperiment(a.str("function", "square"), a.real("mu", 1.0),
                                       a.real("sigma", 1.0), defaultSampleCounts(),
                                       a.integer("repeats", 500, 2, 100000),
                                       static_cast<std::uint64_t>(a.integer("seed", 1, 0, 2147483647)));
  json curves = json::array();
  for (const auto& c : ex.curves)
    curves.push_back({{"estimator", c.estimator}, {"parameter", c.parameter}, {"exact", c.exact},
                      {"samples", c.samples}, {"mean", c.mean}, {"variance", c.variance},
                      {"reference_variance", c.referenceVariance}});
  json res{{"event", "result"}, {"function", ex.function}, {"mu", ex.mu}, {"sigma", ex.sigma},
           {"exact_value", ex.exact.value}, {"exact_dmu", ex.exact.dMu},
           {"exact_dsigma", ex.exact.dSigma}, {"curves", curves}};
  if (a.flag("json")) {
    out << res.dump() << std::endl;
    return 0;
  }
  for (const auto& c : ex.curves)
    out << c.estimator << " d/d" << c.parameter << ": exact " << c.exact << ", mean at n="
        << c.samples.back() << " " << c.mean.back() << ", variance at n=1 " << c.variance.front()
        << " (exact " << c.singleSampleVariance << ")\n";
  return 0;
}

int runData(const cli::Args& a, std::ostream& out, std::ostream&) {
  a.rejectUnknown({"data", "points", "seed", "out", "standardized"});
  if (!a.has("out")) throw std::invalid_argument("toy2d data needs --out FILE.csv");
  const int n = a.integer("points", 2000, 1, 1000000);
  const auto seed = static_cast<std::uint64_t>(a.integer("seed", 1, 0, 2147483647));
  Points2D p;
  if (a.flag("standardized")) {
    const auto d = loadData(a.str("data", "moons"), n, 1.0 / 6.0, seed, true);
    p = d.train;
    p.xy.insert(p.xy.end(), d.heldOut.xy.begin(), d.heldOut.xy.end());
  } else {
    p = generateBuiltin(a.str("data", "moons"), n, seed);
  }
  writePointsCsv(a.str("out", ""), p);
  out << "wrote " << p.size() << " points to " << a.str("out", "") << "\n";
  return 0;
}
}  // namespace

void registerCli(cli::Registry& r) {
  r.add({"toy2d", "train",
         "toy2d train --model flow|gan|diffusion|vae --data moons|rings|8gaussians|checkerboard|"
         "swissroll|spiral|FILE.csv --steps N --seed S [--hidden N] [--layers N] [--batch N] "
         "[--optimizer sgd|adam] [--lr X] [--lr-d X] [--lr-g X] [--lr-decay X] [--d-steps N] "
         "[--export FILE.pt (gan, diffusion, vae: TorchScript for PyTorch)] "
         "[--noise-dim 1|2] [--loss ns|ls|wgan-gp] [--backend auto|torch|native] "
         "[--flow realnvp|planar] [--flow-layers N] [--schedule vp|ddpm] [--sampler sde|ode|ancestral] "
         "[--preset gan-lab|gan-mode-collapse] [--sample-steps N] [--corrector-steps N] [--snr X] [--latent-dim N] [--kl-warmup X] [--iwae K] "
         "[--samples-out FILE.csv] [--json]",
         runTrain, {"json"}});
  r.add({"toy2d", "compare",
         "toy2d compare --models flow,gan,... --data SPEC --steps N --seed S [--csv FILE] [--json]",
         runCompare, {"json"}});
  r.add({"toy2d", "reparam",
         "toy2d reparam --function square|cube|sin|exp --mu X --sigma X [--repeats N] [--seed S] "
         "[--json]",
         runReparam, {"json"}});
  r.add({"toy2d", "data",
         "toy2d data --data NAME --out FILE.csv [--points N] [--seed S] [--standardized]", runData,
         {"standardized"}});
}

}  // namespace genlab::core::toy2d
