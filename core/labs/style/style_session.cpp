#include "core/labs/style/style_session.h"

#include <ATen/ATen.h>
#include <torch/autograd.h>
#include <torch/optim/adam.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <stdexcept>

#include "core/labs/style/adain_net.h"
#include "core/labs/style/adain_ops.h"
#include "core/labs/style/checkerboard.h"
#include "core/labs/style/mobilenet.h"
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

// Longer side at most maxSide, both sides multiples of m (area when shrinking).
torch::Tensor resizeFor(const torch::Tensor& t, int maxSide, int m) {
  const double h = double(t.size(2)), w = double(t.size(3));
  const double scale = std::min(1.0, maxSide / std::max(h, w));
  const int64_t nh = std::max<int64_t>(2 * m, int64_t(std::lround(h * scale / m)) * m);
  const int64_t nw = std::max<int64_t>(2 * m, int64_t(std::lround(w * scale / m)) * m);
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

// Checkerboard energy of N x 3 x H x W images, each colour channel one image.
double colourEnergy(const torch::Tensor& images, int stride) {
  const auto f = images.to(torch::kCPU).to(torch::kFloat32).contiguous();
  const std::vector<float> v(f.data_ptr<float>(), f.data_ptr<float>() + f.numel());
  return checkerboardEnergy(v, int(f.size(0) * f.size(1)), int(f.size(2)), int(f.size(3)), stride);
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
  double trainedBalance = 0;  // the balance weight of the last training step (transposed decoders)
  torch::Tensor content;                  // 1 x 3 x H x W
  std::vector<torch::Tensor> contentFeat;  // per encoder layer
  std::array<StyleSlot, kMaxStyles> slots;
  // training
  TrainConfig config;
  std::vector<torch::Tensor> trainContents, trainStyles;
  std::unique_ptr<torch::optim::Adam> optimizer;
  std::mt19937_64 rng;

  Impl(std::uint64_t seed, Encoder enc, int transposedKernel)
      : encoder(std::move(enc)),
        decoder(seed, encoder.channels(encoder.layers() - 1), encoder.downsampling() == 8 ? 3 : 2, transposedKernel),
        decoderSeed(seed) {}

  // The regulariser's term of a step, added to the gradients already there.
  void addBalanceGradient() {
    trainedBalance = decoder->transposed() ? config.balanceWeight : 0.0;
    if (trainedBalance > 0) (decoder->balancePenalty() * trainedBalance).backward();
  }

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
    const auto deep = mixed(idx, w, encoder.layers() - 1, false);
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

  torch::Tensor crop(std::mt19937_64& r, const std::vector<torch::Tensor>& pool, int n) {
    std::vector<torch::Tensor> out;
    const int s = config.size;
    for (int i = 0; i < n; ++i) {
      const auto& img = pool[std::uniform_int_distribution<std::size_t>(0, pool.size() - 1)(r)];
      const int64_t y = std::uniform_int_distribution<int64_t>(0, img.size(2) - s)(r);
      const int64_t x = std::uniform_int_distribution<int64_t>(0, img.size(3) - s)(r);
      auto c = img.narrow(2, y, s).narrow(3, x, s);
      if (r() & 1) c = c.flip({3});
      out.push_back(c);
    }
    return at::cat(out, 0).contiguous();
  }

  // Half the steps at alpha = 1 (AdaIN's training), half at a random alpha, so
  // the decoder also renders the in-between features the slider asks for.
  static double drawAlpha(std::mt19937_64& r) {
    return (r() & 1) ? 1.0 : std::uniform_real_distribution<double>(0, 1)(r);
  }

  // The style loss's targets at each encoder layer for a blend at alpha: the
  // per-channel statistics interpolated from the content's (alpha 0) to the
  // style's (alpha 1). At alpha = 1 this is AdaIN's style loss; below 1,
  // asking for the full style's statistics (as a first version did) taught
  // the decoder to amplify a partial blend, and it overshot the style at
  // alpha = 1 (docs/style.md, the alpha sweep).
  static void styleTargets(const std::vector<torch::Tensor>& fc, const std::vector<torch::Tensor>& fs, double alpha,
                           std::vector<torch::Tensor>& means, std::vector<torch::Tensor>& stds) {
    means.clear();
    stds.clear();
    for (std::size_t l = 0; l < fs.size(); ++l) {
      const auto sc = channelStats(fc[l]), ss = channelStats(fs[l]);
      means.push_back(alpha == 1.0 ? ss.mean : sc.mean * (1 - alpha) + ss.mean * alpha);
      stds.push_back(alpha == 1.0 ? ss.std : sc.std * (1 - alpha) + ss.std * alpha);
    }
  }

  std::pair<torch::Tensor, TrainMetrics> loss(const torch::Tensor& c, const torch::Tensor& s, double alpha) {
    std::vector<torch::Tensor> fc, fs;
    {
      torch::NoGradGuard ng;
      fc = encoder.forward(c);
      fs = encoder.forward(s);
    }
    auto t = adain(fc.back(), channelStats(fs.back()), alpha).detach();
    auto out = decoder->forward(t);
    auto fo = encoder.forward(out);
    auto lc = at::mse_loss(fo.back(), t);
    std::vector<torch::Tensor> means, stds;
    styleTargets(fc, fs, alpha, means, stds);
    auto ls = styleLossToStats(fo, means, stds);
    // Identity: the content's own features decode to the content photo. AdaIN's
    // VGG features pin colour down by themselves; a shallow random encoder's do
    // not, and without this term the decoder greys everything out.
    auto li = at::mse_loss(decoder->forward(fc.back()), c);
    auto total = lc + ls * config.styleWeight + li * config.identityWeight;
    return {total, {lc.item<double>(), ls.item<double>(), total.item<double>(), li.item<double>()}};
  }

  // ---- The step (or the evaluation) in pieces ------------------------------
  // Every loss term is a mean over the batch and the samples do not interact
  // (no batch statistics), so the batch's gradient is the sum of each
  // sample's gradient divided by the batch size: one sample at a time, its
  // backward pass split at the decoder's output (autograd::grad to the image,
  // then backward from the image into the decoder), gives the same gradient.
  enum Piece { kEncode, kForward, kEncoderBackward, kDecoderBackward, kIdentityForward,
               kIdentityBackward, kAdam, kPieces };

  struct Pass {
    bool train = false;
    bool active = false;
    int batches = 1, batch = 0, sample = 0;
    Piece piece = kEncode;
    torch::Tensor c, s;  // the batch's crops
    double alpha = 1;
    std::vector<torch::Tensor> means, stds;  // this sample's style-loss targets per layer
    torch::Tensor fc, t, out, main, gradOut, identity;
    TrainMetrics sum;
    std::array<double, kPieces> ms{};  // last measured time of each piece, -1: not yet
    Pass() { ms.fill(-1); }
    void release() { means.clear(); stds.clear(); fc = t = out = main = gradOut = identity = c = s = torch::Tensor(); }
  };
  Pass trainPass, evalPass{};
  std::mt19937_64 evalRng;

  void drawBatch(Pass& p, std::mt19937_64& r) {
    p.c = crop(r, trainContents, config.batch);
    p.s = crop(r, trainStyles, config.batch);
    p.alpha = drawAlpha(r);
    p.sample = 0;
    p.piece = kEncode;
  }

  // Runs the pass's current piece and moves to the next; true when the pass is complete.
  bool runPiece(Pass& p) {
    const double n = config.batch;
    std::mt19937_64& r = p.train ? rng : evalRng;
    if (!p.active) {
      p.active = true;
      p.batch = 0;
      p.sum = {};
      if (!p.train) evalRng.seed(config.seed + 977);
      drawBatch(p, r);
      if (p.train) optimizer->zero_grad();
    }
    torch::AutoGradMode grad(p.train);
    const auto ci = p.piece == kAdam ? torch::Tensor() : p.c.narrow(0, p.sample, 1);
    switch (p.piece) {
      case kEncode: {
        torch::NoGradGuard ng;
        const auto fc = encoder.forward(ci);
        const auto fs = encoder.forward(p.s.narrow(0, p.sample, 1));
        p.fc = fc.back();
        p.t = adain(p.fc, channelStats(fs.back()), p.alpha);
        styleTargets(fc, fs, p.alpha, p.means, p.stds);
        p.piece = kForward;
        return false;
      }
      case kForward: {
        auto out = decoder->forward(p.t);
        auto fo = encoder.forward(out);
        auto lc = at::mse_loss(fo.back(), p.t);
        auto ls = styleLossToStats(fo, p.means, p.stds);
        const double c = lc.item<double>(), s = ls.item<double>();
        p.sum.content += c / n;
        p.sum.style += s / n;
        p.sum.total += (c + s * config.styleWeight) / n;
        if (p.train) {
          p.out = out;
          p.main = (lc + ls * config.styleWeight) / n;
          p.piece = kEncoderBackward;
        } else {
          p.piece = kIdentityForward;
        }
        p.means.clear();
        p.stds.clear();
        return false;
      }
      case kEncoderBackward:
        p.gradOut = torch::autograd::grad({p.main}, {p.out})[0];
        p.main = torch::Tensor();
        p.piece = kDecoderBackward;
        return false;
      case kDecoderBackward:
        p.out.backward(p.gradOut);
        p.out = p.gradOut = torch::Tensor();
        p.piece = kIdentityForward;
        return false;
      case kIdentityForward: {
        auto li = at::mse_loss(decoder->forward(p.fc), ci);
        const double v = li.item<double>();
        p.sum.identity += v / n;
        p.sum.total += v * config.identityWeight / n;
        p.fc = p.t = torch::Tensor();
        if (p.train) {
          p.identity = li * (config.identityWeight / n);
          p.piece = kIdentityBackward;
          return false;
        }
        break;
      }
      case kIdentityBackward:
        p.identity.backward();
        p.identity = torch::Tensor();
        break;
      case kAdam:
        addBalanceGradient();
        optimizer->step();
        ++steps;
        trainedSize = config.size;
        p.active = false;
        p.release();
        return true;
      case kPieces:
        break;
    }
    // The sample is done.
    if (++p.sample < config.batch) {
      p.piece = kEncode;
      return false;
    }
    if (p.train) {
      p.piece = kAdam;
      return false;
    }
    if (++p.batch < p.batches) {
      drawBatch(p, r);
      return false;
    }
    p.sum.content /= p.batches;
    p.sum.style /= p.batches;
    p.sum.identity /= p.batches;
    p.sum.total /= p.batches;
    p.active = false;
    p.release();
    return true;
  }

  bool runPieces(Pass& p, double budgetMs, TrainMetrics* metrics) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    for (;;) {
      const Piece kind = p.active ? p.piece : kEncode;
      const auto t0 = Clock::now();
      const bool done = runPiece(p);
      const auto now = Clock::now();
      p.ms[kind] = std::chrono::duration<double, std::milli>(now - t0).count();
      if (done) {
        if (metrics) *metrics = p.sum;
        return true;
      }
      const double next = p.ms[p.piece];
      if (next < 0 || std::chrono::duration<double, std::milli>(now - start).count() + next > budgetMs)
        return false;
    }
  }
};

