#include "core/labs/style/mobilenet.h"

#include <ATen/ATen.h>
#include <torch/types.h>
#include <zlib.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/util/model_file.h"

namespace genlab::core::style {

namespace {

using Json = nlohmann::json;
inline constexpr char kFormat[] = "mobilenet_v2-keras-1";

// MobileNetV2's inverted residual blocks after the stem: (output channels,
// repeats, first stride), expansion 6 (Sandler et al. 2018, table 2).
struct Stage {
  int out, repeats, stride;
};
constexpr Stage kStages[] = {{24, 2, 2}, {32, 3, 2}, {64, 4, 2}, {96, 3, 1}, {160, 3, 2}, {320, 1, 1}};

class Loader {
 public:
  Loader(const ModelFile& f, std::string path) : m_file(f), m_path(std::move(path)) {
    Json meta;
    try {
      meta = Json::parse(f.metaJson);
    } catch (const std::exception&) {
      throw fail("the header's meta is not valid JSON");
    }
    if (!meta.is_object() || meta.value("format", "") != kFormat)
      throw fail(std::string("not a converted MobileNetV2 (meta format is not ") + kFormat +
                 "; write it with scripts/convert-mobilenet.js)");
    const auto it = meta.find("layers");
    if (it == meta.end() || !it->is_array()) throw fail("the meta has no layer list");
    for (const auto& l : *it) {
      if (!l.is_object() || !l.contains("name") || !l["name"].is_string() || !l.contains("class") ||
          !l["class"].is_string())
        throw fail("a layer in the layer list has no name or class");
      m_layers[l["name"].get<std::string>()] = l;
    }
  }

  ModelFileError fail(const std::string& why) const { return ModelFileError(m_path + ": " + why); }

  const Json& layer(const std::string& name, const std::string& cls) const {
    const auto it = m_layers.find(name);
    if (it == m_layers.end()) throw fail("layer " + name + " is missing from the layer list");
    if (it->second["class"] != cls)
      throw fail("layer " + name + " is a " + it->second["class"].get<std::string>() + ", expected " + cls);
    return it->second;
  }

  // The layer's `key` must equal `want` (compared as JSON).
  void expect(const Json& l, const char* key, const Json& want) const {
    if (!l.contains(key) || l[key] != want)
      throw fail("layer " + l["name"].get<std::string>() + ": " + key + " is " +
                 (l.contains(key) ? l[key].dump() : "missing") + ", GenLab implements " + want.dump());
  }

  at::Tensor tensor(const std::string& name, const std::vector<std::int64_t>& shape) const {
    const auto it = m_file.tensors.find(name);
    if (it == m_file.tensors.end()) throw fail("missing tensor " + name);
    if (it->second.shape != shape)
      throw fail("tensor " + name + " has shape " + Json(it->second.shape).dump() + ", expected " +
                 Json(shape).dump());
    for (float v : it->second.values)
      if (!std::isfinite(v)) throw fail("tensor " + name + " holds a value that is not finite");
    auto t = torch::from_blob(const_cast<float*>(it->second.values.data()), shape, torch::kFloat32);
    return t.clone();
  }

