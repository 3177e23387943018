#include "core/labs/ct/score_export.h"

#include <torch/script.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "core/labs/ct/score_prior.h"
#include "core/nn/script_export.h"

namespace genlab::core::ct {

namespace {
std::string attr(std::string name) {
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

// The network of score_net.cpp, written out in TorchScript: the same ops in
// the same order (silu as x * sigmoid(x)), unrolled over its four levels.
std::string source(int levels, double sigmaData) {
  std::ostringstream s;
  s.precision(17);
  const auto block = [&](const std::string& prefix, const std::string& in) {
    return "self.block(" + in + ", emb, self." + prefix + "_conv1_weight, self." + prefix +
           "_conv1_bias, self." + prefix + "_conv2_weight, self." + prefix +
           "_conv2_bias, self." + prefix + "_film_weight, self." + prefix + "_film_bias)";
  };
  s << "def silu(self, x: Tensor) -> Tensor:\n"
       "    return x * torch.sigmoid(x)\n"
       "def block(self, x: Tensor, emb: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor,"
       " fw: Tensor, fb: Tensor) -> Tensor:\n"
       "    h = torch.conv2d(self.silu(x), w1, b1, [1, 1], [1, 1])\n"
       "    ss = torch.linear(emb, fw, fb).unsqueeze(-1).unsqueeze(-1).chunk(2, 1)\n"
       "    h = h * (1 + ss[0]) + ss[1]\n"
       "    h = torch.conv2d(self.silu(h), w2, b2, [1, 1], [1, 1])\n"
       "    return x + h\n"
       "def raw(self, x_in: Tensor, log_sigma: Tensor) -> Tensor:\n"
       "    freqs = torch.exp(torch.linspace(0.0, "
    << std::log(100.0)
    << ", 16, dtype=x_in.dtype, device=x_in.device)).unsqueeze(0)\n"
       "    arg = log_sigma.view(-1, 1) * freqs\n"
       "    emb = torch.cat([torch.sin(arg), torch.cos(arg)], 1)\n"
       "    emb = torch.linear(self.silu(torch.linear(emb, self.embed1_weight, self.embed1_bias)),"
       " self.embed2_weight, self.embed2_bias)\n"
       "    h = torch.conv2d(torch.pixel_unshuffle(x_in, 2), self.in_conv_weight, self.in_conv_bias,"
       " [1, 1], [1, 1])\n";
  for (int l = 0; l < levels; ++l) {
    s << "    h = " << block("down_" + std::to_string(l), "h") << "\n";
    s << "    skip" << l << " = h\n";
    if (l + 1 < levels)
      s << "    h = torch.conv2d(self.silu(h), self.down_conv_" << l << "_weight, self.down_conv_"
        << l << "_bias, [2, 2], [1, 1])\n";
  }
  s << "    h = " << block("mid_0", "h") << "\n";
  for (int l = levels - 1; l >= 0; --l) {
    if (l + 1 < levels)
      s << "    h = torch.pixel_shuffle(torch.conv2d(self.silu(h), self.up_conv_" << l
        << "_weight, self.up_conv_" << l << "_bias, [1, 1], [1, 1]), 2)\n";
    s << "    h = " << block("up_" + std::to_string(l), "h + skip" + std::to_string(l)) << "\n";
  }
  s << "    return torch.pixel_shuffle(torch.conv2d(self.silu(h), self.out_conv_weight,"
       " self.out_conv_bias, [1, 1], [1, 1]), 2)\n"
       "def denoise(self, x: Tensor, sigma: Tensor) -> Tensor:\n"
       "    assert x.dim() == 4 and x.shape[1] == 1 and x.shape[2] % 16 == 0 and x.shape[3] % 16 == 0,"
       " 'the score network takes (B, 1, H, W) images with H, W % 16 == 0'\n"
       "    sd = "
    << sigmaData
    << "\n"
       "    s = sigma.view(-1, 1, 1, 1)\n"
       "    var = s * s + sd * sd\n"
       "    xc = x - "
    << ScorePrior::kCentre
    << "\n"
       "    out = (sd * sd / var) * xc + (s * sd / torch.sqrt(var)) *"
       " self.raw((1 / torch.sqrt(var)) * xc, torch.log(sigma) / 4)\n"
       "    return out + "
    << ScorePrior::kCentre
    << "\n"
       "def score(self, x: Tensor, sigma: Tensor) -> Tensor:\n"
       "    s = sigma.view(-1, 1, 1, 1)\n"
       "    return (self.denoise(x, sigma) - x) / (s * s)\n"
       "def forward(self, x: Tensor, sigma: Tensor) -> Tensor:\n"
       "    return self.denoise(x, sigma)\n";
  return s.str();
}
}  // namespace

void exportPriorTorchScript(const ScorePrior& prior, const std::string& pathPt) {
  nn::scriptBase(pathPt);  // refuses a wrong name before any work
  auto& net = const_cast<ScorePrior&>(prior).net();
  torch::jit::Module m("GenLabScorePrior");
  c10::Dict<std::string, at::Tensor> state;
  int levels = 0;
  for (const auto& p : net->named_parameters()) {
    auto t = p.value().detach().to(at::kCPU).clone();
    m.register_parameter(attr(p.key()), t, false);
    state.insert(p.key(), t);
    if (p.key().rfind("down.", 0) == 0)
      levels = std::max(levels, std::stoi(p.key().substr(5)) + 1);
  }
  if (levels < 1) throw std::logic_error("the score network has no levels");
  m.define(source(levels, net->sigmaData));
  m.eval();
  nn::saveScriptExport(m, state, pathPt, prior.options().toJson());
}

}  // namespace genlab::core::ct
