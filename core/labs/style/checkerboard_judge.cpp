// The checkerboard lab's quality judge (checkerboard_model.h): a digit
// classifier trained with a fixed seed, and the test images' feature Gaussian.
#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

#include "core/labs/style/checkerboard_judge.h"

namespace genlab::core::style {

namespace F = torch::nn::functional;
using namespace checkerboard_detail;

CheckerboardJudge::CheckerboardJudge(std::shared_ptr<const ImageSplit> data, long steps,
                                     int referenceImages)
    : m_impl(std::make_unique<Impl>()) {
  auto& m = *m_impl;
  if (!data) throw std::invalid_argument("checkerboard judge: no data");
  const auto& tr = data->train;
  const auto& te = data->test;
  if (tr.height != kSize || tr.width != kSize || te.height != kSize || te.width != kSize ||
      tr.count < 1 || te.count < 2)
    throw std::invalid_argument("the checkerboard judge needs 28x28 training and test images");
  if (steps < 0) throw std::invalid_argument("judge steps must be >= 0");
  for (int l : tr.labels)
    if (l < 0 || l > 9)
      throw std::invalid_argument("the checkerboard judge needs digit labels 0-9 (MNIST format)");
  m.data = std::move(data);
  m.steps = steps;
  m.referenceImages = std::max(2, referenceImages);
  // A fixed seed, whatever the run's: every choice is judged by the same net.
  // (The global generator is reseeded by each session right after.)
  torch::manual_seed(kJudgeSeed);
  m.net = JudgeNet();
  m.opt = std::make_unique<torch::optim::Adam>(m.net->parameters(), torch::optim::AdamOptions(2e-3));
  m.trainU8 = torch::from_blob(const_cast<std::uint8_t*>(tr.pixels.data()),
                               {tr.count, 1, kSize, kSize}, torch::kUInt8);
  m.testU8 = torch::from_blob(const_cast<std::uint8_t*>(te.pixels.data()),
                              {te.count, 1, kSize, kSize}, torch::kUInt8);
}
CheckerboardJudge::~CheckerboardJudge() = default;
bool CheckerboardJudge::ready() const { return m_impl->step >= m_impl->steps; }
long CheckerboardJudge::step() const { return m_impl->step; }
long CheckerboardJudge::steps() const { return m_impl->steps; }

double CheckerboardJudge::trainStep() {
  auto& m = *m_impl;
  if (ready()) return 0;
  m.net->train();
  std::uniform_int_distribution<std::int64_t> pick(0, m.trainU8.size(0) - 1);
  std::vector<std::int64_t> idx(64);
  std::vector<std::int64_t> labels(64);
  for (std::size_t k = 0; k < idx.size(); ++k) {
    idx[k] = pick(m.rng);
    labels[k] = m.data->train.labels[std::size_t(idx[k])];
  }
  auto x = m.trainU8.index_select(0, torch::tensor(idx)).to(torch::kFloat).div(255.0);
  auto loss = F::cross_entropy(m.net->forward(x), torch::tensor(labels));
  m.opt->zero_grad();
  loss.backward();
  m.opt->step();
  ++m.step;
  m.accuracy = -1;
  m.haveReference = false;
  return loss.item<double>();
}

void CheckerboardJudge::prepareReference() { m_impl->real(); }

double CheckerboardJudge::accuracy() {
  auto& m = *m_impl;
  if (m.accuracy >= 0) return m.accuracy;
  torch::NoGradGuard ng;
  m.net->eval();
  const auto& te = m.data->test;
  const int n = std::min(2000, te.count);
  int right = 0, known = 0;
  auto pred = m.net->forward(m.testU8.slice(0, 0, n).to(torch::kFloat).div(255.0)).argmax(1);
  auto acc = pred.accessor<std::int64_t, 1>();
  for (int k = 0; k < n; ++k) {
    const int l = te.labels.empty() ? -1 : te.labels[std::size_t(k)];
    if (l < 0) continue;
    ++known;
    right += acc[k] == l;
  }
  m.accuracy = known ? double(right) / known : -1;
  return m.accuracy;
}

}  // namespace genlab::core::style
