#include "core/labs/protein/protein_session.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <stdexcept>

#include "core/data/msa_reader.h"
#include "core/engine/device.h"
#include "core/labs/protein/family_vae_ops.h"
#include "core/labs/protein/potts.h"
#include "core/nn/flat_optimizer.h"
#include "core/nn/optimizer_state.h"
#include "core/util/model_file.h"
#include "core/util/tensor_blob.h"

namespace genlab::core::protein {

namespace {
constexpr const char* kLab = "protein";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// MLP encoder (L*21 -> h -> h -> [mu | logvar]) and decoder (z -> h -> h -> L*21
// logits, a softmax per position), ReLU. The encoder's first layer is a linear
// map of the one-hot input computed as a sum of the columns the residues pick
// (gathered rows, summed): the same function and the same initialisation as
// nn.Linear on the one-hot vector, without multiplying by its zeros.
struct FamilyVaeImpl : torch::nn::Module {
  FamilyVaeImpl(int length, int hidden, int latent) : length(length), latent(latent) {
    const int in = length * kStates;
    const double bound = 1.0 / std::sqrt(static_cast<double>(in));  // nn.Linear's default
    enc1Weight = register_parameter("enc1_weight_t", torch::empty({in, hidden}).uniform_(-bound, bound));
    enc1Bias = register_parameter("enc1_bias", torch::empty({hidden}).uniform_(-bound, bound));
    enc2 = register_module("enc2", torch::nn::Linear(hidden, hidden));
    encHead = register_module("enc_head", torch::nn::Linear(hidden, 2 * latent));
    dec1 = register_module("dec1", torch::nn::Linear(latent, hidden));
    dec2 = register_module("dec2", torch::nn::Linear(hidden, hidden));
    decOut = register_module("dec_out", torch::nn::Linear(hidden, in));
  }
  // states: (B, L) long.
  std::pair<torch::Tensor, torch::Tensor> encode(const torch::Tensor& states) {
    auto h1 = oneHotLinear(states, enc1Weight, enc1Bias, kStates);
    auto out = encHead(torch::relu(enc2(torch::relu(h1))));
    return {out.narrow(1, 0, latent), out.narrow(1, latent, latent)};
  }
  torch::Tensor decode(const torch::Tensor& z) {
    return decOut(torch::relu(dec2(torch::relu(dec1(z)))));
  }
  int length, latent;
  torch::Tensor enc1Weight, enc1Bias;
  torch::nn::Linear enc2{nullptr}, encHead{nullptr}, dec1{nullptr}, dec2{nullptr}, decOut{nullptr};
};

torch::Tensor klOf(const torch::Tensor& mu, const torch::Tensor& logvar) {  // (B)
  return -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(1);
}

std::vector<float> toVector(const torch::Tensor& t) {
  auto c = t.detach().to(torch::kCPU).to(torch::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}
}  // namespace

struct ProteinSession::Impl {
  c10::Device device{c10::kCPU};
  std::shared_ptr<FamilyVaeImpl> net;
  std::unique_ptr<nn::FlatOptimizer> adam;
  at::Generator trainGen;
  torch::Tensor states;        // n x L long (device)
  torch::Tensor trainIndex;    // training rows (long)
  torch::Tensor trainWeights;  // their weights (float, CPU) for weighted draws
  long step = 0;
  double trainNeff = 0;  // sum of the training rows' weights
  struct PendingStep {     // a mini-batch being trained in pieces
    torch::Tensor x, eps;  // the batch's rows and latent draws
    int64_t next = 0;      // first row of the next piece
    double recon = 0, kl = 0;
  } pending;
  std::vector<float> origin, axisX, axisY;  // map plane in latent space

