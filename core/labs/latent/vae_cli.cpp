// genlab-cli latent train | eval (alias: vae): the Latent Explorer headless, on the same engine.
#include <chrono>
#include <iostream>
#include <algorithm>
#include <cmath>
#include <mutex>
#include <sstream>
#include <nlohmann/json.hpp>

#include "core/cli/cli.h"
#include "core/cli/json_lines.h"
#include "core/data/image_data.h"
#include "core/data/png_write.h"
#include "core/engine/device.h"
#include "core/engine/engine.h"
#include "core/labs/latent/latent_experiment.h"
#include "core/labs/latent/latent_requests.h"
#include "core/labs/latent/vae_job.h"

namespace genlab::core::latent {

namespace {
using nlohmann::json;

json metricsJson(const char* prefix, const VaeMetrics& m) {
  const std::string p(prefix);
  return {{p + "_elbo", m.elbo}, {p + "_recon", m.recon}, {p + "_kl", m.kl}};
}

VaeOptions optionsFromArgs(const cli::Args& a) {
  VaeOptions o;
  o.data = a.str("data", "mnist");
  o.architecture = a.str("arch", o.architecture);
  o.latentDim = a.integer("latent-dim", o.latentDim, 1, 512);
  o.hidden = a.integer("hidden", o.hidden, 1, 8192);
  o.beta = a.real("beta", o.beta);
  o.klWarmupEpochs = a.integer("kl-warmup", 0, 0, 100000);
  o.lr = a.real("lr", o.lr);
  o.batch = a.integer("batch", o.batch, 1, 65536);
  o.epochs = a.integer("epochs", o.epochs, 0, 100000);
  o.seed = static_cast<std::uint64_t>(a.integer("seed", 1, 0, 2147483647));
  o.threads = a.integer("threads", 0, 0, 1024);
  o.maxTrainImages = a.integer("max-train", 0, 0, 100000000);
  o.validate();
  return o;
}

// Prints the engine's snapshots as JSON lines (or short text) and keeps the result.
struct Printer : cli::JsonLines {
  using JsonLines::JsonLines;
  std::size_t epochsPrinted = 0;
  std::shared_ptr<const VaeResult> result;

