// genlab-cli cells perturb | simulate | convert | info: the Cells lab
// headless, on the same engine, session and job as the GUI.
#include <chrono>
#include <cmath>
#include <fstream>
#include <mutex>

#include "core/cli/cli.h"
#include "core/cli/json_lines.h"
#include "core/data/cell_formats.h"
#include "core/data/image_dataset.h"
#include "core/engine/engine.h"
#include "core/labs/cells/cells_job.h"
#include "core/labs/cells/cells_requests.h"
#include "core/labs/cells/cells_simulator.h"
#include "core/util/atomic_file.h"

namespace genlab::core::cells {

namespace {
using cli::Json;
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}
bool endsWith(const std::string& s, const std::string& e) {
  return s.size() >= e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0;
}

void putScores(Json& j, const MethodScore& m, bool hasTruth) {
  cli::putMetric(j, "r2_means_all", m.r2MeansAll);
  cli::putMetric(j, "r2_means_top100", m.r2MeansTop);
  cli::putMetric(j, "r2_delta_all", m.r2DeltaAll);
  cli::putMetric(j, "r2_delta_top100", m.r2DeltaTop);
  j["pearson_delta"] = cli::number(m.pearsonDeltaAll);
  if (!std::isfinite(m.pearsonDeltaAll))
    j["pearson_delta_note"] = "undefined: the predicted change is constant (e.g. no change)";
  j["pearson_delta_top100"] = cli::number(m.pearsonDeltaTop);
  j["rmse_truth_delta_all"] = cli::number(m.rmseTruthAll);
  j["rmse_truth_delta_top100"] = cli::number(m.rmseTruthTop);
  if (!hasTruth)
    j["rmse_truth_note"] = "null: the true response is known only for simulated data";
}

// Cell ids, one per line (what the GUI's selection export writes); blank
// lines and lines starting with # are skipped.
std::vector<std::string> readIdList(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument(path + ": cannot open the list of cell ids");
  std::vector<std::string> ids;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    std::size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos || line[b] == '#') continue;
    ids.push_back(line.substr(b));
  }
  if (ids.empty()) throw std::invalid_argument(path + ": no cell ids in it (one id per line)");
  return ids;
}

CellsOptions optionsFromArgs(const cli::Args& a) {
  CellsOptions o;
  o.data = a.str("data", o.data);
  o.obs = a.str("obs", "");
  o.orientation = a.str("orientation", "auto");
  o.conditionKey = a.str("condition-key", "");
  o.control = a.str("control", "");
  o.treated = a.str("treated", "");
  o.typeKey = a.str("cell-type-key", "");
  o.holdout = a.str("holdout", "");
  o.method = a.str("method", o.method);
  o.epochs = a.integer("epochs", o.epochs, 0, 100000);
  o.seed = static_cast<std::uint64_t>(a.integer("seed", 1, 0, 2147483647));
  o.latent = a.integer("latent", o.latent, 1, 256);
  o.hidden = a.integer("hidden", o.hidden, 1, 8192);
  o.batch = a.integer("batch", o.batch, 1, 65536);
  o.lr = a.real("lr", o.lr);
  o.beta = a.real("beta", o.beta);
  o.hvg = a.integer("hvg", o.hvg, 0, 1000000);
  o.normalize = !a.flag("no-normalize");
  o.log1p = !a.flag("no-log1p");
  o.pcs = a.integer("pcs", o.pcs, 1, 1000);
  o.threads = a.integer("threads", 0, 0, 1024);
  o.simCells = a.integer("cells", o.simCells, 10, 5000000);
  o.simGenes = a.integer("genes", o.simGenes, 10, 100000);
  if (a.has("holdout-ids")) o.holdoutIds = readIdList(a.str("holdout-ids", ""));
  if (a.has("holdout-control-ids")) o.holdoutControlIds = readIdList(a.str("holdout-control-ids", ""));
  o.simTypeRadius = a.real("sim-radius", o.simTypeRadius);
  o.simStateSd = a.real("sim-state-sd", o.simStateSd);
  o.simCoupling = a.real("sim-coupling", o.simCoupling);
  if (!o.simulated() && (a.has("cells") || a.has("genes")))
    throw std::invalid_argument("--cells and --genes size simulated data (sim-*) only");
  o.validate();
  return o;
}

struct Printer : cli::JsonLines {
  using JsonLines::JsonLines;
  std::shared_ptr<const Evaluation> result;
  void onSnapshot(const Snapshot& s) {
    std::lock_guard<std::mutex> g(mutex);
    note(s);
    if (auto r = std::dynamic_pointer_cast<const Evaluation>(s.payload)) result = r;
    auto p = std::dynamic_pointer_cast<const CellsProgress>(s.payload);
    if (!p || p->curve.empty() || !progressDue()) return;
    const auto& c = p->curve.back();
    line({{"event", "progress"}, {"epoch", p->epoch}, {"step", p->step},
          {"total_steps", p->totalSteps}, {"loss", c.loss}, {"recon", c.recon}, {"kl", c.kl},
          {"cells_per_second", p->cellsPerSecond}});
  }
};