  torch::Tensor rowsTensor(const std::vector<int>& rows) {
    std::vector<int64_t> r(rows.begin(), rows.end());
    return states.index_select(0, torch::tensor(r, torch::kLong).to(device));
  }
  // ELBO terms per sequence, averaged over the rows of `eps` (S x d): every
  // sequence sees the same draws (common random numbers).
  std::pair<torch::Tensor, torch::Tensor> elboTerms(const torch::Tensor& x,
                                                    const torch::Tensor& eps) {
    torch::NoGradGuard ng;
    const int64_t L = x.size(1), S = eps.size(0), d = eps.size(1);
    // Bounded memory: the decoder's S x L x 21 outputs and the encoder's
    // gathered L x hidden rows per sequence.
    const int64_t hidden = net->enc1Weight.size(1);
    const int64_t chunk = std::max<int64_t>(
        1, std::min(24'000'000 / (S * L * kStates), 8'000'000 / (L * hidden)));
    std::vector<torch::Tensor> recon, kl;
    for (int64_t s = 0; s < x.size(0); s += chunk) {
      auto xb = x.narrow(0, s, std::min(chunk, x.size(0) - s));
      const int64_t m = xb.size(0);
      auto [mu, logvar] = net->encode(xb);
      auto z = (mu.unsqueeze(1) + (0.5 * logvar).exp().unsqueeze(1) * eps.unsqueeze(0))
                   .view({m * S, d});
      auto logp = torch::log_softmax(net->decode(z).view({m, S, L, kStates}), -1);
      auto idx = xb.unsqueeze(1).unsqueeze(3).expand({m, S, L, 1});
      recon.push_back(-logp.gather(3, idx).sum({2, 3}).mean(1));
      kl.push_back(klOf(mu, logvar));
    }
    return {torch::cat(recon).to(torch::kDouble).cpu(), torch::cat(kl).to(torch::kDouble).cpu()};
  }
  torch::Tensor noise(int samples, std::uint64_t seed) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    return at::randn({samples, net->latent}, gen, torch::TensorOptions().dtype(torch::kFloat))
        .to(device);
  }
  torch::Tensor planePoints(const torch::Tensor& xy) {  // (n,2) -> (n,d)
    auto o = torch::tensor(origin).to(device), ax = torch::tensor(axisX).to(device),
         ay = torch::tensor(axisY).to(device);
    return o.unsqueeze(0) + xy.narrow(1, 0, 1) * ax.unsqueeze(0) +
           xy.narrow(1, 1, 1) * ay.unsqueeze(0);
  }
};

std::shared_ptr<ProteinSession> ProteinSession::create(const ProteinOptions& o) {
  o.validate();
  if (o.family.empty()) throw std::invalid_argument("no family alignment given");
  if (o.family == kPottsDemo) {
    // Works offline with nothing fetched: 1500 sequences of 40 residues from a
    // Potts model with planted couplings (see potts.h).
    PottsOptions p;
    p.length = 40;
    p.sequences = 1500;
    p.seed = 1;
    const PottsFamily fam = simulatePotts(p);
    return std::make_shared<ProteinSession>(o, familyFromAligned(fam.names, fam.sequences));
  }
  const Msa msa = readMsa(o.family, {}, static_cast<std::size_t>(o.alignment - 1));
  FocusOptions fo;
  fo.maxSequenceGapFraction = o.maxSequenceGapFraction;
  fo.maxColumnGapFraction = o.maxColumnGapFraction;
  auto session = std::make_shared<ProteinSession>(o, makeFamily(msa, fo), msa.annotations);
  session->m_alignmentsInFile = static_cast<int>(msa.alignmentsInFile);
  session->m_alignmentId = msa.id;
  return session;
}

ProteinSession::ProteinSession(const ProteinOptions& options, Family family,
                               std::map<std::string, std::map<std::string, std::string>> ann)
    : m_options(options), m_family(std::move(family)), m_annotations(std::move(ann)),
      m_impl(std::make_unique<Impl>()) {
  m_options.validate();
  if (m_family.n() < 2) throw std::invalid_argument("a family needs at least two sequences");
  const auto t0 = std::chrono::steady_clock::now();
  m_weights = sequenceWeights(m_family, 1.0 - m_options.theta);
  m_weightSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // A seeded held-out split; at least one sequence on each side.
  std::vector<int> order(m_family.n());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(m_options.seed * 7919 + 17);
  std::shuffle(order.begin(), order.end(), rng);
  int held = static_cast<int>(std::round(m_options.heldOutFraction * m_family.n()));
  held = std::clamp(held, m_options.heldOutFraction > 0 ? 1 : 0, m_family.n() - 1);
  m_heldOut.assign(order.begin(), order.begin() + held);
  m_train.assign(order.begin() + held, order.end());
  std::sort(m_heldOut.begin(), m_heldOut.end());
  std::sort(m_train.begin(), m_train.end());
  setupModel();
}

ProteinSession::~ProteinSession() = default;

void ProteinSession::setupModel() {
  m_pssm = fitPssm(m_family, m_weights, m_train, m_options.pseudocount);
  auto& s = *m_impl;
  s.device = defaultDevice();
  const int L = m_family.length();
  torch::manual_seed(m_options.seed);  // module init draws from the global generator
  s.net = std::make_shared<FamilyVaeImpl>(L, m_options.hidden, m_options.latentDim);
  s.net->to(s.device);
  s.adam = std::make_unique<nn::FlatOptimizer>(*s.net, "adam", m_options.lr);
  s.trainGen = at::make_generator<at::CPUGeneratorImpl>(m_options.seed + 1);
  s.states = torch::from_blob(const_cast<std::uint8_t*>(m_family.states.data()),
                              {m_family.n(), L}, torch::kUInt8)
                 .to(torch::kLong)
                 .to(s.device);
  std::vector<int64_t> tr(m_train.begin(), m_train.end());
  s.trainIndex = torch::tensor(tr, torch::kLong).to(s.device);
  std::vector<float> w;
  for (int i : m_train) w.push_back(static_cast<float>(m_weights[i]));
  s.trainWeights = torch::tensor(w, torch::kFloat);
  s.trainNeff = trainNeff();
  const int d = m_options.latentDim;
  s.origin.assign(d, 0.f);
  s.axisX.assign(d, 0.f);
  s.axisY.assign(d, 0.f);
  s.axisX[0] = 1.f;
  if (d > 1) s.axisY[1] = 1.f;
}

double ProteinSession::neff() const { return protein::neff(m_weights); }
double ProteinSession::trainNeff() const {
  double s = 0;
  for (int i : m_train) s += m_weights[i];
  return s;
}
long ProteinSession::stepsPerEpoch() const {
  return std::max<long>(1, (static_cast<long>(m_train.size()) + m_options.batch - 1) /
                               m_options.batch);
}
long ProteinSession::globalStep() const { return m_impl->step; }
double ProteinSession::epochsDone() const {
  return static_cast<double>(m_impl->step) / stepsPerEpoch();
}

ProteinMetrics ProteinSession::trainStep() {
  for (;;)
    if (auto m = trainPiece()) return *m;
}

int ProteinSession::rowsPerTrainPiece() const {
  if (m_options.pieceRows > 0) return std::min(m_options.pieceRows, m_options.batch);
  // About 1.1e8 multiply-adds per piece in the decoder's output layer and its
  // gradients (a Ras-sized family, 161 columns at hidden 256, takes its batch
  // of 128 in one piece; PF00171's 462 columns take three): 10-30 ms on one
  // core of the build machine.
  const double perRow = static_cast<double>(m_family.length()) * kStates * m_options.hidden;
  return static_cast<int>(
      std::clamp<double>(std::floor(1.15e8 / perRow), 1.0, static_cast<double>(m_options.batch)));
}

std::optional<ProteinMetrics> ProteinSession::trainPiece() {
  auto& s = *m_impl;
  const int64_t b = m_options.batch;
  if (!s.pending.x.defined()) {
    // The batch's draws, in the same order as a step in one piece.
    auto pick = at::multinomial(s.trainWeights, b, true, s.trainGen).to(s.device);
    s.pending.x = s.states.index_select(0, s.trainIndex.index_select(0, pick));
    s.pending.eps = at::randn({b, static_cast<int64_t>(m_options.latentDim)}, s.trainGen,
                              torch::TensorOptions().dtype(torch::kFloat))
                        .to(s.device);
    s.pending.next = 0;
    s.pending.recon = s.pending.kl = 0;
    s.adam->zeroGrad();
  }
  auto& p = s.pending;
  const int64_t n = std::min<int64_t>(rowsPerTrainPiece(), b - p.next);
  const auto x = p.x.narrow(0, p.next, n);
  auto [mu, logvar] = s.net->encode(x);
  auto z = mu + (0.5 * logvar).exp() * p.eps.narrow(0, p.next, n);
  // Each piece's share of the batch means.
  auto recon = categoricalNll(s.net->decode(z), x, kStates) / b;
  auto kl = klOf(mu, logvar).sum() / b;
  (recon + kl).backward();
  p.recon += recon.item<double>();
  p.kl += kl.item<double>();
  p.next += n;
  if (p.next < b) return std::nullopt;
  if (m_options.l2 > 0) {
    // A Gaussian prior on the weights, per effective sequence (as DeepSequence
    // scales it): l2/Neff * sum(W^2). Its gradient, 2 l2/Neff * W, is added to
    // the weights' gradients directly (the term's value is not reported).
    torch::NoGradGuard ng;
    const double c = 2.0 * m_options.l2 / std::max(1.0, s.trainNeff);
    for (const auto& w : s.net->named_parameters())
      if (w.key().find("weight") != std::string::npos)
        w.value().mutable_grad().add_(w.value(), c);
  }
  s.adam->step();
  ++s.step;
  ProteinMetrics m;
  m.recon = p.recon;
  m.kl = p.kl;
  m.elbo = -(m.recon + m.kl);
  p = {};
  return m;
}

ProteinMetrics EvalPass::result() const {
  if (rows.empty()) return {kNaN, kNaN, kNaN};
  ProteinMetrics m;
  m.recon = reconSum / rows.size();
  m.kl = klSum / rows.size();
  m.elbo = -(m.recon + m.kl);
  return m;
}

void ProteinSession::evaluateSome(EvalPass& pass, int maxRows) {
  if (pass.done()) return;
  auto& s = *m_impl;
  const std::size_t end = std::min(pass.rows.size(), pass.next + std::max(1, maxRows));
  const std::vector<int> rows(pass.rows.begin() + pass.next, pass.rows.begin() + end);
  auto [recon, kl] = s.elboTerms(s.rowsTensor(rows), s.noise(pass.samples, m_options.seed + 7919));
  pass.reconSum += recon.sum().item<double>();
  pass.klSum += kl.sum().item<double>();
  pass.next = end;
}

ProteinMetrics ProteinSession::evaluate(const std::vector<int>& rows, int samples) {
  EvalPass pass;
  pass.rows = rows;
  pass.samples = samples;
  // Pieces as large as elboTerms' own memory bound allows: one call.
  evaluateSome(pass, static_cast<int>(std::max<std::size_t>(1, rows.size())));
  return pass.result();
}

double ProteinSession::pssmLogLikelihood(const std::vector<int>& rows) const {
  if (rows.empty()) return kNaN;
  double s = 0;
  for (int i : rows) s += m_pssm.logProb(m_family.row(i));
  return s / rows.size();
}

std::vector<double> ProteinSession::elbo(const std::vector<std::string>& aligned, int samples) {
  if (aligned.empty()) return {};
  auto& s = *m_impl;
  const int L = m_family.length();
  std::vector<int64_t> st;
  st.reserve(aligned.size() * L);
  for (const auto& a : aligned) {
    if (static_cast<int>(a.size()) != L)
      throw std::invalid_argument("a sequence of " + std::to_string(a.size()) +
                                  " columns, the model has " + std::to_string(L));
    for (char c : a) st.push_back(stateOf(c));
  }
  auto x = torch::tensor(st, torch::kLong).view({static_cast<int64_t>(aligned.size()), L})
               .to(s.device);
  auto [recon, kl] = s.elboTerms(x, s.noise(samples, m_options.seed + 7919));
  auto e = (-(recon + kl)).contiguous();
  return std::vector<double>(e.data_ptr<double>(), e.data_ptr<double>() + e.numel());
}

MapPass ProteinSession::beginMap() const {
  MapPass pass;
  pass.n = static_cast<std::size_t>(m_family.n());
  pass.mu.reserve(pass.n * static_cast<std::size_t>(m_options.latentDim));
  pass.elbo.reserve(pass.n);
  return pass;
}

void ProteinSession::mapSome(MapPass& pass, int maxRows) {
  if (pass.done()) return;
  torch::NoGradGuard ng;
  auto& s = *m_impl;
  const int64_t from = static_cast<int64_t>(pass.next);
  const int64_t m = std::min<int64_t>(std::max(1, maxRows), static_cast<int64_t>(pass.n) - from);
  const auto x = s.states.narrow(0, from, m);
  const auto mu = s.net->encode(x).first.to(torch::kCPU, torch::kFloat).contiguous();
  pass.mu.insert(pass.mu.end(), mu.data_ptr<float>(), mu.data_ptr<float>() + mu.numel());
  auto [recon, kl] = s.elboTerms(x, s.noise(1, m_options.seed + 7919));
  const auto e = (-(recon + kl)).to(torch::kCPU, torch::kFloat).contiguous();
  pass.elbo.insert(pass.elbo.end(), e.data_ptr<float>(), e.data_ptr<float>() + e.numel());
  pass.next += static_cast<std::size_t>(m);
}

std::shared_ptr<FamilyMap> ProteinSession::familyMap() {
  auto pass = beginMap();
  // Chunks bounded in memory as elboTerms bounds its own.
  const int chunk = std::max<int>(1, 8'000'000 / (m_family.length() * m_options.hidden));
  while (!pass.done()) mapSome(pass, chunk);
  return finishMap(pass);
}

std::shared_ptr<FamilyMap> ProteinSession::finishMap(MapPass& pass) {
  torch::NoGradGuard ng;
  auto& s = *m_impl;
  const int64_t n = static_cast<int64_t>(pass.n), d = m_options.latentDim;
  if (!pass.done()) throw std::logic_error("the family map is not complete");
  auto mu = torch::from_blob(pass.mu.data(), {n, d}, torch::kFloat).clone();
  torch::Tensor xy;
  if (d <= 2) {
    xy = d == 2 ? mu : torch::cat({mu, torch::zeros_like(mu)}, 1);
  } else {
    auto mean = mu.mean(0);
    auto c = mu - mean;
    auto vecs = std::get<1>(at::linalg_eigh(c.t().mm(c) / std::max<int64_t>(1, n - 1), "L"));
    auto top = torch::stack({vecs.select(1, d - 1), vecs.select(1, d - 2)});
    auto idx = top.abs().argmax(1);
    for (int k = 0; k < 2; ++k)
      if (top[k][idx[k].item<int64_t>()].item<float>() < 0) top[k].neg_();
    xy = c.mm(top.t());
    s.origin = toVector(mean);
    s.axisX = toVector(top[0]);
    s.axisY = toVector(top[1]);
  }
  auto map = std::make_shared<FamilyMap>();
  map->latentDim = static_cast<int>(d);
  map->xy = toVector(xy);
  map->elbo = std::move(pass.elbo);
  for (double w : m_weights) map->weight.push_back(static_cast<float>(w));
  map->heldOut.assign(n, 0);
  for (int i : m_heldOut) map->heldOut[i] = 1;
  map->epochs = epochsDone();
  return map;
}

DecodedSequence ProteinSession::decode(float x, float y) {
  torch::NoGradGuard ng;
  auto& s = *m_impl;
  const int L = m_family.length();
  auto z = s.planePoints(torch::tensor({x, y}).view({1, 2}).to(s.device));
  auto probs = torch::softmax(s.net->decode(z).view({L, kStates}), -1);
  DecodedSequence out;
  out.x = x;
  out.y = y;
  out.length = L;
  out.probs = toVector(probs);
  auto best = probs.argmax(1).cpu();
  for (int k = 0; k < L; ++k) out.sequence.push_back(letterOf(best[k].item<int>()));
  return out;
}

std::vector<std::string> ProteinSession::sample(int n, std::uint64_t seed, float cx, float cy,
                                                float radius) {
  return radius > 0 ? sample(n, seed, Region{{cx, cy, radius}}) : sample(n, seed, Region{});
}

std::vector<float> sampleRegion(const Region& region, int n, std::uint64_t seed) {
  std::vector<float> xy;
  Region discs;
  for (const auto& d : region)
    if (d.r > 0 && std::isfinite(d.x) && std::isfinite(d.y) && std::isfinite(d.r)) discs.push_back(d);
  if (discs.empty() || n <= 0) return xy;
  // A disc by its area, a point uniform in it, kept with probability
  // 1 / (discs covering it): overlaps are not sampled twice as often.
  std::vector<double> cumulative;
  double total = 0;
  for (const auto& d : discs) cumulative.push_back(total += double(d.r) * d.r);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  xy.reserve(static_cast<std::size_t>(2) * n);
  long tries = 0;
  while (static_cast<int>(xy.size() / 2) < n) {
    if (++tries > 1000L * n + 100000) throw std::runtime_error("could not sample the region");
    const double pick = u(rng) * total;
    const auto k = std::min<std::size_t>(
        discs.size() - 1,
        std::upper_bound(cumulative.begin(), cumulative.end(), pick) - cumulative.begin());
    const Disc& d = discs[k];
    const double r = std::sqrt(u(rng)) * d.r, a = u(rng) * 2 * M_PI;
    const double x = d.x + r * std::cos(a), y = d.y + r * std::sin(a);
    int cover = 0;
    for (const auto& e : discs)
      if ((x - e.x) * (x - e.x) + (y - e.y) * (y - e.y) <= double(e.r) * e.r) ++cover;
    if (u(rng) * std::max(cover, 1) > 1) continue;
    xy.push_back(static_cast<float>(x));
    xy.push_back(static_cast<float>(y));
  }
  return xy;
}

std::vector<std::string> ProteinSession::sample(int n, std::uint64_t seed, const Region& region) {
  torch::NoGradGuard ng;
  if (n <= 0) return {};
  auto& s = *m_impl;
  const int L = m_family.length();
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const auto fopt = torch::TensorOptions().dtype(torch::kFloat);
  Region discs;
  for (const auto& d : region)
    if (d.r > 0 && std::isfinite(d.x) && std::isfinite(d.y) && std::isfinite(d.r)) discs.push_back(d);
  if (discs.size() > 100000) throw std::invalid_argument("a region of more than 100000 discs");
  torch::Tensor z;
  if (discs.empty()) {
    z = at::randn({n, m_options.latentDim}, gen, fopt).to(s.device);
  } else if (discs.size() == 1) {  // uniform in the disc
    const Disc& d = discs.front();
    auto r = at::rand({n, 1}, gen, fopt).sqrt() * d.r;
    auto a = at::rand({n, 1}, gen, fopt) * (2 * M_PI);
    auto xy = torch::cat({d.x + r * a.cos(), d.y + r * a.sin()}, 1);
    z = s.planePoints(xy.to(s.device));
  } else {
    auto xy = sampleRegion(discs, n, seed ^ 0x5eedba5eULL);
    z = s.planePoints(torch::from_blob(xy.data(), {n, 2}, fopt).clone().to(s.device));
  }
  std::vector<std::string> out;
  for (int64_t i = 0; i < n; i += 1024) {
    const int64_t m = std::min<int64_t>(1024, n - i);
    auto probs = torch::softmax(s.net->decode(z.narrow(0, i, m)).view({m * L, kStates}), -1);
    auto pick = at::multinomial(probs.cpu(), 1, false, gen).view({m, L}).contiguous();
    const auto* p = pick.data_ptr<int64_t>();
    for (int64_t r = 0; r < m; ++r) {
      std::string seq(L, '-');
      for (int k = 0; k < L; ++k) seq[k] = letterOf(static_cast<int>(p[r * L + k]));
      out.push_back(std::move(seq));
    }
  }
  return out;
}

std::pair<std::string, std::string> ProteinSession::resolveWildtype(const std::string& id) const {
  for (int i = 0; i < m_family.n(); ++i)
    if (m_family.names[i] == id) return {id, m_family.aligned[i]};
  std::string seq;
  for (char c : id) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '.') c = '-';
    if (c != '-' && !std::isalpha(static_cast<unsigned char>(c)))
      throw std::invalid_argument("'" + id.substr(0, 40) +
                                  "' is neither a sequence name in the family nor a sequence");
    seq.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  const int L = m_family.length();
  if (static_cast<int>(seq.size()) == m_family.alignmentColumns && L != m_family.alignmentColumns) {
    std::string f;
    for (int c : m_family.focusColumns) f.push_back(seq[c]);
    seq = f;
  }
  if (static_cast<int>(seq.size()) != L)
    throw std::invalid_argument(
        "no sequence named '" + id.substr(0, 40) + "' in the family, and as a sequence it has " +
        std::to_string(seq.size()) + " columns: a pasted wild type must be aligned to the family (" +
        std::to_string(L) + " focus columns or " + std::to_string(m_family.alignmentColumns) +
        " match columns)");
  for (char& c : seq) c = letterOf(stateOf(c));
  return {"pasted", seq};
}

