#include "core/physics/radon_kernels.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <type_traits>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define GENLAB_RADON_X86 1
#endif

namespace genlab::core::physics::detail {

namespace {

// Per-thread scratch for one (view, row): for pixels lo + j, the lower padded
// bin and the two interpolation weights. Lanes past the row's end are zero, so
// SIMD consumers may run in whole blocks of 8.
template <typename T>
struct RowWeights {
  explicit RowWeights(int n) : idx(n + 8, 0), w0(n + 8, T(0)), w1(n + 8, T(0)) {}
  std::vector<int> idx;
  std::vector<T> w0, w1;
  int lo = 0, count = 0;  // pixels [lo, lo + count) may touch the detector
};

int roundUp8(int v) { return (v + 7) & ~7; }

// A superset of the pixels of a row that land on the detector; exactness comes
// from the per-pixel test, so these bounds only need to be conservative.
void rowBounds(double base, double c, int n, double limit, int& lo, int& hi) {
  if (std::abs(c) < 1e-6) {
    lo = 0;
    hi = n;
    return;
  }
  double qa = -base / c, qb = (limit - base) / c;
  if (qa > qb) std::swap(qa, qb);
  lo = static_cast<int>(std::clamp(std::floor(qa) - 2, 0.0, double(n)));
  hi = static_cast<int>(std::clamp(std::ceil(qb) + 2, 0.0, double(n)));
}

// Positions are computed in the image's precision (float positions carry
// ~3e-5 bin of rounding at 256 px, far below the interpolation error), with
// fused multiply-adds, so the scalar and AVX2 paths agree to the bit.
template <typename T>
void weightsScalar(T base, T c, int hi, T limit, RowWeights<T>& rw) {
  const int end = roundUp8(rw.count);
  for (int j = 0; j < end; ++j) {
    const int q = rw.lo + j;
    const T kp = std::fma(static_cast<T>(q), c, base);
    const bool ok = q < hi && kp >= 0 && kp < limit;
    const T kpm = ok ? kp : T(0);
    const int i = static_cast<int>(kpm);
    const T w = kpm - static_cast<T>(i);
    rw.idx[j] = i;
    rw.w1[j] = w;
    rw.w0[j] = ok ? T(1) - w : T(0);
  }
}

#ifdef GENLAB_RADON_X86
struct Lanes8 {
  __m256i idx;
  __m256 w0, w1;
  int okMask;  // bit j set when pixel j lands on the detector
};

// Bins and weights of pixels q0 .. q0 + 7: the float twin of weightsScalar.
__attribute__((target("avx2,fma"))) inline Lanes8 lanes8(int q0, __m256 base, __m256 c,
                                                         __m256 limit, __m256 hi) {
  const __m256 q = _mm256_add_ps(_mm256_set1_ps(static_cast<float>(q0)),
                                 _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7));
  const __m256 kp = _mm256_fmadd_ps(q, c, base);
  const __m256 ok = _mm256_and_ps(
      _mm256_and_ps(_mm256_cmp_ps(kp, _mm256_setzero_ps(), _CMP_GE_OQ),
                    _mm256_cmp_ps(kp, limit, _CMP_LT_OQ)),
      _mm256_cmp_ps(q, hi, _CMP_LT_OQ));
  const __m256 kpm = _mm256_and_ps(kp, ok);
  Lanes8 l;
  l.idx = _mm256_cvttps_epi32(kpm);
  l.w1 = _mm256_sub_ps(kpm, _mm256_cvtepi32_ps(l.idx));
  l.w0 = _mm256_and_ps(_mm256_sub_ps(_mm256_set1_ps(1.f), l.w1), ok);
  l.okMask = _mm256_movemask_ps(ok);
  return l;
}

__attribute__((target("avx2,fma"))) void weightsAvx2(float base, float c, int hi, float limit,
                                                     RowWeights<float>& rw) {
  const __m256 vb = _mm256_set1_ps(base), vc = _mm256_set1_ps(c);
  const __m256 vlim = _mm256_set1_ps(limit), vhi = _mm256_set1_ps(static_cast<float>(hi));
  const int end = roundUp8(rw.count);
  for (int j = 0; j < end; j += 8) {
    const Lanes8 l = lanes8(rw.lo + j, vb, vc, vlim, vhi);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(&rw.idx[j]), l.idx);
    _mm256_storeu_ps(&rw.w0[j], l.w0);
    _mm256_storeu_ps(&rw.w1[j], l.w1);
  }
}

