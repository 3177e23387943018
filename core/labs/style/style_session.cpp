#include "core/labs/style/style_session.h"

#include <ATen/ATen.h>
#include <torch/optim/adam.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>

#include "core/labs/style/adain_net.h"
#include "core/labs/style/adain_ops.h"
#include "core/labs/style/style_image.h"
#include "core/util/model_file.h"
#include "core/util/tensor_blob.h"

namespace genlab::core::style {

namespace {

torch::Tensor toTensor(const Image& image) {
  checkImage(image, "image");
  auto t = torch::from_blob(const_cast<std::uint8_t*>(image.pixels.data()),
                            {image.height, image.width, 3}, torch::kUInt8);
  return t.permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat32).div(255.0).contiguous();
}

Image toImage(const torch::Tensor& t) {  // 1 x 3 x H x W in [0, 1]
  auto b = t.squeeze(0).clamp(0, 1).mul(255).round().to(torch::kUInt8).permute({1, 2, 0}).contiguous();
  Image out;
  out.height = int(b.size(0));
  out.width = int(b.size(1));
  out.channels = 3;
  out.pixels.assign(b.data_ptr<std::uint8_t>(), b.data_ptr<std::uint8_t>() + b.numel());
  return out;
}

// Longer side at most maxSide, both sides multiples of 4 (area when shrinking).
torch::Tensor resizeFor(const torch::Tensor& t, int maxSide) {
  const double h = double(t.size(2)), w = double(t.size(3));
  const double scale = std::min(1.0, maxSide / std::max(h, w));
  const int64_t nh = std::max<int64_t>(8, int64_t(std::lround(h * scale / 4)) * 4);
  const int64_t nw = std::max<int64_t>(8, int64_t(std::lround(w * scale / 4)) * 4);
  if (nh == t.size(2) && nw == t.size(3)) return t;
  if (nh <= t.size(2) && nw <= t.size(3)) return at::adaptive_avg_pool2d(t, {nh, nw});
  return at::upsample_bilinear2d(t, {nh, nw}, false);
}

// Short side scaled to `side` (training photos are cropped from these).
torch::Tensor resizeShort(const torch::Tensor& t, int side) {
  const double h = double(t.size(2)), w = double(t.size(3));
  const double scale = side / std::min(h, w);
  const int64_t nh = std::max<int64_t>(side, std::lround(h * scale));
  const int64_t nw = std::max<int64_t>(side, std::lround(w * scale));
  if (scale < 1) return at::adaptive_avg_pool2d(t, {nh, nw});
  return at::upsample_bilinear2d(t, {nh, nw}, false);
}

StatsView view(const ChannelStats& s) {
  StatsView v;
  auto m = s.mean.flatten().to(torch::kCPU).contiguous();
  auto d = s.std.flatten().to(torch::kCPU).contiguous();
  v.mean.assign(m.data_ptr<float>(), m.data_ptr<float>() + m.numel());
  v.std.assign(d.data_ptr<float>(), d.data_ptr<float>() + d.numel());
  return v;
}

struct StyleSlot {
  torch::Tensor image;                 // 1 x 3 x H x W
  std::vector<ChannelStats> encoder;   // per encoder layer
  std::vector<ChannelStats> decoder;   // per decoder stage, of decoding its own features
  long decoderVersion = -1;            // the decoder step these were computed at
};

}  // namespace

struct StyleSession::Impl {
  Encoder encoder;
  Decoder decoder;
  std::uint64_t decoderSeed = 1;
  long steps = 0;
  int trainedSize = 0;
  torch::Tensor content;                  // 1 x 3 x H x W
  std::vector<torch::Tensor> contentFeat;  // per encoder layer
  std::array<StyleSlot, kMaxStyles> slots;
  // training
  TrainConfig config;
  std::vector<torch::Tensor> trainContents, trainStyles;
  std::unique_ptr<torch::optim::Adam> optimizer;
  std::mt19937_64 rng;

  Impl(std::uint64_t seed, Encoder enc) : encoder(std::move(enc)), decoder(seed), decoderSeed(seed) {}

