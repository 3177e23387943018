#pragma once
// Writing a model for PyTorch users (docs/export.md): a TorchScript module
// GenLab defined from its weights, a state dict and the options, each file
// written atomically. Core-internal (torch).
#include <ATen/core/Dict.h>
#include <ATen/core/Tensor.h>

#include <string>

namespace torch::jit {
struct Module;
}

namespace genlab::core::nn {

// Throws std::invalid_argument unless `pathPt` ends in ".pt"; returns it without.
std::string scriptBase(const std::string& pathPt);
// Saves `module` (already defined and in eval mode) to pathPt, `state` to
// <base>.state.pt (torch.load-able) and `optionsJson` to <pathPt>.options.json.
void saveScriptExport(torch::jit::Module& module, const c10::Dict<std::string, at::Tensor>& state,
                      const std::string& pathPt, const std::string& optionsJson);

}  // namespace genlab::core::nn