  void onSnapshot(const Snapshot& s) {
    std::lock_guard<std::mutex> g(mutex);
    note(s);
    if (auto r = std::dynamic_pointer_cast<const VaeResult>(s.payload)) result = r;
    auto p = std::dynamic_pointer_cast<const VaeProgress>(s.payload);
    if (!p) return;
    for (; epochsPrinted < p->test.size(); ++epochsPrinted) {
      const auto& t = p->test[epochsPrinted];
      json j{{"event", "epoch"}, {"epoch", t.epoch}, {"samples_per_second", p->samplesPerSecond},
             {"active_units", p->activeUnits}, {"elapsed_seconds", p->elapsedSeconds}};
      j.update(metricsJson("test", t.m));
      if (!p->train.empty()) j.update(metricsJson("train", p->train.back().m));
      line(j);
      if (!asJson())
        out() << "epoch " << t.epoch << ": test ELBO " << t.m.elbo << " nats (recon " << t.m.recon
            << ", KL " << t.m.kl << "), " << static_cast<long>(p->samplesPerSecond)
            << " img/s" << std::endl;
    }
    if (!p->train.empty() && progressDue()) {
      json j{{"event", "progress"}, {"epoch", p->epoch}, {"step", p->step},
             {"total_steps", p->totalSteps}, {"beta", p->beta},
             {"samples_per_second", p->samplesPerSecond}, {"eta_seconds", p->etaSeconds}};
      j.update(metricsJson("train", p->train.back().m));
      line(j);
    }
  }
};

int runTrain(const cli::Args& a, std::ostream& out, std::ostream& err) {
  a.rejectUnknown({"data", "arch", "latent-dim", "hidden", "beta", "kl-warmup", "lr", "batch",
                   "epochs", "seed", "threads", "max-train", "json", "out", "experiment"});
  const VaeOptions o = optionsFromArgs(a);
  setTorchThreads(o.threads);
  Printer printer(out, a.flag("json"));
  Engine engine([&](const Snapshot& s) { printer.onSnapshot(s); });
  std::shared_ptr<VaeSession> session;
  engine.runSync([&] { session = VaeSession::create(o); });
  printer.line({{"event", "start"}, {"lab", channel::kLab}, {"device", Engine::deviceName()},
                {"threads", o.effectiveThreads()},
                {"options", json::parse(o.toJson())},
                {"train_images", session->data().train.count},
                {"test_images", session->data().test.count},
                {"provenance", session->data().train.provenance}});
  engine.submit(std::make_unique<VaeTrainJob>(session));
  engine.waitIdle();
  if (!printer.error.empty() || !printer.result) {
    err << "genlab-cli: training failed: "
        << (printer.error.empty() ? "no result" : printer.error) << "\n";
    return 1;
  }
  const auto& r = *printer.result;
  if (a.has("out")) {
    engine.runSync([&] { session->save(a.str("out", "")); });
  }
  json res{{"event", "result"},        {"test_elbo", r.test.elbo},
           {"test_recon", r.test.recon}, {"test_kl", r.test.kl},
           {"active_units", r.activeUnits}, {"train_seconds", r.trainSeconds},
           {"samples_per_second", cli::rate(r.samplesPerSecond * r.trainSeconds, r.trainSeconds)},
           {"epochs", r.epochs}};
  if (a.has("out")) res["model"] = a.str("out", "");
  if (a.has("experiment")) {
    // What replay compares: the result without its wall-clock fields.
    json recorded = res;
    recorded.erase("train_seconds");
    recorded.erase("samples_per_second");
    engine.runSync([&] {
      saveExperiment(a.str("experiment", ""), *session, o.data, "", recorded.dump());
    });
    res["experiment"] = a.str("experiment", "");
  }
  if (printer.asJson())
    printer.line(res);
  else
    out << "test ELBO " << r.test.elbo << " nats/image, " << r.activeUnits
        << " active units, " << r.trainSeconds << " s, " << r.samplesPerSecond << " img/s\n";
  return 0;
}

int runEval(const cli::Args& a, std::ostream& out, std::ostream& err) {
  a.rejectUnknown({"model", "data", "threads", "json"});
  if (!a.has("model")) throw std::invalid_argument("latent eval needs --model FILE");
  const std::string path = a.str("model", "");
  setTorchThreads(a.integer("threads", 0, 0, 1024));
  Engine engine([](const Snapshot&) {});
  VaeMetrics m;
  int active = 0;
  engine.runSync([&] {
    auto o = VaeSession::peekOptions(path);
    if (a.has("data")) o.data = a.str("data", "");
    auto data = std::make_shared<ImageSplit>(loadImageData(o.data, static_cast<unsigned>(o.seed)));
    auto s = VaeSession::load(path, data);
    m = s->evaluate();
    active = s->activeUnits();
  });
  json res{{"event", "result"}, {"active_units", active}};
  res.update(metricsJson("test", m));
  if (a.flag("json"))
    out << res.dump() << std::endl;
  else
    out << "test ELBO " << m.elbo << " nats/image (recon " << m.recon << ", KL " << m.kl << ")\n";
  return 0;
}
// A GenLab model file or a TorchScript file, opened to decode (no training).
std::shared_ptr<VaeSession> openForDecoding(const cli::Args& a, Engine& engine) {
  const std::string path = a.str("model", "");
  if (path.empty()) throw std::invalid_argument("needs --model FILE (.genlab or TorchScript .pt)");
  const std::string sig = a.str("sigmoid", "auto");
  if (sig != "auto" && sig != "yes" && sig != "no")
    throw std::invalid_argument("--sigmoid is yes (the outputs are logits), no (they are "
                                "intensities) or auto (refuse when they leave [0, 1])");
  std::shared_ptr<VaeSession> session;
  engine.runSync([&] {
    if (looksLikeTorchScript(path)) {
      ScriptImport im;
      im.path = path;
      im.latentDim = a.integer("latent-dim", 0, 0, 4096);
      if (sig == "yes") im.outputs = ScriptImport::Outputs::Logits;
      if (sig == "no") im.outputs = ScriptImport::Outputs::Probabilities;
      session = VaeSession::openScript(im, nullptr);
      session->evaluate();
    } else {
      try {
        session = openModel(path)->session;
      } catch (const std::exception& e) {
        throw std::invalid_argument(std::string(e.what()) +
                                    " (nor is it TorchScript: those are zip archives)");
      }
    }
  });
  return session;
}

// "0,0;1,-1" -> rows of floats.
std::vector<std::vector<float>> parseLatents(const std::string& text) {
  std::vector<std::vector<float>> rows;
  std::stringstream all(text);
  for (std::string row; std::getline(all, row, ';');) {
    std::vector<float> z;
    std::stringstream one(row);
    for (std::string v; std::getline(one, v, ',');) {
      std::size_t used = 0;
      float x = 0;
      try {
        x = std::stof(v, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || !std::isfinite(x))
        throw std::invalid_argument("--z: '" + v + "' is not a number (write z as \"0,0;1,-1\")");
      z.push_back(x);
    }
    if (!z.empty()) rows.push_back(std::move(z));
  }
  if (rows.empty()) throw std::invalid_argument("--z lists no latent vector (e.g. \"0,0;1,-1\")");
  return rows;
}

int runDecode(const cli::Args& a, std::ostream& out, std::ostream& err) {
  a.rejectUnknown({"model", "z", "sigmoid", "latent-dim", "json"});
  Engine engine([](const Snapshot&) {});
  auto session = openForDecoding(a, engine);
  const auto rows = parseLatents(a.str("z", "0,0"));
  const int d = session->options().latentDim;
  std::vector<float> flat;
  for (const auto& z : rows) {
    if (int(z.size()) != d)
      throw std::invalid_argument("--z: each vector needs " + std::to_string(d) +
                                  " values (the model's latent size), one has " +
                                  std::to_string(z.size()));
    flat.insert(flat.end(), z.begin(), z.end());
  }
  std::vector<float> probs;
  engine.runSync([&] { probs = session->decodeLatents(flat, int(rows.size())); });
  const int h = session->data().test.height, w = session->data().test.width;
  cli::JsonLines lines(out, a.flag("json"));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const float* p = probs.data() + i * std::size_t(h) * w;
    const auto [lo, hi] = std::minmax_element(p, p + std::size_t(h) * w);
    double sum = 0;
    for (const float* q = p; q != p + std::size_t(h) * w; ++q) sum += *q;
    const double mean = sum / (double(h) * w);
    lines.line({{"event", "decoded"}, {"z", rows[i]}, {"shape", {1, h, w}}, {"mean", mean},
                {"min", *lo}, {"max", *hi}});
    if (!lines.asJson())
      out << "z " << i << ": [1, " << h << ", " << w << "], mean " << mean << ", min " << *lo
          << ", max " << *hi << "\n";
  }
  lines.line({{"event", "result"}, {"decoded", rows.size()}, {"latent_dim", d},
              {"height", h}, {"width", w}, {"imported", session->imported()}});
  return 0;
}

int runGrid(const cli::Args& a, std::ostream& out, std::ostream& err) {
  a.rejectUnknown({"model", "range", "n", "out", "sigmoid", "latent-dim", "json"});
  if (!a.has("out")) throw std::invalid_argument("latent grid needs --out FILE.png");
  const double range = a.real("range", 2.5);
  if (!(range > 0 && range <= 100)) throw std::invalid_argument("--range must be in (0, 100]");
  const int n = a.integer("n", 10, 2, 64);
  Engine engine([](const Snapshot&) {});
  auto session = openForDecoding(a, engine);
  Image tiles;
  const float r = float(range);
  engine.runSync([&] { tiles = session->decodeGrid(-r, r, -r, r, n); });
  data::writePng(tiles, a.str("out", ""));
  cli::JsonLines lines(out, a.flag("json"));
  lines.line({{"event", "result"}, {"out", a.str("out", "")}, {"n", n}, {"range", range},
              {"width", tiles.width}, {"height", tiles.height}});
  if (!lines.asJson()) out << "wrote " << a.str("out", "") << "\n";
  return 0;
}
int runExport(const cli::Args& a, std::ostream& out, std::ostream& err) {
  a.rejectUnknown({"model", "out", "data", "json"});
  if (!a.has("model") || !a.has("out"))
    throw std::invalid_argument("latent export needs --model FILE.genlab and --out FILE.pt");
  Engine engine([](const Snapshot&) {});
  const std::string path = a.str("model", ""), target = a.str("out", "");
  engine.runSync([&] {
    auto o = VaeSession::peekOptions(path);
    if (a.has("data")) o.data = a.str("data", "");
    auto data = std::make_shared<ImageSplit>(loadImageData(o.data, static_cast<unsigned>(o.seed)));
    VaeSession::load(path, data)->exportTorchScript(target);
  });
  const std::string base = target.substr(0, target.size() - 3);
  cli::JsonLines lines(out, a.flag("json"));
  lines.line({{"event", "result"}, {"torchscript", target}, {"state_dict", base + ".state.pt"},
              {"options", target + ".options.json"}});
  if (!lines.asJson()) out << "wrote " << target << ", " << base << ".state.pt and " << target
                           << ".options.json\n";
  return 0;
}
// Re-runs an experiment from its options, seed and data (checked against
// the recorded hashes) and prints the result beside the recorded one.
int runReplay(const cli::Args& a, std::ostream& out, std::ostream& err) {
  a.rejectUnknown({"file", "data", "threads", "json"});
  const std::string file = a.str("file", "");
  Engine engine([](const Snapshot&) {});
  std::shared_ptr<OpenedExperiment> recorded;
  engine.runSync([&] { recorded = openExperiment(file, a.str("data", "")); });
  VaeOptions o = recorded->session->options();
  o.data = recorded->effective.data;
  o.epochs = std::max(1, int(recorded->session->epochsDone() + 0.5));
  if (a.has("threads")) o.threads = a.integer("threads", 0, 0, 1024);
  Printer printer(out, a.flag("json"));
  Engine run([&](const Snapshot& s) { printer.onSnapshot(s); });
  std::shared_ptr<VaeSession> session;
  run.runSync([&] { session = VaeSession::create(o); });
  run.submit(std::make_unique<VaeTrainJob>(session));
  run.waitIdle();
  if (!printer.error.empty() || !printer.result)
    throw std::runtime_error("replay failed: " + (printer.error.empty() ? "no result" : printer.error));
  const auto& r = *printer.result;
  json res{{"event", "result"},        {"test_elbo", r.test.elbo},
           {"test_recon", r.test.recon}, {"test_kl", r.test.kl},
           {"active_units", r.activeUnits}, {"epochs", r.epochs}};
  if (!recorded->resultJson.empty()) {
    const json before = json::parse(recorded->resultJson);
    bool same = true;
    for (const char* k : {"test_elbo", "test_recon", "test_kl", "active_units", "epochs"})
      same = same && before.contains(k) && before[k] == res[k];
    res["recorded"] = before;
    res["same_as_recorded"] = same;
  } else {
    res["same_as_recorded"] = nullptr;
    res["same_as_recorded_note"] = "the experiment holds no finished run to compare with";
  }
  if (printer.asJson()) printer.line(res);
  else out << res.dump(2) << "\n";
  return 0;
}
}  // namespace

void registerCli(cli::Registry& r) {
  r.add({channel::kLab, "train",
         "latent train --data mnist|digits|FOLDER --latent-dim N --epochs N --beta X --batch N "
         "--seed S --threads N [--arch mlp|conv] [--hidden N] [--lr X] [--kl-warmup N] "
         "[--max-train N] [--json] [--out FILE] [--experiment FILE.genlabx]",
         runTrain, {"json"}});
  r.add({channel::kLab, "eval", "latent eval --model FILE [--data SPEC] [--threads N] [--json]", runEval,
         {"json"}});
  r.add({channel::kLab, "decode",
         "latent decode --model FILE.genlab|FILE.pt --z \"0,0;1,-1\" [--sigmoid auto|yes|no] "
         "[--latent-dim D] [--json]",
         runDecode, {"json"}});
  r.add({channel::kLab, "replay", "latent replay --file FILE.genlabx [--data FOLDER] [--json]   "
         "(also: genlab-cli replay FILE)", runReplay, {"json"}});
  r.add({channel::kLab, "export",
         "latent export --model FILE.genlab --out FILE.pt [--data SPEC] [--json]   "
         "(TorchScript + state dict for PyTorch; docs/export.md)",
         runExport, {"json"}});
  r.add({channel::kLab, "grid",
         "latent grid --model FILE.genlab|FILE.pt --range 2.5 --n 10 --out grid.png "
         "[--sigmoid auto|yes|no] [--latent-dim D] [--json]",
         runGrid, {"json"}});
}

}  // namespace genlab::core::latent
