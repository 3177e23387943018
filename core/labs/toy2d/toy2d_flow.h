#pragma once
// Normalising-flow layers of the 2-D lab (core-internal; includes torch).
// Every layer is written in the normalising direction x -> z, the direction
// training needs (log p(x) = log N(f(x)) + sum log|det df/dx|); inverse()
// is the generative direction z -> x used for sampling and the layer view.
#include <torch/nn/module.h>
#include <torch/types.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/labs/toy2d/toy2d_torch.h"

namespace genlab::core::toy2d {

struct FlowLayerImpl : torch::nn::Module {
  // (z, log|det dz/dx|) per row of x (n x 2).
  virtual std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& x) = 0;
  virtual torch::Tensor inverse(const torch::Tensor& z) = 0;
  virtual std::string name() const = 0;
};

// RealNVP affine coupling: coordinate `cond` passes through and conditions
// the other: z_t = (x_t - t(x_c)) * exp(-s(x_c)), s = scale * tanh(raw).
// The conditioner's last layer starts at zero, so a new flow is the identity.
struct AffineCouplingImpl : FlowLayerImpl {
  AffineCouplingImpl(int cond, int hidden, int layers);
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& x) override;
  torch::Tensor inverse(const torch::Tensor& z) override;
  std::string name() const override;
  std::pair<torch::Tensor, torch::Tensor> shiftLogScale(const torch::Tensor& xc);
  int cond;
  Mlp net{nullptr};
  torch::Tensor scale;
};

// Planar layer (Rezende & Mohamed 2015) z = x + u' tanh(w.x + b), with u'
// the reparameterised u that keeps w.u' >= -1 so the map is invertible;
// log|det| = log|1 + (1 - tanh^2(w.x + b)) w.u'|. The inverse has no closed
// form: it solves the scalar equation for a = w.x by safeguarded Newton.
struct PlanarImpl : FlowLayerImpl {
  explicit PlanarImpl(int index);
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& x) override;
  torch::Tensor inverse(const torch::Tensor& z) override;
  std::string name() const override;
  torch::Tensor uHat();
  int index;
  torch::Tensor u, w, b;
};

// A stack of layers, applied in order x -> z.
struct FlowNetImpl : torch::nn::Module {
  FlowNetImpl(const std::string& type, int count, int hidden, int layers);
  // z and the summed log|det dz/dx|.
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& x);
  torch::Tensor logProb(const torch::Tensor& x);  // log p(x) under N(0, I) base
  torch::Tensor inverse(const torch::Tensor& z);
  std::vector<std::shared_ptr<FlowLayerImpl>> stack;
};
TORCH_MODULE(FlowNet);

}  // namespace genlab::core::toy2d
