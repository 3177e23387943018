#pragma once
// Filtered backprojection for the parallel-beam Radon transform.
#include <ATen/core/Tensor.h>

#include <string>

#include "core/physics/radon.h"

namespace genlab::core::ct {

enum class FbpFilter { Ramp, SheppLogan, Cosine, Hann };
FbpFilter fbpFilterFromName(const std::string& name);  // "ramp", "shepp-logan", "cosine", "hann"
std::string fbpFilterName(FbpFilter f);

// Filters each detector row (the last dim) with the band-limited ramp of Kak &
// Slaney (its spatial taps h[0] = 1/4, h[odd n] = -1/(pi n)^2, transformed,
// which avoids the DC error of sampling |f| directly), times the filter's
// window, on a zero-padded grid of at least twice the row length so the
// circular convolution does not wrap.
at::Tensor filterSinogram(const at::Tensor& sinogram, FbpFilter filter);

// x = dtheta * A^T (filtered y): the discretised inversion formula. With the
// operator's linear-interpolating backprojection this is textbook FBP.
at::Tensor fbp(const physics::RadonTransform& radon, const at::Tensor& sinogram, FbpFilter filter);

}  // namespace genlab::core::ct