int runPerturb(const cli::Args& a, std::ostream& out, std::ostream& err) {
  a.rejectUnknown({"data", "obs", "orientation", "condition-key", "control", "treated",
                   "cell-type-key", "holdout", "method", "epochs", "seed", "latent", "hidden",
                   "batch", "lr", "beta", "hvg", "no-normalize", "no-log1p", "pcs", "threads",
                   "cells", "genes", "holdout-ids", "holdout-control-ids", "sim-radius", "sim-state-sd", "sim-coupling", "json", "out", "de",
                   "metrics"});
  const CellsOptions o = optionsFromArgs(a);
  Printer printer(out, a.flag("json"));
  Engine engine([&](const Snapshot& s) { printer.onSnapshot(s); });
  engine.setThreads(o.threads);
  std::shared_ptr<CellsSession> session;
  const auto t0 = Clock::now();
  engine.runSync([&] { session = CellsSession::create(o); });
  const double loadSeconds = secondsSince(t0);
  const auto& p = session->data();
  Json steps = Json::array();
  for (const auto& s : p.steps) steps.push_back(s);
  const auto& so = session->options();
  printer.line({{"event", "start"}, {"lab", channel::kLab}, {"device", Engine::deviceName()},
                {"data", so.data}, {"source", session->source()}, {"cells", p.cells},
                {"genes", p.genes}, {"condition_key", so.conditionKey}, {"control", so.control},
                {"treated", so.treated}, {"cell_type_key", so.typeKey}, {"holdout", so.holdout},
                {"method", so.method}, {"epochs", so.epochs}, {"seed", so.seed},
                {"trained_on", session->trainRows().size()},
                {"held_out", session->heldOutRows().size()},
                {"control_a", session->controlA().size()}, {"control_b", session->controlB().size()},
                {"preprocessing", steps}, {"load_seconds", loadSeconds}});
  if (!printer.asJson()) out << session->summary() << "\n";
  const auto t1 = Clock::now();
  engine.submit(std::make_unique<CellsTrainJob>(session, false));
  engine.waitIdle();
  if (!printer.error.empty() || !printer.result) {
    err << "genlab-cli: cells perturb failed: "
        << (printer.error.empty() ? "no result" : printer.error) << "\n";
    return 1;
  }
  const double seconds = secondsSince(t1);
  const auto& e = *printer.result;
  for (const auto& m : e.methods) {
    Json j{{"event", "method"}, {"method", m.method}, {"is_model", m.method == e.model}};
    putScores(j, m, e.hasTruth);
    printer.line(j);
    if (!printer.asJson()) {
      char buf[256];
      std::snprintf(buf, sizeof buf, "%-10s r2 means %.3f / %.3f   R2-delta %.3f / %.3f   pearson-delta %.3f\n",
                    m.method.c_str(), m.r2MeansAll, m.r2MeansTop, m.r2DeltaAll, m.r2DeltaTop,
                    m.pearsonDeltaAll);
      out << buf;
    }
  }
  if (!e.banner.empty()) {
    printer.line({{"event", "banner"}, {"message", e.banner}});
    if (!printer.asJson()) out << "BANNER: " << e.banner << "\n";
  }
  if (a.has("out")) engine.runSync([&] { exportPredictions(*session, a.str("out", "")); });
  if (a.has("de")) writeFileAtomic(a.str("de", ""), deCsv(e));
  if (a.has("metrics")) writeFileAtomic(a.str("metrics", ""), metricsCsv(e));
  Json res{{"event", "result"}, {"method", e.methods[0].method}};
  putScores(res, e.methods[0], e.hasTruth);
  Json base = Json::object();
  for (const auto& m : e.methods) {
    if (m.method == e.methods[0].method) continue;
    Json b = Json::object();
    putScores(b, m, e.hasTruth);
    base[m.method] = b;
  }
  res["baselines"] = base;
  res["banner"] = e.banner.empty() ? Json(nullptr) : Json(e.banner);
  res["baseline_beats_model_on_delta"] = e.model.empty() ? Json(nullptr) : Json(!e.banner.empty());
  res["top_de_genes"] = e.top.size();
  res["held_out_cells"] = e.heldOutCells;
  res["epochs"] = e.epochs;
  res["seconds"] = seconds;
  res["train_seconds"] = e.trainSeconds;
  res["cells_per_second"] = cli::rate(e.cellsPerSecond * e.trainSeconds, e.trainSeconds);
  if (printer.asJson()) printer.line(res);
  return 0;
}