StyleSession::StyleSession(std::uint64_t decoderSeed, const std::string& encoder, const std::string& upsampling)
    : m(std::make_unique<Impl>(decoderSeed, makeEncoder(encoder), decoderTransposedKernel(upsampling))) {}

std::string StyleSession::decoderUpsampling() const { return decoderUpsamplingName(m->decoder->transposedKernel); }

std::string StyleSession::encoderKind() const { return m->encoder.kind(); }
int StyleSession::encoderLayers() const { return m->encoder.layers(); }

StyleSession::~StyleSession() = default;

long StyleSession::step() const { return m->steps; }

std::string StyleSession::describe() const {
  std::string enc = m->encoder.net() ? ", pretrained MobileNetV2 encoder" : ", random encoder";
  if (m->decoder->transposed()) {
    enc += ", transposed-conv k" + std::to_string(m->decoder->transposedKernel) + " upsampling";
    if (m->trainedBalance > 0) {
      std::ostringstream w;
      w << m->trainedBalance;
      enc += " (balance regulariser weight " + w.str() + ")";
    }
  }
  if (m->steps == 0) return "decoder: untrained" + enc;
  return "decoder: " + std::to_string(m->steps) + " steps at " + std::to_string(m->trainedSize) +
         " px, seed " + std::to_string(m->decoderSeed) + enc;
}

