// Models trained elsewhere: TorchScript decoders (and encoders) in the Latent
// Explorer, probed before use (script_import.h).
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <caffe2/serialize/inline_container.h>
#include <torch/script.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "core/labs/latent/script_import.h"
#include "core/labs/latent/vae_session.h"
#include "core/labs/latent/vae_session_impl.h"
#include "core/nn/script_export.h"
#include "core/util/atomic_file.h"

namespace genlab::core::latent {

namespace fs = std::filesystem;

namespace {
constexpr std::uintmax_t kMaxScriptBytes = 4ull << 30;  // 4 GiB
constexpr int kMaxSide = 1024;
constexpr int kProbeBatch = 2;

[[noreturn]] void refuse(const std::string& path, const std::string& why) {
  throw std::invalid_argument(fs::path(path).filename().string() + ": " + why);
}

std::string shapeText(const at::Tensor& t) {
  std::ostringstream o;
  o << "[";
  for (int64_t i = 0; i < t.dim(); ++i) o << (i ? ", " : "") << t.size(i);
  o << "]";
  return o.str();
}

std::string ivalueKind(const c10::IValue& v) {
  if (v.isTuple()) return "a tuple of " + std::to_string(v.toTupleRef().elements().size());
  if (v.isList()) return "a list";
  if (v.isGenericDict()) return "a dict";
  if (v.isNone()) return "None";
  return v.tagKind();
}

// The file is a zip archive; a state dict (torch.save) is one too, but it
// has no code/ records and no constants.pkl.
bool isStateDict(const std::string& path) {
  try {
    caffe2::serialize::PyTorchStreamReader reader(path);
    bool code = false, data = false;
    for (const auto& name : reader.getAllRecords()) {
      code = code || name.find("code/") != std::string::npos || name == "constants.pkl";
      data = data || name == "data.pkl";
    }
    return data && !code;
  } catch (const std::exception&) {
    return false;
  }
}

void checkFile(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) refuse(path, "not found, or not a regular file");
  const auto bytes = fs::file_size(path, ec);
  if (ec) refuse(path, "cannot read its size");
  if (bytes > kMaxScriptBytes) refuse(path, "larger than 4 GiB; GenLab does not open models that large");
  if (!looksLikeTorchScript(path))
    refuse(path, "not a TorchScript file (those are zip archives written by torch.jit.save; "
                 "this one does not start like one)");
}

torch::jit::Module loadModule(const std::string& path) {
  checkFile(path);
  try {
    return torch::jit::load(path, c10::Device(c10::kCPU));
  } catch (const std::exception& e) {
    if (isStateDict(path))
      refuse(path, "this is a state dict (torch.save of model.state_dict()), not TorchScript: it "
                   "holds weights but no code. Export the model with "
                   "torch.jit.script(model).save(\"model.pt\") (or torch.jit.trace) and open that");
    std::string what = e.what();
    what = what.substr(0, what.find('\n'));
    refuse(path, "TorchScript could not load it (truncated or damaged?): " + what);
  }
}

int latentFromSidecar(const std::string& path) {
  std::ifstream f(path + ".options.json");
  if (!f) return 0;
  try {
    const auto j = nlohmann::json::parse(f);
    const int d = j.value("latent_dim", 0);
    return d >= 1 && d <= 4096 ? d : 0;
  } catch (const std::exception&) {
    return 0;
  }
}

// The decoder's output for z, as probabilities or logits [N, H, W] (checked).
at::Tensor runDecoder(torch::jit::Module& m, const std::string& method, const at::Tensor& z) {
  c10::IValue out = m.get_method(method)({z});
  if (!out.isTensor())
    throw std::invalid_argument(method + "(z) returned " + ivalueKind(out) +
                                ", not a tensor of images");
  return out.toTensor();
}
}  // namespace

bool looksLikeTorchScript(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  char magic[4] = {};
  return f.read(magic, 4) && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
}

struct ScriptedModel {
  torch::jit::Module module;
  std::string decodeMethod, encodeMethod;
  int height = 0, width = 0, latentDim = 0;
  bool sigmoid = false;  // the decoder gives logits
};

