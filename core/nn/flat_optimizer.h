#pragma once
// SGD or Adam over every parameter of a module at once, shared by the labs:
// parameters and gradients become views into two flat buffers, so a step is
// one fused pass over memory instead of several tensor ops per parameter
// (which dominate at these model sizes). Same update rules as torch.optim.
// Core-internal (includes torch).
#include <torch/nn/module.h>
#include <torch/types.h>

#include <string>

namespace genlab::core::nn {

class FlatOptimizer {
 public:
  // `kind`: "adam" or "sgd".
  FlatOptimizer(torch::nn::Module& module, const std::string& kind, double lr,
                double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8);
  void zeroGrad() { m_grads.zero_(); }
  void step();
  void setLr(double lr) { m_lr = lr; }
  double lr() const { return m_lr; }
  torch::Tensor& params() { return m_params; }
  // Adam's state, for checkpoints: step count and the two moments.
  long steps() const { return m_step; }
  void setSteps(long s) { m_step = s; }
  torch::Tensor& expAvg() { return m_m; }
  torch::Tensor& expAvgSq() { return m_v; }

 private:
  bool m_adam;
  double m_lr, m_b1, m_b2, m_eps;
  long m_step = 0;
  torch::Tensor m_params, m_grads, m_m, m_v;
};

}  // namespace genlab::core::nn
