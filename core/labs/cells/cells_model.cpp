#include "core/labs/cells/cells_model.h"

#include <torch/nn/modules/linear.h>
#include <torch/nn/module.h>
#include <torch/optim/adam.h>
#include <torch/linalg.h>
#include <ATen/ATen.h>

#include <algorithm>

namespace genlab::core::cells {

namespace {
struct Net : torch::nn::Module {
  torch::nn::Linear e1{nullptr}, e2{nullptr}, mu{nullptr}, logvar{nullptr}, d1{nullptr},
      d2{nullptr}, out{nullptr};
  int conditions = 0;
  explicit Net(const ModelShape& s) : conditions(s.conditions) {
    e1 = register_module("e1", torch::nn::Linear(s.genes + s.conditions, s.hidden));
    e2 = register_module("e2", torch::nn::Linear(s.hidden, s.hidden));
    mu = register_module("mu", torch::nn::Linear(s.hidden, s.latent));
    logvar = register_module("logvar", torch::nn::Linear(s.hidden, s.latent));
    d1 = register_module("d1", torch::nn::Linear(s.latent + s.conditions, s.hidden));
    d2 = register_module("d2", torch::nn::Linear(s.hidden, s.hidden));
    out = register_module("out", torch::nn::Linear(s.hidden, s.genes));
  }
  std::pair<at::Tensor, at::Tensor> encode(at::Tensor x, const at::Tensor& c) {
    if (conditions) x = at::cat({x, c}, 1);
    auto h = at::leaky_relu(e2->forward(at::leaky_relu(e1->forward(x), 0.2)), 0.2);
    return {mu->forward(h), logvar->forward(h).clamp(-10, 10)};
  }
  at::Tensor decode(at::Tensor z, const at::Tensor& c) {
    if (conditions) z = at::cat({z, c}, 1);
    return out->forward(at::leaky_relu(d2->forward(at::leaky_relu(d1->forward(z), 0.2)), 0.2));
  }
};
}  // namespace

struct CellsModel::Impl {
  std::shared_ptr<Net> net;
  std::unique_ptr<torch::optim::Adam> opt;
  at::Generator gen;
  at::Tensor oneHot(const int* cond, int n, int k) const {
    if (!k) return at::Tensor();
    auto c = at::zeros({n, k});
    auto a = c.accessor<float, 2>();
    for (int i = 0; i < n; ++i)
      if (cond[i] >= 0 && cond[i] < k) a[i][cond[i]] = 1.0f;
    return c;
  }
};

CellsModel::CellsModel(const ModelShape& shape, double lr, std::uint64_t seed)
    : m_shape(shape), m_impl(std::make_unique<Impl>()) {
  at::manual_seed(seed);
  m_impl->net = std::make_shared<Net>(shape);
  m_impl->opt = std::make_unique<torch::optim::Adam>(m_impl->net->parameters(),
                                                     torch::optim::AdamOptions(lr));
  m_impl->gen = at::make_generator<at::CPUGeneratorImpl>(seed + 101);
}

CellsModel::~CellsModel() = default;

void CellsModel::setLearningRate(double lr) {
  for (auto& g : m_impl->opt->param_groups())
    static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);
}

StepLoss CellsModel::trainStep(const float* x, const int* cond, int n, double beta) {
  auto& net = *m_impl->net;
  net.train();
  auto X = at::from_blob(const_cast<float*>(x), {n, m_shape.genes}, at::kFloat);
  auto C = m_impl->oneHot(cond, n, m_shape.conditions);
  auto [mu, logvar] = net.encode(X, C);
  auto eps = at::randn(mu.sizes(), m_impl->gen, mu.options());
  auto z = mu + eps * (0.5 * logvar).exp();
  auto xr = net.decode(z, C);
  auto recon = 0.5 * (xr - X).pow(2).sum(1).mean();
  auto kl = (-0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(1)).mean();
  auto loss = recon + beta * kl;
  m_impl->opt->zero_grad();
  loss.backward();
  m_impl->opt->step();
  return {loss.item<double>(), recon.item<double>(), kl.item<double>()};
}

void CellsModel::encode(const float* x, const int* cond, int n, float* out) const {
  at::NoGradGuard ng;
  m_impl->net->eval();
  constexpr int kBlock = 4096;
  for (int a = 0; a < n; a += kBlock) {
    const int b = std::min(n, a + kBlock);
    auto X = at::from_blob(const_cast<float*>(x + static_cast<std::size_t>(a) * m_shape.genes),
                           {b - a, m_shape.genes}, at::kFloat);
    auto C = m_impl->oneHot(cond ? cond + a : nullptr, b - a, m_shape.conditions);
    auto mu = m_impl->net->encode(X, C).first.contiguous();
    std::copy(mu.data_ptr<float>(), mu.data_ptr<float>() + mu.numel(),
              out + static_cast<std::size_t>(a) * m_shape.latent);
  }
}

void CellsModel::decode(const float* z, const int* cond, int n, float* out) const {
  at::NoGradGuard ng;
  m_impl->net->eval();
  constexpr int kBlock = 4096;
  for (int a = 0; a < n; a += kBlock) {
    const int b = std::min(n, a + kBlock);
    auto Z = at::from_blob(const_cast<float*>(z + static_cast<std::size_t>(a) * m_shape.latent),
                           {b - a, m_shape.latent}, at::kFloat);
    auto C = m_impl->oneHot(cond ? cond + a : nullptr, b - a, m_shape.conditions);
    auto y = m_impl->net->decode(Z, C).contiguous();
    std::copy(y.data_ptr<float>(), y.data_ptr<float>() + y.numel(),
              out + static_cast<std::size_t>(a) * m_shape.genes);
  }
}

void principalAxes(const float* x, std::int64_t n, int d, int k, std::vector<float>& mean,
                   std::vector<float>& axes) {
  at::NoGradGuard ng;
  auto X = at::from_blob(const_cast<float*>(x), {n, d}, at::kFloat).to(at::kDouble);
  auto m = X.mean(0);
  auto Xc = X - m;
  auto cov = Xc.t().mm(Xc) / std::max<std::int64_t>(1, n - 1);
  auto [evals, evecs] = at::linalg_eigh(cov);  // ascending
  k = std::min(k, d);
  auto top = evecs.narrow(1, d - k, k).flip({1}).t().contiguous().to(at::kFloat);
  auto mf = m.to(at::kFloat).contiguous();
  mean.assign(mf.data_ptr<float>(), mf.data_ptr<float>() + d);
  axes.assign(top.data_ptr<float>(), top.data_ptr<float>() + top.numel());
}

}  // namespace genlab::core::cells