  // A Keras conv (3x3 or 1x1, plain or depthwise) followed by its batch norm
  // and, when relu is non-empty, a ReLU6; the batch norm folded in.
  MobileNetV2::Conv conv(const std::string& name, const std::string& bn, const std::string& relu, int in,
                         int out, int k, int stride, bool depthwise) const {
    const auto& l = layer(name, depthwise ? "DepthwiseConv2D" : "Conv2D");
    expect(l, "kernel_size", {k, k});
    expect(l, "strides", {stride, stride});
    expect(l, "dilation_rate", {1, 1});
    expect(l, "use_bias", false);
    expect(l, "data_format", "channels_last");
    MobileNetV2::Conv c;
    c.stride = stride;
    if (stride == 2) {
      expect(l, "padding", "valid");
      const std::string pad = name == "Conv1" ? "Conv1_pad" : name.substr(0, name.rfind('_')) + "_pad";
      expect(layer(pad, "ZeroPadding2D"), "padding", Json::array({{0, 1}, {0, 1}}));
      expect(l, "inputs", Json::array({pad}));
      c.padBottomRight = true;
    } else if (k == 1 && l.value("padding", "") == "valid") {
      c.pad = 0;  // Conv_1: "valid" and "same" agree for 1x1
    } else {
      expect(l, "padding", "same");
      c.pad = k / 2;
    }
    at::Tensor w;
    if (depthwise) {
      expect(l, "depth_multiplier", 1);
      w = tensor(name + "/depthwise_kernel", {k, k, in, 1}).permute({2, 3, 0, 1});
      c.groups = in;
    } else {
      expect(l, "filters", out);
      w = tensor(name + "/kernel", {k, k, in, out}).permute({3, 2, 0, 1});
    }
    const auto& b = layer(bn, "BatchNormalization");
    expect(b, "inputs", Json::array({name}));
    expect(b, "center", true);
    expect(b, "scale", true);
    const double eps = b.value("epsilon", -1.0);
    if (!(eps > 0 && eps < 1)) throw fail("layer " + bn + ": epsilon must lie in (0, 1)");
    const auto gamma = tensor(bn + "/gamma", {out}).to(torch::kFloat64);
    const auto beta = tensor(bn + "/beta", {out}).to(torch::kFloat64);
    const auto mean = tensor(bn + "/moving_mean", {out}).to(torch::kFloat64);
    const auto var = tensor(bn + "/moving_variance", {out}).to(torch::kFloat64);
    if ((var < 0).any().item<bool>()) throw fail("layer " + bn + ": a negative moving variance");
    const auto scale = gamma / (var + eps).sqrt();
    c.w = (w.to(torch::kFloat64) * scale.view({-1, 1, 1, 1})).to(torch::kFloat32).contiguous();
    c.b = (beta - mean * scale).to(torch::kFloat32).contiguous();
    c.name = name;
    if (!relu.empty()) {
      const auto& r = layer(relu, "ReLU");
      expect(r, "inputs", Json::array({bn}));
      expect(r, "max_value", 6);
      if (r.value("negative_slope", 0.0) != 0.0 || r.value("threshold", 0.0) != 0.0)
        throw fail("layer " + relu + ": GenLab implements ReLU6 without slope or threshold");
      c.relu6 = true;
      c.name = relu;
    }
    return c;
  }

  std::pair<at::Tensor, at::Tensor> dense(const std::string& name, int in, int out, const char* act) const {
    const auto& l = layer(name, "Dense");
    expect(l, "units", out);
    expect(l, "use_bias", true);
    expect(l, "activation", act);
    return {tensor(name + "/kernel", {in, out}).t().contiguous(), tensor(name + "/bias", {out})};
  }

