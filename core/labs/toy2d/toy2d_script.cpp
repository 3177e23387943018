#include "core/labs/toy2d/toy2d_script.h"

#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "core/labs/toy2d/toy2d_native_gan.h"
#include "core/nn/script_export.h"

namespace genlab::core::toy2d {

void ScriptWriter::addParameter(const std::string& name, const torch::Tensor& t) {
  auto c = t.detach().to(torch::kCPU, torch::kFloat).contiguous().clone();
  m_module.register_parameter(name, c, false);
  m_state.insert(name, c);
}

void ScriptWriter::addBuffer(const std::string& name, const torch::Tensor& t) {
  auto c = t.detach().to(torch::kCPU, torch::kFloat).contiguous().clone();
  m_module.register_buffer(name, c);
  m_state.insert(name, c);
}

void ScriptWriter::addLinearChain(const std::string& name, int layers, const char* activation) {
  std::ostringstream s;
  s << "def " << name << "(self, x: Tensor) -> Tensor:\n";
  for (int k = 0; k < layers; ++k) {
    s << "    x = torch.linear(x, self." << name << "_fc" << k << "_weight, self." << name << "_fc"
      << k << "_bias)\n";
    if (k + 1 < layers) s << "    x = " << activation << "\n";
  }
  s << "    return x\n";
  m_source += s.str();
}

void ScriptWriter::addMlp(const std::string& name, const Mlp& mlp) {
  const auto& fcs = mlp->fcs;
  for (std::size_t k = 0; k < fcs.size(); ++k) {
    addParameter(name + "_fc" + std::to_string(k) + "_weight", fcs[k]->weight);
    addParameter(name + "_fc" + std::to_string(k) + "_bias", fcs[k]->bias);
  }
  const char* act = mlp->act == Activation::Relu   ? "torch.relu(x)"
                    : mlp->act == Activation::Tanh ? "torch.tanh(x)"
                                                   : "x * torch.sigmoid(x)";  // SiLU
  addLinearChain(name, static_cast<int>(fcs.size()), act);
}

void ScriptWriter::addNativeMlp(const std::string& name, const NativeMlp& mlp) {
  const auto& p = mlp.params();
  for (int k = 0; k < mlp.linearLayers(); ++k) {
    const int in = mlp.layerIn(k), out = mlp.layerOut(k);
    // Stored transposed (in x out); nn.Linear keeps [out, in].
    auto w = torch::from_blob(const_cast<float*>(p.data() + mlp.weightOffset(k)), {in, out},
                              torch::kFloat)
                 .t();
    auto b = torch::from_blob(const_cast<float*>(p.data() + mlp.biasOffset(k)), {out}, torch::kFloat);
    addParameter(name + "_fc" + std::to_string(k) + "_weight", w);
    addParameter(name + "_fc" + std::to_string(k) + "_bias", b);
  }
  addLinearChain(name, mlp.linearLayers(), "torch.relu(x)");
}

void ScriptWriter::save(const std::string& pathPt, const ScriptFrame& frame) {
  nn::scriptBase(pathPt);  // refuses a wrong name before any work
  std::ostringstream s;
  s.precision(9);
  s << "def to_data(self, x: Tensor) -> Tensor:\n"
       "    return x * "
    << frame.scale << " + torch.tensor([" << frame.shiftX << ", " << frame.shiftY
    << "], dtype=x.dtype, device=x.device)\n"
       "def from_data(self, x: Tensor) -> Tensor:\n"
       "    return (x - torch.tensor(["
    << frame.shiftX << ", " << frame.shiftY << "], dtype=x.dtype, device=x.device)) / "
    << frame.scale << "\n";
  m_module.define(m_source + s.str());
  m_module.eval();
  auto options = nlohmann::json::parse(frame.optionsJson.empty() ? "{}" : frame.optionsJson);
  options["standardised_frame"] = {{"shift_x", frame.shiftX}, {"shift_y", frame.shiftY},
                                   {"scale", frame.scale}};
  options["exported"] = frame.kind;
  nn::saveScriptExport(m_module, m_state, pathPt, options.dump(2));
}

void NativeGan::exportTorchScript(const std::string& pathPt, ScriptFrame frame) {
  ScriptWriter w("GenLabToy2dGan");
  w.addNativeMlp("generator", m_gAverage);
  w.addNativeMlp("discriminator", m_d);
  w.addSource("def generate(self, z: Tensor) -> Tensor:\n    return self.generator(z)\n"
              "def forward(self, z: Tensor) -> Tensor:\n    return self.generator(z)\n");
  frame.kind = "generator: z [N, " + std::to_string(m_noiseDim) + "] -> x [N, 2]";
  w.save(pathPt, frame);
}

}  // namespace genlab::core::toy2d