at::Tensor scriptedDecode(ScriptedModel& m, const at::Tensor& z) {
  c10::InferenceMode guard;
  at::Tensor out = runDecoder(m.module, m.decodeMethod, z.to(at::kFloat)).to(at::kFloat);
  out = out.reshape({z.size(0), int64_t(m.height) * m.width});
  return m.sigmoid ? at::sigmoid(out) : out.clamp(0, 1);
}

at::Tensor scriptedEncodeMean(ScriptedModel& m, const at::Tensor& x) {
  c10::InferenceMode guard;
  const auto images = x.reshape({x.size(0), 1, m.height, m.width});
  c10::IValue out = m.module.get_method(m.encodeMethod)({images});
  at::Tensor mean;
  if (out.isTensor()) mean = out.toTensor();
  else if (out.isTuple() && !out.toTupleRef().elements().empty() &&
           out.toTupleRef().elements()[0].isTensor())
    mean = out.toTupleRef().elements()[0].toTensor();
  else
    throw std::invalid_argument(m.encodeMethod + "(x) returned " + ivalueKind(out) +
                                ", not a mean or (mean, logvar)");
  if (mean.dim() != 2 || mean.size(0) != x.size(0) || mean.size(1) != m.latentDim)
    throw std::invalid_argument(m.encodeMethod + "(x) gave a mean of shape " + shapeText(mean) +
                                "; the decoder takes z of shape [N, " +
                                std::to_string(m.latentDim) + "]");
  return mean.to(at::kFloat);
}

bool scriptedHasEncoder(const ScriptedModel& m) { return !m.encodeMethod.empty(); }

namespace {
// Runs the loaded module on a batch of 2 and says what it found (probeScript).
std::shared_ptr<ScriptProbe> probeModule(torch::jit::Module& module, const std::string& path,
                                         int latentDim) {
  auto p = std::make_shared<ScriptProbe>();
  p->path = path;
  for (const auto& method : module.get_methods()) {
    p->methods.push_back(method.name());
    if (method.name() != "forward" && method.name() != "decode")
      p->encoderMethods.push_back(method.name());
  }
  const bool hasDecode = std::find(p->methods.begin(), p->methods.end(), "decode") != p->methods.end();
  p->decodeMethod = hasDecode ? "decode" : "forward";
  if (!hasDecode && std::find(p->methods.begin(), p->methods.end(), "forward") == p->methods.end())
    refuse(path, "the module has neither a decode nor a forward method");

  // The latent size: given, from <file>.options.json, or the first that runs.
  std::vector<int> sizes;
  if (latentDim > 0) sizes = {latentDim};
  else if (const int d = latentFromSidecar(path)) sizes = {d};
  else {
    sizes = {2};
    for (int d = 1; d <= 64; ++d) if (d != 2) sizes.push_back(d);
    for (int d : {100, 128, 256, 512}) sizes.push_back(d);
  }
  c10::InferenceMode guard;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
  at::Tensor out;
  std::string firstError;
  for (int d : sizes) {
    const auto z = at::randn({kProbeBatch, d}, gen, at::TensorOptions().dtype(at::kFloat));
    try {
      out = runDecoder(module, p->decodeMethod, z);
      p->latentDim = d;
      break;
    } catch (const std::invalid_argument& e) {
      refuse(path, e.what());  // ran, but returned something that is not a tensor
    } catch (const std::exception& e) {
      if (firstError.empty()) {
        firstError = e.what();
        firstError = firstError.substr(0, firstError.find('\n'));
      }
    }
  }
  if (p->latentDim == 0)
    refuse(path, p->decodeMethod + "(z) did not run on z of shape [2, d] for any latent size d " +
                     (sizes.size() == 1 ? "= " + std::to_string(sizes[0]) : "from 1 to 512") +
                     " (a wrong input size? first error: " + firstError + ")");
  p->outputShape = shapeText(out);
  if (out.size(0) != kProbeBatch)
    refuse(path, p->decodeMethod + "(z) for a batch of 2 gave " + p->outputShape +
                     ": the first dimension must be the batch");
  if (out.dim() == 4 && out.size(1) == 1) {
    p->height = int(out.size(2));
    p->width = int(out.size(3));
  } else if (out.dim() == 3) {
    p->height = int(out.size(1));
    p->width = int(out.size(2));
  } else if (out.dim() == 2) {
    const auto side = int64_t(std::llround(std::sqrt(double(out.size(1)))));
    if (side * side != out.size(1))
      refuse(path, p->decodeMethod + "(z) gave " + p->outputShape + ": " +
                       std::to_string(out.size(1)) + " values per image is not a square image; "
                       "return [N, 1, H, W] so GenLab knows its height and width");
    p->height = p->width = int(side);
  } else {
    refuse(path, p->decodeMethod + "(z) gave " + p->outputShape +
                     ": expected grey images [N, 1, H, W], [N, H, W] or [N, H*W]");
  }
  if (p->height < 1 || p->width < 1 || p->height > kMaxSide || p->width > kMaxSide)
    refuse(path, "images of " + std::to_string(p->height) + "x" + std::to_string(p->width) +
                     " are outside 1..1024 pixels a side");
  const auto values = out.to(at::kDouble);
  if (!at::isfinite(values).all().item<bool>())
    refuse(path, p->decodeMethod + "(z) gave values that are not finite (NaN or infinity)");
  p->minValue = values.min().item<double>();
  p->maxValue = values.max().item<double>();
  p->probabilities = p->minValue >= 0 && p->maxValue <= 1;
  return p;
}
}  // namespace