// dst[q] += w0 * ys[i] + w1 * ys[i + 1] for the pixels [lo, lo + count) of a
// row. Eight neighbouring pixels hit at most eight neighbouring bins (|cos|
// <= 1 on this axis), so one unaligned load plus a lane permute replaces the
// slow hardware gather; blocks at the detector's edge fall back to a gather.
// `ys` must be readable 8 floats past its padded end.
__attribute__((target("avx2,fma"))) void backprojectRowAvx2(const float* ys, float base, float c,
                                                            int lo, int hi, float limit,
                                                            float* dst) {
  const __m256 vb = _mm256_set1_ps(base), vc = _mm256_set1_ps(c);
  const __m256 vlim = _mm256_set1_ps(limit), vhi = _mm256_set1_ps(static_cast<float>(hi));
  const __m256i seven = _mm256_set1_epi32(7);
  for (int q = lo; q < hi; q += 8) {
    const Lanes8 l = lanes8(q, vb, vc, vlim, vhi);
    __m256 y0, y1;
    bool contiguous = false;
    if (l.okMask == 0xFF) {
      const int first = _mm256_cvtsi256_si32(l.idx);
      const int last = _mm256_extract_epi32(l.idx, 7);
      const int start = std::min(first, last);
      const __m256i off = _mm256_sub_epi32(l.idx, _mm256_set1_epi32(start));
      if (_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(off, seven))) == 0) {
        y0 = _mm256_permutevar8x32_ps(_mm256_loadu_ps(ys + start), off);
        y1 = _mm256_permutevar8x32_ps(_mm256_loadu_ps(ys + start + 1), off);
        contiguous = true;
      }
    }
    if (!contiguous) {
      y0 = _mm256_i32gather_ps(ys, l.idx, 4);
      y1 = _mm256_i32gather_ps(ys + 1, l.idx, 4);
    }
    __m256 acc = _mm256_loadu_ps(dst + q);
    acc = _mm256_fmadd_ps(l.w0, y0, acc);
    acc = _mm256_fmadd_ps(l.w1, y1, acc);
    _mm256_storeu_ps(dst + q, acc);
  }
}

// The same as backprojectRowAvx2 sixteen pixels at a time. The lanes are
// computed with the very operations of lanes8 (FMA, truncation, subtraction),
// so the weights are bit-identical to those the forward projection uses.
__attribute__((target("avx512f,avx2,fma"))) void backprojectRowAvx512(
    const float* ys, float base, float c, int lo, int hi, float limit, float* dst) {
  const __m512 vb = _mm512_set1_ps(base), vc = _mm512_set1_ps(c);
  const __m512 vlim = _mm512_set1_ps(limit), vhi = _mm512_set1_ps(static_cast<float>(hi));
  const __m512 lane = _mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i fifteen = _mm512_set1_epi32(15);
  for (int q = lo; q < hi; q += 16) {
    const __m512 vq = _mm512_add_ps(_mm512_set1_ps(static_cast<float>(q)), lane);
    const __m512 kp = _mm512_fmadd_ps(vq, vc, vb);
    const __mmask16 ok = _mm512_cmp_ps_mask(kp, _mm512_setzero_ps(), _CMP_GE_OQ) &
                         _mm512_cmp_ps_mask(kp, vlim, _CMP_LT_OQ) &
                         _mm512_cmp_ps_mask(vq, vhi, _CMP_LT_OQ);
    const __m512 kpm = _mm512_maskz_mov_ps(ok, kp);
    const __m512i idx = _mm512_cvttps_epi32(kpm);
    const __m512 w1 = _mm512_sub_ps(kpm, _mm512_cvtepi32_ps(idx));
    const __m512 w0 = _mm512_maskz_mov_ps(ok, _mm512_sub_ps(_mm512_set1_ps(1.f), w1));
    __m512 y0, y1;
    bool contiguous = false;
    if (ok == 0xFFFF) {
      const int first = _mm_cvtsi128_si32(_mm512_castsi512_si128(idx));
      const int last = _mm_extract_epi32(_mm512_extracti32x4_epi32(idx, 3), 3);
      const int start = std::min(first, last);
      const __m512i off = _mm512_sub_epi32(idx, _mm512_set1_epi32(start));
      if (_mm512_cmpgt_epi32_mask(off, fifteen) == 0) {
        y0 = _mm512_permutexvar_ps(off, _mm512_loadu_ps(ys + start));
        y1 = _mm512_permutexvar_ps(off, _mm512_loadu_ps(ys + start + 1));
        contiguous = true;
      }
    }
    if (!contiguous) {
      y0 = _mm512_i32gather_ps(idx, ys, 4);
      y1 = _mm512_i32gather_ps(idx, ys + 1, 4);
    }
    __m512 acc = _mm512_loadu_ps(dst + q);
    acc = _mm512_fmadd_ps(w0, y0, acc);
    acc = _mm512_fmadd_ps(w1, y1, acc);
    _mm512_storeu_ps(dst + q, acc);
  }
}
#endif

bool avx2Available() {
#ifdef GENLAB_RADON_X86
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok;
#else
  return false;
#endif
}

bool avx512Available() {
#ifdef GENLAB_RADON_X86
  static const bool ok = avx2Available() && __builtin_cpu_supports("avx512f");
  return ok;
#else
  return false;
#endif
}

