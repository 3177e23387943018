#pragma once
// The CT lab's score prior for PyTorch users: a TorchScript module defined
// from the prior's weights (docs/export.md, "CT score prior"). Torch-free.
#include <string>

namespace genlab::core::ct {

class ScorePrior;

// Writes `pathPt` (must end in .pt) atomically: a TorchScript module with
//   denoise(x, sigma) -> D(x; sigma)   x (B, 1, H, W) in image units [0, 1], sigma (B)
//   score(x, sigma)   -> (D - x) / sigma^2
//   forward(x, sigma) -> denoise(x, sigma)
// the same function GenLab's sampler calls, plus `<base>.state.pt`, the
// parameters by their GenLab names, and `<pathPt>.options.json`.
void exportPriorTorchScript(const ScorePrior& prior, const std::string& pathPt);

}  // namespace genlab::core::ct
