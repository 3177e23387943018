// The Style lab's AdaIN part: the operator against its definition, the
// style pad's mix, colour preservation, the decoder file round trip, a short
// training run that must lower the loss, bad images, and the CLI end to end.
#include <ATen/ATen.h>
#include "tests/core/tensor_test_util.h"
#include <torch/autograd.h>
#undef CHECK  // ATen's (glog's) CHECK; Catch's below

#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "cli_test_util.h"
#include "core/data/png_write.h"
#include "core/labs/style/adain_net.h"
#include "core/labs/style/adain_ops.h"
#include "core/labs/style/checkerboard.h"
#include "core/labs/style/style_image.h"
#include "core/labs/style/style_session.h"
#include "core/util/model_file.h"

namespace fs = std::filesystem;
#include "tests/core/tmp_dir.h"

using namespace genlab;
using namespace genlab::core::style;

namespace {

struct TmpDir : genlab::test::TmpDir {
  TmpDir() : genlab::test::TmpDir("genlab-style-") {}
};

using genlab::test::maxAbs;

// A seeded picture with structure (content) or texture (style).
core::Image synthetic(int w, int h, int kind, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> noise(0, 60);
  core::Image im;
  im.width = w;
  im.height = h;
  im.channels = 3;
  im.pixels.resize(std::size_t(w) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      std::uint8_t* p = &im.pixels[(std::size_t(y) * w + x) * 3];
      if (kind == 0) {  // a disc and a bar on a gradient
        const bool disc = (x - w / 3) * (x - w / 3) + (y - h / 2) * (y - h / 2) < (h / 4) * (h / 4);
        const bool bar = x > 2 * w / 3 && x < 2 * w / 3 + w / 8;
        p[0] = std::uint8_t(disc ? 220 : 40 + 150 * x / w);
        p[1] = std::uint8_t(bar ? 200 : 60 + 100 * y / h);
        p[2] = std::uint8_t(disc || bar ? 30 : 120);
      } else {  // coloured stripes with noise
        const int phase = ((x + 2 * y) / (3 + int(seed % 5))) % 2;
        p[0] = std::uint8_t((phase ? 200 : 50) + noise(rng) / 2);
        p[1] = std::uint8_t((phase ? 90 : 170) + noise(rng) / 2);
        p[2] = std::uint8_t(noise(rng) * 3);
      }
    }
  return im;
}

// Two content and two style pictures, and a small training configuration.
struct SmallSet {
  std::vector<core::Image> contents{synthetic(72, 60, 0, 1), synthetic(60, 72, 0, 2)};
  std::vector<core::Image> styles{synthetic(64, 64, 1, 3), synthetic(72, 56, 1, 4)};
  TrainConfig config;
  explicit SmallSet(int batch) {
    config.size = 32;
    config.batch = batch;
    config.seed = 5;
  }
};

// The largest difference between two runs' gradients, and the largest gradient.
std::pair<double, double> gradientGap(const std::vector<std::vector<float>>& ga,
                                      const std::vector<std::vector<float>>& gb) {
  REQUIRE(ga.size() == gb.size());
  double worst = 0, scale = 0;
  for (std::size_t k = 0; k < ga.size(); ++k) {
    REQUIRE(ga[k].size() == gb[k].size());
    REQUIRE_FALSE(ga[k].empty());
    for (std::size_t i = 0; i < ga[k].size(); ++i) {
      worst = std::max(worst, double(std::abs(ga[k][i] - gb[k][i])));
      scale = std::max(scale, double(std::abs(ga[k][i])));
    }
  }
  return {worst, scale};
}

}  // namespace