void StyleSession::save(const std::string& path) const {
  ModelFile f;
  f.lab = "style";
  nlohmann::json meta;
  meta["format"] = "adain-decoder-1";
  meta["encoder"] = m->encoder.kind();
  meta["decoder_seed"] = m->decoderSeed;
  meta["steps"] = m->steps;
  meta["train_size"] = m->trainedSize;
  if (m->decoder->transposed()) meta["upsampling"] = decoderUpsamplingName(m->decoder->transposedKernel);
  if (m->trainedBalance > 0) meta["balance_weight"] = m->trainedBalance;  // of the last training step
  if (const auto* net = m->encoder.net()) {
    // The pretrained weights stay in their own file; this ties the decoder to them.
    meta["encoder_fingerprint"] = net->fingerprint();
    meta["encoder_layers"] = mobileNetTaps();
  } else {
    meta["encoder_seed"] = m->encoder.seed();
    for (int l = 0; l < kEncoderLayers; ++l) f.tensors["encoder.w" + std::to_string(l)] = toBlob(m->encoder.weights()[l]);
  }
  f.metaJson = meta.dump();
  for (const auto& p : m->decoder->named_parameters()) f.tensors["decoder." + p.key()] = toBlob(p.value());
  f.save(path);
}

std::shared_ptr<StyleSession> StyleSession::load(const std::string& path) {
  const auto f = ModelFile::load(path, "style");
  try {
    return fromFile(f, path);
  } catch (const nlohmann::json::exception& e) {
    // A header field of the wrong type (a hand-edited or hostile file).
    throw ModelFileError(path + ": corrupt decoder header: " + e.what());
  }
}

