#pragma once
// The overlap-add balance of a stride-2 transposed convolution, shared by the
// checkerboard generator (checkerboard_model) and the AdaIN decoder
// (adain_net). Core-internal (torch).
#include <torch/types.h>

namespace genlab::core::style {

// Phase sums of a stride-2 transposed conv's kernel w (in x out x k x k,
// PyTorch's layout; output o = 2i - padding + t): S[i][o][py][px], the total
// weight channel i gives channel o at output phase (py, px), as A W A^T with
// A[p][t] = 1 when tap t lands on phase p = (t - padding) mod 2.
// Differentiable in w.
torch::Tensor transposedPhaseSums(const torch::Tensor& w, int kernel, int padding);

// The regulariser's term for one layer: sum (S - mean_p S)^2 / sum S^2, the
// denominator detached (so it scales, not steers). Zero exactly when every
// (i, o) pair gives each phase the same total: a locally constant input then
// gives a constant output.
torch::Tensor balanceTerm(const torch::Tensor& phaseSums);

}  // namespace genlab::core::style