TEST_CASE("AdaIN gives the style's per-channel mean and std; alpha 0 gives the content back", "[style]") {
  at::manual_seed(3);
  auto content = at::randn({2, 16, 12, 10}) * 1.7 + 0.4;
  auto styleFeat = at::randn({2, 16, 9, 14}) * 0.6 - 1.2 + at::rand({2, 16, 1, 1}) * 3;
  const auto s = channelStats(styleFeat);
  const auto out = channelStats(adain(content, s, 1.0));
  CHECK(maxAbs(out.mean, s.mean) < 1e-5);
  CHECK(maxAbs(out.std, s.std) < 1e-5);
  // alpha = 0: exactly the content features.
  CHECK(maxAbs(adain(content, s, 0.0), content) == 0);
  // alpha in between: the linear blend of content and fully stylised features.
  const auto full = adain(content, s, 1.0);
  CHECK(maxAbs(adain(content, s, 0.3), content * 0.7 + full * 0.3) < 1e-5);
  // The statistics agree with a direct computation (population variance).
  const auto flat = styleFeat.flatten(2);
  const auto var = (flat - flat.mean(-1, true)).pow(2).mean(-1);
  CHECK(maxAbs(s.std.flatten(1), (var + kStatEps).sqrt()) < 1e-5);
  CHECK(maxAbs(s.mean.flatten(1), flat.mean(-1)) < 1e-5);
}

TEST_CASE("the style pad mixes statistics by weight; bad weights are refused", "[style]") {
  at::manual_seed(4);
  const auto a = channelStats(at::randn({1, 8, 6, 6}) + 2);
  const auto b = channelStats(at::randn({1, 8, 6, 6}) * 3);
  const auto m = mixStats({a, b}, {1.0, 3.0});
  CHECK(maxAbs(m.mean, a.mean * 0.25 + b.mean * 0.75) < 1e-6);
  CHECK(maxAbs(m.std, a.std * 0.25 + b.std * 0.75) < 1e-6);
  const auto only = mixStats({a, b}, {0.0, 2.0});
  CHECK(maxAbs(only.mean, b.mean) < 1e-6);
  CHECK_THROWS_AS(mixStats({a, b}, {0.0, 0.0}), std::invalid_argument);
  CHECK_THROWS_AS(mixStats({a, b}, {-1.0, 2.0}), std::invalid_argument);
}

TEST_CASE("preserve-colour keeps the result's luma and the content's chroma", "[style]") {
  at::manual_seed(5);
  auto result = at::rand({1, 3, 8, 8}) * 0.6 + 0.2;
  auto content = at::rand({1, 3, 8, 8}) * 0.6 + 0.2;
  auto kept = preserveColour(result, content);
  const auto luma = [](const at::Tensor& t) {
    return t.select(1, 0) * 0.299 + t.select(1, 1) * 0.587 + t.select(1, 2) * 0.114;
  };
  // Where no channel had to be clipped to [0, 1], the luma is the result's exactly.
  const auto inside = ((kept > 0) & (kept < 1)).all(1);
  REQUIRE(inside.sum().item<long>() > 16);
  CHECK((luma(kept) - luma(result)).abs().masked_select(inside).max().item<double>() < 1e-4);
  // Same image in, same image out.
  CHECK(maxAbs(preserveColour(content, content), content) < 1e-4);
}

TEST_CASE("the encoder is the same for the same seed and different for another", "[style]") {
  const Encoder a(kDefaultEncoderSeed), b(kDefaultEncoderSeed), c(kDefaultEncoderSeed + 1);
  for (int l = 0; l < kEncoderLayers; ++l) {
    CHECK(maxAbs(a.weights()[l], b.weights()[l]) == 0);
    CHECK(maxAbs(a.weights()[l], c.weights()[l]) > 0.01);
  }
  const auto f = a.forward(at::rand({1, 3, 32, 24}));
  REQUIRE(f.size() == 3);
  CHECK(f[2].size(1) == 128);
  CHECK(f[2].size(2) == 8);
  CHECK(f[2].size(3) == 6);
  CHECK_THROWS_AS(a.forward(at::rand({1, 3, 30, 24})), std::invalid_argument);
}

