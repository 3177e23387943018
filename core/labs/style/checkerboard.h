#pragma once
// Checkerboard artifacts taken apart (issue 13, part 3): the measurements, as
// plain functions on plain data. Torch-free, so tests check them against
// answers worked by hand and the ui may include this header.
#include <cstdint>
#include <string>
#include <vector>

namespace genlab::core::style {

// Structural overlap map of a transposed convolution (kernel k, stride s,
// padding p, PyTorch's convention o = i*s - p + t): how many kernel taps reach
// each output phase, s*s counts, row-major [phaseY][phaseX]. Taps along one
// axis reach phase (t - p) mod s. k=3, s=2, p=1 gives [[1,2],[2,4]].
std::vector<int> transposedOverlapCounts(int kernel, int stride, int padding);

// Phase sums of one upsampling layer: S[i][o][phase], the total weight input
// channel i gives output channel o at each output phase, i.e. the layer's
// response (bias excluded) to an input that is 1 on channel i everywhere.
struct PhaseSums {
  int inChannels = 0, outChannels = 0, stride = 2;
  std::vector<double> values;  // in * out * stride * stride, [i][o][py][px]
  double at(int i, int o, int py, int px) const {
    return values[((std::size_t(i) * outChannels + o) * stride + py) * stride + px];
  }
};

// Phase imbalance: sqrt( sum_{i,o,p} (S - mean_p S)^2 / sum_{i,o,p} S^2 ), in
// [0, 1]. 0 when every (i, o) pair gives each phase the same total weight (a
// locally constant input then gives a constant output: no checkerboard); a
// single-channel k=3/s=2 kernel of ones gives sqrt(4.75/25) = 0.436.
// NaN (undefined, shown as "—") when all sums are 0.
double phaseImbalance(const PhaseSums& s);

// The overlap map shown per layer: for each phase, the root mean square over
// (i, o) of S, stride*stride values, row-major.
std::vector<double> overlapMap(const PhaseSums& s);

// Mean 2-D power spectrum of `count` images (height x width, row-major), each
// with its own mean removed first (so the DC term is 0): P[ky][kx] =
// mean_n |DFT(x_n - mean x_n)[ky][kx]|^2 / (height*width). Direct separable DFT.
std::vector<double> powerSpectrum(const std::vector<float>& images, int count, int height,
                                  int width);

// True when frequency (ky, kx) is a stride frequency of total upsampling
// factor `stride`: both are multiples of size/stride, and not both 0.
bool isStrideFrequency(int ky, int kx, int height, int width, int stride);

// Checkerboard energy: power at the stride frequencies / total power (the DC
// term excluded, so a constant image has none of either: NaN, undefined,
// shown as "—" and written as null). A +-1 checkerboard gives 1. Throws
// std::invalid_argument when the size is not a multiple of `stride` or the
// spectrum is not height x width.
double checkerboardEnergy(const std::vector<double>& spectrum, int height, int width, int stride);
// The same straight from images.
double checkerboardEnergy(const std::vector<float>& images, int count, int height, int width,
                          int stride);

// The spectrum as an 8-bit picture for the views: log10(P) scaled to
// [0, 255] over [max - decades, max], centred (DC in the middle).
std::vector<std::uint8_t> spectrumPicture(const std::vector<double>& spectrum, int height,
                                          int width, double decades = 5);

// Sample quality: the Frechet distance between two Gaussians fit to feature
// vectors (as FID does with Inception features; here the features of a small
// classifier trained in-app). Features are `count` rows of `dim` values.
struct FeatureGaussian {
  int dim = 0, count = 0;
  std::vector<double> mean;        // dim
  std::vector<double> covariance;  // dim x dim, unbiased (count - 1)
};
// Throws std::invalid_argument when count < 2 or the sizes disagree.
FeatureGaussian fitGaussian(const std::vector<float>& features, int count, int dim);
// Eigenvalues of a symmetric n x n matrix (cyclic Jacobi), ascending.
std::vector<double> symmetricEigenvalues(std::vector<double> a, int n);
// |m1 - m2|^2 + tr(C1 + C2 - 2 (C1 C2)^(1/2)); tr (C1 C2)^(1/2) is the sum of
// the square roots of the eigenvalues of C1^(1/2) C2 C1^(1/2). >= 0; 0 for
// equal Gaussians.
double frechetDistance(const FeatureGaussian& a, const FeatureGaussian& b);

}  // namespace genlab::core::style
