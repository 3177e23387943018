// Flow layers: affine coupling, planar, and their stack (see toy2d_flow.h).
#include <torch/nn/init.h>

#include <cmath>

#include "core/labs/toy2d/toy2d_flow.h"

namespace genlab::core::toy2d {

namespace {
constexpr double kLog2Pi = 1.8378770664093454836;

torch::Tensor column(const torch::Tensor& x, int64_t c) { return x.narrow(1, c, 1); }

torch::Tensor joinColumns(int cond, const torch::Tensor& c, const torch::Tensor& t) {
  return cond == 0 ? torch::cat({c, t}, 1) : torch::cat({t, c}, 1);
}
}  // namespace

AffineCouplingImpl::AffineCouplingImpl(int c, int hidden, int layers) : cond(c) {
  net = register_module("net", Mlp(1, hidden, layers, 2, Activation::Relu));
  scale = register_parameter("scale", torch::ones({1}));
  torch::NoGradGuard ng;
  net->fcs.back()->weight.zero_();
  net->fcs.back()->bias.zero_();
}

std::pair<torch::Tensor, torch::Tensor> AffineCouplingImpl::shiftLogScale(const torch::Tensor& xc) {
  auto out = net->forward(xc);
  auto s = scale * torch::tanh(column(out, 0));
  return {column(out, 1), s};
}

std::pair<torch::Tensor, torch::Tensor> AffineCouplingImpl::forward(const torch::Tensor& x) {
  auto xc = column(x, cond), xt = column(x, 1 - cond);
  auto [t, s] = shiftLogScale(xc);
  auto zt = (xt - t) * torch::exp(-s);
  return {joinColumns(cond, xc, zt), -s.squeeze(1)};
}

torch::Tensor AffineCouplingImpl::inverse(const torch::Tensor& z) {
  auto zc = column(z, cond), zt = column(z, 1 - cond);
  auto [t, s] = shiftLogScale(zc);
  return joinColumns(cond, zc, zt * torch::exp(s) + t);
}

std::string AffineCouplingImpl::name() const {
  return cond == 0 ? "coupling: y | x" : "coupling: x | y";
}

PlanarImpl::PlanarImpl(int i) : index(i) {
  // Small random start (seeded by the caller's torch::manual_seed).
  u = register_parameter("u", torch::randn({2}) * 0.1);
  w = register_parameter("w", torch::randn({2}) * 0.1);
  b = register_parameter("b", torch::zeros({1}));
}

torch::Tensor PlanarImpl::uHat() {
  auto wu = (w * u).sum();
  auto m = -1 + torch::softplus(wu);
  return u + (m - wu) * w / ((w * w).sum() + 1e-12);
}

std::pair<torch::Tensor, torch::Tensor> PlanarImpl::forward(const torch::Tensor& x) {
  auto uh = uHat();
  auto a = torch::tanh(x.matmul(w) + b);  // n
  auto z = x + a.unsqueeze(1) * uh.unsqueeze(0);
  auto psiU = (1 - a * a) * (w * uh).sum();
  return {z, torch::log(torch::abs(1 + psiU) + 1e-12)};
}

torch::Tensor PlanarImpl::inverse(const torch::Tensor& z) {
  // w.z = alpha + c tanh(alpha + b) with c = w.u' >= -1: increasing in alpha,
  // and alpha lies within |c| of w.z. Newton, kept inside the bracket.
  torch::NoGradGuard ng;
  auto zd = z.to(torch::kDouble);
  auto wd = w.detach().to(torch::kDouble), bd = b.detach().to(torch::kDouble);
  auto uh = uHat().detach().to(torch::kDouble);
  const double c = (wd * uh).sum().item<double>();
  auto target = zd.matmul(wd);
  auto lo = target - std::abs(c), hi = target + std::abs(c);
  auto alpha = target.clone();
  for (int it = 0; it < 40; ++it) {
    auto th = torch::tanh(alpha + bd);
    auto g = alpha + c * th - target;
    lo = torch::where(g < 0, alpha, lo);
    hi = torch::where(g > 0, alpha, hi);
    auto next = alpha - g / (1 + c * (1 - th * th) + 1e-300);
    auto inside = (next > lo) & (next < hi);
    alpha = torch::where(inside, next, 0.5 * (lo + hi));
  }
  auto x = zd - torch::tanh(alpha + bd).unsqueeze(1) * uh.unsqueeze(0);
  return x.to(z.scalar_type());
}

std::string PlanarImpl::name() const { return "planar " + std::to_string(index + 1); }

FlowNetImpl::FlowNetImpl(const std::string& type, int count, int hidden, int layers) {
  for (int k = 0; k < count; ++k) {
    std::shared_ptr<FlowLayerImpl> l;
    if (type == "planar")
      l = std::make_shared<PlanarImpl>(k);
    else
      l = std::make_shared<AffineCouplingImpl>(k % 2, hidden, layers);
    stack.push_back(register_module("layer" + std::to_string(k), l));
  }
}

std::pair<torch::Tensor, torch::Tensor> FlowNetImpl::forward(const torch::Tensor& x) {
  auto z = x;
  auto logdet = torch::zeros({x.size(0)}, x.options());
  for (auto& l : stack) {
    auto [next, ld] = l->forward(z);
    z = next;
    logdet = logdet + ld;
  }
  return {z, logdet};
}

torch::Tensor FlowNetImpl::logProb(const torch::Tensor& x) {
  auto [z, logdet] = forward(x);
  return -0.5 * z.pow(2).sum(1) - kLog2Pi + logdet;
}

torch::Tensor FlowNetImpl::inverse(const torch::Tensor& z) {
  auto x = z;
  for (auto it = stack.rbegin(); it != stack.rend(); ++it) x = (*it)->inverse(x);
  return x;
}

}  // namespace genlab::core::toy2d