TEST_CASE("decoder training lowers the AdaIN loss; the decoder file round-trips", "[style]") {
  StyleSession s(7);
  std::vector<core::Image> contents{synthetic(96, 80, 0, 1), synthetic(80, 96, 0, 2)};
  std::vector<core::Image> styles{synthetic(80, 80, 1, 3), synthetic(96, 72, 1, 4)};
  TrainConfig c;
  c.size = 48;
  c.batch = 2;
  c.seed = 11;
  s.setTraining(contents, styles, c);
  const auto before = s.evaluateTraining(2);
  for (int i = 0; i < 40; ++i) s.trainStep();
  const auto after = s.evaluateTraining(2);
  INFO("loss " << before.total << " -> " << after.total);
  CHECK(after.total < 0.7 * before.total);
  CHECK(s.step() == 40);

  TmpDir tmp;
  s.save(tmp.path("d.genlab"));
  auto loaded = StyleSession::load(tmp.path("d.genlab"));
  CHECK(loaded->step() == 40);
  for (auto* x : {&s, loaded.get()}) {
    x->setContent(contents[0], 64);
    x->setStyle(0, styles[0], 64);
  }
  TransferParams p;
  p.alpha = 0.6;
  p.strength = {1.0, 0.5, 0.25};
  const auto r1 = s.transfer(p), r2 = loaded->transfer(p);
  CHECK(r1.image.width == 64);
  CHECK(r1.image.pixels == r2.image.pixels);
  CHECK(r1.result.mean.size() == 128);
  // A file that is not a decoder says so.
  { std::ofstream(tmp.path("junk.genlab")) << "not a model"; }
  CHECK_THROWS(StyleSession::load(tmp.path("junk.genlab")));
}

TEST_CASE("the decoder's upsample-and-conv in four phases equals nearest x2, reflection pad and 3x3 conv", "[style]") {
  at::manual_seed(9);
  for (const auto& shape : {std::vector<int64_t>{2, 5, 6, 7}, std::vector<int64_t>{1, 16, 9, 4}}) {
    const auto x = at::randn(shape).requires_grad_(true);
    const auto w = (at::randn({3, shape[1], 3, 3}) * 0.3).requires_grad_(true);
    const auto b = at::randn({3}).requires_grad_(true);
    const auto up = at::upsample_nearest2d(x, {shape[2] * 2, shape[3] * 2});
    const auto ref = at::conv2d(at::reflection_pad2d(up, {1, 1, 1, 1}), w, b);
    const auto out = upsampleConv(x, w, b);
    REQUIRE(out.sizes() == ref.sizes());
    CHECK(maxAbs(out, ref) < 1e-5);
    // The gradients too (the decoder trains through it).
    const auto g = at::randn(ref.sizes());
    const auto gr = torch::autograd::grad({ref}, {x, w, b}, {g});
    const auto go = torch::autograd::grad({out}, {x, w, b}, {g});
    for (int i = 0; i < 3; ++i) CHECK(maxAbs(go[i], gr[i]) < 1e-4);
  }
}

TEST_CASE("the sliced training step gives the whole-batch step's parameters and losses", "[style]") {
  const SmallSet set(3);
  const auto& contents = set.contents;
  const auto& styles = set.styles;
  const TrainConfig& c = set.config;
  StyleSession whole(4), sliced(4);
  whole.setTraining(contents, styles, c);
  sliced.setTraining(contents, styles, c);

  // The evaluation in pieces equals the one-call evaluation.
  TrainMetrics e;
  int pieces = 0;
  while (!sliced.evaluateSlice(0, &e)) ++pieces;
  CHECK(pieces >= 2 * 3 * 3 - 1);  // budget 0: one piece per call (3 per sample, 2 batches of 3)
  const auto e0 = whole.evaluateTraining();
  CHECK(e.total == Approx(e0.total).epsilon(1e-5));
  CHECK(e.identity == Approx(e0.identity).epsilon(1e-5));

  for (int step = 0; step < 3; ++step) {
    const auto a = whole.trainStep();
    TrainMetrics b;
    pieces = 0;
    while (!sliced.trainSlice(0, &b)) ++pieces;
    CHECK(pieces == 6 * 3);  // six pieces per sample, then the Adam step
    CHECK(b.content == Approx(a.content).epsilon(1e-5));
    CHECK(b.style == Approx(a.style).epsilon(1e-5));
    CHECK(b.identity == Approx(a.identity).epsilon(1e-5));
    CHECK(b.total == Approx(a.total).epsilon(1e-5));
    // The accumulated gradient is the batch's (Adam's update would hide a wrong scale).
    const auto [gWorst, gScale] = gradientGap(whole.lastGradients(), sliced.lastGradients());
    INFO("step " << step << ": largest gradient difference " << gWorst << " of " << gScale);
    CHECK(gScale > 0);
    CHECK(gWorst < 1e-4 * gScale);
  }
  CHECK(sliced.step() == 3);
  // A big budget runs several pieces per call; the same numbers again.
  const auto a = whole.trainStep();
  TrainMetrics b;
  int calls = 1;
  while (!sliced.trainSlice(1e9, &b)) ++calls;
  CHECK(calls <= 2);  // the first call measures each piece's time, so it may stop once
  CHECK(b.total == Approx(a.total).epsilon(1e-5));

  TmpDir tmp;
  whole.save(tmp.path("whole.genlab"));
  sliced.save(tmp.path("sliced.genlab"));
  const auto fw = core::ModelFile::load(tmp.path("whole.genlab"));
  const auto fs = core::ModelFile::load(tmp.path("sliced.genlab"));
  REQUIRE(fw.tensors.size() == fs.tensors.size());
  double worst = 0, scale = 0;
  for (const auto& [name, blob] : fw.tensors) {
    const auto& other = fs.tensors.at(name).values;
    REQUIRE(other.size() == blob.values.size());
    for (std::size_t i = 0; i < other.size(); ++i) {
      worst = std::max(worst, double(std::abs(other[i] - blob.values[i])));
      scale = std::max(scale, double(std::abs(blob.values[i])));
    }
  }
  // Adam divides by the root of the gradient's running square, which magnifies
  // float rounding where a gradient is near zero: a tolerance of a tenth of
  // one step's size (lr 1e-3), not of float epsilon.
  INFO("largest parameter difference " << worst << " (largest parameter " << scale << ")");
  CHECK(worst < 1e-4);
  CHECK(scale > 0.01);

  // A half-done step is dropped cleanly; the next one starts afresh.
  CHECK_FALSE(sliced.trainSlice(0, &b));
  sliced.abandonSlices();
  CHECK(sliced.step() == 4);
  CHECK_NOTHROW(sliced.trainStep());
}

