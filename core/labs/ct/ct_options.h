#pragma once
// Options of the inverse-problems lab. Plain, JSON-serialisable, torch-free.
#include <cstdint>
#include <string>

namespace genlab::core::ct {

// What is measured and how: a CT scan (parallel beam) or a blur (deblurring).
struct ScanOptions {
  std::string modality = "ct";  // "ct" or "blur"
  int size = 128;               // CT: the image is size x size
  int views = 60;
  double arcDeg = 180;          // 180: full / sparse view; less: limited angle
  double startDeg = 0;
  int detectors = 0;            // 0: ceil(size * sqrt 2), the whole image
  std::string noise = "poisson";  // "none", "poisson", "gaussian"
  double photons = 1e5;         // Poisson: incident photons per bin; 0 = noiseless
  double gaussianLevel = 0.01;  // Gaussian: std / largest clean measurement
  // Blur: "gaussian" (psfSigma) or "motion" (psfLength at psfAngleDeg).
  std::string psf = "gaussian";
  double psfSigma = 2.0, psfLength = 15, psfAngleDeg = 30;
  std::uint64_t seed = 1;  // noise

  bool noiseless() const { return noise == "none" || (noise == "poisson" && photons == 0); }
  std::string toJson() const;
  static ScanOptions fromJson(const std::string&);  // throws std::invalid_argument
  void validate() const;                            // throws std::invalid_argument
};

// One reconstruction. Every method takes the same operator and measurement.
struct ReconOptions {
  std::string method = "fbp";     // "fbp", "sirt", "tv", "score"
  std::string filter = "ramp";    // FBP: ramp, shepp-logan, cosine, hann
  int iterations = 0;             // SIRT / TV; 0 = method default (200 / 500)
  // TV lambda, with the data term scaled by 1/||A||^2. 0 = automatic
  // (effectiveTvWeight): 1e-4 for a limited-angle arc, 3e-4 otherwise, the best
  // of a sweep on tuning seeds 1001-1006 (limited angle 26.3 dB at 1e-4 vs 25.6
  // at 3e-4; sparse view 35.2 dB at 3e-4 vs 33.9 at 1e-4).
  double tvWeight = 0;
  bool nonNegative = true;        // SIRT / TV / score: project onto x >= 0
  // Score prior: K posterior samples, each a chain down a geometric ladder of
  // `scoreSteps` noise levels from `startSigma` to `endSigma`. The sampler:
  // "dds" (default; Tweedie's estimate, a data-consistency step of
  // `dcIterations` conjugate-gradient iterations weighted by the scan's noise
  // model, then re-noising with `eta` fresh noise; see score_sampler.h) or
  // "pc" (Langevin corrector then predictor, then CGLS toward the noised data,
  // as in Song et al. 2022).
  std::string sampler = "dds";
  int samples = 8;
  int scoreSteps = 0;             // 0 = the sampler's default
  int correctorSteps = 1;         // PC only
  double snr = 0.16;              // PC: Langevin corrector signal-to-noise ratio
  double eta = -1;                // DDS: fresh-noise share in [0, 1]; < 0 = default
  int dcIterations = 0;           // 0 = automatic
  int finalIterations = -1;       // CGLS after the last denoising; -1 = automatic
  double endSigma = 0;            // the ladder's last level; 0 = automatic
  // Where the chains start: "noise" (mid-grey plus noise at the prior's
  // largest level, as in Song et al.), or a classical reconstruction ("fbp",
  // "sirt", "tv") noised to `startSigma` (0 = the prior's largest level), as
  // in Chung et al. 2022 ("come closer, diffuse faster"). The default, TV at
  // 0.03 with 120 DDS levels, came from tuning seeds 1001-1006 with a prior
  // trained for 18 CPU minutes: at a 90-degree arc, starting at 0.1 gave 27.0
  // dB, 0.05 27.9, 0.03 28.2 (40 levels), and 80 / 120 / 160 levels at 0.03
  // 28.8 / 29.1 / 29.3 (3 seeds). Higher starts (0.2, 0.35) lost several dB.
  // The uncertainty map then covers what varies below that level only.
  std::string scoreInit = "tv";
  double startSigma = 0.03;
  bool symmetric = true;          // denoise each chain in a random quarter turn / flip (score_sampler.h)
  std::uint64_t seed = 1;
  bool nullspace = false;         // also split the result into measured / unseen parts

  int effectiveIterations() const;
  double effectiveTvWeight(const ScanOptions& scan) const;
  std::string toJson() const;
  static ReconOptions fromJson(const std::string&);
  void validate() const;
};

// Training of the score prior.
struct PriorOptions {
  std::string data = "ellipses";  // "ellipses", "mri", "mixed" or a volume file (training_images.h)
  int size = 128;
  int steps = 4500;               // Adam steps
  int batch = 4;
  double lr = 3e-3;               // peak; warm-up, then a cosine down to a tenth
  int channels = 32;              // width of the network's first level
  double sigmaMin = 0.002, sigmaMax = 2.0;  // noise levels, images in [0, 1]
  // Training noise levels: log-normal around sigmaMedian (log std
  // sigmaLogStd), clipped to [sigmaMin, sigmaMax], except a share
  // `uniformShare` drawn log-uniformly over the whole range (so that sampling
  // from pure noise still works). The default centres training where the
  // posterior sampler spends its levels when it starts from TV (0.1 down to
  // 0.005); sigmaMedian = 0 draws all levels log-uniformly.
  double sigmaMedian = 0.03, sigmaLogStd = 1.2, uniformShare = 0.1;
  // > 0: the schedule is time-boxed. Training ends after `steps` steps or
  // this many seconds of stepping, whichever comes first, and the learning
  // rate's cosine follows whichever is further along, so a slow machine ends
  // on a cooled-down network rather than mid-schedule. The default keeps
  // training within 18 minutes anywhere.
  double maxSeconds = 1080;
  std::uint64_t seed = 1;
  // Torch intra-op threads; 0: kDefaultThreads. The score network's
  // convolutions use a second core well: the prior's full schedule took ~12
  // minutes with 2 threads and did not finish in 18 with 1 (2-core machine).
  int threads = 0;
  static constexpr int kDefaultThreads = 2;
  int effectiveThreads() const { return threads > 0 ? threads : kDefaultThreads; }

  std::string toJson() const;
  static PriorOptions fromJson(const std::string&);
  void validate() const;
};

}  // namespace genlab::core::ct
