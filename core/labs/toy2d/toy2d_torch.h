#pragma once
// LibTorch pieces shared by the 2-D lab's torch models (core-internal).
#include <ATen/core/Generator.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

#include "core/labs/toy2d/toy2d_native_mlp.h"
#include "core/nn/flat_optimizer.h"

namespace genlab::core::toy2d {

enum class Activation { Relu, Silu, Tanh };

// `layers` hidden layers of `hidden` units with `act`, then a linear output.
struct MlpImpl : torch::nn::Module {
  MlpImpl(int inputs, int hidden, int layers, int outputs, Activation act = Activation::Relu);
  torch::Tensor forward(torch::Tensor x);
  std::vector<torch::nn::Linear> fcs;
  Activation act;
};
TORCH_MODULE(Mlp);

// SGD or Adam over every parameter at once (core/nn/flat_optimizer.h).
using nn::FlatOptimizer;

// An exponential moving average of a flat parameter buffer (e.g.
// FlatOptimizer::params()). Why: the denoising objective's gradients are very
// noisy, and averaging the weights over the last ~1/(1-decay) steps removes
// most of that noise from the score the sampler sees, at the cost of one
// pass over the parameters per step.
class ParamAverage {
 public:
  ParamAverage(torch::Tensor params, double decay);
  void update();  // after each optimiser step; warms up as (1 + n) / (10 + n)
  // While a Use lives, the buffer holds the averaged weights.
  class Use {
   public:
    explicit Use(ParamAverage& a);
    ~Use();
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;

   private:
    ParamAverage& m_a;
    torch::Tensor m_saved;
  };

 private:
  torch::Tensor m_params, m_avg;
  double m_decay;
  long m_n = 0;
};

// n x cols float tensor from interleaved values (copied).
torch::Tensor toTensor(const std::vector<float>& v, int cols, c10::Device dev);
std::vector<float> toVector(const torch::Tensor& t);
at::Generator makeGenerator(std::uint64_t seed);
torch::Tensor randn(at::IntArrayRef sizes, at::Generator& gen, c10::Device dev);
torch::Tensor rand(at::IntArrayRef sizes, at::Generator& gen, c10::Device dev);

}  // namespace genlab::core::toy2d
