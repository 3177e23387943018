#pragma once
// TorchScript exports of the 2-D lab's networks (core-internal, torch):
// parameters and buffers registered under flat names, methods written out in
// TorchScript, saved atomically with a state dict and the options.
#include <torch/script.h>

#include <string>

#include "core/labs/toy2d/toy2d_model.h"
#include "core/labs/toy2d/toy2d_native_mlp.h"
#include "core/labs/toy2d/toy2d_torch.h"

namespace genlab::core::toy2d {

class ScriptWriter {
 public:
  explicit ScriptWriter(const std::string& className) : m_module(className) {}
  // A method `def <name>(self, x: Tensor) -> Tensor` running the network, its
  // layers registered as <name>_fc<k>_weight / _bias ([out, in], as nn.Linear).
  void addMlp(const std::string& name, const Mlp& mlp);
  void addNativeMlp(const std::string& name, const NativeMlp& mlp);  // ReLU hidden layers
  void addBuffer(const std::string& name, const torch::Tensor& t);
  void addSource(const std::string& source) { m_source += source; }
  // Adds to_data / from_data (the model's standardised coordinates <-> the
  // data's), defines the methods and writes the three files.
  void save(const std::string& pathPt, const ScriptFrame& frame);

 private:
  void addLinearChain(const std::string& name, int layers, const char* activation);
  void addParameter(const std::string& name, const torch::Tensor& t);
  torch::jit::Module m_module;
  c10::Dict<std::string, at::Tensor> m_state;
  std::string m_source;
};

}  // namespace genlab::core::toy2d
