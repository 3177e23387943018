#include "core/nn/adam_kernel.h"

#include <cmath>

namespace genlab::core::nn {

__attribute__((target_clones("avx2", "default"))) void adamUpdate(
    float* __restrict p, const float* __restrict g, float* __restrict m, float* __restrict v,
    std::int64_t n, const AdamCoefficients& c) {
  const float b1 = c.beta1, b2 = c.beta2, a1 = 1.f - c.beta1, a2 = 1.f - c.beta2;
  const float ss = c.stepSize, inv = c.invBiasCorrection2Sqrt, eps = c.eps;
  for (std::int64_t i = 0; i < n; ++i) {
    const float gi = g[i];
    const float mi = b1 * m[i] + a1 * gi;
    const float vi = b2 * v[i] + a2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] -= ss * mi / (std::sqrt(vi) * inv + eps);
  }
}

}  // namespace genlab::core::nn
