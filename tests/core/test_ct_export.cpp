// The CT score prior exported as TorchScript: Debian's Python PyTorch loads
// it and its denoiser reproduces GenLab's on fixed inputs to 1e-5.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "core/labs/ct/score_export.h"
#include "core/labs/ct/score_prior.h"
#undef CHECK

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <unistd.h>

#include "../test_skips.h"

namespace fs = std::filesystem;
using namespace genlab::core;

TEST_CASE("Python loads the exported score prior and denoises as GenLab does",
          "[ct][score][export]") {
  const bool python = std::system("/usr/bin/python3 -c 'import torch' > /dev/null 2>&1") == 0;
  if (!genlab::test::fixturePresent(
          python, "/usr/bin/python3 with python3-torch (scripts/setup.sh installs it)"))
    return;
  ct::PriorOptions o;
  o.size = 32;
  o.channels = 4;
  o.batch = 2;
  o.steps = 4;
  auto prior = std::make_shared<ct::ScorePrior>(o, c10::Device(c10::kCPU));
  ct::PriorTrainer trainer(prior);
  while (!trainer.done()) trainer.step();  // weights that are not the initial ones
  trainer.finish();
  const fs::path dir = fs::temp_directory_path() / ("genlab-ctx-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string base = (dir / "prior").string();
  ct::exportPriorTorchScript(*prior, base + ".pt");
  REQUIRE(fs::exists(base + ".pt"));
  REQUIRE(fs::exists(base + ".state.pt"));
  REQUIRE(fs::exists(base + ".pt.options.json"));
  auto gen = at::make_generator<at::CPUGeneratorImpl>(3);
  const auto x = at::rand({3, 1, 32, 32}, gen);
  const auto sigma = at::tensor({0.02f, 0.2f, 0.9f});
  at::Tensor d;
  {
    at::NoGradGuard ng;
    d = prior->denoise(x, sigma).contiguous();
  }
  // The network changed the input: the comparison is not of an identity.
  REQUIRE((d - x).abs().max().item<double>() > 1e-3);
  std::ofstream xs(base + ".x"), ss(base + ".sigma"), ex(base + ".expect");
  xs.precision(9);
  ss.precision(9);
  ex.precision(9);
  const float* xp = x.data_ptr<float>();
  const float* dp = d.data_ptr<float>();
  for (int b = 0; b < 3; ++b) {
    for (int i = 0; i < 32 * 32; ++i) {
      xs << xp[b * 1024 + i] << (i + 1 < 1024 ? " " : "\n");
      ex << dp[b * 1024 + i] << (i + 1 < 1024 ? " " : "\n");
    }
    ss << sigma[b].item<float>() << "\n";
  }
  xs.close();
  ss.close();
  ex.close();
  const std::string cmd = "/usr/bin/python3 '" GENLAB_SOURCE_DIR
                          "/tests/fixtures/check_prior_export.py' '" + base + "'";
  CHECK(std::system(cmd.c_str()) == 0);
  // A wrong name is refused before anything is written.
  CHECK_THROWS_WITH(ct::exportPriorTorchScript(*prior, base + ".bin"),
                    Catch::Contains("must end in .pt"));
  std::error_code ec;
  fs::remove_all(dir, ec);
}