std::shared_ptr<StyleSession> StyleSession::fromFile(const ModelFile& f, const std::string& path) {
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
  // Files from before the pretrained encoder have no "encoder": random.
  const auto kind = meta.contains("encoder") && meta["encoder"].is_string() ? meta["encoder"].get<std::string>()
                                                                            : std::string(kRandomEncoder);
  if (kind != kRandomEncoder && kind != kMobileNetEncoder)
    throw ModelFileError(path + ": the decoder was trained for an encoder this GenLab does not know ('" + kind + "')");
  const auto seed = meta.value("decoder_seed", std::uint64_t{1});
  // Files without "upsampling" have the nearest decoder.
  const auto upsampling = meta.value("upsampling", std::string("nearest"));
  try {
    decoderTransposedKernel(upsampling);
  } catch (const std::invalid_argument&) {
    throw ModelFileError(path + ": unknown decoder upsampling '" + upsampling + "'");
  }
  std::shared_ptr<StyleSession> s;
  if (kind == kMobileNetEncoder) {
    try {
      s = std::make_shared<StyleSession>(seed, kind, upsampling);
    } catch (const std::exception& e) {
      throw ModelFileError(path + ": this decoder belongs to the pretrained MobileNetV2 encoder, which cannot be "
                           "loaded: " + e.what());
    }
    const auto want = meta.value("encoder_fingerprint", std::uint32_t{0});
    if (want != s->m->encoder.net()->fingerprint() ||
        meta.value("encoder_layers", std::vector<std::string>{}) != mobileNetTaps())
      throw ModelFileError(path + ": this decoder was trained on other MobileNetV2 weights or layers than " +
                           mobileNetPath() + " holds; retrain it (`genlab-cli style train-decoder`)");
  } else {
    std::vector<torch::Tensor> enc;
    for (int l = 0; l < kEncoderLayers; ++l) {
      const auto& b = need("encoder.w" + std::to_string(l));
      auto t = torch::empty(b.shape, torch::kFloat32);
      copyInto(t, b, "encoder.w" + std::to_string(l), path);
      enc.push_back(t);
    }
    s = std::make_shared<StyleSession>(seed, kind, upsampling);
    s->m->encoder = Encoder(meta.value("encoder_seed", kDefaultEncoderSeed), enc);
  }
  torch::NoGradGuard ng;
  for (auto& p : s->m->decoder->named_parameters()) {
    auto dst = p.value();
    copyInto(dst, need("decoder." + p.key()), "decoder." + p.key(), path);
  }
  s->m->steps = meta.value("steps", 0L);
  s->m->trainedSize = meta.value("train_size", 0);
  s->m->trainedBalance = meta.value("balance_weight", 0.0);
  if (!std::isfinite(s->m->trainedBalance) || s->m->trainedBalance < 0)
    throw ModelFileError(path + ": the decoder's balance weight is not a number >= 0");
  return s;
}