std::shared_ptr<ScriptProbe> probeScript(const std::string& path, int latentDim) {
  auto module = loadModule(path);
  module.eval();
  return probeModule(module, path, latentDim);
}

std::unique_ptr<VaeSession> VaeSession::openScript(const ScriptImport& import,
                                                   std::shared_ptr<const ImageSplit> data) {
  auto model = std::make_shared<ScriptedModel>();
  model->module = loadModule(import.path);  // read once: probed, then kept
  model->module.eval();
  const auto probe = probeModule(model->module, import.path, import.latentDim);
  if (!probe->probabilities && import.outputs == ScriptImport::Outputs::Unknown) {
    std::ostringstream o;
    o << "its outputs range from " << probe->minValue << " to " << probe->maxValue
      << ", outside [0, 1]: say whether they are logits (GenLab applies a sigmoid) or already "
         "intensities (GenLab clips them)";
    refuse(import.path, o.str());
  }
  model->decodeMethod = probe->decodeMethod;
  model->height = probe->height;
  model->width = probe->width;
  model->latentDim = probe->latentDim;
  model->sigmoid = import.outputs == ScriptImport::Outputs::Logits;
  if (!import.encoderMethod.empty()) {
    if (std::find(probe->methods.begin(), probe->methods.end(), import.encoderMethod) ==
        probe->methods.end())
      refuse(import.path, "it has no method '" + import.encoderMethod + "'");
    model->encodeMethod = import.encoderMethod;
  }

  auto split = std::make_shared<ImageSplit>();
  if (data && model->encodeMethod.empty()) data.reset();  // nothing to map it with
  if (data) {
    if (data->test.height != probe->height || data->test.width != probe->width)
      refuse(import.path, "it decodes " + std::to_string(probe->height) + "x" +
                              std::to_string(probe->width) + " images, but the data set's are " +
                              std::to_string(data->test.height) + "x" +
                              std::to_string(data->test.width));
  } else {
    split->train.height = split->test.height = probe->height;
    split->train.width = split->test.width = probe->width;
    split->test.provenance = "no data (a decoder alone)";
    data = split;
  }
  VaeOptions o;
  o.data = import.data.empty() ? "none" : import.data;
  o.latentDim = probe->latentDim;
  o.epochs = 0;
  o.liveMapSeconds = 0;
  auto impl = std::make_unique<Impl>();
  impl->scripted = model;
  impl->device = c10::Device(c10::kCPU);
  impl->height = probe->height;
  impl->width = probe->width;
  impl->trainX = torch::empty({0, int64_t(probe->height) * probe->width}, torch::kFloat);
  impl->testX = model->encodeMethod.empty()
                    ? torch::empty({0, int64_t(probe->height) * probe->width}, torch::kFloat)
                    : toFloatTensor(data->test, 0, impl->device);
  impl->origin.assign(o.latentDim, 0.f);
  impl->axisX.assign(o.latentDim, 0.f);
  impl->axisY.assign(o.latentDim, 0.f);
  impl->axisX[0] = 1.f;
  if (o.latentDim > 1) impl->axisY[1] = 1.f;
  return std::unique_ptr<VaeSession>(new VaeSession(o, std::move(data), std::move(impl)));
}

