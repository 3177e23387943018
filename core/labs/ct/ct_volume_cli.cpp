// genlab-cli ct reconstruct-volume, and the volume-file objects of
// `ct reconstruct --phantom FILE|mri [--slice N]`. Torch-free.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/cli/cli.h"
#include "core/data/volume_io.h"
#include "core/engine/device.h"
#include "core/engine/engine.h"
#include "core/cli/json_lines.h"
#include "core/labs/ct/ct_session.h"
#include "core/labs/ct/training_images.h"

namespace genlab::core::ct {

// Shared with ct_cli.cpp (defined there).
ScanOptions scanOptionsFromArgs(const cli::Args& a);
ReconOptions reconOptionsFromArgs(const cli::Args& a);

FloatImage phantomFromFile(const std::string& spec, int slice, int size, std::uint64_t seed,
                           std::string& note) {
  std::shared_ptr<const data::Volume> v =
      spec == "mri" ? mriVolume() : std::make_shared<const data::Volume>(data::readVolume(spec));
  // The MRI without --slice: the held-out slice generatePhantom("mri", seed) picks.
  const auto heldOut = spec == "mri" ? mriSliceSplit(*v).heldOut : std::vector<int>{};
  const int z = slice >= 0 ? slice : spec == "mri" ? heldOut[seed % heldOut.size()] : v->nz / 2;
  if (z >= v->nz)
    throw std::invalid_argument("--slice " + std::to_string(z) + " is outside the volume (0.." +
                                std::to_string(v->nz - 1) + ")");
  note = v->description + ", slice z = " + std::to_string(z);
  if (v->format == "png" || v->format == "pgm") {
    // 8- or 16-bit grey: the format's full scale is 1, as before volumes.
    try {
      checkPaddedSquare(v->nx, v->ny);  // the session pads it to a square
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(spec + ": " + e.what());
    }
    FloatImage img = data::sliceImage(*v, z);
    const float top = *std::max_element(img.values.begin(), img.values.end()) > 255 ? 65535.f : 255.f;
    for (float& x : img.values) x /= top;
    return img;
  }
  const auto [lo, hi] = robustRange(*v);
  char range[96];
  std::snprintf(range, sizeof range, ", values %g .. %g mapped to 0 .. 1", lo, hi);
  note += range;
  if (spec == "mri") {
    const bool held = std::find(heldOut.begin(), heldOut.end(), z) != heldOut.end();
    note += held ? " (a held-out slice)" : " (NOT held out: MRI priors may have trained on it)";
  }
  try {
    return ctObjectFromSlice(*v, z, size, lo, hi);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(spec + ": " + e.what());  // name the file
  }
}

namespace {
using json = nlohmann::ordered_json;

struct VolumePrinter : cli::JsonLines {
  std::shared_ptr<const VolumeResult> result;