  void refreshDecoderStats(StyleSlot& s) {
    if (s.decoderVersion == steps && !s.decoder.empty()) return;
    torch::NoGradGuard ng;
    s.decoder.clear();
    decoder->forward(encoder.deepest(s.image), [&](int, const torch::Tensor& h) {
      s.decoder.push_back(channelStats(h));
      return h;
    });
    s.decoderVersion = steps;
  }

  // Loaded slots and their normalised weights; throws when none has weight.
  std::vector<int> activeSlots(const TransferParams& p, std::vector<double>& w) const {
    std::vector<int> idx;
    for (int i = 0; i < kMaxStyles; ++i)
      if (slots[i].image.defined() && p.weights[i] > 0) {
        idx.push_back(i);
        w.push_back(p.weights[i]);
      }
    if (idx.empty()) throw std::invalid_argument("choose a style image first (or give one a weight above 0)");
    return idx;
  }

  ChannelStats mixed(const std::vector<int>& idx, const std::vector<double>& w, int layer, bool dec) {
    std::vector<ChannelStats> s;
    for (int i : idx) s.push_back(dec ? slots[i].decoder[layer] : slots[i].encoder[layer]);
    return mixStats(s, w);
  }

  // The stylised image (1 x 3 x H x W in [0,1]) and the AdaIN target.
  std::pair<torch::Tensor, torch::Tensor> run(const TransferParams& p, ChannelStats* styleDeep) {
    if (!content.defined()) throw std::invalid_argument("choose a content image first");
    if (!(p.alpha >= 0 && p.alpha <= 1)) throw std::invalid_argument("alpha must be between 0 and 1");
    std::vector<double> w;
    const auto idx = activeSlots(p, w);
    for (int i : idx) refreshDecoderStats(slots[i]);
    const auto deep = mixed(idx, w, kEncoderLayers - 1, false);
    if (styleDeep) *styleDeep = deep;
    auto t = adain(contentFeat.back(), deep, p.alpha * p.strength[0]);
    std::array<ChannelStats, kDecoderStages> stage;
    for (int k = 0; k < kDecoderStages; ++k) stage[k] = mixed(idx, w, k, true);
    auto out = decoder->forward(t, [&](int k, const torch::Tensor& h) {
      const double a = p.alpha * p.strength[k + 1];
      return a > 0 ? adain(h, stage[k], a) : h;
    });
    out = out.clamp(0, 1);
    if (p.preserveColour) out = preserveColour(out, content);
    return {out, t};
  }

  torch::Tensor crop(const std::vector<torch::Tensor>& pool, int n) {
    std::vector<torch::Tensor> out;
    const int s = config.size;
    for (int i = 0; i < n; ++i) {
      const auto& img = pool[std::uniform_int_distribution<std::size_t>(0, pool.size() - 1)(rng)];
      const int64_t y = std::uniform_int_distribution<int64_t>(0, img.size(2) - s)(rng);
      const int64_t x = std::uniform_int_distribution<int64_t>(0, img.size(3) - s)(rng);
      auto c = img.narrow(2, y, s).narrow(3, x, s);
      if (rng() & 1) c = c.flip({3});
      out.push_back(c);
    }
    return at::cat(out, 0).contiguous();
  }

  std::pair<torch::Tensor, TrainMetrics> loss(const torch::Tensor& c, const torch::Tensor& s) {
    std::vector<torch::Tensor> fc, fs;
    {
      torch::NoGradGuard ng;
      fc = encoder.forward(c);
      fs = encoder.forward(s);
    }
    // Half the steps at alpha = 1 (AdaIN's training), half at a random alpha, so
    // the decoder also renders the in-between features the slider asks for.
    const double alpha = (rng() & 1) ? 1.0 : std::uniform_real_distribution<double>(0, 1)(rng);
    auto t = adain(fc.back(), channelStats(fs.back()), alpha).detach();
    auto out = decoder->forward(t);
    auto fo = encoder.forward(out);
    auto lc = at::mse_loss(fo.back(), t);
    auto ls = styleLoss(fo, fs);
    // Identity: the content's own features decode to the content photo. AdaIN's
    // VGG features pin colour down by themselves; a shallow random encoder's do
    // not, and without this term the decoder greys everything out.
    auto li = at::mse_loss(decoder->forward(fc.back()), c);
    auto total = lc + ls * config.styleWeight + li * config.identityWeight;
    return {total, {lc.item<double>(), ls.item<double>(), total.item<double>(), li.item<double>()}};
  }
};

