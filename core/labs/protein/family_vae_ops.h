#pragma once
// The two ends of the family VAE as fused CPU kernels with their own
// backward, for training speed (docs/protein.md, "Training speed"):
//
// - oneHotLinear: the encoder's first layer, a linear map of the one-hot
//   alignment row. Each output row is the sum of the L weight rows that the
//   residues pick, plus the bias; the backward adds the output's gradient to
//   those same rows. Same function as nn.Linear on the (B, L*K) one-hot
//   matrix, without multiplying by its zeros and without materialising the
//   (B*L, H) gathered rows.
// - categoricalNll: sum over sequences and positions of -log softmax(logits)
//   at the observed state, K states per position; the backward writes
//   softmax - onehot directly.
//
// Both fall back to the plain ATen composition on a non-CPU device or for a
// non-float tensor, so results are the same function everywhere.
// Core-internal (includes torch).
#include <torch/types.h>

namespace genlab::core::protein {

// states: (B, L) long, values in [0, K); weight: (L*K, H) float; bias: (H).
// Returns (B, H).
torch::Tensor oneHotLinear(const torch::Tensor& states, const torch::Tensor& weight,
                           const torch::Tensor& bias, int64_t states_per_position);

// logits: (B, L*K) float; states: (B, L) long. Returns a 0-d tensor: the sum
// of -log p(state) over all B*L positions.
torch::Tensor categoricalNll(const torch::Tensor& logits, const torch::Tensor& states,
                             int64_t states_per_position);

}  // namespace genlab::core::protein
