// The Style lab's pretrained encoder: GenLab's LibTorch MobileNetV2, loaded
// from the converted nsfwjs@4.3.0 weights (data/style/mobilenet_v2.genlab,
// `make data`), against what tfjs itself computes on the same two inputs
// (tests/fixtures/mobilenet_v2_tfjs.json, scripts/validate-mobilenet.sh).
#include <ATen/ATen.h>
#include <torch/types.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/labs/style/mobilenet.h"
#include "core/labs/style/style_image.h"
#include "core/util/model_file.h"
#include "tests/test_skips.h"

namespace fs = std::filesystem;
using namespace genlab::core;
using namespace genlab::core::style;

namespace {

constexpr int S = 224;

// The same formulas as scripts/validate-mobilenet.js (integer pixels 0..255).
int rampPixel(int y, int x, int c) {
  const int v[3] = {x * 255 / (S - 1), y * 255 / (S - 1), (x + y) * 255 / (2 * (S - 1))};
  return v[c];
}
int patternPixel(int y, int x, int c) {
  if (c == 0) {
    const int t = (3 * x + 5 * y) % 128;
    return t < 64 ? 4 * t : 4 * (127 - t) + 3;
  }
  if (c == 1) return ((x >> 4) + (y >> 4)) % 2 ? 220 : 35;
  return ((x - 112) * (x - 112) + (y - 90) * (y - 90)) % 256;
}

// 1 x 3 x S x S, pixel / 255 in float32 (as tfjs divides), and the pixel sum.
std::pair<at::Tensor, double> makeInput(const std::string& name) {
  auto t = torch::empty({1, 3, S, S}, torch::kFloat32);
  auto a = t.accessor<float, 4>();
  double sum = 0;
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < S; ++y)
      for (int x = 0; x < S; ++x) {
        const int v = name == "ramp" ? rampPixel(y, x, c) : patternPixel(y, x, c);
        a[0][c][y][x] = float(v) / 255.0f;
        sum += v;
      }
  return {t, sum};
}

std::string weightsPath() { return (fs::path(GENLAB_SOURCE_DIR) / "data" / "style" / "mobilenet_v2.genlab").string(); }
std::string fixturePath() { return (fs::path(GENLAB_SOURCE_DIR) / "tests" / "fixtures" / "mobilenet_v2_tfjs.json").string(); }

}  // namespace

TEST_CASE("style: the converted MobileNetV2 matches tfjs on two fixed inputs", "[style][mobilenet]") {
  GENLAB_REQUIRE_FIXTURE(fs::exists(weightsPath()), "data/style/mobilenet_v2.genlab (run `make data`)");
  GENLAB_REQUIRE_FIXTURE(fs::exists(fixturePath()), "tests/fixtures/mobilenet_v2_tfjs.json");
  const auto net = MobileNetV2::load(weightsPath());
  std::ifstream in(fixturePath());
  const auto fx = nlohmann::json::parse(in);
  const auto layers = fx.at("layers").get<std::vector<std::string>>();
  const auto probes = fx.at("probes_yxc").get<std::vector<std::array<int, 3>>>();
  double worstProb = 0, worstStat = 0, worstProbe = 0;
  for (const auto& [name, want] : fx.at("inputs").items()) {
    INFO("input " << name);
    const auto [x, sum] = makeInput(name);
    REQUIRE(sum == want.at("pixel_sum").get<double>());  // the same input on both sides
    const auto probs = net->classify(x).flatten();
    const auto p = want.at("probabilities").get<std::vector<double>>();
    REQUIRE(probs.numel() == 5);
    for (int k = 0; k < 5; ++k) worstProb = std::max(worstProb, std::abs(probs[k].item<double>() - p[k]));
    const auto feats = net->features(x, layers);
    for (std::size_t l = 0; l < layers.size(); ++l) {
      INFO("layer " << layers[l]);
      const auto& w = want.at("layers").at(layers[l]);
      const auto shape = w.at("shape_hwc").get<std::vector<int>>();
      const auto& f = feats[l];
      REQUIRE(f.size(2) == shape[0]);
      REQUIRE(f.size(3) == shape[1]);
      REQUIRE(f.size(1) == shape[2]);
      const auto mean = f.mean({0, 2, 3});
      const auto sd = f.var({0, 2, 3}, /*unbiased=*/false).sqrt();
      const auto wm = w.at("mean").get<std::vector<double>>(), ws = w.at("std").get<std::vector<double>>();
      for (int c = 0; c < f.size(1); ++c) {
        worstStat = std::max(worstStat, std::abs(mean[c].item<double>() - wm[c]));
        worstStat = std::max(worstStat, std::abs(sd[c].item<double>() - ws[c]));
      }
      const auto wp = w.at("probes").get<std::vector<double>>();
      for (std::size_t k = 0; k < probes.size(); ++k) {
        const auto [py, px, pc] = probes[k];
        worstProbe = std::max(worstProbe, std::abs(f[0][pc][py][px].item<double>() - wp[k]));
      }
    }
  }
  // Float rounding only: tfjs applies batch norm after each conv, GenLab
  // folds it in, and the sums run in other orders. The activations are
  // ReLU6 outputs (0..6), so 1e-4 is ~1e-5 relative.
  WARN("max deviation from tfjs: probabilities " << worstProb << ", per-channel mean/std " << worstStat
                                                 << ", raw values " << worstProbe);
  CHECK(worstProb < 1e-4);
  CHECK(worstStat < 1e-4);
  CHECK(worstProbe < 1e-4);
}

TEST_CASE("style: MobileNetV2 weight files that do not fit are refused with a reason", "[style][mobilenet]") {
  const auto dir = fs::temp_directory_path() / ("genlab-mnv2-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  ModelFile f;
  f.lab = "style";
  f.metaJson = R"({"format":"adain-decoder-1"})";
  f.save((dir / "a.genlab").string());
  CHECK_THROWS_WITH(MobileNetV2::load((dir / "a.genlab").string()), Catch::Contains("not a converted MobileNetV2"));
  f.metaJson = R"({"format":"mobilenet_v2-keras-1","layers":[]})";
  f.save((dir / "b.genlab").string());
  CHECK_THROWS_WITH(MobileNetV2::load((dir / "b.genlab").string()), Catch::Contains("layer Conv1 is missing"));
  if (fs::exists(weightsPath())) {
    // The real file with one tensor of the wrong shape.
    auto real = ModelFile::load(weightsPath(), "style");
    real.tensors["block_3_expand/kernel"].shape = {1, 1, 144, 24};
    real.save((dir / "c.genlab").string());
    CHECK_THROWS_WITH(MobileNetV2::load((dir / "c.genlab").string()),
                      Catch::Contains("block_3_expand/kernel has shape [1,1,144,24], expected [1,1,24,144]"));
    // ... and a ReLU that is not ReLU6.
    real = ModelFile::load(weightsPath(), "style");
    auto meta = nlohmann::json::parse(real.metaJson);
    for (auto& l : meta["layers"])
      if (l["name"] == "block_2_expand_relu") l["max_value"] = 5;
    real.metaJson = meta.dump();
    real.save((dir / "d.genlab").string());
    CHECK_THROWS_WITH(MobileNetV2::load((dir / "d.genlab").string()), Catch::Contains("block_2_expand_relu: max_value"));
  }
  fs::remove_all(dir);
}
