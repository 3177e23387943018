#pragma once
#include <functional>
// Iterative reconstruction for any LinearOperator (CT or blur), one iteration
// per call so that a job can run them in slices and plot the residual live.
// All solvers are batched: leading dims of y are independent problems.
#include <ATen/core/Tensor.h>

#include "core/physics/linear_operator.h"

namespace genlab::core::ct {

class IterativeSolver {
 public:
  virtual ~IterativeSolver() = default;
  virtual void iterate() = 0;
  virtual at::Tensor estimate() const = 0;
  int iterations() const { return m_iterations; }

 protected:
  int m_iterations = 0;
};

// SIRT: x += relaxation * C A^T R (y - A x), with R and C the inverse row and
// column sums of A (so every ray and pixel is equally weighted); optionally
// projected onto x >= 0 after each step.
class Sirt : public IterativeSolver {
 public:
  Sirt(const physics::LinearOperator& op, at::Tensor y, bool nonNegative = true,
       double relaxation = 1.0);
  void iterate() override;
  at::Tensor estimate() const override { return m_x; }

 private:
  const physics::LinearOperator& m_op;
  at::Tensor m_y, m_x, m_rowScale, m_colScale;
  bool m_nonNegative;
  double m_relaxation;
};

// min_x 1/2 ||A x - y||^2 / ||A||^2 + lambda TV(x)  [+ x >= 0], isotropic TV,
// by the primal-dual algorithm of Chambolle & Pock (2011) on K = [A; grad].
// ||A|| comes from power iteration; scaling the data term by ||A||^2 makes
// lambda independent of the scanner (views, size, bins).
// Steps: by default the diagonal preconditioning of Pock & Chambolle (2011,
// alpha = 1: sigma_i = 1 / sum_j |K_ij|, tau_j = 1 / sum_i |K_ij|) with the
// gradient block balanced against A (see the constructor), which converges
// many times faster on CT than the scalar steps sigma = tau = 0.99 / ||K||
// (||K|| by power iteration too), kept as an option.
class TvChambollePock : public IterativeSolver {
 public:
  TvChambollePock(const physics::LinearOperator& op, at::Tensor y, double lambda,
                  bool nonNegative = true, bool preconditioned = true);
  void iterate() override;
  at::Tensor estimate() const override { return m_x; }
  double operatorNorm() const { return m_normA; }

 private:
  const physics::LinearOperator& m_op;
  at::Tensor m_y, m_x, m_xBar, m_p, m_qx, m_qy;
  at::Tensor m_sigmaData, m_tau;  // step sizes (tensors when preconditioned)
  double m_sigmaGrad = 0.5;
  double m_lambda, m_normA = 1;
  bool m_nonNegative;
};

// Forward-difference gradient (zero at the far edge) and its negative adjoint.
void gradient2d(const at::Tensor& x, at::Tensor& gx, at::Tensor& gy);
at::Tensor divergence2d(const at::Tensor& gx, const at::Tensor& gy);

// CGLS: conjugate gradients on A^T A z = A^T b from z = 0. Its iterates stay
// in the row space of A, so it converges to the minimum-norm solution A^+ b.
// Optionally weighted and damped: min |W (A z - b)|^2 + damping |z|^2, i.e.
// (A^T W^2 A + damping I) z = A^T W^2 b, with W (broadcastable to b, e.g. the
// inverse noise std of each measurement) and damping >= 0 (a Gaussian prior
// on z); that is CGLS on the stacked system [W A; sqrt(damping) I] z = [W b; 0].
class ConjugateGradientNormal : public IterativeSolver {
 public:
  ConjugateGradientNormal(const physics::LinearOperator& op, at::Tensor b,
                          at::Tensor weights = {}, double damping = 0);
  void iterate() override;
  at::Tensor estimate() const override { return m_z; }
  double residual() const;  // |W (A z - b)| / |W b| over the batch
  double normalResidual() const;  // |gradient| / |gradient at z = 0|

 private:
  at::Tensor weigh(const at::Tensor& r) const;  // W r
  const physics::LinearOperator& m_op;
  at::Tensor m_b, m_w, m_z, m_r, m_s, m_p, m_gamma;  // m_b, m_r: weighted
  double m_damping = 0;
  double m_s0 = 1;
};

// x = rowSpace + nullSpace: rowSpace = A^+ A x (what the scanner measured),
// nullSpace = x - rowSpace (what it could not see; A nullSpace ~ 0). CGLS on
// b = A x stops at `tolerance` on the normal-equation residual or after
// `maxIterations`; ill-conditioned directions that have not converged by then
// count as unseen, which is the practical meaning of "not measured".
struct NullspaceSplit {
  at::Tensor rowSpace, nullSpace;
  int iterations = 0;
  double measuredResidual = 0;  // ||A rowSpace - A x|| / ||A x||
  bool stopped = false;         // ended early on request
};
// `stop`, when given, is asked between iterations (a job's cancel flag): the
// split then ends early and says so in `stopped`.
NullspaceSplit nullspaceSplit(const physics::LinearOperator& op, const at::Tensor& x,
                              int maxIterations = 200, double tolerance = 1e-4,
                              const std::function<bool()>& stop = {});

}  // namespace genlab::core::ct
