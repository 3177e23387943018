// genlab-cli ct eval-prior: how well a score prior denoises held-out images of
// its own training source, level by level. The posterior sampler is only as
// good as this denoiser, so it is the first number to look at when a prior
// reconstructs poorly (undertrained, or trained on other images).
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "core/cli/cli.h"
#include "core/engine/device.h"
#include "core/labs/ct/ct_metrics.h"
#include "core/labs/ct/ct_session_impl.h"
#include "core/labs/ct/score_prior.h"
#include "core/labs/ct/score_sampler.h"
#include "core/labs/ct/training_images.h"

namespace genlab::core::ct {

namespace {
std::vector<double> parseLevels(const std::string& text) {
  std::vector<double> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != item.size() || !(v > 0 && v <= 10))
      throw std::invalid_argument("--sigmas takes noise levels in (0, 10] separated by commas, not '" +
                                  text + "'");
    out.push_back(v);
  }
  if (out.empty()) throw std::invalid_argument("--sigmas needs at least one noise level");
  return out;
}
}  // namespace

std::vector<DenoiserScore> evaluateDenoiser(ScorePrior& prior, const std::vector<FloatImage>& images,
                                            const std::vector<double>& sigmas, bool symmetric,
                                            std::uint64_t seed) {
  at::NoGradGuard ng;
  if (images.empty()) throw std::invalid_argument("the denoiser evaluation needs images");
  std::vector<at::Tensor> stack;
  for (const auto& img : images) stack.push_back(toTensor(img, prior.device()));
  const auto clean = at::stack(stack).unsqueeze(1);  // (N, 1, H, W)
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  std::vector<DenoiserScore> out;
  for (double sigma : sigmas) {
    const auto noisy =
        clean + sigma * at::randn(clean.sizes(), gen, at::kFloat).to(clean.device());
    const auto level = at::full({clean.size(0)}, sigma, clean.options());
    at::Tensor denoised = at::zeros_like(clean);
    const int turns = symmetric ? 8 : 1;  // the average over the square's symmetries
    for (int g = 0; g < turns; ++g)
      denoised += undoDihedral(prior.denoise(applyDihedral(noisy, g), level), g) / turns;
    DenoiserScore s;
    s.sigma = sigma;
    for (int64_t i = 0; i < clean.size(0); ++i) {
      s.noisyPsnr += psnr(noisy[i][0], clean[i][0]) / clean.size(0);
      s.denoisedPsnr += psnr(denoised[i][0].clamp(0, 1), clean[i][0]) / clean.size(0);
    }
    out.push_back(s);
  }
  return out;
}

int runEvalPrior(const cli::Args& a, std::ostream& out, std::ostream&) {
  a.rejectUnknown({"prior", "images", "sigmas", "symmetric", "seed", "threads", "json"});
  if (!a.has("prior")) throw std::invalid_argument("ct eval-prior needs --prior FILE");
  setTorchThreads(a.integer("threads", 0, 0, 1024));
  const int count = a.integer("images", 8, 1, 256);
  const auto sigmas = parseLevels(a.str("sigmas", "0.005,0.01,0.02,0.05,0.1,0.2,0.5"));
  const bool symmetric = a.integer("symmetric", 0, 0, 1) != 0;
  const auto seed = static_cast<std::uint64_t>(a.integer("seed", 1, 0, 2147483647));
  auto prior = ScorePrior::load(a.str("prior", ""), defaultDevice());
  const TrainingImages source(prior->options().data, prior->size(), prior->options().seed);
  // Held-out images from index 100 on: apart from the few the GUI glances at.
  std::vector<FloatImage> images;
  for (int i = 0; i < count; ++i) images.push_back(source.heldOut((100 + i) % source.heldOutCount()));
  const auto scores = evaluateDenoiser(*prior, images, sigmas, symmetric, seed);
  nlohmann::ordered_json levels = nlohmann::ordered_json::array();
  for (const auto& s : scores) {
    levels.push_back({{"sigma", s.sigma}, {"noisy_psnr", s.noisyPsnr}, {"denoised_psnr", s.denoisedPsnr}});
    if (!a.flag("json"))
      out << "sigma " << s.sigma << ": noisy " << s.noisyPsnr << " dB -> denoised " << s.denoisedPsnr
          << " dB\n";
  }
  if (a.flag("json"))
    out << nlohmann::ordered_json{{"event", "result"}, {"images", count}, {"symmetric", symmetric},
                                  {"trained_steps", prior->trainedSteps()}, {"levels", levels}}
               .dump()
        << std::endl;
  return 0;
}

}  // namespace genlab::core::ct
