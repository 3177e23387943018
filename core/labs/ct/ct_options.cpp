#include "core/labs/ct/ct_options.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace genlab::core::ct {

namespace {
void need(bool ok, const std::string& msg) {
  if (!ok) throw std::invalid_argument(msg);
}

template <typename T>
T parse(const std::string& text, const char* what, void (*fill)(const nlohmann::json&, T&)) {
  T o;
  try {
    fill(nlohmann::json::parse(text), o);
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("invalid ") + what + ": " + e.what());
  }
  o.validate();
  return o;
}
}  // namespace

std::string ScanOptions::toJson() const {
  return nlohmann::json{{"modality", modality}, {"size", size}, {"views", views},
                        {"arc_deg", arcDeg}, {"start_deg", startDeg}, {"detectors", detectors},
                        {"noise", noise}, {"photons", photons}, {"gaussian_level", gaussianLevel},
                        {"psf", psf}, {"psf_sigma", psfSigma}, {"psf_length", psfLength},
                        {"psf_angle_deg", psfAngleDeg}, {"seed", seed}}
      .dump();
}

ScanOptions ScanOptions::fromJson(const std::string& text) {
  return parse<ScanOptions>(text, "scan options", [](const nlohmann::json& j, ScanOptions& o) {
    o.modality = j.value("modality", o.modality);
    o.size = j.value("size", o.size);
    o.views = j.value("views", o.views);
    o.arcDeg = j.value("arc_deg", o.arcDeg);
    o.startDeg = j.value("start_deg", o.startDeg);
    o.detectors = j.value("detectors", o.detectors);
    o.noise = j.value("noise", o.noise);
    o.photons = j.value("photons", o.photons);
    o.gaussianLevel = j.value("gaussian_level", o.gaussianLevel);
    o.psf = j.value("psf", o.psf);
    o.psfSigma = j.value("psf_sigma", o.psfSigma);
    o.psfLength = j.value("psf_length", o.psfLength);
    o.psfAngleDeg = j.value("psf_angle_deg", o.psfAngleDeg);
    o.seed = j.value("seed", o.seed);
  });
}

void ScanOptions::validate() const {
  need(modality == "ct" || modality == "blur", "modality must be 'ct' or 'blur'");
  need(size >= 16 && size <= 2048, "image size must be between 16 and 2048 pixels");
  need(views >= 1 && views <= 4096, "views must be between 1 and 4096");
  need(arcDeg > 0 && arcDeg <= 360, "the scan arc must be in (0, 360] degrees");
  need(std::isfinite(startDeg), "the start angle must be finite");
  need(detectors >= 0 && detectors <= 8192, "detector bins must be 0 (automatic) to 8192");
  need(noise == "none" || noise == "poisson" || noise == "gaussian",
       "noise must be 'none', 'poisson' or 'gaussian'");
  need(photons == 0 || (photons >= 1 && photons <= 1e12),
       "photons must be 0 (noiseless) or between 1 and 1e12");
  need(gaussianLevel >= 0 && gaussianLevel <= 10, "Gaussian noise level must be in [0, 10]");
  need(psf == "gaussian" || psf == "motion", "the PSF must be 'gaussian' or 'motion'");
  need(psfSigma > 0 && psfSigma <= 100, "PSF sigma must be in (0, 100]");
  need(psfLength >= 1 && psfLength <= 200, "motion length must be 1..200 pixels");
}

double ReconOptions::effectiveTvWeight(const ScanOptions& scan) const {
  if (tvWeight > 0) return tvWeight;
  return scan.modality == "ct" && scan.arcDeg < 180 ? 1e-4 : 3e-4;
}

int ReconOptions::effectiveIterations() const {
  if (iterations > 0) return iterations;
  if (method == "sirt") return 200;
  if (method == "tv") return 500;
  return 1;
}

std::string ReconOptions::toJson() const {
  return nlohmann::json{{"method", method}, {"filter", filter}, {"iterations", iterations},
                        {"tv_weight", tvWeight}, {"non_negative", nonNegative},
                        {"sampler", sampler}, {"eta", eta}, {"final_iterations", finalIterations},
                        {"end_sigma", endSigma},
                        {"samples", samples}, {"score_steps", scoreSteps},
                        {"corrector_steps", correctorSteps}, {"snr", snr},
                        {"dc_iterations", dcIterations}, {"score_init", scoreInit},
                        {"start_sigma", startSigma}, {"symmetric", symmetric}, {"seed", seed}, {"nullspace", nullspace}}
      .dump();
}

ReconOptions ReconOptions::fromJson(const std::string& text) {
  return parse<ReconOptions>(text, "reconstruction options", [](const nlohmann::json& j,
                                                                ReconOptions& o) {
    o.method = j.value("method", o.method);
    o.filter = j.value("filter", o.filter);
    o.iterations = j.value("iterations", o.iterations);
    o.tvWeight = j.value("tv_weight", o.tvWeight);
    o.nonNegative = j.value("non_negative", o.nonNegative);
    o.sampler = j.value("sampler", o.sampler);
    o.eta = j.value("eta", o.eta);
    o.finalIterations = j.value("final_iterations", o.finalIterations);
    o.endSigma = j.value("end_sigma", o.endSigma);
    o.samples = j.value("samples", o.samples);
    o.scoreSteps = j.value("score_steps", o.scoreSteps);
    o.correctorSteps = j.value("corrector_steps", o.correctorSteps);
    o.snr = j.value("snr", o.snr);
    o.dcIterations = j.value("dc_iterations", o.dcIterations);
    o.scoreInit = j.value("score_init", o.scoreInit);
    o.startSigma = j.value("start_sigma", o.startSigma);
    o.symmetric = j.value("symmetric", o.symmetric);
    o.seed = j.value("seed", o.seed);
    o.nullspace = j.value("nullspace", o.nullspace);
  });
}

