#include "core/labs/protein/family_vae_ops.h"

#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace genlab::core::protein {

namespace {
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

bool cpuFloat(const torch::Tensor& t) {
  return t.device().is_cpu() && t.scalar_type() == torch::kFloat;
}

// Every state must pick a row of its position's block; checked once per call
// (the kernels index memory with it).
void checkStates(const int64_t* s, int64_t n, int64_t k) {
  for (int64_t i = 0; i < n; ++i)
    if (s[i] < 0 || s[i] >= k)
      throw std::invalid_argument("state " + std::to_string(s[i]) + " outside [0, " +
                                  std::to_string(k) + ")");
}

struct OneHotLinearFn : torch::autograd::Function<OneHotLinearFn> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& states,
                               const torch::Tensor& weight, const torch::Tensor& bias, int64_t k) {
    auto st = states.contiguous();
    auto w = weight.contiguous();
    const int64_t b = st.size(0), l = st.size(1), h = w.size(1);
    checkStates(st.data_ptr<int64_t>(), st.numel(), k);
    auto out = torch::empty({b, h}, w.options());
    out.copy_(bias.reshape({1, h}).expand({b, h}));
    const int64_t* s = st.data_ptr<int64_t>();
    const float* wp = w.data_ptr<float>();
    float* op = out.data_ptr<float>();
    at::parallel_for(0, b, 16, [&](int64_t b0, int64_t b1) {
      for (int64_t i = b0; i < b1; ++i) {
        float* o = op + i * h;
        const int64_t* si = s + i * l;
        for (int64_t p = 0; p < l; ++p) {
          const float* r = wp + (p * k + si[p]) * h;
          for (int64_t j = 0; j < h; ++j) o[j] += r[j];
        }
      }
    });
    ctx->save_for_backward({st});
    ctx->saved_data["k"] = k;
    ctx->saved_data["rows"] = w.size(0);
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto st = ctx->get_saved_variables()[0];
    const int64_t k = ctx->saved_data["k"].toInt(), rows = ctx->saved_data["rows"].toInt();
    auto g = grads[0].contiguous();
    const int64_t b = st.size(0), l = st.size(1), h = g.size(1);
    auto gw = torch::zeros({rows, h}, g.options());
    const int64_t* s = st.data_ptr<int64_t>();
    const float* gp = g.data_ptr<float>();
    float* wp = gw.data_ptr<float>();
    // Threads own disjoint positions, so no two write the same row.
    at::parallel_for(0, l, 4, [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p)
        for (int64_t i = 0; i < b; ++i) {
          float* r = wp + (p * k + s[i * l + p]) * h;
          const float* gi = gp + i * h;
          for (int64_t j = 0; j < h; ++j) r[j] += gi[j];
        }
    });
    return {torch::Tensor(), gw, g.sum(0), torch::Tensor()};
  }
};

struct CategoricalNllFn : torch::autograd::Function<CategoricalNllFn> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& logits,
                               const torch::Tensor& states, int64_t k) {
    auto st = states.contiguous();
    const int64_t n = st.numel();
    if (logits.numel() != n * k)
      throw std::invalid_argument("categoricalNll: logits and states disagree in size");
    checkStates(st.data_ptr<int64_t>(), n, k);
    auto lg = logits.contiguous().view({n, k});
    // Row maxima by hand, the exponentials by ATen's vectorised kernel, the
    // row sums and the log by hand: log_softmax over rows of 21 is slow.
    auto mx = torch::empty({n}, lg.options());
    const float* lp = lg.data_ptr<float>();
    float* mp = mx.data_ptr<float>();
    at::parallel_for(0, n, 1024, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const float* v = lp + r * k;
        float m = v[0];
        for (int64_t j = 1; j < k; ++j) m = std::max(m, v[j]);
        mp[r] = m;
      }
    });
    auto e = (lg - mx.unsqueeze(1)).exp_();
    auto inv = torch::empty({n}, lg.options());
    const float* ep = e.data_ptr<float>();
    float* ip = inv.data_ptr<float>();
    const int64_t* s = st.data_ptr<int64_t>();
    double total = 0;
    for (int64_t r = 0; r < n; ++r) {
      const float* er = ep + r * k;
      float sum = 0;
      for (int64_t j = 0; j < k; ++j) sum += er[j];
      ip[r] = 1.f / sum;
      // -log p = log sum exp(v - m) + m - v[state]
      total += std::log(static_cast<double>(sum)) + mp[r] - lp[r * k + s[r]];
    }
    ctx->save_for_backward({e, inv, st});
    ctx->saved_data["k"] = k;
    ctx->saved_data["b"] = logits.size(0);
    return torch::tensor(static_cast<float>(total), lg.options());
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& e = saved[0];
    const auto& inv = saved[1];
    const auto& st = saved[2];
    const int64_t k = ctx->saved_data["k"].toInt(), b = ctx->saved_data["b"].toInt();
    const float g = grads[0].item<float>();
    const int64_t n = st.numel();
    auto out = torch::empty({b, n / b * k}, e.options());
    const float* ep = e.data_ptr<float>();
    const float* ip = inv.data_ptr<float>();
    const int64_t* s = st.data_ptr<int64_t>();
    float* op = out.data_ptr<float>();
    // d/dlogit = g * (softmax - onehot(state))
    at::parallel_for(0, n, 1024, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const float c = g * ip[r];
        const float* er = ep + r * k;
        float* o = op + r * k;
        for (int64_t j = 0; j < k; ++j) o[j] = er[j] * c;
        o[s[r]] -= g;
      }
    });
    return {out, torch::Tensor(), torch::Tensor()};
  }
};
}  // namespace

torch::Tensor oneHotLinear(const torch::Tensor& states, const torch::Tensor& weight,
                           const torch::Tensor& bias, int64_t k) {
  if (states.dim() != 2 || weight.dim() != 2 || weight.size(0) != states.size(1) * k)
    throw std::invalid_argument("oneHotLinear: states (B, L) and weight (L*K, H) disagree");
  if (cpuFloat(weight) && cpuFloat(bias) && states.device().is_cpu() &&
      states.scalar_type() == torch::kLong)
    return OneHotLinearFn::apply(states, weight, bias, k);
  const int64_t b = states.size(0), l = states.size(1);
  auto column = torch::arange(l, states.options()).mul(k).unsqueeze(0);
  auto idx = (states + column).reshape({-1});
  return weight.index_select(0, idx).view({b, l, -1}).sum(1) + bias;
}

torch::Tensor categoricalNll(const torch::Tensor& logits, const torch::Tensor& states,
                             int64_t k) {
  if (cpuFloat(logits) && states.device().is_cpu() && states.scalar_type() == torch::kLong)
    return CategoricalNllFn::apply(logits, states, k);
  const int64_t b = states.size(0), l = states.size(1);
  auto logp = torch::log_softmax(logits.view({b, l, k}), -1);
  return -logp.gather(2, states.unsqueeze(2)).sum();
}

}  // namespace genlab::core::protein
