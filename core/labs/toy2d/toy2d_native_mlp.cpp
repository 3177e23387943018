#include "core/labs/toy2d/toy2d_native_mlp.h"

#include "core/nn/adam_kernel.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace genlab::core::toy2d {

namespace {
// The three loops that cost anything are written once as always-inline
// bodies and compiled twice: for AVX2 + FMA and for baseline x86-64, picked
// at run time from the CPU's features, so one binary runs everywhere and
// uses the wide units where they exist (~2-3x at GAN sizes).
#if defined(__x86_64__) && defined(__GNUC__)
#define GENLAB_WIDE __attribute__((target("avx2,fma")))
bool haveWideUnits() {
  static const bool v = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return v;
}
#else
#define GENLAB_WIDE
bool haveWideUnits() { return false; }
#endif
#define GENLAB_BODY inline __attribute__((always_inline))
#define GENLAB_DISPATCH(name, params, args)         \
  GENLAB_WIDE void name##Wide params { name##Body args; } \
  void name##Base params { name##Body args; }       \
  void name params {                                \
    if (haveWideUnits())                            \
      name##Wide args;                              \
    else                                            \
      name##Base args;                              \
  }

// Eight floats as one value: GCC's vector extension, which compiles to one
// AVX register in the wide build and to two SSE registers in the base one.
typedef float V8 __attribute__((vector_size(32)));
GENLAB_BODY void load8(V8& v, const float* p) { std::memcpy(&v, p, sizeof v); }
GENLAB_BODY void store8(float* p, const V8& v) { std::memcpy(p, &v, sizeof v); }

// C (m x n) = A (m x k) . B (k x n) (+ C when `accumulate`); B and C are
// row-major with leading dimensions, A has a row and a column stride (so a
// transposed A costs nothing). A 4 x 16 block of C stays in registers while k runs
// (one load of B feeds four rows): that is what makes these small products
// fast. The edges fall back to plain loops.
GENLAB_BODY void gemmBody(const float* __restrict A, int ars, int acs, const float* __restrict B,
                          int ldb, float* __restrict C, int ldc, int m, int n, int k,
                          bool accumulate) {
  constexpr int MR = 4;
  auto at = [](int row, int ld, int col) { return static_cast<std::size_t>(row) * ld + col; };
  auto a = [&](int row, int col) {
    return A[static_cast<std::size_t>(row) * ars + static_cast<std::size_t>(col) * acs];
  };
  int i = 0;
  // Narrow outputs (GAN Lab's 8 units, the 1- and 2-wide heads) go row by
  // row below, where the innermost loop still runs over outputs.
  for (; n >= 16 && i + MR <= m; i += MR) {
    int j = 0;
    for (; j + 16 <= n; j += 16) {
      V8 c[MR][2];
      for (int r = 0; r < MR; ++r)
        for (int h = 0; h < 2; ++h) {
          c[r][h] = V8{};
          if (accumulate) load8(c[r][h], C + at(i + r, ldc, j + 8 * h));
        }
      for (int p = 0; p < k; ++p) {
        V8 b0, b1;
        load8(b0, B + at(p, ldb, j));
        load8(b1, B + at(p, ldb, j + 8));
        for (int r = 0; r < MR; ++r) {
          const float av = a(i + r, p);
          c[r][0] += av * b0;
          c[r][1] += av * b1;
        }
      }
      for (int r = 0; r < MR; ++r)
        for (int h = 0; h < 2; ++h) store8(C + at(i + r, ldc, j + 8 * h), c[r][h]);
    }
    for (; j < n; ++j)
      for (int r = 0; r < MR; ++r) {
        float sum = accumulate ? C[at(i + r, ldc, j)] : 0.f;
        for (int p = 0; p < k; ++p) sum += a(i + r, p) * B[at(p, ldb, j)];
        C[at(i + r, ldc, j)] = sum;
      }
  }
  for (; i < m; ++i) {
    float* __restrict ci = C + at(i, ldc, 0);
    if (!accumulate)
      for (int j = 0; j < n; ++j) ci[j] = 0.f;
    for (int p = 0; p < k; ++p) {
      const float av = a(i, p);
      const float* __restrict b = B + at(p, ldb, 0);
      for (int j = 0; j < n; ++j) ci[j] += av * b[j];
    }
  }
}

GENLAB_DISPATCH(gemm,
                (const float* A, int ars, int acs, const float* B, int ldb, float* C, int ldc, int m,
                 int n, int k, bool accumulate),
                (A, ars, acs, B, ldb, C, ldc, m, n, k, accumulate))

// y (n x out) = x (n x in) . wt (in x out) + b, then ReLU when asked.
void linearForward(const float* x, int n, int in, int out, const float* wt, const float* b,
                   float* y, bool relu) {
  for (int i = 0; i < n; ++i) std::copy(b, b + out, y + static_cast<std::size_t>(i) * out);
  gemm(x, in, 1, wt, out, y, out, n, out, in, true);
  if (relu)
    for (std::size_t i = 0, e = static_cast<std::size_t>(n) * out; i < e; ++i)
      y[i] = y[i] > 0.f ? y[i] : 0.f;
}
}  // namespace