int runSimulate(const cli::Args& a, std::ostream& out, std::ostream&) {
  a.rejectUnknown({"regime", "cells", "genes", "types", "seed", "out", "effect", "no-truth", "json"});
  if (!a.has("out")) throw std::invalid_argument("cells simulate needs --out FILE.h5ad");
  SimOptions o;
  o.regime = parseRegime(a.str("regime", "shift"));
  o.cells = a.integer("cells", o.cells, 10, 5000000);
  o.genes = a.integer("genes", o.genes, 10, 100000);
  o.types = a.integer("types", o.types, 2, 100);
  o.seed = static_cast<std::uint64_t>(a.integer("seed", 1, 0, 2147483647));
  o.effect = a.real("effect", o.effect);
  o.counterfactual = !a.flag("no-truth");
  const auto t0 = Clock::now();
  CellData d = simulateCells(o);
  const double simSeconds = secondsSince(t0);
  const auto t1 = Clock::now();
  writeH5ad(a.str("out", ""), d);
  Json res{{"event", "result"}, {"out", a.str("out", "")}, {"regime", regimeName(o.regime)},
           {"cells", o.cells}, {"genes", o.genes}, {"types", o.types}, {"seed", o.seed},
           {"nonzeros", d.X.nnz()}, {"counterfactual_layer", d.layers.count("counterfactual") > 0},
           {"simulate_seconds", simSeconds}, {"write_seconds", secondsSince(t1)}};
  if (a.flag("json")) out << res.dump() << std::endl;
  else out << "wrote " << a.str("out", "") << "\n";
  return 0;
}

int runInfo(const cli::Args& a, std::ostream& out, std::ostream&) {
  a.rejectUnknown({"data", "obs", "orientation", "json"});
  CellReadOptions ro;
  ro.obsFile = a.str("obs", "");
  ro.orientation = parseOrientation(a.str("orientation", "auto"));
  const auto t0 = Clock::now();
  const CellData d = openCellData(a.str("data", ""), ro);
  const double seconds = secondsSince(t0);
  Json cols = Json::array();
  for (const auto& c : d.obs.columns) cols.push_back(c.name);
  Json layers = Json::array();
  for (const auto& [k, m] : d.layers) layers.push_back(k);
  double sum = 0;
  for (float v : d.X.data) sum += v;
  Json res{{"event", "result"}, {"source", d.source}, {"cells", d.cells()}, {"genes", d.genes()},
           {"nonzeros", d.X.nnz()}, {"sum", sum}, {"obs_columns", cols}, {"layers", layers},
           {"load_seconds", seconds}};
  if (a.flag("json")) out << res.dump() << std::endl;
  else out << d.source << ": " << d.cells() << " cells x " << d.genes() << " genes, read in "
           << seconds << " s\n";
  return 0;
}

int runConvert(const cli::Args& a, std::ostream& out, std::ostream&) {
  a.rejectUnknown({"data", "obs", "orientation", "out", "json"});
  if (!a.has("out")) throw std::invalid_argument("cells convert needs --out FILE.h5ad|FILE.csv|DIR");
  CellReadOptions ro;
  ro.obsFile = a.str("obs", "");
  ro.orientation = parseOrientation(a.str("orientation", "auto"));
  const CellData d = openCellData(a.str("data", ""), ro);
  const std::string o = a.str("out", "");
  std::string obsOut;
  if (endsWith(o, ".h5ad")) {
    writeH5ad(o, d);
  } else if (endsWith(o, ".csv")) {
    writeExpressionCsv(o, d);
    obsOut = o.substr(0, o.size() - 4) + ".obs.csv";
    writeObsCsv(obsOut, d.obs);
  } else {
    write10xFolder(o, d);
    obsOut = o + "/obs.csv";
    writeObsCsv(obsOut, d.obs);
  }
  Json res{{"event", "result"}, {"out", o}, {"cells", d.cells()}, {"genes", d.genes()},
           {"source", d.source}};
  if (!obsOut.empty()) res["obs"] = obsOut;
  if (a.flag("json")) out << res.dump() << std::endl;
  else out << "wrote " << o << "\n";
  return 0;
}

}  // namespace

void registerCli(cli::Registry& r) {
  r.add({channel::kLab, "perturb",
         "cells perturb --data sim-additive|sim-shift|FILE.h5ad|DIR|FILE.csv [--obs FILE.csv] "
         "--condition-key K --control C --treated T [--cell-type-key K --holdout TYPE] "
         "[--holdout-ids TREATED.txt --holdout-control-ids CONTROL.txt] [--method vae|cvae|mean-shift|pca|linear|none] [--epochs N] [--seed S] [--hvg 2000] "
         "[--no-normalize] [--no-log1p] [--latent 10] [--hidden 256] [--batch 128] [--lr X] "
         "[--beta X] [--cells N --genes G (sim-*)] [--out PRED.h5ad|.csv] [--de DE.csv] "
         "[--metrics M.csv] [--threads N] [--json]",
         runPerturb, {"json", "no-normalize", "no-log1p"}});
  r.add({channel::kLab, "simulate",
         "cells simulate --regime additive|shift --cells N --genes G --seed S --out FILE.h5ad "
         "[--types 5] [--effect X] [--no-truth] [--json]",
         runSimulate, {"json", "no-truth"}});
  r.add({channel::kLab, "info", "cells info --data FILE|DIR [--obs FILE.csv] [--json]", runInfo,
         {"json"}});
  r.add({channel::kLab, "convert",
         "cells convert --data FILE|DIR [--obs FILE] --out FILE.h5ad|FILE.csv|DIR [--json]",
         runConvert, {"json"}});
}

}  // namespace genlab::core::cells
