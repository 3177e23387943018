// genlab-cli ct train-prior | reconstruct | radon-bench: the inverse-problems
// lab headless, on the same engine and session as the GUI.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/cli/cli.h"
#include "core/engine/device.h"
#include "core/engine/engine.h"
#include "core/cli/json_lines.h"
#include "core/labs/ct/ct_session.h"
#include "core/labs/ct/score_export.h"
#include "core/labs/ct/score_prior.h"

namespace genlab::core::ct {

// radon-bench lives in ct_bench.cpp (it needs torch; this file does not).
int runRadonBench(const cli::Args& a, std::ostream& out, std::ostream& err);
// eval-prior lives in ct_prior_eval.cpp.
int runEvalPrior(const cli::Args& a, std::ostream& out, std::ostream& err);
// reconstruct-volume and volume-file objects live in ct_volume_cli.cpp.
int runReconstructVolume(const cli::Args& a, std::ostream& out, std::ostream& err);
FloatImage phantomFromFile(const std::string& spec, int slice, int size, std::uint64_t seed,
                           std::string& note);

namespace {
using json = nlohmann::ordered_json;

// Prints snapshots as JSON lines and keeps the final result or error.
struct Printer : cli::JsonLines {
  std::shared_ptr<const ReconResult> recon;
  std::shared_ptr<const PriorResult> prior;

