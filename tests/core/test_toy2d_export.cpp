// The 2-D lab's models exported as TorchScript: Debian's Python PyTorch loads
// each export and its forward() reproduces GenLab's on fixed inputs to 1e-5.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "../test_skips.h"
#include "core/labs/toy2d/toy2d_session.h"

namespace fs = std::filesystem;
using namespace genlab::core;

TEST_CASE("Python loads the 2-D lab's exports and runs them as GenLab does",
          "[toy2d][export]") {
  const bool python = std::system("/usr/bin/python3 -c 'import torch' > /dev/null 2>&1") == 0;
  if (!genlab::test::fixturePresent(
          python, "/usr/bin/python3 with python3-torch (scripts/setup.sh installs it)"))
    return;
  const fs::path dir = fs::temp_directory_path() / ("genlab-t2x-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  struct Case {
    const char* model;
    const char* backend;
    int columns;  // input columns of forward()
  };
  for (const Case c : {Case{"gan", "native", 2}, Case{"gan", "torch", 2}, Case{"diffusion", "auto", 3},
                       Case{"vae", "auto", 2}}) {
    INFO(c.model << " " << c.backend);
    toy2d::Toy2dOptions o;
    o.model = c.model;
    o.backend = c.backend;
    o.data = "moons";
    o.seed = 3;
    auto s = toy2d::Toy2dSession::create(o);
    s->train(10.0, 50);  // weights that are not the initial ones
    const std::string base = (dir / (std::string(c.model) + "-" + c.backend)).string();
    s->exportTorchScript(base + ".pt");
    std::vector<float> in;
    for (int i = 0; i < 5 * c.columns; ++i) in.push_back(0.37f * ((i * 7) % 11) - 1.6f);
    if (c.columns == 3)
      for (int r = 0; r < 5; ++r) in[r * 3 + 2] = 0.05f + 0.2f * r;  // t in (0, 1)
    const auto out = s->scriptForward(in, 5);
    REQUIRE(out.size() == 10);
    std::ofstream is(base + ".in"), es(base + ".expect");
    is.precision(9);
    es.precision(9);
    for (int r = 0; r < 5; ++r) {
      for (int j = 0; j < c.columns; ++j) is << in[r * c.columns + j] << (j + 1 < c.columns ? " " : "\n");
      es << out[r * 2] << " " << out[r * 2 + 1] << "\n";
    }
    is.close();
    es.close();
    const std::string cmd = "/usr/bin/python3 '" GENLAB_SOURCE_DIR
                            "/tests/fixtures/check_toy2d_export.py' '" + base + "'";
    CHECK(std::system(cmd.c_str()) == 0);
  }
  // A flow refuses, saying why.
  toy2d::Toy2dOptions f;
  f.model = "flow";
  f.data = "moons";
  auto flow = toy2d::Toy2dSession::create(f);
  CHECK_THROWS_WITH(flow->exportTorchScript((dir / "flow.pt").string()),
                    Catch::Contains("no TorchScript export") && Catch::Contains("coupling"));
  std::error_code ec;
  fs::remove_all(dir, ec);
}
