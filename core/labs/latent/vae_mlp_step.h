#pragma once
// One training step of the MLP VAE written out by hand (core-internal).
// The same model and loss as autograd over MlpVaeImpl: it exists for speed.
// Every buffer is kept across steps (no allocation in the steady state), the
// weight gradients are written by their GEMM straight into the optimizer's
// flat gradient buffer (no zeroing pass, no separate accumulation), and the
// element-wise work runs on ATen's vectorised kernels.
#include <ATen/core/Tensor.h>

#include "core/labs/latent/vae_model.h"

namespace genlab::core::latent {

struct MlpStepSums {
  double recon = 0;  // BCE summed over the batch
  double kl = 0;     // KL summed over the batch
};

class MlpVaeStep {
 public:
  // True when `net` can take this path: CPU float32, gradients set up as
  // views (a FlatOptimizer over the net).
  static bool supports(const MlpVaeImpl& net);
  // Forward, loss recon + beta * kl (summed over the batch), backward into
  // the parameters' .grad(). `eps` is the batch's standard normal noise.
  MlpStepSums step(MlpVaeImpl& net, const at::Tensor& x, const at::Tensor& eps, double beta);

 private:
  at::Tensor m_h1, m_stats, m_sigma, m_z, m_h3, m_logits, m_softplus, m_gLogits, m_gPre, m_gh3,
      m_gz, m_gStats, m_gh1;
  int64_t m_batch = 0;
};

}  // namespace genlab::core::latent
