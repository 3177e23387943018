#include "core/labs/style/adain_net.h"

#include <ATen/ATen.h>

#include <cmath>
#include <random>
#include <stdexcept>

#include "core/labs/style/adain_ops.h"
#include "core/labs/style/mobilenet.h"
#include "core/labs/style/phase_balance.h"

namespace genlab::core::style {

namespace {

torch::Tensor conv(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b = {}) {
  auto padded = at::reflection_pad2d(x, {1, 1, 1, 1});
  return at::conv2d(padded, w, b);
}

// He-normal weights from std::mt19937_64 and a Box-Muller transform: the same
// numbers on every platform and LibTorch version.
torch::Tensor seededConv(std::mt19937_64& rng, int out, int in) {
  const std::size_t n = std::size_t(out) * in * 9;
  std::vector<float> v(n);
  const double scale = std::sqrt(2.0 / (in * 9.0));
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (std::size_t i = 0; i < n; i += 2) {
    const double u1 = std::max(u(rng), 1e-300), u2 = u(rng);
    const double r = std::sqrt(-2 * std::log(u1));
    v[i] = float(r * std::cos(2 * M_PI * u2) * scale);
    if (i + 1 < n) v[i + 1] = float(r * std::sin(2 * M_PI * u2) * scale);
  }
  return torch::from_blob(v.data(), {out, in, 3, 3}, torch::kFloat32).clone();
}

}  // namespace

Encoder::Encoder(std::uint64_t seed) : m_seed(seed) {
  std::mt19937_64 rng(seed);
  int in = 3;
  for (int c : kEncoderChannels) {
    m_weights.push_back(seededConv(rng, c, in));
    in = c;
  }
}

Encoder::Encoder(std::uint64_t seed, std::vector<torch::Tensor> weights)
    : m_seed(seed), m_weights(std::move(weights)) {
  if (m_weights.size() != kEncoderLayers) throw std::invalid_argument("encoder: expected 3 layers");
  int in = 3;
  for (int l = 0; l < kEncoderLayers; ++l) {
    const auto& w = m_weights[l];
    if (w.dim() != 4 || w.size(0) != kEncoderChannels[l] || w.size(1) != in || w.size(2) != 3 ||
        w.size(3) != 3)
      throw std::invalid_argument("encoder: layer " + std::to_string(l + 1) + " has the wrong shape");
    in = kEncoderChannels[l];
  }
}

Encoder::Encoder(std::shared_ptr<MobileNetV2> net) : m_net(std::move(net)) {
  if (!m_net) throw std::invalid_argument("encoder: no MobileNetV2 given");
}

int Encoder::layers() const { return m_net ? int(mobileNetTaps().size()) : kEncoderLayers; }

int Encoder::channels(int layer) const {
  if (layer < 0 || layer >= layers()) throw std::out_of_range("encoder: no layer " + std::to_string(layer));
  return m_net ? m_net->channels(mobileNetTaps()[layer]) : kEncoderChannels[layer];
}

std::string Encoder::layerName(int layer) const {
  const int c = channels(layer);
  if (!m_net) return "encoder layer " + std::to_string(layer + 1) + " (" + std::to_string(c) + " channels)";
  const auto& tap = mobileNetTaps()[layer];
  return tap + " (" + std::to_string(c) + " channels, 1/" + std::to_string(m_net->stride(tap)) + ")";
}

void Encoder::to(torch::Device device) {
  for (auto& w : m_weights) w = w.to(device);
  if (m_net) m_net->to(device);
}

std::vector<torch::Tensor> Encoder::forward(const torch::Tensor& image) const {
  if (image.dim() != 4 || image.size(1) != 3)
    throw std::invalid_argument("encoder: expected N x 3 x H x W images");
  const int m = downsampling();
  if (image.size(2) % m || image.size(3) % m || image.size(2) < 2 * m || image.size(3) < 2 * m)
    throw std::invalid_argument("encoder: image sides must be multiples of " + std::to_string(m) + ", at least " +
                                std::to_string(2 * m));
  // nsfwjs feeds MobileNetV2 pixels / 255, as these are.
  if (m_net) return m_net->features(image, mobileNetTaps());
  std::vector<torch::Tensor> out;
  auto x = image * 2 - 1;
  for (int l = 0; l < kEncoderLayers; ++l) {
    if (l > 0) x = at::avg_pool2d(x, {2, 2});
    x = at::relu(conv(x, m_weights[l]));
    out.push_back(x);
  }
  return out;
}

torch::Tensor Encoder::deepest(const torch::Tensor& image) const { return forward(image).back(); }

int decoderTransposedKernel(const std::string& upsampling) {
  if (upsampling == "nearest") return 0;
  if (upsampling == "transposed3") return 3;
  if (upsampling == "transposed4") return 4;
  throw std::invalid_argument("unknown decoder upsampling '" + upsampling + "' (nearest|transposed3|transposed4)");
}

std::string decoderUpsamplingName(int k) { return k == 0 ? "nearest" : "transposed" + std::to_string(k); }

DecoderImpl::DecoderImpl(std::uint64_t seed, int inChannels, int levelsIn, int kernelIn)
    : levels(levelsIn), transposedKernel(kernelIn) {
  if (levels < 2 || levels > 3 || inChannels < 1) throw std::invalid_argument("decoder: 2 or 3 levels");
  if (kernelIn != 0 && kernelIn != 3 && kernelIn != 4) throw std::invalid_argument("decoder: transposed kernel 3 or 4");
  std::vector<int> ch{inChannels};
  for (int k = levels; k >= 1; --k) ch.push_back(32 << (k - 1));
  ch.push_back(3);
  std::mt19937_64 rng(seed);
  const int last = int(ch.size()) - 2;
  for (int l = 0; l <= last; ++l) {
    const int in = ch[l], out = ch[l + 1];
    const int k = (transposed() && l > 0) ? transposedKernel : 3;
    const double bound = std::sqrt((l == last ? 1.0 : 6.0) / (in * double(k * k)));
    std::uniform_real_distribution<float> u(-float(bound), float(bound));
    std::vector<float> v(std::size_t(out) * in * k * k);
    for (auto& x : v) x = u(rng);
    // A transposed conv stores its kernel in x out (the same draws, transposed).
    auto w = torch::from_blob(v.data(), {out, in, k, k}, torch::kFloat32).clone();
    if (transposed() && l > 0) w = w.transpose(0, 1).contiguous();
    convW.push_back(register_parameter("w" + std::to_string(l), w));
    convB.push_back(register_parameter("b" + std::to_string(l), torch::zeros({out})));
  }
}

torch::Tensor upsampleConv(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) {
  // Upsampled row 2i+a, padded by reflection, reads with kernel row dy the
  // input row i + floor((a + dy - 1) / 2), clamped at the border (the
  // reflection of a nearest-upsampled image is a replication of the input):
  // phase a = 0 reads rows (i-1, i) with kernel rows (0, 1+2), a = 1 reads
  // (i, i+1) with (0+1, 2). The same along columns.
  const auto O = w.size(0), C = w.size(1);
  const auto k0 = w.select(2, 0), k1 = w.select(2, 1), k2 = w.select(2, 2);
  const torch::Tensor rows[2] = {at::stack({k0, k1 + k2}, 2), at::stack({k0 + k1, k2}, 2)};
  std::vector<torch::Tensor> phases;  // kernel of phase (a, c) at a * 2 + c
  for (const auto& r : rows) {
    const auto c0 = r.select(3, 0), c1 = r.select(3, 1), c2 = r.select(3, 2);
    phases.push_back(at::stack({c0, c1 + c2}, 3));
    phases.push_back(at::stack({c0 + c1, c2}, 3));
  }
  const auto kernel = at::stack(phases, 1).reshape({O * 4, C, 2, 2});  // output channel o * 4 + phase
  const auto bias = b.defined() ? b.repeat_interleave(4) : torch::Tensor();
  // One 2x2 conv gives every phase at every offset; phase (a, c) keeps the window offset by (a, c).
  const auto y = at::conv2d(at::replication_pad2d(x, {1, 1, 1, 1}), kernel, bias);
  const auto N = x.size(0), H = x.size(2), W = x.size(3);
  const auto y5 = y.view({N, O, 4, H + 1, W + 1});
  std::vector<torch::Tensor> out;
  for (int a = 0; a < 2; ++a)
    for (int c = 0; c < 2; ++c) out.push_back(y5.select(2, a * 2 + c).narrow(2, a, H).narrow(3, c, W));
  return at::pixel_shuffle(at::stack(out, 2).reshape({N, O * 4, H, W}), 2);
}

torch::Tensor DecoderImpl::forward(const torch::Tensor& t, const StageHook& hook) {
  // The activations after the first conv and after each upsampling but the
  // last sit at 1/2^levels ... 1/2; the hooks see the last two (1/4, 1/2).
  const auto up = [&](const torch::Tensor& x, int l) {
    if (transposedKernel == 3) return at::conv_transpose2d(x, convW[l], convB[l], {2, 2}, {1, 1}, {1, 1});
    if (transposedKernel == 4) return at::conv_transpose2d(x, convW[l], convB[l], {2, 2}, {1, 1});
    return upsampleConv(x, convW[l], convB[l]);  // nearest x2, then the 3x3 conv
  };
  auto h = at::relu(conv(t, convW[0], convB[0]));
  for (int j = 0;; ++j) {
    const int stage = j - (levels - 2);
    if (hook && stage >= 0) h = hook(stage, h);
    if (j + 1 == levels) break;
    h = at::relu(up(h, j + 1));
  }
  return up(h, levels) + 0.5;
}

torch::Tensor DecoderImpl::phaseSums(int j) const {
  if (j < 0 || j >= levels) throw std::out_of_range("decoder: no upsampling layer " + std::to_string(j));
  // Along one axis, tap t of a transposed conv with padding 1 lands on
  // output phase (t - 1) mod 2: k=3 gives phase 0 tap 1 and phase 1 taps 0
  // and 2; k=4 gives each phase two taps (1, 3 and 0, 2). Nearest x2 + 3x3
  // conv (replicated border): phase 0 sums taps (0 | 1+2) over two input
  // pixels, phase 1 (0+1 | 2); either way each phase gets all three taps of
  // a constant input.
  const auto& w = convW[j + 1];
  if (transposed()) return transposedPhaseSums(w, transposedKernel, 1);  // in x out x 2 x 2
  const auto a = torch::ones({2, 3}, w.options());
  return at::matmul(at::matmul(a, w.transpose(0, 1)), a.t());
}

torch::Tensor DecoderImpl::balancePenalty() const {
  auto total = torch::zeros({}, convW[0].options());
  if (!transposed()) return total;
  for (int j = 0; j < levels; ++j) total = total + balanceTerm(phaseSums(j));
  return total;
}

torch::Tensor styleLossToStats(const std::vector<torch::Tensor>& out,
                               const std::vector<torch::Tensor>& means,
                               const std::vector<torch::Tensor>& stds) {
  auto loss = torch::zeros({}, out[0].options());
  for (std::size_t l = 0; l < out.size(); ++l) {
    const auto s = channelStats(out[l]);
    loss = loss + at::mse_loss(s.mean, means[l].expand_as(s.mean)) +
           at::mse_loss(s.std, stds[l].expand_as(s.std));
  }
  return loss;
}

torch::Tensor styleLoss(const std::vector<torch::Tensor>& out, const std::vector<torch::Tensor>& style) {
  std::vector<torch::Tensor> means, stds;
  for (const auto& f : style) {
    const auto s = channelStats(f);
    means.push_back(s.mean);
    stds.push_back(s.std);
  }
  return styleLossToStats(out, means, stds);
}

}  // namespace genlab::core::style
