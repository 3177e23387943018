#pragma once
// Image quality against a known ground truth. Core-internal (ATen).
#include <ATen/core/Tensor.h>

namespace genlab::core::ct {

// Peak signal-to-noise ratio in dB over the ground truth's data range
// (max - min of `truth`), on 2-D images (H, W).
double psnr(const at::Tensor& estimate, const at::Tensor& truth);

// Structural similarity (Wang et al. 2004): Gaussian window 11 x 11, sigma 1.5,
// K1 = 0.01, K2 = 0.03, L = the truth's data range; the mean over all
// positions where the window fits (no padding). ssim(x, x) = 1.
double ssim(const at::Tensor& estimate, const at::Tensor& truth);

// ||A x - y|| / ||y||, the relative data residual (given A x).
double relativeResidual(const at::Tensor& ax, const at::Tensor& y);

}  // namespace genlab::core::ct
