#include "core/labs/style/phase_balance.h"

#include <ATen/ATen.h>

namespace genlab::core::style {

torch::Tensor transposedPhaseSums(const torch::Tensor& w, int kernel, int padding) {
  auto a = at::zeros({2, kernel}, w.options());
  for (int t = 0; t < kernel; ++t) a[((t - padding) % 2 + 2) % 2][t] = 1.0;
  return at::matmul(at::matmul(a, w), a.t());
}

torch::Tensor balanceTerm(const torch::Tensor& s) {
  const auto dev = s - s.mean({2, 3}, true);
  return dev.pow(2).sum() / s.detach().pow(2).sum().clamp_min(1e-12);
}

}  // namespace genlab::core::style