  void onSnapshot(const Snapshot& s) {
    std::lock_guard<std::mutex> g(mutex);
    if (auto r = std::dynamic_pointer_cast<const VolumeResult>(s.payload)) result = r;
    const auto p = std::dynamic_pointer_cast<const VolumeProgress>(s.payload);
    note(s);
    if (!p || !progressDue()) return;
    line({{"event", "progress"}, {"done", p->done}, {"total", p->total}, {"slice", p->slice},
          {"iteration", p->iteration}, {"iterations", p->iterations},
          {"elapsed_seconds", p->elapsedSeconds}});
    if (!asJson()) out() << "slice " << p->done << "/" << p->total << std::endl;
  }
};

const std::vector<std::string> kVolumeOptions = {
    "volume", "slices", "lo", "hi", "out", "truth-out", "size", "views", "arc", "start",
    "detectors", "photons", "noise", "gaussian-level", "method", "filter", "iterations",
    "tv-weight", "prior", "samples", "score-steps", "corrector", "snr", "dc-iterations",
    "score-init", "start-sigma", "symmetric", "sampler", "eta", "final-dc", "end-sigma", "seed", "threads",
    "json"};

json resultLine(const VolumeResult& r, const std::string& outPath) {
  json slices = json::array();
  for (std::size_t i = 0; i < r.slices.size(); ++i)
    slices.push_back({{"z", r.slices[i]}, {"psnr", cli::number(r.metrics[i].psnr)},
                      {"ssim", cli::number(r.metrics[i].ssim)}, {"seconds", r.metrics[i].seconds}});
  json j{{"event", "result"}, {"method", r.options.method}, {"slices", r.slices.size()}};
  cli::putMetric(j, "psnr", r.meanPsnr);
  cli::putMetric(j, "ssim", r.meanSsim);
  j.update(json{{"seconds", r.seconds},
                {"size", {r.reconstruction.nx, r.reconstruction.ny, r.reconstruction.nz}},
                {"out", outPath}, {"per_slice", slices}});
  return j;
}
}  // namespace

int runReconstructVolume(const cli::Args& a, std::ostream& out, std::ostream& err) {
  a.rejectUnknown(kVolumeOptions);
  if (!a.has("volume")) throw std::invalid_argument("ct reconstruct-volume needs --volume PATH (or --volume mri)");
  ScanOptions scan = scanOptionsFromArgs(a);
  if (!a.has("size")) scan.size = 64;  // a stack: smaller slices by default
  scan.validate();
  const ReconOptions recon = reconOptionsFromArgs(a);
  VolumeSlices slices;
  slices.count = a.integer("slices", 8, 0, 1 << 20);
  slices.lo = a.real("lo", 0);
  slices.hi = a.real("hi", 0);
  const std::string path = a.str("volume", "");
  const std::string outPath = a.str("out", ""), truthPath = a.str("truth-out", "");
  const int threads = a.integer("threads", 0, 0, 1024);
  // Fail on an unwritable --out before spending minutes on the reconstruction.
  for (const auto& p : {outPath, truthPath})
    if (!p.empty()) data::checkVolumeSavePath(p);
  data::Volume volume = path == "mri" ? *mriVolume() : data::readVolume(path);
  VolumePrinter printer{{out, a.flag("json")}, nullptr};
  Engine engine([&](const Snapshot& s) { printer.onSnapshot(s); });
  engine.setThreads(threads);
  auto session = std::make_shared<CtSession>();
  engine.runSync([&] {
    session->setScan(scan);
    if (a.has("prior")) session->loadPrior(a.str("prior", ""));
  });
  printer.line({{"event", "start"}, {"lab", "ct"}, {"verb", "reconstruct-volume"},
                {"device", Engine::deviceName()},
                {"threads", threads > 0 ? threads
                            : recon.method == "score" ? PriorOptions::kDefaultThreads
                                                      : torchThreads()},
                {"volume", volume.description},
                {"scan", json::parse(scan.toJson())}, {"reconstruction", json::parse(recon.toJson())}});
  engine.submit(makeVolumeReconstructionJob(session, std::move(volume), recon, slices));
  engine.waitIdle();
  if (!printer.error.empty() || !printer.result) {
    err << "genlab-cli: volume reconstruction failed: "
        << (printer.error.empty() ? "no result" : printer.error) << "\n";
    return 1;
  }
  const auto& r = *printer.result;
  if (!outPath.empty()) data::writeVolume(r.reconstruction, outPath);
  if (!truthPath.empty()) data::writeVolume(r.truth, truthPath);
  if (printer.asJson())
    printer.line(resultLine(r, outPath));
  else
    out << r.options.method << ": " << r.slices.size() << " slices, mean PSNR " << r.meanPsnr
        << " dB, SSIM " << r.meanSsim << ", " << r.seconds << " s"
        << (outPath.empty() ? "" : ", saved " + outPath) << "\n";
  return 0;
}

}  // namespace genlab::core::ct
