#pragma once
// Posterior sampling with a score prior and any LinearOperator. Two schemes,
// both a score-based diffusion sampler interleaved with data consistency:
//
// "dds" (default): Decomposed Diffusion Sampling (Chung, Lee & Ye 2023,
//   "Decomposed diffusion sampler for accelerating large-scale inverse
//   problems"). At each level of a geometric ladder sigma_0 > ... > sigma_{N-1}
//   the denoiser gives Tweedie's estimate x0 = D(x; sigma) = x + sigma^2 score,
//   a few conjugate-gradient iterations from x0 move it toward the data, and
//   the chain is re-noised DDIM-style to the next level:
//     x <- x0_dc + sigma_next (sqrt(1 - eta^2) eps + eta z),  eps = (x - x0) / sigma.
//   The last level's x0_dc is the sample. When the measurement's noise std is
//   known, the step solves the Gaussian posterior of the correction d,
//     min |(A (x0 + d) - y) / std|^2 + |d|^2 / (c sigma)^2,
//   i.e. Tweedie's estimate is trusted to about c sigma per pixel: much of the
//   data at high levels, little at the end, so the last levels do not put the
//   measurement noise back. Without it (or for noiseless data), plain CGLS on
//   A d = y - A x0 from d = 0, stopped early (that early stop is then the
//   regulariser: the correction stays small and in the row space of A).
//   eta = 1 (fresh noise at every level, the default) measured best: with
//   eta < 1 the correction's noise is carried along in eps and piles up
//   (tuning seeds, sparse view: eta 0.5 -1.2 dB, 0.8 -0.4 dB).
//
// "pc": predictor-corrector annealed Langevin dynamics (Song, Shen, Xing &
//   Ermon 2022, "Solving inverse problems in medical imaging with score-based
//   generative models"): Langevin corrector steps and a reverse-diffusion
//   predictor step per level, then consistency against the measurement noised
//   to the next level, y_i = y + sigma_i A z, by CGLS from d = 0.
//
// K chains run as one batch; their mean is the posterior-mean (MMSE) estimate
// and their per-pixel spread the uncertainty map.
#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <vector>

#include "core/labs/ct/score_prior.h"
#include "core/labs/ct/solvers.h"
#include "core/physics/linear_operator.h"

namespace genlab::core::ct {

struct SamplerOptions {
  std::string scheme = "dds";  // "dds" or "pc"
  int samples = 8;        // K chains run as one batch
  int steps = 40;         // noise levels (one denoiser call each for DDS)
  int corrector = 1;      // PC: Langevin steps per level
  double snr = 0.16;      // PC: corrector step size by signal-to-noise ratio
  double eta = 1.0;       // DDS: share of fresh noise when re-noising (0: DDIM-deterministic)
  int dcIterations = 5;   // CGLS iterations per data-consistency step
  // DDS: the measurement's noise std (scalar or per measurement, broadcastable
  // to y); undefined when unknown. With it, the consistency step weighs the
  // data by 1 / std and Tweedie's estimate by 1 / (tweedieError * sigma).
  at::Tensor measurementStd;
  double tweedieError = 2.0;
  double sigmaMax = 1.0, sigmaMin = 0.005;
  int finalIterations = -1;  // CGLS after the last denoising step; -1: dcIterations (DDS) / 0 (PC)
  bool nonNegative = true;
  // Each chain's denoiser call sees its image turned by a random element of
  // the square's symmetry group (quarter turns and flips) and turned back
  // after: the training images' distribution is invariant under them, so the
  // denoiser's own errors, which are not, differ from chain to chain and
  // level to level and partly cancel in the posterior mean.
  bool symmetric = true;
  std::uint64_t seed = 1;
};

// The 8 symmetries of the square on the last two dims: g % 4 quarter turns,
// then a left-right flip when g >= 4; undoDihedral is the inverse.
at::Tensor applyDihedral(const at::Tensor& x, int g);
at::Tensor undoDihedral(const at::Tensor& x, int g);

// CGLS on A d = target - A x from d = 0, `iterations` times: x + d. Batched
// over x's leading dims (x: (..., H, W), target: (..., measurement)).
at::Tensor cglsCorrection(const physics::LinearOperator& op, const at::Tensor& x,
                          const at::Tensor& target, int iterations);

class PosteriorSampler {
 public:
  // y: one measurement (measurementShape). init: optional (H, W) starting
  // image (else mid-grey); chains start at init + sigmaMax * noise.
  PosteriorSampler(std::shared_ptr<ScorePrior> prior, const physics::LinearOperator& op,
                   at::Tensor y, const SamplerOptions& options, at::Tensor init = {});
  void advance();  // one noise level
  // Chains the denoiser takes per part: 2, since a lone 128 px image costs
  // about what two do (66 ms vs 21 ms forward at 2 threads, LibTorch 1.13 CPU)
  // and from two up the cost per image is flat (9-11 ms).
  static constexpr int64_t kChainsPerPart = 2;
  // One part of a noise level: the denoiser on kChainsPerPart chains, or the level's
  // consistency and re-noising (DDS), or after its last denoiser call the
  // predictor and consistency (PC). True when that finished the level. A
  // level run in parts draws the same random numbers as advance() and gives
  // the same chains up to rounding; the worker serves a click between parts.
  bool advancePart();
  bool finished() const { return m_level >= m_options.steps; }
  int level() const { return m_level; }
  int levels() const { return m_options.steps; }
  double sigmaAt(int i) const;
  // The chains' current clean estimates (DDS: the data-consistent Tweedie
  // estimates of the last level; PC: the chains themselves), then their mean
  // and spread. When finished, these are the K posterior samples.
  at::Tensor samples() const;  // (K, H, W), image units
  at::Tensor mean() const;     // (H, W)
  at::Tensor stddev() const;   // (H, W); zeros for K = 1

 private:
  at::Tensor noise(at::IntArrayRef sizes);
  // The prior's D on the chains m_x, symmetrised if asked, kChainsPerPart
  // chains per call into m_denoised; true when every chain is done.
  bool denoisePart(double sigma);
  // DDS's data-consistency solver for the correction of x0 (K, H, W) at
  // level sigma: weighted and damped when the noise is known, else plain CGLS.
  std::unique_ptr<ConjugateGradientNormal> consistency(const at::Tensor& x0, double sigma) const;
  void correctPc(double sigma);
  void predictPc(double sigma, double next);
  void advanceDds(double sigma, double next);

  std::shared_ptr<ScorePrior> m_prior;
  const physics::LinearOperator& m_op;
  at::Tensor m_y, m_x, m_x0;  // m_x, m_x0: (K, 1, H, W)
  at::Tensor m_weights;       // 1 / measurement std; undefined: plain CGLS
  SamplerOptions m_options;
  at::Generator m_gen;
  int m_level = 0;
  // Within a level: which denoiser call (PC: corrector steps, then the
  // predictor), the next chain, and each chain's symmetry for this call.
  int m_call = 0;
  int64_t m_chain = 0;
  std::vector<int64_t> m_turns;
  at::Tensor m_denoised;
  std::unique_ptr<ConjugateGradientNormal> m_cg;  // DDS: the level's consistency step in progress
  int m_cgLeft = 0;
};

}  // namespace genlab::core::ct
