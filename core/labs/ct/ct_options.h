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
  double tvWeight = 3e-4;         // TV lambda, with the data term scaled by 1/||A||^2
  bool nonNegative = true;        // SIRT / TV / score: project onto x >= 0
  // Score prior: K posterior samples of `scoreSteps` annealing levels, each a
  // Langevin corrector step then a predictor step, followed by `dcIterations`
  // of CGLS toward the data (the data-consistency step).
  int samples = 4;
  int scoreSteps = 0;             // 0 = the prior's default
  int correctorSteps = 1;
  double snr = 0.16;              // Langevin corrector signal-to-noise ratio
  int dcIterations = 0;           // 0 = automatic
  // Where the chains start: "noise" (mid-grey plus noise at the prior's
  // largest level, as in Song et al.), or a classical reconstruction ("fbp",
  // "sirt", "tv") noised to `startSigma` (0 = the prior's largest level), which
  // needs fewer levels (Chung et al. 2022, "come closer, diffuse faster").
  std::string scoreInit = "noise";
  double startSigma = 0;
  std::uint64_t seed = 1;
  bool nullspace = false;         // also split the result into measured / unseen parts

  int effectiveIterations() const;
  std::string toJson() const;
  static ReconOptions fromJson(const std::string&);
  void validate() const;
};

// Training of the score prior.
struct PriorOptions {
  std::string data = "ellipses";  // "ellipses" or a NIfTI/raw volume path ("anatomy")
  int size = 128;
  int steps = 3000;               // Adam steps
  int batch = 8;
  double lr = 1e-3;
  int channels = 32;              // width of the network's first level
  double sigmaMin = 0.005, sigmaMax = 2.0;  // noise levels, images in [0, 1]
  double maxSeconds = 0;          // > 0: stop training after this long
  std::uint64_t seed = 1;
  int threads = 0;

  std::string toJson() const;
  static PriorOptions fromJson(const std::string&);
  void validate() const;
};

}  // namespace genlab::core::ct
