#include "core/labs/ct/ct_metrics.h"

#include <ATen/ATen.h>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace genlab::core::ct {

namespace {
void checkPair(const at::Tensor& a, const at::Tensor& b) {
  if (a.dim() != 2 || !a.sizes().equals(b.sizes()))
    throw std::invalid_argument("image metrics need two 2-D images of the same size");
}

double dataRange(const at::Tensor& truth) {
  const double range = (truth.max() - truth.min()).item<double>();
  return range > 0 ? range : 1.0;  // a constant truth: fall back to unit range
}

at::Tensor gaussianWindow(const at::TensorOptions& opts) {
  auto x = at::arange(11, opts) - 5.0;
  auto g = at::exp(-x * x / (2 * 1.5 * 1.5));
  g = g / g.sum();
  return (g.view({11, 1}) * g.view({1, 11})).view({1, 1, 11, 11});
}
}  // namespace

double psnr(const at::Tensor& estimate, const at::Tensor& truth) {
  checkPair(estimate, truth);
  const auto t = truth.to(at::kCPU, at::kDouble), e = estimate.to(at::kCPU, at::kDouble);
  const double mse = (e - t).pow(2).mean().item<double>();
  if (mse <= 0) return std::numeric_limits<double>::infinity();
  const double range = dataRange(t);
  return 10 * std::log10(range * range / mse);
}

double ssim(const at::Tensor& estimate, const at::Tensor& truth) {
  checkPair(estimate, truth);
  if (truth.size(0) < 11 || truth.size(1) < 11)
    throw std::invalid_argument("SSIM needs images of at least 11 x 11 pixels");
  const auto x = estimate.to(at::kCPU, at::kDouble).view({1, 1, truth.size(0), truth.size(1)});
  const auto y = truth.to(at::kCPU, at::kDouble).view({1, 1, truth.size(0), truth.size(1)});
  const auto w = gaussianWindow(x.options());
  auto blur = [&](const at::Tensor& t) { return at::conv2d(t, w); };
  const auto mx = blur(x), my = blur(y);
  const auto sxx = blur(x * x) - mx * mx, syy = blur(y * y) - my * my, sxy = blur(x * y) - mx * my;
  const double range = dataRange(truth.to(at::kDouble));
  const double c1 = std::pow(0.01 * range, 2), c2 = std::pow(0.03 * range, 2);
  const auto map = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2));
  return map.mean().item<double>();
}

double relativeResidual(const at::Tensor& ax, const at::Tensor& y) {
  const double ny = y.to(at::kDouble).norm().item<double>();
  const double r = (ax.to(at::kDouble) - y.to(at::kDouble)).norm().item<double>();
  return ny > 0 ? r / ny : r;
}

}  // namespace genlab::core::ct
