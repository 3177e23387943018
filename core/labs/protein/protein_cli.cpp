// genlab-cli protein train | scan | design | simulate-potts: the Protein lab
// headless, on the same engine and the same request functions as the GUI.
#include <chrono>
#include <cmath>
#include <fstream>
#include <mutex>
#include <sstream>

#include "core/cli/cli.h"
#include "core/cli/json_lines.h"
#include "core/data/msa_reader.h"
#include "core/engine/device.h"
#include "core/engine/engine.h"
#include "core/labs/protein/potts.h"
#include "core/labs/protein/protein_job.h"
#include "core/labs/protein/protein_requests.h"
#include "core/util/atomic_file.h"

namespace genlab::core::protein {

namespace {
using cli::Json;
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

void putMetrics(Json& j, const std::string& prefix, const ProteinMetrics& m) {
  j[prefix + "_elbo"] = cli::number(m.elbo);
  j[prefix + "_recon"] = cli::number(m.recon);
  j[prefix + "_kl"] = cli::number(m.kl);
}

ProteinOptions optionsFromArgs(const cli::Args& a) {
  ProteinOptions o;
  o.family = a.str("family", "");
  if (o.family.empty()) throw std::invalid_argument("protein train needs --family FILE");
  o.alignment = a.integer("alignment", o.alignment, 1, 1000000);
  o.latentDim = a.integer("latent-dim", o.latentDim, 1, 256);
  o.hidden = a.integer("hidden", o.hidden, 1, 8192);
  o.epochs = a.integer("epochs", o.epochs, 0, 1000000);
  o.batch = a.integer("batch", o.batch, 1, 65536);
  o.lr = a.real("lr", o.lr);
  o.theta = a.real("theta", o.theta);
  o.l2 = a.real("l2", o.l2);
  o.heldOutFraction = a.real("held-out", o.heldOutFraction);
  o.seed = static_cast<std::uint64_t>(a.integer("seed", 1, 0, 2147483647));
  o.threads = a.integer("threads", 0, 0, 1024);
  o.validate();
  return o;
}

struct Printer : cli::JsonLines {
  using JsonLines::JsonLines;
  std::size_t evalsPrinted = 0;
  std::shared_ptr<const ProteinResult> result;
  void onSnapshot(const Snapshot& s) {
    std::lock_guard<std::mutex> g(mutex);
    note(s);
    if (auto r = std::dynamic_pointer_cast<const ProteinResult>(s.payload)) result = r;
    auto p = std::dynamic_pointer_cast<const ProteinProgress>(s.payload);
    if (!p) return;
    for (; evalsPrinted < p->heldOut.size(); ++evalsPrinted) {
      const auto& e = p->heldOut[evalsPrinted];
      Json j{{"event", "eval"}, {"epoch", e.epoch}};
      putMetrics(j, "held_out", e.m);
      j["pssm_held_out_loglik"] = cli::number(p->pssmHeldOut);
      j["sequences_per_second"] = p->sequencesPerSecond;
      line(j);
      if (!asJson())
        out() << "epoch " << e.epoch << ": held-out ELBO " << e.m.elbo << " nats/seq (PSSM "
              << p->pssmHeldOut << ")" << std::endl;
    }
    if (!p->train.empty() && progressDue()) {
      Json j{{"event", "progress"}, {"epoch", p->epoch}, {"step", p->step},
             {"total_steps", p->totalSteps}, {"sequences_per_second", p->sequencesPerSecond}};
      putMetrics(j, "train", p->train.back().m);
      line(j);
    }
  }
};

int runTrain(const cli::Args& a, std::ostream& out, std::ostream& err) {
  a.rejectUnknown({"family", "latent-dim", "hidden", "epochs", "batch", "lr", "theta", "l2",
                   "held-out", "seed", "threads", "json", "out", "maps", "alignment"});
  const ProteinOptions o = optionsFromArgs(a);
  Printer printer(out, a.flag("json"));
  Engine engine([&](const Snapshot& s) { printer.onSnapshot(s); });
  engine.setThreads(o.threads);  // on the worker, where the model runs
  std::shared_ptr<ProteinSession> session;
  const auto t0 = Clock::now();
  engine.runSync([&] { session = ProteinSession::create(o); });
  const double loadSeconds = secondsSince(t0);
  const auto& f = session->family();
  printer.line({{"event", "start"}, {"lab", channel::kLab}, {"device", Engine::deviceName()},
                {"options", Json::parse(o.toJson())}, {"sequences", f.n()},
                {"alignment", o.alignment}, {"alignments_in_file", session->alignmentsInFile()},
                {"alignment_id", session->alignmentId()},
                {"dropped_sequences", f.droppedSequences}, {"focus_columns", f.length()},
                {"alignment_columns", f.alignmentColumns}, {"neff", session->neff()},
                {"held_out", session->heldOutRows().size()},
                {"weight_seconds", session->weightSeconds()}, {"load_seconds", loadSeconds}});
  // --maps: the family map at each evaluation too, as the GUI shows it.
  engine.submit(std::make_unique<ProteinTrainJob>(session, 10, a.flag("maps")));
  engine.waitIdle();
  if (!printer.error.empty() || !printer.result) {
    err << "genlab-cli: training failed: " << (printer.error.empty() ? "no result" : printer.error)
        << "\n";
    return 1;
  }
  const auto& r = *printer.result;
  if (a.has("out")) engine.runSync([&] { session->save(a.str("out", "")); });
  Json res{{"event", "result"}};
  putMetrics(res, "held_out", r.heldOut);
  res["pssm_held_out_loglik"] = cli::number(r.pssmHeldOut);
  res["vae_minus_pssm_held_out"] = cli::number(r.heldOut.elbo - r.pssmHeldOut);
  res["vae_beats_pssm"] = std::isfinite(r.heldOut.elbo - r.pssmHeldOut)
                              ? Json(r.heldOut.elbo > r.pssmHeldOut)
                              : Json(nullptr);
  putMetrics(res, "train", r.train);
  res["pssm_train_loglik"] = cli::number(r.pssmTrain);
  res["neff"] = r.neff;
  res["sequences"] = f.n();
  res["focus_columns"] = f.length();
  res["train_seconds"] = r.trainSeconds;
  res["weight_seconds"] = session->weightSeconds();
  res["sequences_per_second"] = cli::rate(r.sequencesPerSecond * r.trainSeconds, r.trainSeconds);
  res["epochs"] = r.epochs;
  // The worker's longest uninterrupted piece of work: what a click waits at most.
  res["longest_step_ms"] = engine.longestStepMs();
  if (a.has("out")) res["model"] = a.str("out", "");
  if (printer.asJson())
    printer.line(res);
  else
    out << "held-out ELBO " << r.heldOut.elbo << " nats/seq, PSSM " << r.pssmHeldOut
        << ", Neff " << r.neff << ", " << r.trainSeconds << " s\n";
  return 0;
}

std::shared_ptr<ProteinSession> loadModel(Engine& engine, const cli::Args& a, const char* verb) {
  if (!a.has("model")) throw std::invalid_argument(std::string("protein ") + verb +
                                                   " needs --model FILE");
  std::shared_ptr<ProteinSession> s;
  engine.runSync([&] { s = ProteinSession::load(a.str("model", "")); });
  return s;
}

int runScan(const cli::Args& a, std::ostream& out, std::ostream&) {
  a.rejectUnknown({"model", "wildtype", "samples", "seed", "truth", "out", "threads", "json"});
  if (!a.has("wildtype")) throw std::invalid_argument("protein scan needs --wildtype ID|SEQ");
  Engine engine([](const Snapshot&) {});
  engine.setThreads(a.integer("threads", 0, 0, 1024));
  auto s = loadModel(engine, a, "scan");
  const int samples = a.integer("samples", 64, 1, 100000);
  const auto seed = static_cast<std::uint64_t>(a.integer("seed", 1, 0, 2147483647));
  std::shared_ptr<MutationScan> scan;
  const auto t0 = Clock::now();
  engine.runSync([&] { scan = scanWildtype(*s, a.str("wildtype", ""), samples, seed); });
  const double seconds = secondsSince(t0);
  int scored = 0, positions = 0;
  for (int k = 0; k < scan->length; ++k) {
    int here = 0;
    for (int st = 1; st < kStates; ++st)
      here += !std::isnan(scan->deltaElbo[std::size_t(k) * kStates + st]);
    scored += here;
    positions += here > 0;
  }
  Json res{{"event", "result"}, {"wildtype", scan->wildtypeName}, {"focus_columns", scan->length},
           {"positions_scored", positions}, {"mutants_scored", scored}, {"samples", samples},
           {"wildtype_elbo", cli::number(scan->wildtypeElbo)}, {"seconds", seconds}};
  double rhoVae = std::nan(""), rhoPssm = std::nan("");
  if (a.has("truth")) {
    const auto truth = readEffectsCsv(a.str("truth", ""));
    std::vector<double> t, v, p;
    for (const auto& e : truth) {
      if (e.position < 0 || e.position >= scan->length) continue;
      const std::size_t idx = std::size_t(e.position) * kStates + stateOf(e.mut);
      if (std::isnan(scan->deltaElbo[idx])) continue;
      t.push_back(e.deltaEnergy);
      v.push_back(scan->deltaElbo[idx]);
      p.push_back(scan->deltaPssm[idx]);
    }
    rhoVae = spearman(v, t);
    rhoPssm = spearman(p, t);
    res["truth_mutants"] = t.size();
  }
  res["spearman_vae_truth"] = cli::number(rhoVae);
  res["spearman_pssm_truth"] = cli::number(rhoPssm);
  if (!a.has("truth")) res["spearman_note"] = "null: no --truth file of measured effects given";
  if (a.has("out")) {
    writeFileAtomic(a.str("out", ""), scanCsv(*scan));
    res["csv"] = a.str("out", "");
  }
  if (a.flag("json"))
    out << res.dump() << std::endl;
  else
    out << scored << " mutants at " << positions << " positions scored in " << seconds << " s\n";
  return 0;
}

int runDesign(const cli::Args& a, std::ostream& out, std::ostream&) {
  a.rejectUnknown({"model", "n", "seed", "filters", "out", "all", "region", "threads", "json"});
  FunnelFilters filters;
  if (a.has("filters")) filters = FunnelFilters::fromJson(readFileLimited(a.str("filters", ""), 1 << 20));
  // --region X,Y,R[;X,Y,R...]: a disc, or a union of discs (a brushed region).
  Region region;
  if (a.has("region")) {
    std::istringstream all(a.str("region", ""));
    std::string part;
    while (std::getline(all, part, ';')) {
      std::istringstream is(part);
      Disc d;
      char c1 = 0, c2 = 0;
      std::string rest;
      if (!(is >> d.x >> c1 >> d.y >> c2 >> d.r) || c1 != ',' || c2 != ',' || !(d.r > 0) ||
          (is >> rest))
        throw std::invalid_argument(
            "--region takes X,Y,RADIUS in map coordinates, or several joined by ';'");
      region.push_back(d);
    }
    if (region.empty()) throw std::invalid_argument("--region is empty");
  }
  Engine engine([](const Snapshot&) {});
  engine.setThreads(a.integer("threads", 0, 0, 1024));
  auto s = loadModel(engine, a, "design");
  const int n = a.integer("n", 1000, 1, 1000000);
  const auto seed = static_cast<std::uint64_t>(a.integer("seed", 1, 0, 2147483647));
  std::shared_ptr<FunnelResult> r;
  const auto t0 = Clock::now();
  engine.runSync([&] { r = designBatch(*s, n, seed, filters, region); });
  const double seconds = secondsSince(t0);
  const bool json = a.flag("json");
  Json stages = Json::array();
  for (const auto& st : r->stages) {
    Json j{{"event", "stage"}, {"stage", st.name}, {"on", st.on}, {"threshold", st.threshold},
           {"in", st.in}, {"removed", st.removed}, {"left", st.in - st.removed}};
    if (json) out << j.dump() << std::endl;
    else out << st.name << (st.on ? "" : " (off)") << " " << st.threshold << ": " << st.in
             << " in, " << st.removed << " removed\n";
    stages.push_back({{"stage", st.name}, {"on", st.on}, {"removed", st.removed}});
  }
  Json res{{"event", "result"}, {"sampled", r->sampled}, {"survivors", r->survivors},
           {"stages", stages}, {"filters", Json::parse(r->filters.toJson())}, {"seconds", seconds}};
  if (a.has("out")) {
    writeFasta(a.str("out", ""), designRecords(*r, a.flag("all")));
    res["fasta"] = a.str("out", "");
  }
  if (json) out << res.dump() << std::endl;
  else out << r->survivors << " of " << r->sampled << " designs survive\n";
  return 0;
}

int runSimulatePotts(const cli::Args& a, std::ostream& out, std::ostream&) {
  a.rejectUnknown({"length", "n", "seed", "out", "effects", "fields", "couplings", "pairs",
                   "json"});
  if (!a.has("out")) throw std::invalid_argument("protein simulate-potts needs --out FILE.fasta");
  PottsOptions o;
  o.length = a.integer("length", o.length, 2, 2000);
  o.sequences = a.integer("n", o.sequences, 2, 1000000);
  o.seed = static_cast<std::uint64_t>(a.integer("seed", 1, 0, 2147483647));
  o.fieldScale = a.real("fields", o.fieldScale);
  o.couplingScale = a.real("couplings", o.couplingScale);
  o.pairs = a.integer("pairs", -1, -1, 10000000);
  const auto t0 = Clock::now();
  const PottsFamily fam = simulatePotts(o);
  const std::string path = a.str("out", "");
  std::string effects = a.str("effects", "");
  if (effects.empty()) {
    const auto dot = path.rfind('.');
    effects = (dot == std::string::npos || path.find('/', dot) != std::string::npos
                   ? path
                   : path.substr(0, dot)) +
              ".effects.csv";
  }
  std::vector<FastaRecord> recs;
  for (std::size_t i = 0; i < fam.sequences.size(); ++i)
    recs.push_back({fam.names[i], i == 0 ? "wild type (fittest sample)" : "", fam.sequences[i]});
  writeFasta(path, recs);
  writeFileAtomic(effects, effectsCsv(fam.effects));
  Json res{{"event", "result"}, {"fasta", path}, {"effects", effects},
           {"sequences", fam.sequences.size()}, {"length", o.length},
           {"planted_pairs", fam.model.pairs.size()}, {"mutants", fam.effects.size()},
           {"seconds", secondsSince(t0)}};
  if (a.flag("json")) out << res.dump() << std::endl;
  else out << "wrote " << path << " and " << effects << "\n";
  return 0;
}
}  // namespace

void registerCli(cli::Registry& r) {
  r.add({channel::kLab, "train",
         "protein train --family FILE [--alignment N] [--latent-dim D] [--epochs N] [--theta 0.2] [--seed S] "
         "[--hidden N] [--batch N] [--lr X] [--l2 X] [--held-out F] [--threads N] [--out MODEL] "
         "[--maps] [--json]",
         runTrain, {"json", "maps"}});
  r.add({channel::kLab, "scan",
         "protein scan --model FILE --wildtype ID|SEQ [--samples N] [--seed S] [--truth "
         "EFFECTS.csv] [--out SCAN.csv] [--json]",
         runScan, {"json"}});
  r.add({channel::kLab, "design",
         "protein design --model FILE [--n 1000] [--seed S] [--filters FILE.json] [--region "
         "X,Y,R[;X,Y,R...]] [--out designs.fasta] [--all] [--json]",
         runDesign, {"json", "all"}});
  r.add({channel::kLab, "simulate-potts",
         "protein simulate-potts --length L --n N --seed S --out FILE.fasta [--effects FILE.csv] "
         "[--fields X] [--couplings X] [--pairs N] [--json]",
         runSimulatePotts, {"json"}});
}

}  // namespace genlab::core::protein
