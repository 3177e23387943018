#include "core/labs/style/adain_ops.h"

#include <ATen/ATen.h>

#include <stdexcept>

namespace genlab::core::style {

ChannelStats channelStats(const at::Tensor& f) {
  if (f.dim() != 4) throw std::invalid_argument("channelStats: expected N x C x H x W features");
  auto var = f.var({2, 3}, /*unbiased=*/false, /*keepdim=*/true);
  return {f.mean({2, 3}, /*keepdim=*/true), (var + kStatEps).sqrt()};
}

ChannelStats mixStats(const std::vector<ChannelStats>& styles, const std::vector<double>& weights) {
  if (styles.empty() || styles.size() != weights.size())
    throw std::invalid_argument("mixStats: one weight per style is needed");
  double total = 0;
  for (double w : weights) {
    if (!(w >= 0)) throw std::invalid_argument("mixStats: style weights must be >= 0");
    total += w;
  }
  if (total <= 0) throw std::invalid_argument("mixStats: at least one style needs a weight above 0");
  ChannelStats out{at::zeros_like(styles[0].mean), at::zeros_like(styles[0].std)};
  for (std::size_t i = 0; i < styles.size(); ++i) {
    if (weights[i] == 0) continue;
    out.mean = out.mean + styles[i].mean * (weights[i] / total);
    out.std = out.std + styles[i].std * (weights[i] / total);
  }
  return out;
}

at::Tensor adain(const at::Tensor& content, const ChannelStats& style, double alpha) {
  if (alpha == 0) return content;
  const auto c = channelStats(content);
  auto normalised = (content - c.mean) / c.std;
  auto stylised = normalised * style.std + style.mean;
  if (alpha == 1) return stylised;
  return content * (1 - alpha) + stylised * alpha;
}

at::Tensor preserveColour(const at::Tensor& result, const at::Tensor& content) {
  if (result.sizes() != content.sizes() || result.dim() != 4 || result.size(1) != 3)
    throw std::invalid_argument("preserveColour: result and content must both be N x 3 x H x W");
  const auto opts = result.options();
  // RGB -> YIQ (NTSC) and back.
  auto toYiq = at::tensor({0.299f, 0.587f, 0.114f, 0.596f, -0.274f, -0.322f, 0.211f, -0.523f, 0.312f},
                          opts).view({3, 3});
  auto fromYiq = at::inverse(toYiq);
  auto yr = at::einsum("ij,njhw->nihw", {toYiq, result});
  auto yc = at::einsum("ij,njhw->nihw", {toYiq, content});
  auto mixed = at::cat({yr.narrow(1, 0, 1), yc.narrow(1, 1, 2)}, 1);
  return at::einsum("ij,njhw->nihw", {fromYiq, mixed}).clamp(0, 1);
}

}  // namespace genlab::core::style
