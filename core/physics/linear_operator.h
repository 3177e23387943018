#pragma once
// A linear measurement operator A (images -> measurements) with its exact
// adjoint A^T. Every reconstruction method takes one of these, so CT and
// deblurring share FBP-free solvers, noise, metrics and the nullspace view.
// Core-internal: includes ATen.
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <string>
#include <vector>

namespace genlab::core::physics {

class LinearOperator {
 public:
  virtual ~LinearOperator() = default;
  virtual std::string name() const = 0;
  // Trailing shapes of one image and one measurement, e.g. {H, W} and {views, bins}.
  virtual std::vector<std::int64_t> imageShape() const = 0;
  virtual std::vector<std::int64_t> measurementShape() const = 0;

  // x: (..., imageShape) -> (..., measurementShape); any leading batch dims,
  // float32 or float64, any device. Differentiable: autograd's backward of
  // forward is adjoint and vice versa, so A can sit inside a loss.
  at::Tensor forward(const at::Tensor& x) const;
  at::Tensor adjoint(const at::Tensor& y) const;

  // The same without autograd bookkeeping (the solvers' inner loops).
  virtual at::Tensor forwardRaw(const at::Tensor& x) const = 0;
  virtual at::Tensor adjointRaw(const at::Tensor& y) const = 0;
};

// Largest singular value ||A||_2 by power iteration on A^T A (seeded start).
double operatorNorm(const LinearOperator& op, int iterations = 30, std::uint64_t seed = 7,
                    c10::Device device = c10::Device(c10::kCPU),
                    c10::ScalarType dtype = c10::kFloat);

// |<Ax, y> - <x, A^T y>| / (|Ax| |y|) for seeded Gaussian x and y of the
// given batch size: the dot-product test of an adjoint (0 when exact).
double adjointMismatch(const LinearOperator& op, std::uint64_t seed, c10::ScalarType dtype,
                       c10::Device device = c10::Device(c10::kCPU), int batch = 2);

// Shapes joined as a (batch..., trailing...) size list.
std::vector<std::int64_t> withBatch(const at::Tensor& t, std::size_t trailingDims,
                                    const std::vector<std::int64_t>& newTrailing);

}  // namespace genlab::core::physics
