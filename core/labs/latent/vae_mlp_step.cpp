#include "core/labs/latent/vae_mlp_step.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

namespace genlab::core::latent {

namespace {
// `out` = `a` @ `w`^T + `bias`: the bias is copied in and the GEMM adds to it.
void linearInto(at::Tensor& out, const at::Tensor& a, const at::Tensor& w, const at::Tensor& bias) {
  at::addmm_out(out, bias, a, w.t());
}
}  // namespace

bool MlpVaeStep::supports(const MlpVaeImpl& net) {
  for (const auto& p : net.parameters()) {
    if (!p.is_cpu() || p.scalar_type() != at::kFloat || !p.grad().defined()) return false;
  }
  return true;
}

MlpStepSums MlpVaeStep::step(MlpVaeImpl& net, const at::Tensor& x, const at::Tensor& eps,
                             double beta) {
  c10::NoGradGuard ng;
  const int64_t d = eps.size(1);
  const at::Tensor& w1 = net.fc1->weight;
  const at::Tensor& b1 = net.fc1->bias;
  const at::Tensor& w2 = net.fcMuLogvar->weight;
  const at::Tensor& b2 = net.fcMuLogvar->bias;
  const at::Tensor& w3 = net.fc3->weight;
  const at::Tensor& b3 = net.fc3->bias;
  const at::Tensor& w4 = net.fc4->weight;
  const at::Tensor& b4 = net.fc4->bias;
  // Handles on the flat gradient buffer's views: writing to them fills it.
  at::Tensor gw1 = w1.grad(), gb1 = b1.grad(), gw2 = w2.grad(), gb2 = b2.grad();
  at::Tensor gw3 = w3.grad(), gb3 = b3.grad(), gw4 = w4.grad(), gb4 = b4.grad();
  // A batch of another size (the epoch's last): the buffers start over
  // empty, which ATen's out= functions resize without complaint.
  if (!m_h1.defined() || x.size(0) != m_batch) {
    m_batch = x.size(0);
    for (at::Tensor* t : {&m_h1, &m_stats, &m_sigma, &m_z, &m_h3, &m_logits, &m_softplus,
                          &m_gLogits, &m_gPre, &m_gh3, &m_gz, &m_gStats, &m_gh1})
      *t = at::empty({0}, x.options());
  }
  // Forward: h1 = relu(x W1' + b1); [mu | logvar] = h1 W2' + b2;
  // z = mu + exp(logvar / 2) eps; h3 = relu(z W3' + b3); logits = h3 W4' + b4.
  linearInto(m_h1, x, w1, b1);
  m_h1.relu_();
  linearInto(m_stats, m_h1, w2, b2);
  const at::Tensor mu = m_stats.narrow(1, 0, d), logvar = m_stats.narrow(1, d, d);
  m_sigma.resize_as_(eps).copy_(logvar).mul_(0.5).exp_();
  at::addcmul_out(m_z, mu, m_sigma, eps);
  linearInto(m_h3, m_z, w3, b3);
  m_h3.relu_();
  linearInto(m_logits, m_h3, w4, b4);

  MlpStepSums sums;
  // KL(N(mu, sigma^2) || N(0, 1)) = 1/2 sum(mu^2 + sigma^2 - 1 - logvar).
  sums.kl = 0.5 * (mu.pow(2).sum() + m_sigma.pow(2).sum() - logvar.sum()).item<double>() -
            0.5 * double(mu.numel());
  // BCE with logits, summed: softplus(l) - l x (softplus does not overflow).
  at::softplus_out(m_softplus, m_logits, 1, 20);
  sums.recon = m_softplus.sum().item<double>() -
               at::dot(m_logits.reshape(-1), x.reshape(-1)).item<double>();

  // Backward. d recon / d logits = sigmoid(l) - x.
  at::sigmoid_out(m_gLogits, m_logits);
  m_gLogits.sub_(x);
  at::mm_out(gw4, m_gLogits.t(), m_h3);
  at::sum_out(gb4, m_gLogits, at::IntArrayRef{0});
  at::mm_out(m_gPre, m_gLogits, w4);
  at::threshold_backward_out(m_gh3, m_gPre, m_h3, 0);  // through the ReLU
  at::mm_out(gw3, m_gh3.t(), m_z);
  at::sum_out(gb3, m_gh3, at::IntArrayRef{0});
  at::mm_out(m_gz, m_gh3, w3);
  // d/dmu = gz + beta mu; d/dlogvar = gz eps sigma / 2 + beta (sigma^2 - 1) / 2.
  m_gStats.resize_as_(m_stats);
  at::Tensor gmu = m_gStats.narrow(1, 0, d), glv = m_gStats.narrow(1, d, d);
  at::add_out(gmu, m_gz, mu, beta);
  at::mul_out(glv, m_gz, eps);
  glv.mul_(m_sigma).mul_(0.5);
  glv.add_(m_sigma * m_sigma - 1.0, 0.5 * beta);
  at::mm_out(gw2, m_gStats.t(), m_h1);
  at::sum_out(gb2, m_gStats, at::IntArrayRef{0});
  at::mm_out(m_gPre, m_gStats, w2);
  at::threshold_backward_out(m_gh1, m_gPre, m_h1, 0);
  at::mm_out(gw1, m_gh1.t(), x);
  at::sum_out(gb1, m_gh1, at::IntArrayRef{0});
  return sums;
}

}  // namespace genlab::core::latent