void ReconOptions::validate() const {
  need(method == "fbp" || method == "sirt" || method == "tv" || method == "score",
       "method must be fbp, sirt, tv or score, not '" + method + "'");
  need(filter == "ramp" || filter == "shepp-logan" || filter == "cosine" || filter == "hann",
       "FBP filter must be ramp, shepp-logan, cosine or hann");
  need(iterations >= 0 && iterations <= 100000, "iterations must be 0..100000");
  need(tvWeight >= 0 && tvWeight <= 100, "the TV weight must be in [0, 100]");
  need(sampler == "dds" || sampler == "pc", "the score sampler must be 'dds' or 'pc'");
  need(eta <= 1, "eta must be in [0, 1] (or negative for the default)");
  need(finalIterations >= -1 && finalIterations <= 100, "final iterations must be -1..100");
  need(endSigma >= 0 && endSigma <= 1000, "the end noise level must be in [0, 1000]");
  need(samples >= 1 && samples <= 64, "samples must be 1..64");
  need(scoreSteps >= 0 && scoreSteps <= 10000, "score steps must be 0..10000");
  need(correctorSteps >= 0 && correctorSteps <= 10, "corrector steps must be 0..10");
  need(snr > 0 && snr <= 1, "the corrector SNR must be in (0, 1]");
  need(dcIterations >= 0 && dcIterations <= 100, "data-consistency iterations must be 0..100");
  need(scoreInit == "noise" || scoreInit == "fbp" || scoreInit == "sirt" || scoreInit == "tv",
       "the score prior's start must be noise, fbp, sirt or tv");
  need(startSigma >= 0 && startSigma <= 1000, "the start noise level must be in [0, 1000]");
}

std::string PriorOptions::toJson() const {
  return nlohmann::json{{"data", data}, {"size", size}, {"steps", steps}, {"batch", batch},
                        {"lr", lr}, {"channels", channels}, {"sigma_min", sigmaMin},
                        {"sigma_max", sigmaMax}, {"sigma_median", sigmaMedian},
                        {"sigma_log_std", sigmaLogStd}, {"uniform_share", uniformShare},
                        {"max_seconds", maxSeconds}, {"seed", seed},
                        {"threads", threads}}
      .dump();
}

PriorOptions PriorOptions::fromJson(const std::string& text) {
  return parse<PriorOptions>(text, "prior options", [](const nlohmann::json& j, PriorOptions& o) {
    o.data = j.value("data", o.data);
    o.size = j.value("size", o.size);
    o.steps = j.value("steps", o.steps);
    o.batch = j.value("batch", o.batch);
    o.lr = j.value("lr", o.lr);
    o.channels = j.value("channels", o.channels);
    o.sigmaMin = j.value("sigma_min", o.sigmaMin);
    o.sigmaMax = j.value("sigma_max", o.sigmaMax);
    o.sigmaMedian = j.value("sigma_median", o.sigmaMedian);
    o.sigmaLogStd = j.value("sigma_log_std", o.sigmaLogStd);
    o.uniformShare = j.value("uniform_share", o.uniformShare);
    o.maxSeconds = j.value("max_seconds", o.maxSeconds);
    o.seed = j.value("seed", o.seed);
    o.threads = j.value("threads", o.threads);
  });
}

void PriorOptions::validate() const {
  need(!data.empty(), "prior training needs data ('ellipses', 'mri', 'mixed' or a volume file)");
  need(size >= 16 && size <= 512 && size % 8 == 0, "prior image size must be 16..512, a multiple of 8");
  need(steps >= 0 && steps <= 10000000, "steps must be 0..10000000");
  need(batch >= 1 && batch <= 1024, "batch must be 1..1024");
  need(lr > 0 && lr < 1, "learning rate must be in (0, 1)");
  need(channels >= 4 && channels <= 256, "channels must be 4..256");
  need(sigmaMin > 0 && sigmaMin < sigmaMax && sigmaMax <= 1000,
       "noise levels need 0 < sigma_min < sigma_max <= 1000");
  need(sigmaMedian == 0 || (sigmaMedian >= sigmaMin && sigmaMedian <= sigmaMax),
       "the median training noise level must be 0 (log-uniform) or within [sigma_min, sigma_max]");
  need(sigmaLogStd > 0 && sigmaLogStd <= 10, "the noise levels' log std must be in (0, 10]");
  need(uniformShare >= 0 && uniformShare <= 1, "the log-uniform share must be in [0, 1]");
  need(maxSeconds >= 0, "the time budget must not be negative");
  need(threads >= 0 && threads <= 1024, "threads must be 0..1024");
}

}  // namespace genlab::core::ct
