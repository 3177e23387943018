// genlab-cli style checkerboard | train-gan | mixing: the style lab's
// generator and upsampling parts headless, on the same engine and jobs as the GUI.
#include "core/labs/style/style_gan_cli.h"

#include <cmath>
#include <mutex>

#include "core/cli/json_lines.h"
#include "core/engine/engine.h"
#include "core/data/png_write.h"
#include "core/labs/style/checkerboard_model.h"
#include "core/labs/style/style_gan_requests.h"

namespace genlab::core::style {

namespace {
using cli::Json;

Json summaryJson(const CheckerboardSummary& s) {
  const bool gan = s.objective == "gan";
  auto orNull = [](double v) { return v >= 0 ? cli::number(v) : Json(nullptr); };
  Json j{{"upsample", s.upsample}, {"objective", s.objective}, {"steps", s.steps},
         {"balance_weight", s.balanceWeight}};
  j["checkerboard_energy"] = cli::number(s.energy);
  j["checkerboard_energy_note"] =
      gan ? "power at the stride-4 frequencies / all power but DC, of 256 generated images "
            "(the generator on fixed N(0, I) noise)"
          : "power at the stride-4 frequencies / all power but DC, of 256 generated images "
            "(decoder on codes from a Gaussian fit to the test codes)";
  j["reconstruction_checkerboard_energy"] = orNull(s.view.reconstructionEnergy);
  j["residual_checkerboard_energy"] = orNull(s.view.residualEnergy);
  j["phase_imbalance"] = cli::number(s.imbalance);
  j["phase_imbalance_per_layer"] = s.view.layerImbalance;
  j["quality_frechet"] = orNull(s.frechet);
  j["quality_note"] = "Frechet distance between Gaussians fit to the 64-d hidden features of an "
                      "in-app MNIST classifier (fixed seed) of 1000 generated images and 1000 "
                      "test images; lower is better";
  j["judge_test_accuracy"] = orNull(s.judgeAccuracy);
  j["quality_test_mse"] = orNull(s.testMse);
  if (gan)
    j["quality_test_mse_note"] = "null: the gan objective trains no encoder, so there are no "
                                 "reconstructions";
  else
    j["quality_test_mse_note"] = "test-set reconstruction mean squared error per pixel (pixels "
                                 "in [0,1]; lower is better)";
  j["init_checkerboard_energy"] = cli::number(s.initEnergy);
  j["init_phase_imbalance"] = cli::number(s.initImbalance);
  j["data_checkerboard_energy"] = cli::number(s.dataEnergy);
  j[gan ? "train_loss_generator" : "train_loss_bce"] = cli::number(s.view.loss);
  if (gan) j["train_loss_discriminator"] = orNull(s.view.discriminatorLoss);
  j["balance_penalty"] = cli::number(s.view.penalty);
  j["train_seconds"] = s.trainSeconds;
  return j;
}

int runCheckerboard(const cli::Args& a, std::ostream& out, std::ostream& err) {
  a.rejectUnknown({"upsample", "objective", "steps", "seed", "balance-weight", "batch", "lr",
                   "latent", "data", "eval-every", "json", "threads"});
  CheckerboardOptions o;
  o.upsample = parseUpsample(a.str("upsample", "transposed3"));
  o.objective = parseObjective(a.str("objective", "gan"));
  o.steps = a.integer("steps", 1500, 0, 10000000);
  o.seed = std::uint64_t(a.integer("seed", 1, 0, 2147483647));
  o.balanceWeight = a.real("balance-weight", -1);
  o.batch = a.integer("batch", o.batch, 1, 4096);
  o.lr = a.real("lr", o.lr);
  o.latent = a.integer("latent", o.latent, 1, 1024);
  o.data = a.str("data", o.data);
  o.validate();
  const long evalEvery = a.integer("eval-every", 0, 0, 10000000);
  long lastEval = -1;
  cli::JsonLines printer(out, a.flag("json"));
  std::shared_ptr<const CheckerboardResult> result;
  Engine engine([&](const Snapshot& s) {
    std::lock_guard<std::mutex> g(printer.mutex);
    printer.note(s);
    if (auto r = std::dynamic_pointer_cast<const CheckerboardResult>(s.payload)) result = r;
    auto p = std::dynamic_pointer_cast<const CheckerboardProgress>(s.payload);
    if (p && !p->sides.empty() && evalEvery > 0 && p->step % evalEvery == 0 &&
        p->step != lastEval) {
      lastEval = p->step;
      const auto& v = p->sides[0];
      Json j{{"event", "eval"}, {"step", p->step}};
      j["checkerboard_energy"] = cli::number(v.energy);
      if (v.reconstructionEnergy >= 0) {
        j["reconstruction_checkerboard_energy"] = cli::number(v.reconstructionEnergy);
        j["residual_checkerboard_energy"] = cli::number(v.residualEnergy);
      }
      j["phase_imbalance"] = cli::number(v.imbalance);
      j["train_loss"] = cli::number(v.loss);
      if (v.discriminatorLoss >= 0) j["train_loss_discriminator"] = cli::number(v.discriminatorLoss);
      printer.line(j);
    } else if (p && !p->sides.empty() && printer.progressDue()) {
      const auto& v = p->sides[0];
      Json j{{"event", "progress"}, {"step", p->step}, {"total_steps", p->totalSteps},
             {"judge_step", p->judgeStep}, {"judge_steps", p->judgeSteps}};
      j["checkerboard_energy"] = cli::number(v.energy);
      j["phase_imbalance"] = cli::number(v.imbalance);
      j["train_loss"] = cli::number(v.loss);
      printer.line(j);
    }
  });
  engine.setThreads(a.integer("threads", 0, 0, 1024));
  std::shared_ptr<CheckerboardSession> session;
  engine.runSync([&] { session = CheckerboardSession::create(o); });
  printer.line({{"event", "start"}, {"lab", "style"}, {"part", "checkerboard"},
                {"device", Engine::deviceName()}, {"upsample", upsampleName(o.upsample)},
                {"objective", objectiveName(o.objective)},
                {"steps", o.steps}, {"seed", o.seed}, {"batch", o.batch}, {"lr", o.effectiveLr()},
                {"balance_weight", o.effectiveBalanceWeight()}});
  engine.submit(std::make_unique<CheckerboardJob>(
      std::vector<std::shared_ptr<CheckerboardSession>>{session}, o.steps, evalEvery));
  engine.waitIdle();
  if (!printer.error.empty() || !result || result->sides.empty()) {
    err << "genlab-cli: checkerboard failed: "
        << (printer.error.empty() ? "no result" : printer.error) << "\n";
    return 1;
  }
  const auto& s = result->sides[0];
  Json res{{"event", "result"}};
  res.update(summaryJson(s));
  res["seed"] = o.seed;
  res["longest_step_ms"] = engine.longestStepMs();  // the longest worker slice (issue 16)
  if (printer.asJson())
    printer.line(res);
  else
    out << s.upsample << " (" << s.objective << "): checkerboard energy " << s.energy
        << " (at init " << s.initEnergy << ", data " << s.dataEnergy << "), phase imbalance "
        << s.imbalance << ", Frechet distance " << s.frechet << "\n";
  return 0;
}

StyleGanOptions ganOptions(const cli::Args& a) {
  StyleGanOptions o;
  o.steps = a.integer("steps", int(o.steps), 0, 10000000);
  o.seed = std::uint64_t(a.integer("seed", 1, 0, 2147483647));
  o.batch = a.integer("batch", o.batch, 1, 4096);
  o.lr = a.real("lr", o.lr);
  o.beta = a.real("beta", o.beta);
  o.classifierSteps = a.integer("classifier-steps", int(o.classifierSteps), 0, 10000000);
  o.mixing = a.real("mixing", o.mixing);
  o.mixingWeight = a.real("mixing-weight", o.mixingWeight);
  o.data = a.str("data", o.data);
  o.validate();
  return o;
}

// Trains a session on `engine` (classifier first, then the generator),
// printing progress lines; returns the result or throws with the job's error.
std::shared_ptr<const StyleGanResult> trainGan(Engine& engine, cli::JsonLines& printer,
                                               std::shared_ptr<const StyleGanResult>& result,
                                               const std::shared_ptr<StyleGanSession>& s,
                                               long steps) {
  engine.submit(std::make_unique<StyleGanTrainJob>(s, steps));
  engine.waitIdle();
  if (!printer.error.empty() || !result)
    throw std::runtime_error("training failed: " +
                             (printer.error.empty() ? std::string("no result") : printer.error));
  return result;
}

Json ganResultJson(const StyleGanResult& r) {
  Json j{{"event", "result"}, {"steps", r.steps}};
  j["test_recon_nats"] = cli::number(r.test.recon);
  j["test_kl_nats"] = cli::number(r.test.kl);
  j["test_neg_elbo_nats"] = cli::number(r.test.recon + r.test.kl);
  j["train_recon_nats"] = cli::number(r.train.recon);
  j["train_kl_nats"] = cli::number(r.train.kl);
  j["classifier_test_accuracy"] = r.classifierAccuracy >= 0 ? cli::number(r.classifierAccuracy)
                                                            : Json(nullptr);
  j["train_seconds"] = r.trainSeconds;
  j["steps_per_second"] = cli::rate(double(r.steps), r.trainSeconds);
  return j;
}

struct GanPrinter : cli::JsonLines {
  using JsonLines::JsonLines;
  std::shared_ptr<const StyleGanResult> result;
  std::shared_ptr<const MixingTable> table;
  void onSnapshot(const Snapshot& s) {
    std::lock_guard<std::mutex> g(mutex);
    note(s);
    if (auto r = std::dynamic_pointer_cast<const StyleGanResult>(s.payload)) result = r;
    if (s.kind == Snapshot::Kind::Result)
      if (auto t = std::dynamic_pointer_cast<const MixingTable>(s.payload)) table = t;
    auto p = std::dynamic_pointer_cast<const StyleGanProgress>(s.payload);
    if (p && progressDue()) {
      Json j{{"event", "progress"}, {"phase", p->phase}, {"step", p->step},
             {"total_steps", p->totalSteps}, {"classifier_step", p->classifierStep}};
      if (!p->curve.empty()) {
        j["train_recon_nats"] = cli::number(p->curve.back().recon);
        j["train_kl_nats"] = cli::number(p->curve.back().kl);
      }
      j["steps_per_second"] = p->stepsPerSecond;
      line(j);
    }
  }
};

int runTrainGan(const cli::Args& a, std::ostream& out, std::ostream& err) {
  a.rejectUnknown({"steps", "seed", "batch", "lr", "beta", "classifier-steps", "mixing",
                   "mixing-weight", "data", "out", "samples", "json", "threads"});
  const StyleGanOptions o = ganOptions(a);
  GanPrinter printer(out, a.flag("json"));
  Engine engine([&](const Snapshot& s) { printer.onSnapshot(s); });
  engine.setThreads(a.integer("threads", 0, 0, 1024));
  std::shared_ptr<StyleGanSession> s;
  engine.runSync([&] { s = StyleGanSession::create(o); });
  printer.line({{"event", "start"}, {"lab", "style"}, {"part", "style-gan"},
                {"device", Engine::deviceName()}, {"options", Json::parse(o.toJson())},
                {"objective", o.mixing > 0
                                  ? "VAE: Bernoulli reconstruction + beta * KL + mixing "
                                    "regulariser (pooled Bernoulli loss of mixed-w images)"
                                  : "VAE: Bernoulli reconstruction + beta * KL"}});
  try {
    trainGan(engine, printer, printer.result, s, o.steps);
  } catch (const std::exception& e) {
    err << "genlab-cli: " << e.what() << "\n";
    return 1;
  }
  Json res = ganResultJson(*printer.result);
  res["longest_step_ms"] = engine.longestStepMs();  // the longest worker slice (issue 16)
  if (a.has("out")) {
    engine.runSync([&] { s->save(a.str("out", "")); });
    res["model"] = a.str("out", "");
  }
  if (a.has("samples")) {
    engine.runSync([&] { data::writePng(s->samples(64, 1, SampleSettings{}), a.str("samples", "")); });
    res["samples"] = a.str("samples", "");
  }
  if (printer.asJson())
    printer.line(res);
  else
    out << "test -ELBO " << res["test_neg_elbo_nats"] << " nats, classifier accuracy "
        << res["classifier_test_accuracy"] << ", " << printer.result->trainSeconds << " s\n";
  return 0;
}

int runMixing(const cli::Args& a, std::ostream& out, std::ostream& err) {
  a.rejectUnknown({"model", "steps", "seed", "batch", "lr", "beta", "classifier-steps", "data",
                   "pairs", "psi", "noise", "grid", "crossover", "json", "threads"});
  GanPrinter printer(out, a.flag("json"));
  Engine engine([&](const Snapshot& s) { printer.onSnapshot(s); });
  engine.setThreads(a.integer("threads", 0, 0, 1024));
  std::shared_ptr<StyleGanSession> s;
  Json trained = nullptr;
  if (a.has("model")) {
    for (const char* o : {"steps", "classifier-steps", "batch", "lr", "beta", "data"})
      if (a.has(o))
        throw std::invalid_argument(std::string("--") + o + " trains a new model; --model measures "
                                    "a trained one: give one or the other");
    engine.runSync([&] { s = StyleGanSession::load(a.str("model", "")); });
  } else {
    const StyleGanOptions o = ganOptions(a);
    engine.runSync([&] { s = StyleGanSession::create(o); });
    try {
      trained = ganResultJson(*trainGan(engine, printer, printer.result, s, o.steps));
    } catch (const std::exception& e) {
      err << "genlab-cli: " << e.what() << "\n";
      return 1;
    }
  }
  SampleSettings st;
  st.psi = a.real("psi", 1.0);
  st.noise = a.real("noise", 1.0);
  if (!std::isfinite(st.psi) || std::fabs(st.psi) > 10 || !std::isfinite(st.noise) ||
      st.noise < 0 || st.noise > 100)
    throw std::invalid_argument("--psi must be in [-10, 10] and --noise in [0, 100]");
  const int pairs = a.integer("pairs", 500, 1, 1000000);
  const auto seed = std::uint64_t(a.integer("seed", 1, 0, 2147483647)) * 7777ULL + 12345ULL;
  engine.submit(std::make_unique<MixingJob>(s, pairs, st, seed));
  engine.waitIdle();
  if (!printer.error.empty() || !printer.table) {
    err << "genlab-cli: mixing failed: " << (printer.error.empty() ? "no result" : printer.error)
        << "\n";
    return 1;
  }
  const auto& t = *printer.table;
  if (a.has("grid")) {
    const int k = a.integer("crossover", kMiddleCrossover, 0, kStyleLayers);
    engine.runSync([&] { data::writePng(s->mixingGrid(6, 6, k, 11, st), a.str("grid", "")); });
  }
  Json rows = Json::array();
  for (const auto& r : t.rows)
    rows.push_back({{"crossover", r.crossover}, {"follows_coarse", cli::number(r.followsCoarse)},
                    {"follows_fine", cli::number(r.followsFine)}, {"other", cli::number(r.other)}});
  const auto& mid = t.rows[std::size_t(kMiddleCrossover)];
  Json res{{"event", "result"}, {"generator_steps", s->step()}, {"pairs", t.pairs},
           {"pairs_counted", t.counted}, {"psi", t.psi}, {"noise", t.noise}};
  res["pairs_counted_note"] = "pairs whose two pure sources the classifier labels differently";
  res["classifier_test_accuracy"] = cli::number(t.classifierAccuracy);
  res["middle_crossover"] = kMiddleCrossover;
  res["middle_follows_coarse"] = t.counted ? cli::number(mid.followsCoarse) : Json(nullptr);
  res["middle_follows_fine"] = t.counted ? cli::number(mid.followsFine) : Json(nullptr);
  if (!t.counted) res["middle_follows_coarse_note"] = "no pair had two different classes";
  res["rows"] = rows;
  if (!trained.is_null()) res["training"] = trained;
  if (a.has("grid")) res["grid"] = a.str("grid", "");
  if (printer.asJson())
    printer.line(res);
  else {
    out << "crossover  follows coarse  follows fine  (" << t.counted << " of " << t.pairs
        << " pairs counted)\n";
    for (const auto& r : t.rows)
      out << "  " << r.crossover << "        " << r.followsCoarse << "          " << r.followsFine
          << "\n";
  }
  return 0;
}

}  // namespace

void registerGanCli(cli::Registry& r) {
  r.add({"style", "checkerboard",
         "style checkerboard --upsample transposed3|transposed4|resize-nearest|resize-bilinear|"
         "icnr|transposed3-balanced [--steps N] [--seed S] [--balance-weight W] [--batch B] "
         "[--lr LR] [--data mnist|DIR] [--eval-every K] [--json]",
         runCheckerboard, {"json"}});
  r.add({"style", "train-gan",
         "style train-gan [--steps N] [--seed S] [--batch B] [--beta B] [--classifier-steps N] "
         "[--out FILE] [--samples PNG] [--json]",
         runTrainGan, {"json"}});
  r.add({"style", "mixing",
         "style mixing [--model FILE | --steps N --seed S] [--pairs P] [--psi PSI] [--noise A] "
         "[--grid PNG [--crossover K]] [--json]",
         runMixing, {"json"}});
}

}  // namespace genlab::core::style
