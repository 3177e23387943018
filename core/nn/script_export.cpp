#include "core/nn/script_export.h"

#include <torch/csrc/jit/serialization/pickle.h>
#include <torch/script.h>

#include <sstream>
#include <stdexcept>

#include "core/util/atomic_file.h"

namespace genlab::core::nn {

std::string scriptBase(const std::string& pathPt) {
  if (pathPt.size() < 4 || pathPt.substr(pathPt.size() - 3) != ".pt")
    throw std::invalid_argument(pathPt + ": the TorchScript file's name must end in .pt");
  return pathPt.substr(0, pathPt.size() - 3);
}

void saveScriptExport(torch::jit::Module& module, const c10::Dict<std::string, at::Tensor>& state,
                      const std::string& pathPt, const std::string& optionsJson) {
  const std::string base = scriptBase(pathPt);
  std::ostringstream script;
  module.save(script);
  writeFileAtomic(pathPt, script.str());
  const auto pickled = torch::jit::pickle_save(c10::IValue(state));
  writeFileAtomic(base + ".state.pt", std::string(pickled.begin(), pickled.end()));
  writeFileAtomic(pathPt + ".options.json", optionsJson);
}

}  // namespace genlab::core::nn