  void onSnapshot(const Snapshot& s) {
    std::lock_guard<std::mutex> g(mutex);
    if (auto r = std::dynamic_pointer_cast<const ReconResult>(s.payload)) recon = r;
    if (auto r = std::dynamic_pointer_cast<const PriorResult>(s.payload)) prior = r;
    const auto reconStep = std::dynamic_pointer_cast<const ReconProgress>(s.payload);
    const auto trainStep = std::dynamic_pointer_cast<const PriorProgress>(s.payload);
    note(s);
    if (!(reconStep || trainStep) || !progressDue()) return;
    if (auto p = reconStep) {
      json j{{"event", "progress"}, {"method", p->method}, {"iteration", p->iteration},
             {"total", p->total}, {"elapsed_seconds", p->elapsedSeconds}};
      if (!p->curve.empty()) {
        j["residual"] = p->curve.back().residual;
        j["psnr"] = cli::number(p->curve.back().psnr);
      }
      line(j);
    } else if (auto p = trainStep) {
      line({{"event", "progress"}, {"step", p->step}, {"total_steps", p->totalSteps},
            {"loss", p->loss}, {"steps_per_second", p->stepsPerSecond},
            {"elapsed_seconds", p->elapsedSeconds}, {"eta_seconds", p->etaSeconds}});
      if (!asJson())
        out() << "step " << p->step << "/" << p->totalSteps << "  loss " << p->loss << std::endl;
    }
  }
};

void writePgm(const std::string& path, const FloatImage& img, float lo, float hi) {
  std::ofstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot write " + path);
  f << "P5\n" << img.width << " " << img.height * img.depth << "\n255\n";
  for (float v : img.values) {
    const float t = hi > lo ? (v - lo) / (hi - lo) : 0.f;
    f.put(static_cast<char>(static_cast<unsigned char>(std::clamp(t, 0.f, 1.f) * 255 + 0.5f)));
  }
}

ScanOptions scanFromArgs(const cli::Args& a) {
  ScanOptions s;
  s.size = a.integer("size", 128, 16, 2048);
  s.views = a.integer("views", 60, 1, 4096);
  s.arcDeg = a.real("arc", 180);
  s.startDeg = a.real("start", 0);
  s.detectors = a.integer("detectors", 0, 0, 8192);
  s.photons = a.real("photons", 1e5);
  s.noise = a.str("noise", s.photons == 0 ? "none" : "poisson");
  s.gaussianLevel = a.real("gaussian-level", s.gaussianLevel);
  s.seed = static_cast<std::uint64_t>(a.integer("seed", 1, 0, 2147483647));
  s.validate();
  return s;
}

ReconOptions reconFromArgs(const cli::Args& a) {
  ReconOptions o;
  o.method = a.str("method", "fbp");
  o.filter = a.str("filter", o.filter);
  o.iterations = a.integer("iterations", 0, 0, 100000);
  o.tvWeight = a.real("tv-weight", o.tvWeight);
  o.sampler = a.str("sampler", o.sampler);
  o.eta = a.real("eta", o.eta);
  o.finalIterations = a.integer("final-dc", o.finalIterations, -1, 100);
  o.endSigma = a.real("end-sigma", o.endSigma);
  o.samples = a.integer("samples", o.samples, 1, 64);
  o.scoreSteps = a.integer("score-steps", 0, 0, 10000);
  o.correctorSteps = a.integer("corrector", o.correctorSteps, 0, 10);
  o.snr = a.real("snr", o.snr);
  o.dcIterations = a.integer("dc-iterations", 0, 0, 100);
  o.scoreInit = a.str("score-init", o.scoreInit);
  o.startSigma = a.real("start-sigma", o.startSigma);
  o.symmetric = a.integer("symmetric", o.symmetric ? 1 : 0, 0, 1) != 0;
  o.seed = static_cast<std::uint64_t>(a.integer("seed", 1, 0, 2147483647));
  o.nullspace = a.flag("nullspace");
  o.validate();
  return o;
}

void saveImages(const std::string& prefix, const CtSession& s, const ReconResult& r) {
  writePgm(prefix + "object.pgm", s.object(), 0, 1);
  writePgm(prefix + r.method + ".pgm", r.image, 0, 1);
  if (!r.stddev.empty()) {
    const float hi = *std::max_element(r.stddev.values.begin(), r.stddev.values.end());
    writePgm(prefix + r.method + "_std.pgm", r.stddev, 0, hi);
  }
  if (!r.nullSpace.empty()) {
    writePgm(prefix + r.method + "_row.pgm", r.rowSpace, 0, 1);
    writePgm(prefix + r.method + "_null.pgm", r.nullSpace, -0.5f, 0.5f);
  }
}

int runReconstruct(const cli::Args& a, std::ostream& out, std::ostream& err) {
  a.rejectUnknown({"phantom", "size", "views", "arc", "start", "detectors", "photons", "noise",
                   "gaussian-level", "method", "filter", "iterations", "tv-weight", "prior",
                   "samples", "score-steps", "corrector", "snr", "dc-iterations", "score-init",
                   "start-sigma", "symmetric", "sampler", "eta", "final-dc", "end-sigma", "seed",
                   "threads", "json", "nullspace", "save-images", "slice"});
  const ScanOptions scan = scanFromArgs(a);
  const ReconOptions recon = [&] {
    ReconOptions o = reconFromArgs(a);
    o.tvWeight = o.effectiveTvWeight(scan);  // the printed configuration says which weight ran
    return o;
  }();
  const std::string phantom = a.str("phantom", "shepp-logan");
  Printer printer{{out, a.flag("json")}, nullptr, nullptr};
  Engine engine([&](const Snapshot& s) { printer.onSnapshot(s); });
  engine.setThreads(a.integer("threads", 0, 0, 1024));
  auto session = std::make_shared<CtSession>();
  std::string object = phantom;  // what the object is, for the start line
  engine.runSync([&] {
    session->setScan(scan);
    if (phantom == "shepp-logan" || phantom == "ellipses")
      session->generatePhantom(phantom, scan.seed);
    else  // a volume file (its middle slice, or --slice N), or the MRI (a held-out slice, or --slice N)
      session->setObject(
          phantomFromFile(phantom, a.integer("slice", -1, 0, 1 << 20), scan.size, scan.seed, object));
    session->simulate();
    if (a.has("prior")) session->loadPrior(a.str("prior", ""));
  });
  const int threads = a.integer("threads", 0, 0, 1024);
  printer.line({{"event", "start"}, {"lab", "ct"}, {"device", Engine::deviceName()},
                {"threads", threads > 0 ? threads
                            : recon.method == "score" ? PriorOptions::kDefaultThreads
                                                      : torchThreads()},
                {"phantom", phantom}, {"object", object}, {"scan", json::parse(scan.toJson())},
                {"reconstruction", json::parse(recon.toJson())}});
  engine.submit(makeReconstructionJob(session, recon));
  engine.waitIdle();
  if (!printer.error.empty() || !printer.recon) {
    err << "genlab-cli: reconstruction failed: "
        << (printer.error.empty() ? "no result" : printer.error) << "\n";
    return 1;
  }
  const auto& r = *printer.recon;
  if (a.has("save-images")) engine.runSync([&] { saveImages(a.str("save-images", ""), *session, r); });
  json res{{"event", "result"}};
  cli::putMetric(res, "psnr", r.metrics.psnr);
  cli::putMetric(res, "ssim", r.metrics.ssim);
  res.update(json{{"residual", r.metrics.residual}, {"seconds", r.metrics.seconds},
                  {"method", r.method},
                  {"iterations", r.curve.empty() ? 0 : r.curve.back().iteration},
                  // The worker's longest uninterrupted piece of work: what a click waits at most.
                  {"longest_step_ms", engine.longestStepMs()}});
  if (!r.stddev.empty()) {
    double sum = 0;
    for (float v : r.stddev.values) sum += v;
    res["samples"] = r.samples.depth;
    res["mean_std"] = sum / r.stddev.values.size();
  }
  if (printer.asJson())
    printer.line(res);
  else
    out << r.method << ": PSNR " << r.metrics.psnr << " dB, SSIM " << r.metrics.ssim
        << ", residual " << r.metrics.residual << ", " << r.metrics.seconds << " s\n";
  return 0;
}

int runTrainPrior(const cli::Args& a, std::ostream& out, std::ostream& err) {
  a.rejectUnknown({"data", "size", "steps", "batch", "lr", "channels", "sigma-min", "sigma-max",
                   "sigma-median", "sigma-log-std", "uniform-share",
                   "max-seconds", "seed", "threads", "out", "json"});
  PriorOptions o;
  o.data = a.str("data", "ellipses");
  o.size = a.integer("size", o.size, 16, 512);
  o.steps = a.integer("steps", o.steps, 0, 10000000);
  o.batch = a.integer("batch", o.batch, 1, 1024);
  o.lr = a.real("lr", o.lr);
  o.channels = a.integer("channels", o.channels, 4, 256);
  o.sigmaMin = a.real("sigma-min", o.sigmaMin);
  o.sigmaMax = a.real("sigma-max", o.sigmaMax);
  o.sigmaMedian = a.real("sigma-median", o.sigmaMedian);
  o.sigmaLogStd = a.real("sigma-log-std", o.sigmaLogStd);
  o.uniformShare = a.real("uniform-share", o.uniformShare);
  o.maxSeconds = a.real("max-seconds", o.maxSeconds);
  o.seed = static_cast<std::uint64_t>(a.integer("seed", 1, 0, 2147483647));
  o.threads = a.integer("threads", 0, 0, 1024);
  o.validate();
  if (!a.has("out")) throw std::invalid_argument("ct train-prior needs --out FILE");
  Printer printer{{out, a.flag("json")}, nullptr, nullptr};
  Engine engine([&](const Snapshot& s) { printer.onSnapshot(s); });
  auto session = std::make_shared<CtSession>();
  const std::clock_t cpu0 = std::clock();
  printer.line({{"event", "start"}, {"lab", "ct"}, {"device", Engine::deviceName()},
                {"threads", o.effectiveThreads()}, {"options", json::parse(o.toJson())}});
  engine.submit(makePriorTrainingJob(session, o, a.str("out", "")));
  engine.waitIdle();
  if (!printer.error.empty() || !printer.prior) {
    err << "genlab-cli: training failed: " << (printer.error.empty() ? "no result" : printer.error)
        << "\n";
    return 1;
  }
  const auto& r = *printer.prior;
  // CPU time next to wall time: on a shared machine the wall clock says more
  // about the neighbours than about the training.
  json res{{"event", "result"}, {"steps", r.steps}, {"seconds", r.seconds},
           {"cpu_seconds", double(std::clock() - cpu0) / CLOCKS_PER_SEC}, {"loss", r.loss},
           {"model", r.path}, {"longest_step_ms", engine.longestStepMs()}};
  if (printer.asJson())
    printer.line(res);
  else
    out << "trained " << r.steps << " steps in " << r.seconds << " s, loss " << r.loss
        << ", saved " << r.path << "\n";
  return 0;
}
int runExportPrior(const cli::Args& a, std::ostream& out, std::ostream&) {
  a.rejectUnknown({"prior", "out", "json"});
  if (!a.has("prior") || !a.has("out"))
    throw std::invalid_argument("ct export-prior needs --prior FILE and --out FILE.pt");
  const std::string path = a.str("out", "");
  auto prior = ScorePrior::load(a.str("prior", ""), c10::Device(c10::kCPU));
  exportPriorTorchScript(*prior, path);
  cli::JsonLines printer{out, a.flag("json")};
  if (printer.asJson())
    printer.line({{"event", "result"}, {"torchscript", path},
                  {"state_dict", path.substr(0, path.size() - 3) + ".state.pt"},
                  {"size", prior->size()}, {"trained_steps", prior->trainedSteps()}});
  else
    out << "wrote " << path << " (denoise, score, forward) and its state dict\n";
  return 0;
}
}  // namespace

// Shared with ct_volume_cli.cpp.
ScanOptions scanOptionsFromArgs(const cli::Args& a) { return scanFromArgs(a); }
ReconOptions reconOptionsFromArgs(const cli::Args& a) { return reconFromArgs(a); }

void registerCli(cli::Registry& r) {
  r.add({"ct", "train-prior",
         "ct train-prior --data ellipses|mri|mixed|FILE --size 128 --steps N --seed S --out FILE [--batch N] "
         "[--lr X] [--channels N] [--sigma-min X] [--sigma-max X] [--sigma-median X] "
         "[--sigma-log-std X] [--uniform-share X] [--max-seconds T] "
         "[--threads N] [--json]",
         runTrainPrior, {"json"}});
  r.add({"ct", "reconstruct",
         "ct reconstruct --phantom shepp-logan|ellipses|mri|FILE [--slice N] --size 128 --views 60 --arc 90 "
         "--photons 1e5 --method fbp|sirt|tv|score [--prior FILE] [--samples K] --seed S "
         "[--filter ramp|shepp-logan|cosine|hann] [--iterations N] [--tv-weight X] "
         "[--sampler dds|pc] [--score-steps N] [--dc-iterations N] [--eta X] "
         "[--final-dc N] [--start-sigma X] [--end-sigma X] [--score-init noise|fbp|sirt|tv] "
         "[--symmetric 0|1] "
         "[--nullspace] [--save-images PREFIX] "
         "[--threads N] [--json]",
         runReconstruct, {"json", "nullspace"}});
  r.add({"ct", "export-prior",
         "ct export-prior --prior FILE --out FILE.pt [--json]   (TorchScript: denoise, score, "
         "forward; docs/export.md)",
         runExportPrior, {"json"}});
  r.add({"ct", "eval-prior",
         "ct eval-prior --prior FILE [--images 8] [--sigmas 0.01,0.05,...] [--symmetric 0|1] "
         "[--seed S] [--threads N] [--json]",
         runEvalPrior, {"json"}});
  r.add({"ct", "radon-bench",
         "ct radon-bench --size 256 --angles 180 [--repeats N] [--threads N] "
         "[--dump-input FILE] [--json]",
         runRadonBench, {"json"}});
  r.add({"ct", "reconstruct-volume",
         "ct reconstruct-volume --volume PATH|mri [--slices N] --size 64 --views 60 --arc 180 "
         "--photons 1e5 --method fbp|sirt|tv|score [--prior FILE] [--out FILE.nii.gz|.mha|.png] "
         "[--truth-out FILE] [--lo X --hi X] [the reconstruct options] [--threads N] [--json]",
         runReconstructVolume, {"json"}});
}

}  // namespace genlab::core::ct
