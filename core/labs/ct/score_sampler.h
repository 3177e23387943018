#pragma once
// Posterior sampling with a score prior and any LinearOperator (Song, Shen,
// Xing & Ermon 2022, "Solving inverse problems in medical imaging with
// score-based generative models"): predictor-corrector annealed Langevin
// dynamics over a geometric ladder of noise levels, each level followed by a
// data-consistency step. Consistency is enforced against the measurement
// noised to the current level, y_i = y + sigma_i A z, so that the sample stays
// a plausible noisy image at level sigma_i in every direction (the row space
// included), as in the paper. The step itself is a few iterations of CGLS on
// A d = y_i - A x from d = 0: a minimum-norm correction in the row space of A
// (a projection when converged, a regularised one when stopped early, which
// keeps measurement noise out).
#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <memory>

#include "core/labs/ct/score_prior.h"
#include "core/physics/linear_operator.h"

namespace genlab::core::ct {

struct SamplerOptions {
  int samples = 4;        // K chains run as one batch
  int steps = 100;        // noise levels
  int corrector = 1;      // Langevin steps per level
  double snr = 0.16;      // corrector step size by signal-to-noise ratio
  int dcIterations = 4;   // CGLS iterations per data-consistency step
  double sigmaMax = 1.0, sigmaMin = 0.01;
  bool nonNegative = true;
  std::uint64_t seed = 1;
};

class PosteriorSampler {
 public:
  // y: one measurement (measurementShape). init: optional (H, W) starting
  // image (else mid-grey); chains start at init + sigmaMax * noise.
  PosteriorSampler(std::shared_ptr<ScorePrior> prior, const physics::LinearOperator& op,
                   at::Tensor y, const SamplerOptions& options, at::Tensor init = {});
  void advance();  // one noise level
  bool finished() const { return m_level >= m_options.steps; }
  int level() const { return m_level; }
  int levels() const { return m_options.steps; }
  at::Tensor samples() const;  // (K, H, W), image units
  at::Tensor mean() const;     // (H, W)
  at::Tensor stddev() const;   // (H, W); zeros for K = 1

 private:
  double sigmaAt(int i) const;
  at::Tensor noise(at::IntArrayRef sizes);
  void dataConsistency(double sigma);

  std::shared_ptr<ScorePrior> m_prior;
  const physics::LinearOperator& m_op;
  at::Tensor m_y, m_x;  // m_x: (K, 1, H, W)
  SamplerOptions m_options;
  at::Generator m_gen;
  int m_level = 0;
};

}  // namespace genlab::core::ct
