#pragma once
// The fused Adam update over flat float buffers (CPU). Compiled with -O3 and
// cloned for AVX2 so the loop is vectorised whatever the baseline ISA is.
#include <cstdint>

namespace genlab::core::nn {

struct AdamCoefficients {
  float beta1, beta2, stepSize, invBiasCorrection2Sqrt, eps;
};

// p -= stepSize * m / (sqrt(v) / sqrt(bc2) + eps), after updating m and v with g.
void adamUpdate(float* p, const float* g, float* m, float* v, std::int64_t n,
                const AdamCoefficients& c);

}  // namespace genlab::core::nn