void StyleSession::setContent(const Image& image, int maxSide) {
  torch::NoGradGuard ng;
  m->content = resizeFor(toTensor(image), maxSide, m->encoder.downsampling());
  m->contentFeat = m->encoder.forward(m->content);
}

void StyleSession::setStyle(int slot, const Image& image, int maxSide) {
  if (slot < 0 || slot >= kMaxStyles) throw std::invalid_argument("style slot must be 1 to 4");
  torch::NoGradGuard ng;
  StyleSlot s;
  s.image = resizeFor(toTensor(image), maxSide, m->encoder.downsampling());
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
  r.statsLayer = m->encoder.layerName(m->encoder.layers() - 1);
  r.checkerboardStride = m->encoder.downsampling();
  r.checkerboard = colourEnergy(out, r.checkerboardStride);
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
  const int layers = m->encoder.layers();
  for (int l = 0; l < layers; ++l) {
    const auto s = m->mixed(idx, w, l, false);
    means.push_back(s.mean);
    stds.push_back(s.std);
  }
  PairLosses r;
  r.content = at::mse_loss(fo.back(), m->contentFeat.back()).item<double>();
  r.styleByLayer.resize(layers);
  for (int l = 0; l < layers; ++l) {
    r.styleByLayer[l] = styleLossToStats({fo[l]}, {means[l]}, {stds[l]}).item<double>();
    r.style += r.styleByLayer[l];
  }
  return r;
}

void StyleSession::setTraining(const std::vector<Image>& contents, const std::vector<Image>& styles,
                               const TrainConfig& config) {
  if (contents.empty() || styles.empty()) throw std::invalid_argument("training needs content and style photos");
  const int mult = m->encoder.downsampling();
  if (config.size < 16 || config.size > 1024 || config.size % mult)
    throw std::invalid_argument("--size must be a multiple of " + std::to_string(mult) +
                                " between 16 and 1024 for the " + m->encoder.kind() + " encoder");
  if (config.batch < 1 || config.batch > 64) throw std::invalid_argument("batch must be 1 to 64");
  torch::NoGradGuard ng;
  m->config = config;
  m->trainContents.clear();
  m->trainStyles.clear();
  const int side = int(std::lround(config.size * 1.25));
  for (const auto& i : contents) m->trainContents.push_back(resizeShort(toTensor(i), side).contiguous());
  for (const auto& i : styles) m->trainStyles.push_back(resizeShort(toTensor(i), side).contiguous());
  m->rng.seed(config.seed);
  abandonSlices();
  m->optimizer = std::make_unique<torch::optim::Adam>(
      m->decoder->parameters(), torch::optim::AdamOptions(config.learningRate));
}

TrainMetrics StyleSession::trainStep() {
  if (!m->optimizer) throw std::logic_error("setTraining first");
  if (m->trainPass.active) throw std::logic_error("a sliced step is half done");
  auto c = m->crop(m->rng, m->trainContents, m->config.batch);
  auto s = m->crop(m->rng, m->trainStyles, m->config.batch);
  const double alpha = Impl::drawAlpha(m->rng);
  m->optimizer->zero_grad();
  auto [total, metrics] = m->loss(c, s, alpha);
  total.backward();
  m->addBalanceGradient();
  m->optimizer->step();
  ++m->steps;
  m->trainedSize = m->config.size;
  return metrics;
}

