#pragma once
// The two pieces of VAE arithmetic, kept apart so tests can check them
// against closed forms and Monte-Carlo estimates.
#include <ATen/ATen.h>

namespace genlab::core::latent {

// KL(N(mu, exp(logvar)) || N(0, 1)) per element, in nats.
inline at::Tensor klToStandardNormal(const at::Tensor& mu, const at::Tensor& logvar) {
  return 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar);
}

// z = mu + sigma * eps with sigma = exp(logvar / 2): differentiable in mu and logvar.
inline at::Tensor reparameterize(const at::Tensor& mu, const at::Tensor& logvar,
                                 const at::Tensor& eps) {
  return at::addcmul(mu, (0.5 * logvar).exp(), eps);
}

}  // namespace genlab::core::latent
