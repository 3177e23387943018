#pragma once
// Fused autograd functions for the VAE's per-step arithmetic. Each replaces
// a chain of small tensor ops (and as many autograd nodes) with one pass
// forward and one backward; at small batches that chain's dispatch overhead,
// not arithmetic, is what a step costs. Tests compare both against the
// composite formulas (vae_math.h) and autograd.
#include <ATen/core/Tensor.h>

#include <utility>

namespace genlab::core::latent {

// sum over all elements of BCE(sigmoid(logits), target), numerically stable;
// gradient with respect to logits only.
at::Tensor bceWithLogitsSum(const at::Tensor& logits, const at::Tensor& target);

// stats = [mu | logvar] (B x 2d), eps (B x d) -> z = mu + exp(logvar/2) eps
// and KL(q || N(0, I)) summed over the batch. Differentiable in stats.
std::pair<at::Tensor, at::Tensor> gaussianLatent(const at::Tensor& stats, const at::Tensor& eps);

}  // namespace genlab::core::latent