StyleSession::StyleSession(std::uint64_t decoderSeed)
    : m(std::make_unique<Impl>(decoderSeed, Encoder(kDefaultEncoderSeed))) {}

StyleSession::~StyleSession() = default;

long StyleSession::step() const { return m->steps; }

std::string StyleSession::describe() const {
  if (m->steps == 0) return "decoder: untrained";
  return "decoder: " + std::to_string(m->steps) + " steps at " + std::to_string(m->trainedSize) +
         " px, seed " + std::to_string(m->decoderSeed);
}

void StyleSession::save(const std::string& path) const {
  ModelFile f;
  f.lab = "style";
  nlohmann::json meta;
  meta["format"] = "adain-decoder-1";
  meta["encoder_seed"] = m->encoder.seed();
  meta["decoder_seed"] = m->decoderSeed;
  meta["steps"] = m->steps;
  meta["train_size"] = m->trainedSize;
  f.metaJson = meta.dump();
  for (int l = 0; l < kEncoderLayers; ++l) f.tensors["encoder.w" + std::to_string(l)] = toBlob(m->encoder.weights()[l]);
  for (const auto& p : m->decoder->named_parameters()) f.tensors["decoder." + p.key()] = toBlob(p.value());
  f.save(path);
}

std::shared_ptr<StyleSession> StyleSession::load(const std::string& path) {
  const auto f = ModelFile::load(path, "style");
  nlohmann::json meta;
  try {
    meta = nlohmann::json::parse(f.metaJson);
  } catch (const std::exception&) {
    throw ModelFileError(path + ": the decoder's header is not valid JSON");
  }
  if (meta.value("format", "") != "adain-decoder-1")
    throw ModelFileError(path + ": not an AdaIN decoder of this version");
  const auto need = [&](const std::string& name) -> const TensorBlob& {
    auto it = f.tensors.find(name);
    if (it == f.tensors.end()) throw ModelFileError(path + ": missing tensor " + name);
    return it->second;
  };
  std::vector<torch::Tensor> enc;
  for (int l = 0; l < kEncoderLayers; ++l) {
    const auto& b = need("encoder.w" + std::to_string(l));
    auto t = torch::empty(b.shape, torch::kFloat32);
    copyInto(t, b, "encoder.w" + std::to_string(l), path);
    enc.push_back(t);
  }
  auto s = std::make_shared<StyleSession>(meta.value("decoder_seed", std::uint64_t{1}));
  s->m->encoder = Encoder(meta.value("encoder_seed", kDefaultEncoderSeed), enc);
  torch::NoGradGuard ng;
  for (auto& p : s->m->decoder->named_parameters()) {
    auto dst = p.value();
    copyInto(dst, need("decoder." + p.key()), "decoder." + p.key(), path);
  }
  s->m->steps = meta.value("steps", 0L);
  s->m->trainedSize = meta.value("train_size", 0);
  return s;
}

void StyleSession::setContent(const Image& image, int maxSide) {
  torch::NoGradGuard ng;
  m->content = resizeFor(toTensor(image), maxSide);
  m->contentFeat = m->encoder.forward(m->content);
}

void StyleSession::setStyle(int slot, const Image& image, int maxSide) {
  if (slot < 0 || slot >= kMaxStyles) throw std::invalid_argument("style slot must be 1 to 4");
  torch::NoGradGuard ng;
  StyleSlot s;
  s.image = resizeFor(toTensor(image), maxSide);
  for (const auto& f : m->encoder.forward(s.image)) s.encoder.push_back(channelStats(f));
  m->slots[slot] = std::move(s);
}

