#include "core/physics/linear_operator.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>
#include <stdexcept>

namespace genlab::core::physics {

namespace {
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The operator travels through the autograd graph as an address: it must
// outlive any graph built on it (the solvers and samplers own theirs).
std::int64_t address(const LinearOperator* op) { return reinterpret_cast<std::int64_t>(op); }
const LinearOperator* fromAddress(std::int64_t a) {
  return reinterpret_cast<const LinearOperator*>(a);
}

struct ForwardFn : torch::autograd::Function<ForwardFn> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, std::int64_t op) {
    ctx->saved_data["op"] = op;
    return fromAddress(op)->forwardRaw(x);
  }
  static variable_list backward(AutogradContext* ctx, variable_list g) {
    const auto* op = fromAddress(ctx->saved_data["op"].toInt());
    return {op->adjoint(g[0]), at::Tensor()};
  }
};

struct AdjointFn : torch::autograd::Function<AdjointFn> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& y, std::int64_t op) {
    ctx->saved_data["op"] = op;
    return fromAddress(op)->adjointRaw(y);
  }
  static variable_list backward(AutogradContext* ctx, variable_list g) {
    const auto* op = fromAddress(ctx->saved_data["op"].toInt());
    return {op->forward(g[0]), at::Tensor()};
  }
};

bool needsGraph(const at::Tensor& t) { return at::GradMode::is_enabled() && t.requires_grad(); }
}  // namespace

at::Tensor LinearOperator::forward(const at::Tensor& x) const {
  if (needsGraph(x)) return ForwardFn::apply(x, address(this));
  return forwardRaw(x);
}

at::Tensor LinearOperator::adjoint(const at::Tensor& y) const {
  if (needsGraph(y)) return AdjointFn::apply(y, address(this));
  return adjointRaw(y);
}

std::vector<std::int64_t> withBatch(const at::Tensor& t, std::size_t trailingDims,
                                    const std::vector<std::int64_t>& newTrailing) {
  if (static_cast<std::size_t>(t.dim()) < trailingDims)
    throw std::invalid_argument("operator input has too few dimensions");
  std::vector<std::int64_t> s(t.sizes().begin(), t.sizes().end() - trailingDims);
  s.insert(s.end(), newTrailing.begin(), newTrailing.end());
  return s;
}

double operatorNorm(const LinearOperator& op, int iterations, std::uint64_t seed,
                    c10::Device device, c10::ScalarType dtype) {
  at::NoGradGuard ng;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  auto x = at::randn(op.imageShape(), gen, at::TensorOptions().dtype(dtype)).to(device);
  double sigma = 0;
  for (int i = 0; i < iterations; ++i) {
    x = x / x.norm();
    auto z = op.adjointRaw(op.forwardRaw(x));
    sigma = std::sqrt(z.norm().item<double>());
    x = z;
  }
  return sigma;
}

double adjointMismatch(const LinearOperator& op, std::uint64_t seed, c10::ScalarType dtype,
                       c10::Device device, int batch) {
  at::NoGradGuard ng;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  auto opts = at::TensorOptions().dtype(dtype);
  auto xs = op.imageShape();
  auto ys = op.measurementShape();
  xs.insert(xs.begin(), batch);
  ys.insert(ys.begin(), batch);
  auto x = at::randn(xs, gen, opts).to(device);
  auto y = at::randn(ys, gen, opts).to(device);
  auto ax = op.forwardRaw(x).to(at::kDouble);
  auto aty = op.adjointRaw(y).to(at::kDouble);
  const double lhs = (ax * y.to(at::kDouble)).sum().item<double>();
  const double rhs = (x.to(at::kDouble) * aty).sum().item<double>();
  const double scale = ax.norm().item<double>() * y.to(at::kDouble).norm().item<double>();
  return scale > 0 ? std::abs(lhs - rhs) / scale : std::abs(lhs - rhs);
}

}  // namespace genlab::core::physics
