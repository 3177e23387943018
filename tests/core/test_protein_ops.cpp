// The family VAE's fused kernels against the ATen composition they replace:
// same values and same gradients.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "tests/core/tensor_test_util.h"

#include "core/labs/protein/family_vae_ops.h"

using genlab::core::protein::categoricalNll;
using genlab::core::protein::oneHotLinear;

namespace {
constexpr int64_t kK = 21;

using genlab::test::maxAbs;
}  // namespace

TEST_CASE("protein ops: one-hot linear layer equals nn.Linear on the one-hot matrix",
          "[protein]") {
  torch::manual_seed(3);
  const int64_t b = 37, l = 19, h = 24;
  auto states = torch::randint(0, kK, {b, l}, torch::kLong);
  auto w = torch::randn({l * kK, h}).requires_grad_();
  auto bias = torch::randn({h}).requires_grad_();
  auto out = oneHotLinear(states, w, bias, kK);
  auto gout = torch::randn({b, h});
  out.backward(gout);

  auto w2 = w.detach().clone().requires_grad_();
  auto bias2 = bias.detach().clone().requires_grad_();
  auto onehot = torch::one_hot(states, kK).to(torch::kFloat).view({b, l * kK});
  auto ref = torch::mm(onehot, w2) + bias2;
  ref.backward(gout);

  CHECK(maxAbs(out, ref) < 1e-4);
  CHECK(maxAbs(w.grad(), w2.grad()) < 1e-4);
  CHECK(maxAbs(bias.grad(), bias2.grad()) < 1e-4);
  // Rows no residue picked get no gradient.
  CHECK(w.grad().abs().sum(1).eq(0).sum().item<int64_t>() > 0);
}

TEST_CASE("protein ops: fused categorical NLL equals log_softmax + gather", "[protein]") {
  torch::manual_seed(5);
  const int64_t b = 29, l = 13;
  auto states = torch::randint(0, kK, {b, l}, torch::kLong);
  // Large logits too: the fused kernel subtracts the row maximum.
  auto logits = (torch::randn({b, l * kK}) * 30).requires_grad_();
  auto nll = categoricalNll(logits, states, kK);
  (nll * 0.37).backward();

  auto logits2 = logits.detach().clone().requires_grad_();
  auto ref = -torch::log_softmax(logits2.view({b, l, kK}), -1)
                  .gather(2, states.unsqueeze(2))
                  .sum();
  (ref * 0.37).backward();

  CHECK(std::abs(nll.item<double>() - ref.item<double>()) < 1e-3 * std::abs(ref.item<double>()));
  CHECK(maxAbs(logits.grad(), logits2.grad()) < 1e-5);
}

TEST_CASE("protein ops: a state outside the alphabet is refused", "[protein]") {
  auto states = torch::full({2, 3}, kK, torch::kLong);
  auto w = torch::zeros({3 * kK, 4});
  CHECK_THROWS_AS(oneHotLinear(states, w, torch::zeros({4}), kK), std::invalid_argument);
  CHECK_THROWS_AS(categoricalNll(torch::zeros({2, 3 * kK}), states, kK), std::invalid_argument);
}
