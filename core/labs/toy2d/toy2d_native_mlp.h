#pragma once
// A small fully connected ReLU network with hand-written forward and
// backward passes in plain float loops, and SGD / Adam on its flat
// parameters. Why: at GAN Lab's sizes (8 hidden units, batch 150) LibTorch
// spends its time in per-operator dispatch (~5-10 us per op, ~100 ops per
// iteration), which caps training near 1 000 iterations/s; these loops do an
// iteration in a few microseconds. Gradients are checked against LibTorch
// autograd in tests/core/test_toy2d_native.cpp. Torch-free.
#include <cstddef>
#include <string>
#include <vector>

#include "core/labs/toy2d/toy2d_random.h"

namespace genlab::core::toy2d {

class NativeMlp {
 public:
  NativeMlp() = default;
  // `layers` hidden layers of `hidden` ReLU units, then a linear output.
  NativeMlp(int inputs, int hidden, int layers, int outputs);

  // PyTorch's nn.Linear default: weights and biases U(-1/sqrt(in), 1/sqrt(in)).
  void initUniform(Rng& rng);

  int inputs() const { return m_sizes.front(); }
  int outputs() const { return m_sizes.back(); }
  int linearLayers() const { return static_cast<int>(m_sizes.size()) - 1; }
  int layerIn(int k) const { return m_sizes[k]; }
  int layerOut(int k) const { return m_sizes[k + 1]; }
  // Layer k's weights are stored transposed, in x out: w[i * out + o] = W[o][i].
  std::size_t weightOffset(int k) const { return m_wOff[k]; }
  std::size_t biasOffset(int k) const { return m_bOff[k]; }
  std::vector<float>& params() { return m_params; }
  const std::vector<float>& params() const { return m_params; }
  std::vector<float>& grads() { return m_grads; }
  void zeroGrad();

  // Forward pass over n rows of x, kept for backward(); the returned n x
  // outputs() block stays valid until the next forward().
  const float* forward(const float* x, int n);
  // Backpropagates dL/dy of the last forward(): adds to grads() when
  // `accumulate`, and writes dL/dx (n x inputs()) when dx is not null.
  void backward(const float* dy, float* dx, bool accumulate = true);
  // Forward pass that leaves the training caches alone (for views).
  void infer(const float* x, int n, float* y) const;

 private:
  std::vector<int> m_sizes;
  std::vector<std::size_t> m_wOff, m_bOff;
  std::vector<float> m_params, m_grads;
  int m_n = 0;
  std::vector<std::vector<float>> m_acts;  // [0] input, [k] output of linear layer k (ReLU'd if hidden)
  std::vector<float> m_g, m_gPrev, m_w;
};

// SGD (plain) or Adam on a flat parameter vector; same update rules as
// torch.optim.SGD / torch.optim.Adam.
class NativeOptimizer {
 public:
  NativeOptimizer(const std::string& kind, double lr, double beta1 = 0.9, double beta2 = 0.999,
                  double eps = 1e-8);
  void step(float* params, const float* grads, std::size_t n);
  void setLr(double lr) { m_lr = lr; }
  double lr() const { return m_lr; }

 private:
  bool m_adam;
  double m_lr, m_b1, m_b2, m_eps;
  long m_t = 0;
  std::vector<float> m_m, m_v;
};

}  // namespace genlab::core::toy2d
