#pragma once
// Internal state of VaeSession, shared by vae_session.cpp and vae_persist.cpp.
#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <memory>
#include <vector>

#include "core/labs/latent/vae_mlp_step.h"
#include "core/labs/latent/vae_model.h"
#include "core/labs/latent/vae_session.h"

namespace genlab::core::latent {

constexpr int kMaxMapPoints = 10000;
torch::Tensor toFloatTensor(const ImageDataset& d, int limit, c10::Device dev);
Image toImage(const torch::Tensor& probs, int h, int w);

// An imported TorchScript model (vae_script.cpp).
struct ScriptedModel;
at::Tensor scriptedDecode(ScriptedModel& m, const at::Tensor& z);      // probabilities [N, H*W]
at::Tensor scriptedEncodeMean(ScriptedModel& m, const at::Tensor& x);  // [N, d]
bool scriptedHasEncoder(const ScriptedModel& m);

struct VaeSession::Impl {
  c10::Device device{c10::kCPU};
  std::shared_ptr<ScriptedModel> scripted;  // set: an imported model, `net` is null
  int height = 0, width = 0;
  std::shared_ptr<VaeNetImpl> net;
  std::unique_ptr<FlatAdam> adam;
  // The MLP's hand-written training step (CPU float), when it applies.
  std::unique_ptr<MlpVaeStep> mlpStep;
  MlpVaeImpl* mlp = nullptr;
  // Shuffling and noise draw from separate generators so that a saved model
  // can replay its epoch's permutation (from shuffleState, taken before it
  // was drawn) and continue its noise exactly (from noiseGen's state).
  at::Generator shuffleGen, trainGen, evalGen;
  at::Tensor shuffleState;
  torch::Tensor trainX, testX;
  // The epoch's order (CPU, int64) and the batch gathered by it: a batch is
  // copied out when it is needed, never the whole shuffled set at once (a
  // 188 MB copy for MNIST that held the worker for a few hundred ms).
  torch::Tensor perm, batchX;
  int64_t cursor = 0;
  long step = 0;
  long samples = 0;
  double beta = 1;
  // Evaluation / map state.
  int64_t evalCursor = 0, mapCursor = 0;
  double sumRecon = 0, sumKl = 0;
  torch::Tensor klSum;        // d
  torch::Tensor evalNoise;    // n x d, drawn when an evaluation begins
  torch::Tensor means;        // mapN x d (CPU)
  VaeMetrics last;
  std::vector<double> klPerDim;
  std::shared_ptr<LatentMap> map;
  std::vector<float> origin, axisX, axisY;  // current decode plane

  torch::Tensor randn(at::IntArrayRef sizes, at::Generator& gen) {
    auto cpu = at::randn(sizes, gen, torch::TensorOptions().dtype(torch::kFloat));
    return device.is_cpu() ? cpu : cpu.to(device);
  }
  int64_t mapCount() const { return std::min<int64_t>(testX.size(0), kMaxMapPoints); }
  torch::Tensor planePoints(const torch::Tensor& xy) {  // (n,2) -> (n,d) on device
    auto o = torch::tensor(origin).to(device);
    auto ax = torch::tensor(axisX).to(device);
    auto ay = torch::tensor(axisY).to(device);
    auto x = xy.to(device);
    return o.unsqueeze(0) + x.narrow(1, 0, 1) * ax.unsqueeze(0) + x.narrow(1, 1, 1) * ay.unsqueeze(0);
  }
  Image decodeOne(const torch::Tensor& z);
  // Bernoulli probabilities [N, H*W] of latents z [N, d]; posterior means of images x.
  torch::Tensor decodeProbs(const torch::Tensor& z);
  torch::Tensor encodeMeans(const torch::Tensor& x);
  bool canEncode() const { return !scripted || scriptedHasEncoder(*scripted); }
  void finishMap(const std::vector<int>& labels, double epochs);
};


}  // namespace genlab::core::latent
