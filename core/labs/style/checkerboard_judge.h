#pragma once
// Internal to core/labs/style (checkerboard_model.cpp, checkerboard_judge.cpp,
// checkerboard_job.cpp): the quality judge's network and state, which the
// session's Frechet distance reads. Includes torch: never include it from
// ui/ or from a public header.
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "core/labs/style/checkerboard.h"
#include "core/labs/style/checkerboard_model.h"

namespace genlab::core::style {
namespace checkerboard_detail {

constexpr int kSize = 28, kStrideTotal = 4;
constexpr std::uint64_t kJudgeSeed = 20170101;

inline std::vector<float> toVector(const torch::Tensor& t) {
  auto c = t.contiguous().to(torch::kFloat);
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

// The quality judge: a small digit classifier; features = the 64-d hidden layer.
struct JudgeNetImpl : torch::nn::Module {
  torch::nn::Conv2d c1{nullptr}, c2{nullptr};
  torch::nn::Linear hidden{nullptr}, out{nullptr};
  JudgeNetImpl() {
    using namespace torch::nn;
    c1 = register_module("c1", Conv2d(Conv2dOptions(1, 16, 3).stride(2).padding(1)));
    c2 = register_module("c2", Conv2d(Conv2dOptions(16, 32, 3).stride(2).padding(1)));
    hidden = register_module("hidden", Linear(32 * 49, 64));
    out = register_module("out", Linear(64, 10));
  }
  torch::Tensor features(const torch::Tensor& x) {
    return torch::relu(hidden(torch::relu(c2(torch::relu(c1(x)))).flatten(1)));
  }
  torch::Tensor forward(const torch::Tensor& x) { return out(features(x)); }
};
TORCH_MODULE(JudgeNet);

}  // namespace checkerboard_detail

struct CheckerboardJudge::Impl {
  std::shared_ptr<const ImageSplit> data;
  checkerboard_detail::JudgeNet net{nullptr};
  std::unique_ptr<torch::optim::Adam> opt;
  std::mt19937_64 rng{checkerboard_detail::kJudgeSeed};
  torch::Tensor trainU8, testU8;
  long step = 0, steps = 0;
  int referenceImages = 1000;
  bool haveReference = false;
  FeatureGaussian reference;  // of the first referenceImages test images
  double accuracy = -1;

  torch::Tensor features(const torch::Tensor& x) {
    torch::NoGradGuard ng;
    net->eval();
    std::vector<torch::Tensor> parts;
    for (std::int64_t k = 0; k < x.size(0); k += 500)
      parts.push_back(net->features(x.slice(0, k, std::min<std::int64_t>(x.size(0), k + 500))));
    return torch::cat(parts, 0);
  }
  FeatureGaussian gaussian(const torch::Tensor& x) {
    auto f = features(x);
    return fitGaussian(checkerboard_detail::toVector(f), int(f.size(0)), int(f.size(1)));
  }
  const FeatureGaussian& real() {
    if (!haveReference) {
      const int n = std::min<int>(referenceImages, int(testU8.size(0)));
      reference = gaussian(testU8.slice(0, 0, n).to(torch::kFloat).div(255.0));
      haveReference = true;
    }
    return reference;
  }
};

}  // namespace genlab::core::style