NativeMlp::NativeMlp(int inputs, int hidden, int layers, int outputs) {
  if (inputs < 1 || outputs < 1 || hidden < 1 || layers < 0)
    throw std::invalid_argument("an MLP needs positive sizes");
  m_sizes.push_back(inputs);
  for (int l = 0; l < layers; ++l) m_sizes.push_back(hidden);
  m_sizes.push_back(outputs);
  std::size_t off = 0;
  for (int k = 0; k < linearLayers(); ++k) {
    m_wOff.push_back(off);
    off += static_cast<std::size_t>(layerIn(k)) * layerOut(k);
    m_bOff.push_back(off);
    off += static_cast<std::size_t>(layerOut(k));
  }
  m_params.assign(off, 0.f);
  m_grads.assign(off, 0.f);
  m_acts.resize(m_sizes.size());
}

void NativeMlp::initUniform(Rng& rng) {
  for (int k = 0; k < linearLayers(); ++k) {
    const double bound = 1.0 / std::sqrt(double(layerIn(k)));
    const std::size_t end = m_bOff[k] + static_cast<std::size_t>(layerOut(k));
    for (std::size_t i = m_wOff[k]; i < end; ++i)
      m_params[i] = static_cast<float>((2 * rng.uniform() - 1) * bound);
  }
}

void NativeMlp::zeroGrad() { std::fill(m_grads.begin(), m_grads.end(), 0.f); }

const float* NativeMlp::forward(const float* x, int n) {
  m_n = n;
  m_acts[0].assign(x, x + static_cast<std::size_t>(n) * inputs());
  const int last = linearLayers() - 1;
  for (int k = 0; k <= last; ++k) {
    m_acts[k + 1].resize(static_cast<std::size_t>(n) * layerOut(k));
    linearForward(m_acts[k].data(), n, layerIn(k), layerOut(k), &m_params[m_wOff[k]],
                  &m_params[m_bOff[k]], m_acts[k + 1].data(), k < last);
  }
  return m_acts.back().data();
}

void NativeMlp::backward(const float* dy, float* dx, bool accumulate) {
  const int n = m_n;
  m_g.assign(dy, dy + static_cast<std::size_t>(n) * outputs());
  for (int k = linearLayers() - 1; k >= 0; --k) {
    const int in = layerIn(k), out = layerOut(k);
    const float* x = m_acts[k].data();
    if (accumulate) {
      // dW (in x out) += x^T g; db += column sums of g.
      gemm(x, 1, in, m_g.data(), out, &m_grads[m_wOff[k]], out, in, out, n, true);
      float* db = &m_grads[m_bOff[k]];
      for (int i = 0; i < n; ++i)
        for (int o = 0; o < out; ++o) db[o] += m_g[static_cast<std::size_t>(i) * out + o];
    }
    if (k == 0 && !dx) break;
    float* gp = dx;
    if (k > 0) {
      m_gPrev.resize(static_cast<std::size_t>(n) * in);
      gp = m_gPrev.data();
    }
    // dL/dx = g . W, with W (out x in) the transpose of the stored weights,
    // masked by the previous layer's ReLU.
    const float* wt = &m_params[m_wOff[k]];
    m_w.resize(static_cast<std::size_t>(in) * out);
    for (int c = 0; c < in; ++c)
      for (int o = 0; o < out; ++o)
        m_w[static_cast<std::size_t>(o) * in + c] = wt[static_cast<std::size_t>(c) * out + o];
    gemm(m_g.data(), out, 1, m_w.data(), in, gp, in, n, in, out, false);
    if (k > 0)
      for (std::size_t i = 0, e = static_cast<std::size_t>(n) * in; i < e; ++i)
        gp[i] = x[i] > 0.f ? gp[i] : 0.f;
    if (k > 0) m_g.swap(m_gPrev);
  }
}

void NativeMlp::infer(const float* x, int n, float* y) const {
  std::vector<float> a(x, x + static_cast<std::size_t>(n) * inputs()), b;
  const int last = linearLayers() - 1;
  for (int k = 0; k <= last; ++k) {
    float* dst = y;
    if (k < last) {
      b.resize(static_cast<std::size_t>(n) * layerOut(k));
      dst = b.data();
    }
    linearForward(a.data(), n, layerIn(k), layerOut(k), &m_params[m_wOff[k]],
                  &m_params[m_bOff[k]], dst, k < last);
    if (k < last) a.swap(b);
  }
}

NativeOptimizer::NativeOptimizer(const std::string& kind, double lr, double beta1, double beta2,
                                 double eps)
    : m_adam(kind == "adam"), m_lr(lr), m_b1(beta1), m_b2(beta2), m_eps(eps) {
  if (kind != "adam" && kind != "sgd") throw std::invalid_argument("optimizer must be sgd or adam");
}

void NativeOptimizer::step(float* __restrict p, const float* __restrict g, std::size_t n) {
  const float lr = static_cast<float>(m_lr);
  if (!m_adam) {
    for (std::size_t i = 0; i < n; ++i) p[i] -= lr * g[i];
    return;
  }
  if (m_m.size() != n) {
    m_m.assign(n, 0.f);
    m_v.assign(n, 0.f);
  }
  ++m_t;
  const double bc1 = 1.0 - std::pow(m_b1, double(m_t));
  const double bc2 = 1.0 - std::pow(m_b2, double(m_t));
  const float stepSize = static_cast<float>(m_lr / bc1);
  const float inv = static_cast<float>(1.0 / std::sqrt(bc2));
  nn::adamUpdate(p, g, m_m.data(), m_v.data(), static_cast<std::int64_t>(n),
                 {float(m_b1), float(m_b2), stepSize, inv, float(m_eps)});
}

}  // namespace genlab::core::toy2d