namespace {
// The methods of the exported module, written in TorchScript; parameters are
// attributes named like the torch.nn module of docs/export.md, dots as '_'.
std::string mlpSource(int inputs, int h, int w) {
  const std::string n = std::to_string(inputs);
  return "def encode(self, x: Tensor) -> Tuple[Tensor, Tensor]:\n"
         "    h = torch.relu(torch.linear(x.reshape(x.shape[0], " + n + "), self.fc1_weight, self.fc1_bias))\n"
         "    s = torch.linear(h, self.fc2_weight, self.fc2_bias)\n"
         "    d = s.shape[1] // 2\n"
         "    return s[:, :d], s[:, d:]\n"
         "def decode(self, z: Tensor) -> Tensor:\n"
         "    h = torch.relu(torch.linear(z, self.fc3_weight, self.fc3_bias))\n"
         "    y = torch.sigmoid(torch.linear(h, self.fc4_weight, self.fc4_bias))\n"
         "    return y.reshape(z.shape[0], 1, " + std::to_string(h) + ", " + std::to_string(w) + ")\n"
         "def forward(self, z: Tensor) -> Tensor:\n"
         "    return self.decode(z)\n";
}

std::string convSource(int h, int w) {
  const std::string H = std::to_string(h), W = std::to_string(w);
  const std::string h4 = std::to_string(h / 4), w4 = std::to_string(w / 4);
  return "def encode(self, x: Tensor) -> Tuple[Tensor, Tensor]:\n"
         "    y = x.reshape(x.shape[0], 1, " + H + ", " + W + ")\n"
         "    y = torch.relu(torch.conv2d(y, self.c1_weight, self.c1_bias, [2, 2], [1, 1]))\n"
         "    y = torch.relu(torch.conv2d(y, self.c2_weight, self.c2_bias, [2, 2], [1, 1]))\n"
         "    y = torch.relu(torch.linear(y.flatten(1), self.enc_fc_weight, self.enc_fc_bias))\n"
         "    s = torch.linear(y, self.enc_head_weight, self.enc_head_bias)\n"
         "    d = s.shape[1] // 2\n"
         "    return s[:, :d], s[:, d:]\n"
         "def decode(self, z: Tensor) -> Tensor:\n"
         "    y = torch.relu(torch.linear(z, self.dec_fc1_weight, self.dec_fc1_bias))\n"
         "    y = torch.relu(torch.linear(y, self.dec_fc2_weight, self.dec_fc2_bias))\n"
         "    y = y.reshape(z.shape[0], 64, " + h4 + ", " + w4 + ")\n"
         "    y = torch.relu(torch.conv_transpose2d(y, self.d1_weight, self.d1_bias, [2, 2], [1, 1]))\n"
         "    y = torch.conv_transpose2d(y, self.d2_weight, self.d2_bias, [2, 2], [1, 1])\n"
         "    return torch.sigmoid(y)\n"
         "def forward(self, z: Tensor) -> Tensor:\n"
         "    return self.decode(z)\n";
}

std::string attributeName(const std::string& parameter) {
  std::string out = parameter;
  std::replace(out.begin(), out.end(), '.', '_');
  return out;
}
}  // namespace

void VaeSession::exportTorchScript(const std::string& pathPt) const {
  const auto& s = *m_impl;
  if (s.scripted) throw std::invalid_argument("this model came from TorchScript: its file is the export");
  nn::scriptBase(pathPt);  // refuses a wrong name before any work
  const bool conv = m_options.architecture == "conv";
  torch::jit::Module m(conv ? "GenLabConvVae" : "GenLabMlpVae");
  c10::Dict<std::string, at::Tensor> state;
  for (const auto& p : s.net->named_parameters()) {
    // The state dict's names are those of docs/export.md's module: the fused
    // mean/log-variance head is `fc2` there as here.
    auto t = p.value().detach().to(at::kCPU).clone();
    m.register_parameter(attributeName(p.key()), t, false);
    state.insert(p.key(), t);
  }
  m.define(conv ? convSource(s.height, s.width) : mlpSource(s.height * s.width, s.height, s.width));
  m.eval();
  nn::saveScriptExport(m, state, pathPt, m_options.toJson());
}

}  // namespace genlab::core::latent
