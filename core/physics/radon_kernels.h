#pragma once
// CPU kernels of the pixel-driven Radon transform (see radon.h). Internal to
// core/physics; torch-free so that it compiles in a second.
#include <cstdint>
#include <vector>

namespace genlab::core::physics::detail {

// One view: pixel (r, q) lands at padded bin position
//   kp = fma(q, cos, fma(r, sin, base0))
// (a sinogram padded by one zero bin each side), computed with fused
// multiply-adds so that the SIMD and scalar paths agree to the bit.
struct RadonView {
  double cos = 0, sin = 0, base0 = 0;
};

std::vector<RadonView> radonViews(const std::vector<double>& cosines,
                                  const std::vector<double>& sines, int size, int bins);

// images: batch x n x n; sinograms: batch x views x bins (unpadded).
template <typename T>
void radonForwardCpu(const T* images, T* sinograms, std::int64_t batch, int n, int bins,
                     const std::vector<RadonView>& views);
template <typename T>
void radonAdjointCpu(const T* sinograms, T* images, std::int64_t batch, int n, int bins,
                     const std::vector<RadonView>& views);

// True when the AVX2 + FMA paths are in use (for benchmarks' reports).
bool radonUsesAvx2();

}  // namespace genlab::core::physics::detail
