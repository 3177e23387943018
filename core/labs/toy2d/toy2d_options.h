#pragma once
// Options of the "Architects and Alchemists" 2-D lab. Plain, JSON-serialisable.
// Start from Toy2dOptions::defaultsFor(model): the defaults differ per model
// and are the ones measured by bench/toy2d_quality.sh.
#include <cstdint>
#include <string>
#include <vector>

namespace genlab::core::toy2d {

struct Toy2dOptions {
  // What to train on what.
  std::string model = "flow";  // flow | gan | diffusion | vae
  std::string data = "moons";  // built-in name (see builtinDatasets()) or a CSV file
  int dataPoints = 12000;      // points generated for a built-in data set
  double heldOutFraction = 1.0 / 6.0;  // seeded split; 12000 -> 2000 held out
  bool standardize = true;     // shift and scale (isotropically) to zero mean, unit variance
  long steps = 5000;           // training iterations the CLI / a job runs
  std::uint64_t seed = 1;

  // Networks and optimiser (every MLP: `layers` hidden layers of `hidden` units).
  int hidden = 64;
  int layers = 2;
  int batch = 256;
  std::string optimizer = "adam";  // sgd | adam
  double lr = 1e-3;                // flow, diffusion, vae
  double lrD = 1e-3, lrG = 1e-3;   // gan: discriminator and generator
  double lrDecay = 0.0;            // final lr = lr * (1 - lrDecay), cosine over `steps`

  // GAN.
  int dSteps = 1;                 // discriminator steps per generator step
  int noiseDim = 2;               // 1 or 2 (a latent grid is drawn as a mesh)
  std::string ganLoss = "ns";     // ns (non-saturating log loss) | ls (least squares) | wgan-gp
  double gpWeight = 0.1;          // WGAN-GP gradient-penalty weight
  std::string backend = "auto";   // auto | torch | native (hand-written CPU MLPs)

  // Flow.
  std::string flowType = "realnvp";  // realnvp (affine couplings) | planar
  int flowLayers = 8;                // coupling (or planar) layers

  // Diffusion.
  std::string schedule = "vp";     // vp (continuous VP-SDE, linear beta) | ddpm (1000 discrete steps)
  std::string sampler = "sde";     // sde (reverse SDE, Euler-Maruyama) | ode (probability flow) | ancestral
  int sampleSteps = 200;           // reverse-time steps
  int correctorSteps = 0;          // Langevin corrector steps per predictor step
  double snr = 0.16;               // corrector signal-to-noise ratio

  // VAE.
  int latentDim = 2;
  double klWarmup = 0.3;           // the KL weight ramps 0 -> 1 over this fraction of `steps`
  int iwaeSamples = 64;            // importance samples of the held-out NLL bound

  // Evaluation and runtime.
  int evalSamples = 2000;  // model samples and held-out points in the MMD
  // Torch intra-op threads; 0: kDefaultThreads (the 2-D models' matrices are
  // tiny: a second thread costs more in synchronisation than it computes).
  int threads = 0;
  static constexpr int kDefaultThreads = 1;
  int effectiveThreads() const { return threads > 0 ? threads : kDefaultThreads; }

  // The defaults of one model (throws std::invalid_argument for an unknown model).
  static Toy2dOptions defaultsFor(const std::string& model);
  // Named settings for the classroom:
  //   "gan-lab":           GAN Lab's default GAN (hidden 8 x 1, batch 150, SGD
  //                        0.1 / 0.03, log loss, 2 D steps per G step, 2-D noise)
  //   "gan-mode-collapse": a generator that learns 20x faster than its
  //                        discriminator (Adam 2e-3 vs 1e-4, log loss) on
  //                        8gaussians: reproducibly collapses onto 0-1 modes.
  static Toy2dOptions preset(const std::string& name);
  static const std::vector<std::string>& presetNames();

  std::string toJson() const;                        // one JSON object
  static Toy2dOptions fromJson(const std::string&);  // throws std::invalid_argument
  void validate() const;                             // throws std::invalid_argument
};

}  // namespace genlab::core::toy2d