// Fills rw for row r of view v. Both kernels call this one function, so the
// forward and the adjoint use identical bins and weights: exact transposes.
template <typename T>
void rowWeights(const RadonView& v, int r, int n, double limit, RowWeights<T>& rw) {
  const double base = std::fma(double(r), v.sin, v.base0);
  int lo = 0, hi = 0;
  rowBounds(base, v.cos, n, limit, lo, hi);
  rw.lo = lo;
  rw.count = hi - lo;
#ifdef GENLAB_RADON_X86
  if constexpr (std::is_same_v<T, float>) {
    if (avx2Available())
      return weightsAvx2(float(base), float(v.cos), hi, float(limit), rw);
  }
#endif
  weightsScalar(static_cast<T>(base), static_cast<T>(v.cos), hi, static_cast<T>(limit), rw);
}

}  // namespace

std::vector<RadonView> radonViews(const std::vector<double>& cosines,
                                  const std::vector<double>& sines, int size, int bins) {
  const double centre = (size - 1) / 2.0, detCentre = (bins - 1) / 2.0;
  std::vector<RadonView> t(cosines.size());
  for (std::size_t a = 0; a < cosines.size(); ++a)
    t[a] = {cosines[a], sines[a], -centre * cosines[a] - centre * sines[a] + detCentre + 1.0};
  return t;
}

bool radonUsesAvx2() { return avx2Available(); }

template <typename T>
void radonForwardCpu(const T* images, T* sinograms, std::int64_t batch, int n, int bins,
                     const std::vector<RadonView>& views) {
  const auto nViews = static_cast<std::int64_t>(views.size());
  const double limit = bins + 1;
  at::parallel_for(0, batch * nViews, 1, [&](std::int64_t begin, std::int64_t end) {
    std::vector<T> out(bins + 2);
    RowWeights<T> rw(n);
    for (std::int64_t job = begin; job < end; ++job) {
      const T* image = images + (job / nViews) * n * n;
      const RadonView& v = views[job % nViews];
      std::fill(out.begin(), out.end(), T(0));
      for (int r = 0; r < n; ++r) {
        rowWeights(v, r, n, limit, rw);
        const T* row = image + static_cast<std::int64_t>(r) * n + rw.lo;
        for (int j = 0; j < rw.count; ++j) {
          const int i = rw.idx[j];
          out[i] += rw.w0[j] * row[j];
          out[i + 1] += rw.w1[j] * row[j];
        }
      }
      std::copy(out.begin() + 1, out.begin() + 1 + bins, sinograms + job * bins);
    }
  });
}

template <typename T>
void radonAdjointCpu(const T* sinograms, T* images, std::int64_t batch, int n, int bins,
                     const std::vector<RadonView>& views) {
  const auto nViews = static_cast<std::int64_t>(views.size());
  const double limit = bins + 1;
  // Zero-padded copy: bins -1 and `bins` read as 0, so edge pixels need no
  // test; 16 more zeros let the SIMD paths load whole vectors at the end.
  const std::int64_t stride = bins + 2 + 16;
  std::vector<T> padded(static_cast<std::size_t>(batch * nViews * stride), T(0));
  for (std::int64_t row = 0; row < batch * nViews; ++row)
    std::copy(sinograms + row * bins, sinograms + (row + 1) * bins,
              padded.begin() + row * stride + 1);
  at::parallel_for(0, batch * n, 1, [&](std::int64_t begin, std::int64_t end) {
    std::vector<T> acc(n + 16);
    RowWeights<T> rw(n);
    for (std::int64_t job = begin; job < end; ++job) {
      const std::int64_t b = job / n;
      const int r = static_cast<int>(job % n);
      std::fill(acc.begin(), acc.end(), T(0));
      for (std::int64_t a = 0; a < nViews; ++a) {
        const T* ys = padded.data() + (b * nViews + a) * stride;
#ifdef GENLAB_RADON_X86
        if constexpr (std::is_same_v<T, float>) {
          if (avx2Available()) {
            const double base = std::fma(double(r), views[a].sin, views[a].base0);
            int lo = 0, hi = 0;
            rowBounds(base, views[a].cos, n, limit, lo, hi);
            if (avx512Available())
              backprojectRowAvx512(ys, float(base), float(views[a].cos), lo, hi, float(limit),
                                   acc.data());
            else
              backprojectRowAvx2(ys, float(base), float(views[a].cos), lo, hi, float(limit),
                                 acc.data());
            continue;
          }
        }
#endif
        rowWeights(views[a], r, n, limit, rw);
        T* dst = acc.data() + rw.lo;
        for (int j = 0; j < rw.count; ++j) {
          const int i = rw.idx[j];
          dst[j] += rw.w0[j] * ys[i] + rw.w1[j] * ys[i + 1];
        }
      }
      std::copy(acc.begin(), acc.begin() + n, images + job * n);
    }
  });
}

template void radonForwardCpu<float>(const float*, float*, std::int64_t, int, int,
                                     const std::vector<RadonView>&);
template void radonForwardCpu<double>(const double*, double*, std::int64_t, int, int,
                                      const std::vector<RadonView>&);
template void radonAdjointCpu<float>(const float*, float*, std::int64_t, int, int,
                                     const std::vector<RadonView>&);
template void radonAdjointCpu<double>(const double*, double*, std::int64_t, int, int,
                                      const std::vector<RadonView>&);

}  // namespace genlab::core::physics::detail