MutationScan ProteinSession::scan(const std::string& name, const std::string& wt, int samples,
                                  std::uint64_t seed) {
  auto& s = *m_impl;
  const int L = m_family.length();
  if (static_cast<int>(wt.size()) != L)
    throw std::invalid_argument("the wild type must have " + std::to_string(L) + " focus columns");
  std::vector<int64_t> base(L);
  for (int k = 0; k < L; ++k) base[k] = stateOf(wt[k]);
  std::vector<int64_t> all(base);  // row 0: the wild type
  std::vector<std::pair<int, int>> where;
  for (int k = 0; k < L; ++k) {
    if (base[k] == 0) continue;  // a gap in the wild type: no score here
    for (int a = 1; a < kStates; ++a) {
      if (a == base[k]) continue;
      auto row = base;
      row[k] = a;
      all.insert(all.end(), row.begin(), row.end());
      where.push_back({k, a});
    }
  }
  auto x = torch::tensor(all, torch::kLong).view({-1, L}).to(s.device);
  auto [recon, kl] = s.elboTerms(x, s.noise(samples, seed));
  auto e = (-(recon + kl)).contiguous();
  const double* ep = e.data_ptr<double>();
  MutationScan out;
  out.wildtypeName = name;
  out.wildtype = wt;
  out.length = L;
  out.samples = samples;
  out.wildtypeElbo = ep[0];
  out.deltaElbo.assign(std::size_t(L) * kStates, std::numeric_limits<float>::quiet_NaN());
  out.deltaPssm = out.deltaElbo;
  for (std::size_t m = 0; m < where.size(); ++m) {
    const auto [k, a] = where[m];
    out.deltaElbo[std::size_t(k) * kStates + a] = static_cast<float>(ep[m + 1] - ep[0]);
    out.deltaPssm[std::size_t(k) * kStates + a] =
        static_cast<float>(m_pssm.delta(k, static_cast<int>(base[k]), a));
  }
  return out;
}