void StyleSession::clearStyle(int slot) {
  if (slot >= 0 && slot < kMaxStyles) m->slots[slot] = StyleSlot{};
}

bool StyleSession::hasContent() const { return m->content.defined(); }
bool StyleSession::hasStyle(int slot) const {
  return slot >= 0 && slot < kMaxStyles && m->slots[slot].image.defined();
}
Image StyleSession::contentImage() const { return hasContent() ? toImage(m->content) : Image{}; }
Image StyleSession::styleImage(int slot) const { return hasStyle(slot) ? toImage(m->slots[slot].image) : Image{}; }

TransferResult StyleSession::transfer(const TransferParams& p) {
  const auto start = std::chrono::steady_clock::now();
  torch::NoGradGuard ng;
  ChannelStats deep;
  auto [out, t] = m->run(p, &deep);
  TransferResult r;
  r.image = toImage(out);
  r.content = view(channelStats(m->contentFeat.back()));
  r.style = view(deep);
  r.resultReencoded = p.resultStats;
  r.result = view(channelStats(p.resultStats ? m->encoder.deepest(out) : t));
  r.milliseconds = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return r;
}

PairLosses StyleSession::evaluate(const TransferParams& p) {
  torch::NoGradGuard ng;
  auto out = m->run(p, nullptr).first;
  const auto fo = m->encoder.forward(out);
  std::vector<double> w;
  const auto idx = m->activeSlots(p, w);
  std::vector<torch::Tensor> means, stds;
  for (int l = 0; l < kEncoderLayers; ++l) {
    const auto s = m->mixed(idx, w, l, false);
    means.push_back(s.mean);
    stds.push_back(s.std);
  }
  return {at::mse_loss(fo.back(), m->contentFeat.back()).item<double>(),
          styleLossToStats(fo, means, stds).item<double>()};
}

void StyleSession::setTraining(const std::vector<Image>& contents, const std::vector<Image>& styles,
                               const TrainConfig& config) {
  if (contents.empty() || styles.empty()) throw std::invalid_argument("training needs content and style photos");
  if (config.size < 16 || config.size > 1024 || config.size % 4)
    throw std::invalid_argument("--size must be a multiple of 4 between 16 and 1024");
  if (config.batch < 1 || config.batch > 64) throw std::invalid_argument("batch must be 1 to 64");
  torch::NoGradGuard ng;
  m->config = config;
  m->trainContents.clear();
  m->trainStyles.clear();
  const int side = int(std::lround(config.size * 1.25));
  for (const auto& i : contents) m->trainContents.push_back(resizeShort(toTensor(i), side).contiguous());
  for (const auto& i : styles) m->trainStyles.push_back(resizeShort(toTensor(i), side).contiguous());
  m->rng.seed(config.seed);
  m->optimizer = std::make_unique<torch::optim::Adam>(
      m->decoder->parameters(), torch::optim::AdamOptions(config.learningRate));
}

TrainMetrics StyleSession::trainStep() {
  if (!m->optimizer) throw std::logic_error("setTraining first");
  auto c = m->crop(m->trainContents, m->config.batch);
  auto s = m->crop(m->trainStyles, m->config.batch);
  m->optimizer->zero_grad();
  auto [total, metrics] = m->loss(c, s);
  total.backward();
  m->optimizer->step();
  ++m->steps;
  m->trainedSize = m->config.size;
  return metrics;
}

TrainMetrics StyleSession::evaluateTraining(int batches) {
  if (!m->optimizer) throw std::logic_error("setTraining first");
  torch::NoGradGuard ng;
  const auto saved = m->rng;
  m->rng.seed(m->config.seed + 977);
  TrainMetrics sum;
  for (int b = 0; b < batches; ++b) {
    auto c = m->crop(m->trainContents, m->config.batch);
    auto s = m->crop(m->trainStyles, m->config.batch);
    const auto r = m->loss(c, s).second;
    sum.content += r.content / batches;
    sum.style += r.style / batches;
    sum.total += r.total / batches;
    sum.identity += r.identity / batches;
  }
  m->rng = saved;
  return sum;
}

}  // namespace genlab::core::style
