#pragma once
// AdaIN (Huang & Belongie 2017) and what the Style lab builds on it: per-channel
// statistics, the alpha blend, mixing several styles' statistics, and keeping
// the content's colours. Core-internal (ATen).
#include <ATen/core/Tensor.h>

#include <vector>

namespace genlab::core::style {

// Added to every variance before its square root: small enough that AdaIN's
// output statistics equal the target's to ~1e-7 for features of unit scale.
inline constexpr double kStatEps = 1e-6;

// Per-channel mean and standard deviation of N x C x H x W features, each N x C x 1 x 1.
struct ChannelStats {
  at::Tensor mean;
  at::Tensor std;
};

ChannelStats channelStats(const at::Tensor& features);

// Weighted mix of several styles' statistics (weights >= 0, normalised here;
// all-zero weights throw std::invalid_argument).
ChannelStats mixStats(const std::vector<ChannelStats>& styles, const std::vector<double>& weights);

// (1 - alpha) * content + alpha * AdaIN(content, style). alpha = 0 returns the
// content features unchanged; alpha = 1 gives features whose per-channel mean
// and std are the style's.
at::Tensor adain(const at::Tensor& content, const ChannelStats& style, double alpha);

// Luminance-only transfer: the result's luma (Y of YIQ) with the content's
// chroma (I, Q). Both N x 3 x H x W in [0, 1], same size.
at::Tensor preserveColour(const at::Tensor& result, const at::Tensor& content);

}  // namespace genlab::core::style