 private:
  const ModelFile& m_file;
  std::string m_path;
  std::map<std::string, Json> m_layers;
};

at::Tensor run(const MobileNetV2::Conv& c, at::Tensor x) {
  if (c.padBottomRight) x = at::constant_pad_nd(x, {0, 1, 0, 1});
  x = at::conv2d(x, c.w, c.b, {c.stride, c.stride}, {c.pad, c.pad}, {1, 1}, c.groups);
  return c.relu6 ? at::clamp(x, 0, 6) : x;
}

}  // namespace

std::shared_ptr<MobileNetV2> MobileNetV2::load(const std::string& path) {
  const auto file = ModelFile::load(path, "style");
  try {
    return build(file, path);
  } catch (const nlohmann::json::exception& e) {
    // A layer entry with a field of the wrong type.
    throw ModelFileError(path + ": corrupt layer list: " + e.what());
  }
}

std::shared_ptr<MobileNetV2> MobileNetV2::build(const ModelFile& file, const std::string& path) {
  Loader ld(file, path);
  auto net = std::make_shared<MobileNetV2>();
  net->m_blocks.push_back({{ld.conv("Conv1", "bn_Conv1", "Conv1_relu", 3, 32, 3, 2, false)}, false});
  net->m_blocks.push_back(
      {{ld.conv("expanded_conv_depthwise", "expanded_conv_depthwise_BN", "expanded_conv_depthwise_relu", 32, 32, 3, 1,
                true),
        ld.conv("expanded_conv_project", "expanded_conv_project_BN", "", 32, 16, 1, 1, false)},
       false});
  int in = 16, k = 1;
  std::string previous = "expanded_conv_project_BN";
  for (const auto& s : kStages) {
    for (int r = 0; r < s.repeats; ++r, ++k) {
      const std::string p = "block_" + std::to_string(k) + "_";
      const int stride = r == 0 ? s.stride : 1, mid = in * 6;
      Block b;
      b.convs.push_back(ld.conv(p + "expand", p + "expand_BN", p + "expand_relu", in, mid, 1, 1, false));
      b.convs.push_back(ld.conv(p + "depthwise", p + "depthwise_BN", p + "depthwise_relu", mid, mid, 3, stride, true));
      b.convs.push_back(ld.conv(p + "project", p + "project_BN", "", mid, s.out, 1, 1, false));
      b.residual = stride == 1 && in == s.out;
      ld.expect(ld.layer(p + "expand", "Conv2D"), "inputs", Json::array({previous}));
      if (b.residual) {
        ld.expect(ld.layer(p + "add", "Add"), "inputs", Json::array({previous, p + "project_BN"}));
        previous = p + "add";
      } else {
        previous = p + "project_BN";
      }
      net->m_blocks.push_back(std::move(b));
      in = s.out;
    }
  }
  ld.expect(ld.layer("Conv_1", "Conv2D"), "inputs", Json::array({previous}));
  net->m_blocks.push_back({{ld.conv("Conv_1", "Conv_1_bn", "out_relu", 320, 1280, 1, 1, false)}, false});
  const auto& pool = ld.layer("average_pooling2d_1", "AveragePooling2D");
  ld.expect(pool, "pool_size", {7, 7});
  ld.expect(pool, "strides", {7, 7});
  ld.expect(pool, "inputs", Json::array({"out_relu"}));
  const std::pair<const char*, int> head[] = {{"dense_1", 256}, {"dense_2", 128}, {"dense_3", 5}};
  int width = 1280;
  for (const auto& [name, units] : head) {
    auto [w, b] = ld.dense(name, width, units, units == 5 ? "softmax" : "relu");
    net->m_denseW.push_back(w);
    net->m_denseB.push_back(b);
    width = units;
  }
  uLong crc = crc32(0L, Z_NULL, 0);
  auto add = [&](const at::Tensor& t) {
    crc = crc32(crc, reinterpret_cast<const Bytef*>(t.data_ptr<float>()), uInt(t.numel() * 4));
  };
  for (const auto& b : net->m_blocks)
    for (const auto& c : b.convs) {
      add(c.w);
      add(c.b);
    }
  for (std::size_t i = 0; i < net->m_denseW.size(); ++i) {
    add(net->m_denseW[i]);
    add(net->m_denseB[i]);
  }
  net->m_fingerprint = std::uint32_t(crc);
  return net;
}

std::vector<at::Tensor> MobileNetV2::features(const at::Tensor& image, const std::vector<std::string>& taps) const {
  if (image.dim() != 4 || image.size(1) != 3) throw std::invalid_argument("MobileNetV2: expected N x 3 x H x W images");
  std::vector<at::Tensor> out(taps.size());
  std::size_t found = 0;
  for (const auto& t : taps) stride(t);  // throws on an unknown name
  auto x = image;
  for (const auto& b : m_blocks) {
    auto y = x;
    for (const auto& c : b.convs) {
      y = run(c, y);
      for (std::size_t i = 0; i < taps.size(); ++i)
        if (taps[i] == c.name) {
          out[i] = y;
          ++found;
        }
      if (found == taps.size()) return out;
    }
    x = b.residual ? x + y : y;
  }
  return out;
}

at::Tensor MobileNetV2::classify(const at::Tensor& image) const {
  if (image.dim() != 4 || image.size(2) != 224 || image.size(3) != 224)
    throw std::invalid_argument("MobileNetV2: the classifier takes N x 3 x 224 x 224 images");
  auto x = at::avg_pool2d(features(image, {"out_relu"})[0], {7, 7}, {7, 7}).flatten(1);
  for (std::size_t i = 0; i < m_denseW.size(); ++i) {
    x = at::linear(x, m_denseW[i], m_denseB[i]);
    x = i + 1 < m_denseW.size() ? at::relu(x) : at::softmax(x, 1);
  }
  return x;
}

int MobileNetV2::channels(const std::string& tap) const {
  for (const auto& b : m_blocks)
    for (const auto& c : b.convs)
      if (c.relu6 && c.name == tap) return int(c.w.size(0));
  throw std::invalid_argument("MobileNetV2: no ReLU6 output named " + tap);
}

int MobileNetV2::stride(const std::string& tap) const {
  int s = 1;
  for (const auto& b : m_blocks)
    for (const auto& c : b.convs) {
      s *= c.stride;
      if (c.relu6 && c.name == tap) return s;
    }
  throw std::invalid_argument("MobileNetV2: no ReLU6 output named " + tap);
}

void MobileNetV2::to(c10::Device device) {
  for (auto& b : m_blocks)
    for (auto& c : b.convs) {
      c.w = c.w.to(device);
      c.b = c.b.to(device);
    }
  for (auto& t : m_denseW) t = t.to(device);
  for (auto& t : m_denseB) t = t.to(device);
}

}  // namespace genlab::core::style