TrainMetrics StyleSession::evaluateTraining(int batches) {
  if (!m->optimizer) throw std::logic_error("setTraining first");
  torch::NoGradGuard ng;
  std::mt19937_64 er(m->config.seed + 977);  // the same crops every time
  TrainMetrics sum;
  for (int b = 0; b < batches; ++b) {
    auto c = m->crop(er, m->trainContents, m->config.batch);
    auto s = m->crop(er, m->trainStyles, m->config.batch);
    const double alpha = Impl::drawAlpha(er);
    const auto r = m->loss(c, s, alpha).second;
    sum.content += r.content / batches;
    sum.style += r.style / batches;
    sum.total += r.total / batches;
    sum.identity += r.identity / batches;
  }
  return sum;
}

bool StyleSession::trainSlice(double budgetMs, TrainMetrics* metrics) {
  if (!m->optimizer) throw std::logic_error("setTraining first");
  m->trainPass.train = true;
  return m->runPieces(m->trainPass, budgetMs, metrics);
}

bool StyleSession::evaluateSlice(double budgetMs, TrainMetrics* metrics, int batches) {
  if (!m->optimizer) throw std::logic_error("setTraining first");
  if (batches < 1) throw std::invalid_argument("evaluateSlice: batches must be at least 1");
  if (!m->evalPass.active) m->evalPass.batches = batches;
  return m->runPieces(m->evalPass, budgetMs, metrics);
}

std::vector<std::vector<float>> StyleSession::lastGradients() const {
  std::vector<std::vector<float>> out;
  for (const auto& p : m->decoder->parameters()) {
    std::vector<float> v;
    if (p.grad().defined()) {
      auto g = p.grad().detach().flatten().to(torch::kCPU).contiguous();
      v.assign(g.data_ptr<float>(), g.data_ptr<float>() + g.numel());
    }
    out.push_back(std::move(v));
  }
  return out;
}

DecoderCheckerboard StyleSession::measureCheckerboard(int pairs) {
  if (!m->optimizer) throw std::logic_error("setTraining first");
  if (pairs < 1 || pairs > 256) throw std::invalid_argument("checkerboard: pairs must be 1 to 256");
  torch::NoGradGuard ng;
  std::mt19937_64 r(m->config.seed + 7919);  // the same crops every time
  const auto c = m->crop(r, m->trainContents, pairs);
  const auto s = m->crop(r, m->trainStyles, pairs);
  const auto fc = m->encoder.deepest(c);
  const auto stylised = m->decoder->forward(adain(fc, channelStats(m->encoder.deepest(s)), 1.0)).clamp(0, 1);
  const auto rebuilt = m->decoder->forward(fc).clamp(0, 1);
  DecoderCheckerboard out;
  out.images = pairs;
  out.size = m->config.size;
  out.stride = m->encoder.downsampling();
  out.stylised = colourEnergy(stylised, out.stride);
  out.reconstructed = colourEnergy(rebuilt, out.stride);
  out.content = colourEnergy(c, out.stride);
  double sum = 0;
  for (int j = 0; j < m->decoder->levels; ++j) {
    const auto ps = m->decoder->phaseSums(j).to(torch::kCPU).to(torch::kDouble).contiguous();
    PhaseSums p;
    p.inChannels = int(ps.size(0));
    p.outChannels = int(ps.size(1));
    p.values.assign(ps.data_ptr<double>(), ps.data_ptr<double>() + ps.numel());
    sum += phaseImbalance(p);
  }
  out.imbalance = sum / m->decoder->levels;
  return out;
}

void StyleSession::abandonSlices() {
  for (auto* p : {&m->trainPass, &m->evalPass}) {
    p->active = false;
    p->release();
  }
  if (m->optimizer) m->optimizer->zero_grad();
}

}  // namespace genlab::core::style
