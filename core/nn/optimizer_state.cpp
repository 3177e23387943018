#include "core/nn/optimizer_state.h"

#include "core/util/tensor_blob.h"

namespace genlab::core::nn {

void putOptimizerState(FlatOptimizer& optimizer, ModelFile& file) {
  file.tensors["adam.exp_avg"] = toBlob(optimizer.expAvg());
  file.tensors["adam.exp_avg_sq"] = toBlob(optimizer.expAvgSq());
}

void takeOptimizerState(FlatOptimizer& optimizer, const ModelFile& file, long steps,
                        const std::string& path) {
  const auto m = file.tensors.find("adam.exp_avg");
  const auto v = file.tensors.find("adam.exp_avg_sq");
  if (m == file.tensors.end() || v == file.tensors.end()) return;
  copyInto(optimizer.expAvg(), m->second, "adam.exp_avg", path);
  copyInto(optimizer.expAvgSq(), v->second, "adam.exp_avg_sq", path);
  optimizer.setSteps(steps);
}

}  // namespace genlab::core::nn