void ProteinSession::save(const std::string& path) const {
  const auto& s = *m_impl;
  ModelFile mf;
  mf.lab = kLab;
  nlohmann::json meta;
  meta["options"] = nlohmann::json::parse(m_options.toJson());
  meta["names"] = m_family.names;
  meta["aligned"] = m_family.aligned;
  meta["focus_columns"] = m_family.focusColumns;
  meta["alignment_columns"] = m_family.alignmentColumns;
  meta["dropped_sequences"] = m_family.droppedSequences;
  meta["weights"] = m_weights;
  meta["train_rows"] = m_train;
  meta["held_out_rows"] = m_heldOut;
  meta["annotations"] = m_annotations;
  meta["steps"] = s.step;
  meta["adam_steps"] = s.adam->steps();
  mf.metaJson = meta.dump();
  for (const auto& p : s.net->named_parameters()) mf.tensors["net." + p.key()] = toBlob(p.value());
  nn::putOptimizerState(*s.adam, mf);
  mf.save(path);
}

std::shared_ptr<ProteinSession> ProteinSession::load(const std::string& path) {
  const auto mf = ModelFile::load(path, kLab);
  nlohmann::json meta;
  ProteinOptions o;
  Family fam;
  std::map<std::string, std::map<std::string, std::string>> ann;
  try {
    meta = nlohmann::json::parse(mf.metaJson);
    o = ProteinOptions::fromJson(meta.at("options").dump());
    fam = familyFromAligned(meta.at("names").get<std::vector<std::string>>(),
                            meta.at("aligned").get<std::vector<std::string>>());
    fam.focusColumns = meta.at("focus_columns").get<std::vector<int>>();
    fam.alignmentColumns = meta.at("alignment_columns").get<int>();
    fam.droppedSequences = meta.value("dropped_sequences", 0);
    ann = meta.value("annotations", ann);
  } catch (const std::exception& e) {
    throw ModelFileError(path + ": the model's description is incomplete or malformed (" +
                         e.what() + ")");
  }
  if (static_cast<int>(fam.focusColumns.size()) != fam.length())
    throw ModelFileError(path + ": focus columns and sequences disagree");
  // Rebuild without recomputing the weights: construct, then restore.
  auto session = std::shared_ptr<ProteinSession>(new ProteinSession(o, std::move(fam), ann));
  try {
    session->m_weights = meta.at("weights").get<std::vector<double>>();
    session->m_train = meta.at("train_rows").get<std::vector<int>>();
    session->m_heldOut = meta.at("held_out_rows").get<std::vector<int>>();
  } catch (const std::exception& e) {
    throw ModelFileError(path + ": " + e.what());
  }
  const int n = session->m_family.n();
  if (static_cast<int>(session->m_weights.size()) != n)
    throw ModelFileError(path + ": weights and sequences disagree");
  for (int r : session->m_train)
    if (r < 0 || r >= n) throw ModelFileError(path + ": bad training row");
  for (int r : session->m_heldOut)
    if (r < 0 || r >= n) throw ModelFileError(path + ": bad held-out row");
  session->setupModel();
  auto& s = *session->m_impl;
  for (auto& p : s.net->named_parameters()) {
    auto it = mf.tensors.find("net." + p.key());
    if (it == mf.tensors.end()) throw ModelFileError(path + ": tensor '" + p.key() + "' is missing");
    copyInto(p.value(), it->second, p.key(), path);
  }
  nn::takeOptimizerState(*s.adam, mf, meta.value("adam_steps", 0L), path);
  s.step = meta.value("steps", 0L);
  session->familyMap();  // sets the map plane for decoding
  return session;
}

}  // namespace genlab::core::protein