TEST_CASE("transfer moves the result's statistics from the content's to the style's as alpha grows", "[style]") {
  StyleSession s(2);
  s.setContent(synthetic(64, 64, 0, 1), 64);
  s.setStyle(0, synthetic(64, 64, 1, 9), 64);
  TransferParams p;
  p.resultStats = false;  // the AdaIN target itself
  p.alpha = 1;
  const auto r = s.transfer(p);
  double worst = 0;
  for (std::size_t k = 0; k < r.style.mean.size(); ++k)
    worst = std::max<double>(worst, std::abs(r.result.mean[k] - r.style.mean[k]));
  CHECK(worst < 1e-4);
  p.alpha = 0;
  const auto r0 = s.transfer(p);
  CHECK(r0.result.mean == r0.content.mean);
  // Without a style there is nothing to transfer.
  s.clearStyle(0);
  CHECK_THROWS_AS(s.transfer(p), std::invalid_argument);
}

TEST_CASE("style images: truncated, non-image and JPEG files are refused with a reason", "[style]") {
  TmpDir tmp;
  core::data::writePng(synthetic(40, 32, 0, 1), tmp.path("ok.png"));
  const auto ok = readImageFile(tmp.path("ok.png"));
  CHECK(ok.width == 40);
  CHECK(ok.channels == 3);
  std::ifstream in(tmp.path("ok.png"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  CHECK_THROWS_WITH(decodeImage(bytes.substr(0, bytes.size() / 2), "half.png"), Catch::Contains("half.png"));
  CHECK_THROWS_WITH(decodeImage("hello, world", "text.png"), Catch::Contains("not a PNG"));
  CHECK_THROWS_WITH(decodeImage(std::string("\xFF\xD8\xFF\xE0", 4) + "xx", "p.jpg"), Catch::Contains("JPEG"));
  // A valid PNG under 8 x 8 (found by fuzz_style_image): a runtime_error as
  // promised, not the invalid_argument checkImage throws for GUI images.
  core::data::writePng(synthetic(4, 4, 0, 1), tmp.path("tiny.png"));
  CHECK_THROWS_MATCHES(readImageFile(tmp.path("tiny.png")), std::runtime_error,
                       Catch::Message(tmp.path("tiny.png") + ": the image is smaller than 8 x 8 pixels"));
  core::Image huge;
  huge.width = 100000;
  huge.height = 100000;
  huge.channels = 3;
  CHECK_THROWS_WITH(checkImage(huge, "huge"), Catch::Contains("--max-pixels"));
}

TEST_CASE("genlab-cli style train-decoder, transfer and alpha-sweep end to end", "[style][cli]") {
  TmpDir tmp;
  const fs::path data = tmp.dir / "photos";
  fs::create_directories(data);
  const char* contents[] = {"astronaut.png", "chelsea.png", "coffee.png", "rocket.png", "china.png"};
  const char* styles[] = {"brick.png", "grass.png"};
  for (int i = 0; i < 5; ++i) core::data::writePng(synthetic(72, 64, 0, i + 1), (data / contents[i]).string());
  for (int i = 0; i < 2; ++i) core::data::writePng(synthetic(64, 64, 1, i + 7), (data / styles[i]).string());
  std::vector<std::string> lines;
  std::string err;
  const auto dec = tmp.path("dec.genlab");
  REQUIRE(test::runCli({"style", "train-decoder", "--steps", "20", "--size", "32", "--seed", "3",
                        "--batch", "2", "--encoder", "random", "--data", data.string(), "--out", dec, "--json"},
                       lines, &err) == 0);
  auto res = nlohmann::json::parse(lines.back());
  CHECK(res["event"] == "result");
  CHECK(res["steps"] == 20);
  CHECK(res["loss_after"]["total"].get<double>() < res["loss_before"]["total"].get<double>());
  REQUIRE(fs::exists(dec));

  lines.clear();
  const auto out = tmp.path("out.png");
  REQUIRE(test::runCli({"style", "transfer", "--content", (data / "chelsea.png").string(), "--style",
                        (data / "brick.png").string() + "," + (data / "grass.png").string(),
                        "--weights", "1,3", "--alpha", "0.8", "--decoder", dec, "--out", out, "--json"},
                       lines, &err) == 0);
  res = nlohmann::json::parse(lines.back());
  CHECK(res["width"] == 72);
  CHECK(res["content_stats"]["mean"].size() == 128);
  CHECK(res["encoder"] == "random");
  CHECK(res["stats_layer"] == "encoder layer 3 (128 channels)");
  // The decoder renders only its own encoder's features: asking for another is refused.
  std::vector<std::string> none;
  CHECK(test::runCli({"style", "transfer", "--content", (data / "chelsea.png").string(), "--style",
                      (data / "brick.png").string(), "--encoder", "mobilenet_v2", "--decoder", dec, "--out", out},
                     none, &err) != 0);
  CHECK(err.find("trained for the random encoder, not mobilenet_v2") != std::string::npos);
  CHECK(readImageFile(out).height == 64);

  lines.clear();
  REQUIRE(test::runCli({"style", "alpha-sweep", "--decoder", dec, "--data", data.string(), "--size", "64", "--json"},
                       lines, &err) == 0);
  res = nlohmann::json::parse(lines.back());
  CHECK(res["pairs"] == 10);

  // Bad input: a missing decoder and a text file as content are errors, not crashes.
  CHECK(test::runCli({"style", "transfer", "--content", dec, "--style", out, "--alpha", "1",
                      "--decoder", dec, "--out", tmp.path("x.png")}, lines, &err) != 0);
  CHECK(test::runCli({"style", "transfer", "--content", out, "--style", out, "--alpha", "1",
                      "--decoder", tmp.path("none.genlab"), "--out", tmp.path("x.png")}, lines, &err) != 0);
}

TEST_CASE("the transposed decoder: phase sums are the overlap counts; balanced kernels leave flat input flat", "[style][checkerboard]") {
  Decoder d(3, 4, 2, /*transposedKernel=*/3);
  REQUIRE(d->convW[1].sizes() == std::vector<int64_t>{64, 32, 3, 3});  // in x out x 3 x 3
  torch::NoGradGuard ng;
  // A kernel of ones: each phase gets as many taps as reach it, [[1, 2], [2, 4]].
  d->convW[1].fill_(1.0);
  const auto counts = transposedOverlapCounts(3, 2, 1);
  const auto s = d->phaseSums(0);
  REQUIRE(s.sizes() == std::vector<int64_t>{64, 32, 2, 2});
  for (int p = 0; p < 4; ++p) CHECK(s[5][7][p / 2][p % 2].item<double>() == Approx(counts[p]));
  // The same sums measured: the layer's response to a constant input, away from the border.
  const auto x = at::ones({1, 64, 6, 6});
  const auto y = at::conv_transpose2d(x, d->convW[1], {}, {2, 2}, {1, 1}, {1, 1});
  for (int p = 0; p < 4; ++p) CHECK(y[0][0][4 + p / 2][4 + p % 2].item<double>() == Approx(64 * counts[p]));
  CHECK(d->balancePenalty().item<double>() > 0.1);
  // An asymmetric kernel tells the taps apart: the computed sums equal the
  // layer's measured response to a constant input on one channel.
  const auto asymmetric = [](int k) {
    auto v = at::empty({k});
    for (int t = 0; t < k; ++t) v[t] = std::pow(10.0, t);
    return at::outer(v, at::arange(1, k + 1).to(at::kFloat));
  };
  for (int k : {3, 4}) {
    Decoder dk(3, 4, 2, k);
    auto& w = dk->convW[1];
    w.zero_();
    w[2][5].copy_(asymmetric(k));
    const auto sums = dk->phaseSums(0)[2][5];
    const auto unit = at::zeros({1, 64, 6, 6});
    unit[0][2].fill_(1.0);
    const auto y = k == 3 ? at::conv_transpose2d(unit, w, {}, {2, 2}, {1, 1}, {1, 1})
                          : at::conv_transpose2d(unit, w, {}, {2, 2}, {1, 1});
    for (int p = 0; p < 4; ++p) {
      INFO("k " << k << ", phase " << p);
      CHECK(sums[p / 2][p % 2].item<double>() == Approx(y[0][5][4 + p / 2][4 + p % 2].item<double>()));
    }
  }

  // Kernels whose phases get equal sums: [0.5, 1, 0.5] along each axis gives
  // phase 0 the middle tap (1) and phase 1 the outer two (0.5 + 0.5).
  const auto k1 = at::tensor({0.5f, 1.0f, 0.5f});
  const auto k = at::outer(k1, k1);
  at::manual_seed(2);
  for (int l = 1; l <= 2; ++l) d->convW[l].copy_(at::rand({d->convW[l].size(0), d->convW[l].size(1), 1, 1}) * k);
  CHECK(d->balancePenalty().item<double>() < 1e-10);
  const auto flat = at::conv_transpose2d(x, d->convW[1], {}, {2, 2}, {1, 1}, {1, 1});
  const auto inner = flat.narrow(2, 2, 8).narrow(3, 2, 8);
  CHECK(maxAbs(inner, inner.amax({2, 3}, true).expand_as(inner)) < 1e-4);
  // k = 4, a kernel the stride divides: every phase gets four taps, balanced
  // at any weights whose taps are equal; the sums match the overlap counts too.
  Decoder d4(3, 4, 2, 4);
  REQUIRE(d4->convW[1].sizes() == std::vector<int64_t>{64, 32, 4, 4});
  d4->convW[1].fill_(1.0);
  const auto counts4 = transposedOverlapCounts(4, 2, 1);
  const auto s4 = d4->phaseSums(0);
  for (int p = 0; p < 4; ++p) CHECK(s4[3][2][p / 2][p % 2].item<double>() == Approx(counts4[p]));
  const auto y4 = at::conv_transpose2d(x, d4->convW[1], {}, {2, 2}, {1, 1});
  CHECK(y4.size(2) == 12);
  for (int p = 0; p < 4; ++p) CHECK(y4[0][0][4 + p / 2][4 + p % 2].item<double>() == Approx(64 * counts4[p]));
  CHECK_THROWS_AS(Decoder(3, 4, 2, 5), std::invalid_argument);
  CHECK(decoderTransposedKernel("transposed4") == 4);
  CHECK_THROWS_AS(decoderTransposedKernel("bicubic"), std::invalid_argument);
  // A nearest decoder has no transposed layer, so nothing to balance.
  Decoder nearest(3, 4, 2);
  CHECK(nearest->balancePenalty().item<double>() == 0.0);
}

TEST_CASE("the transposed decoder trains, the regulariser balances it, sliced steps match, and the file keeps its kind", "[style][checkerboard]") {
  const SmallSet set(2);
  const auto& contents = set.contents;
  const auto& styles = set.styles;
  TrainConfig c = set.config;
  StyleSession plain(4, "random", "transposed3"), balanced(4, "random", "transposed3"),
      sliced(4, "random", "transposed3");
  CHECK(plain.decoderUpsampling() == "transposed3");
  plain.setTraining(contents, styles, c);
  c.balanceWeight = 10;
  balanced.setTraining(contents, styles, c);
  sliced.setTraining(contents, styles, c);
  const auto at0 = plain.measureCheckerboard(4);
  CHECK(at0.stride == 4);
  CHECK(at0.size == 32);
  // At initialisation the transposed layers make a strong checkerboard; the
  // synthetic photos have little power at the stride frequencies.
  INFO("energy at init: stylised " << at0.stylised << ", photos " << at0.content);
  CHECK(at0.stylised > 5 * at0.content);
  CHECK(at0.imbalance > 0.3);
  const auto before = plain.evaluateTraining();
  for (int i = 0; i < 30; ++i) {
    plain.trainStep();
    balanced.trainStep();
  }
  CHECK(plain.evaluateTraining().total < before.total);
  const auto p = plain.measureCheckerboard(4), b = balanced.measureCheckerboard(4);
  INFO("imbalance after 30 steps: plain " << p.imbalance << ", weight 10 " << b.imbalance);
  CHECK(b.imbalance < 0.6 * p.imbalance);
  CHECK(std::isfinite(b.stylised));

  // The regulariser's gradient joins the sliced step as it joins the whole one.
  StyleSession whole(4, "random", "transposed3");
  whole.setTraining(contents, styles, c);
  const auto a = whole.trainStep();
  TrainMetrics m;
  while (!sliced.trainSlice(0, &m)) {
  }
  CHECK(m.total == Approx(a.total).epsilon(1e-5));
  const auto [worst, scale] = gradientGap(whole.lastGradients(), sliced.lastGradients());
  CHECK(scale > 0);
  CHECK(worst < 1e-4 * scale);

  TmpDir tmp;
  balanced.save(tmp.path("t.genlab"));
  auto loaded = StyleSession::load(tmp.path("t.genlab"));
  CHECK(loaded->decoderUpsampling() == "transposed3");
  for (auto* x : {&balanced, loaded.get()}) {
    x->setContent(contents[0], 48);
    x->setStyle(0, styles[0], 48);
  }
  TransferParams tp;
  tp.alpha = 0.7;
  CHECK(balanced.transfer(tp).image.pixels == loaded->transfer(tp).image.pixels);
  CHECK(loaded->describe().find("transposed-conv k3 upsampling (balance regulariser weight 10)") != std::string::npos);

  // Hostile headers: an upsampling of the wrong type or unknown, a k4 claim
  // over k3 tensors, a negative balance weight: refused with the reason.
  const auto original = core::ModelFile::load(tmp.path("t.genlab"));
  const auto withMeta = [&](const std::function<void(nlohmann::json&)>& change) {
    auto f = original;
    auto meta = nlohmann::json::parse(f.metaJson);
    change(meta);
    f.metaJson = meta.dump();
    f.save(tmp.path("h.genlab"));
    return tmp.path("h.genlab");
  };
  const auto refused = [&](const std::string& path, const std::string& why) {
    try {
      StyleSession::load(path);
      FAIL("loaded " << why);
    } catch (const core::ModelFileError& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(why) != std::string::npos);
    }
  };
  refused(withMeta([](nlohmann::json& m) { m["upsampling"] = 3; }), "corrupt decoder header");
  refused(withMeta([](nlohmann::json& m) { m["upsampling"] = "bicubic"; }), "unknown decoder upsampling 'bicubic'");
  refused(withMeta([](nlohmann::json& m) { m["upsampling"] = "transposed4"; }), "decoder.w1");
  refused(withMeta([](nlohmann::json& m) { m["balance_weight"] = -2; }), "balance weight");
}

TEST_CASE("genlab-cli style train-decoder: --upsample prints the checkerboard energies, bad choices are refused, --whole-steps matches the slices", "[style][cli][checkerboard]") {
  TmpDir tmp;
  const fs::path data = tmp.dir / "photos";
  fs::create_directories(data);
  core::data::writePng(synthetic(72, 64, 0, 1), (data / "chelsea.png").string());
  core::data::writePng(synthetic(64, 64, 1, 7), (data / "brick.png").string());
  std::vector<std::string> lines;
  std::string err;
  REQUIRE(test::runCli({"style", "train-decoder", "--steps", "3", "--size", "32", "--seed", "3", "--batch", "2",
                        "--encoder", "random", "--upsample", "transposed3-balanced", "--balance-weight", "5",
                        "--data", data.string(), "--out", tmp.path("t.genlab"), "--json"},
                       lines, &err) == 0);
  const auto start = nlohmann::json::parse(lines.front());
  CHECK(start["upsample"] == "transposed3-balanced");
  CHECK(start["balance_weight"] == 5.0);
  const auto res = nlohmann::json::parse(lines.back());
  const auto& cb = res["checkerboard"];
  for (const char* when : {"at_init", "after"})
    for (const char* key : {"energy_stylised", "energy_reconstructed", "energy_content_photos", "phase_imbalance"}) {
      INFO(when << " " << key);
      REQUIRE(cb[when][key].is_number());
      CHECK(cb[when][key].get<double>() >= 0);
      CHECK(cb[when][key].get<double>() <= 1);
    }
  CHECK(cb["at_init"]["stride"] == 4);
  CHECK(StyleSession::load(tmp.path("t.genlab"))->decoderUpsampling() == "transposed3");
  // The regulariser needs transposed layers; an unknown upsampling is named.
  CHECK(test::runCli({"style", "train-decoder", "--steps", "3", "--size", "32", "--encoder", "random", "--upsample",
                      "nearest", "--balance-weight", "1", "--data", data.string(), "--out", tmp.path("n.genlab")},
                     lines, &err) != 0);
  CHECK(err.find("--balance-weight needs a transposed --upsample") != std::string::npos);
  CHECK(test::runCli({"style", "train-decoder", "--steps", "3", "--size", "32", "--encoder", "random", "--upsample",
                      "bicubic", "--data", data.string(), "--out", tmp.path("n.genlab")},
                     lines, &err) != 0);
  CHECK(err.find("--upsample must be") != std::string::npos);
  CHECK(test::runCli({"style", "train-decoder", "--steps", "3", "--size", "32", "--encoder", "random", "--upsample",
                      "transposed3-balanced", "--balance-weight", "0", "--data", data.string(), "--out",
                      tmp.path("n.genlab")},
                     lines, &err) != 0);
  CHECK(err.find("needs a --balance-weight above 0") != std::string::npos);

  // --whole-steps (make data's headless training): whole Adam steps, the same
  // decoder as the worker's per-sample slices to float rounding.
  std::vector<std::string> sliced, whole;
  REQUIRE(test::runCli({"style", "train-decoder", "--steps", "3", "--size", "32", "--seed", "2", "--batch", "2",
                        "--encoder", "random", "--data", data.string(), "--out", tmp.path("s.genlab"), "--json"},
                       sliced, &err) == 0);
  REQUIRE(test::runCli({"style", "train-decoder", "--steps", "3", "--size", "32", "--seed", "2", "--batch", "2",
                        "--encoder", "random", "--whole-steps", "--data", data.string(), "--out",
                        tmp.path("w.genlab"), "--json"},
                       whole, &err) == 0);
  CHECK(nlohmann::json::parse(whole.front())["whole_steps"] == true);
  CHECK(nlohmann::json::parse(sliced.front())["whole_steps"] == false);
  const auto rs = nlohmann::json::parse(sliced.back()), rw = nlohmann::json::parse(whole.back());
  CHECK(rw["steps"] == 3);
  CHECK(rw["loss_before"]["total"].get<double>() == Approx(rs["loss_before"]["total"].get<double>()).epsilon(1e-5));
  CHECK(rw["loss_after"]["total"].get<double>() == Approx(rs["loss_after"]["total"].get<double>()).epsilon(1e-3));
  const auto fs = core::ModelFile::load(tmp.path("s.genlab")), fw = core::ModelFile::load(tmp.path("w.genlab"));
  double worst = 0;
  for (const auto& [name, blob] : fs.tensors)
    for (std::size_t i = 0; i < blob.values.size(); ++i)
      worst = std::max(worst, double(std::abs(blob.values[i] - fw.tensors.at(name).values[i])));
  INFO("largest parameter difference, sliced vs whole: " << worst);
  CHECK(worst < 1e-4);
}
