#include "core/labs/ct/fbp.h"

#include <ATen/ATen.h>

#include <cmath>
#include <stdexcept>

namespace genlab::core::ct {

namespace {
constexpr double kPi = 3.14159265358979323846;

// The filter's frequency response on `padded` points (rfft layout).
at::Tensor frequencyResponse(int64_t padded, FbpFilter filter, const at::TensorOptions& opts) {
  auto n = at::arange(padded, at::TensorOptions().dtype(at::kDouble));
  n = at::where(n < padded / 2, n, n - padded);  // signed tap index, circular
  auto taps = at::zeros_like(n);
  const auto odd = at::remainder(n, 2).ne(0);
  taps = at::where(odd, -1.0 / (kPi * kPi * n * n), taps);
  taps = at::where(n.eq(0), at::full_like(n, 0.25), taps);
  auto response = at::real(at::fft_rfft(taps));  // real: the taps are even
  const auto f = at::arange(padded / 2 + 1, at::TensorOptions().dtype(at::kDouble)) / padded;
  switch (filter) {
    case FbpFilter::Ramp: break;
    case FbpFilter::SheppLogan:
      response = response * at::where(f.eq(0), at::ones_like(f), at::sin(kPi * f) / (kPi * f));
      break;
    case FbpFilter::Cosine: response = response * at::cos(kPi * f); break;
    case FbpFilter::Hann: response = response * 0.5 * (1 + at::cos(2 * kPi * f)); break;
  }
  return response.to(opts.device(), opts.dtype());
}
}  // namespace

FbpFilter fbpFilterFromName(const std::string& name) {
  if (name == "ramp" || name == "ram-lak") return FbpFilter::Ramp;
  if (name == "shepp-logan") return FbpFilter::SheppLogan;
  if (name == "cosine") return FbpFilter::Cosine;
  if (name == "hann") return FbpFilter::Hann;
  throw std::invalid_argument("FBP filter must be ramp, shepp-logan, cosine or hann, not '" + name +
                              "'");
}

std::string fbpFilterName(FbpFilter f) {
  switch (f) {
    case FbpFilter::Ramp: return "ramp";
    case FbpFilter::SheppLogan: return "shepp-logan";
    case FbpFilter::Cosine: return "cosine";
    case FbpFilter::Hann: return "hann";
  }
  return "ramp";
}

at::Tensor filterSinogram(const at::Tensor& sinogram, FbpFilter filter) {
  const int64_t bins = sinogram.size(-1);
  int64_t padded = 64;
  while (padded < 2 * bins) padded *= 2;
  const auto spectrum = at::fft_rfft(sinogram, padded, -1);
  const auto filtered = at::fft_irfft(spectrum * frequencyResponse(padded, filter, sinogram.options()),
                                      padded, -1);
  return filtered.narrow(-1, 0, bins).contiguous();
}

at::Tensor fbp(const physics::RadonTransform& radon, const at::Tensor& sinogram, FbpFilter filter) {
  at::NoGradGuard ng;
  return radon.adjointRaw(filterSinogram(sinogram, filter)) * radon.geometry().angleStepRad();
}

}  // namespace genlab::core::ct
