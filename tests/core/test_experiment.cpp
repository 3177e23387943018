// Experiment files: save, reopen, resume with identical numbers; replay;
// data that moved or changed is named, never substituted.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include "core/data/image_data.h"
#include "core/labs/latent/latent_experiment.h"
#include "core/util/sha256.h"

using namespace genlab::core;
using namespace genlab::core::latent;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {
fs::path scratch(const std::string& name) {
  const auto dir = fs::temp_directory_path() / ("genlab-exp-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

std::vector<double> losses(VaeSession& s, int steps) {
  std::vector<double> out;
  for (int i = 0; i < steps; ++i) {
    const auto m = s.trainStep();
    out.push_back(m.recon);
    out.push_back(m.kl);
  }
  return out;
}
}  // namespace

TEST_CASE("SHA-256 has its known answers", "[experiment]") {
  CHECK(sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256Hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("an experiment reopened resumes with the identical loss sequence", "[experiment]") {
  // A folder of the embedded digits, so the data has files to fingerprint.
  const auto data = scratch("digits-idx");
  fs::create_directories(data);
  for (const char* f : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
    const std::string src = std::string(GENLAB_SOURCE_DIR) + "/resources/embedded/digits-" +
                            (std::string(f).find("images") != std::string::npos ? "images-idx3-ubyte.gz"
                                                                                 : "labels-idx1-ubyte.gz");
    fs::copy_file(src, data / f, fs::copy_options::overwrite_existing);
  }
  VaeOptions o = VaeOptions::fromJson(R"({"latent_dim": 2, "hidden": 48, "batch": 32, "seed": 9})");
  o.data = data.string();
  auto first = VaeSession::create(o);
  losses(*first, 25);
  const std::string file = scratch("run.genlabx").string();
  saveExperiment(file, *first, o.data, R"({"decode": [0.5, -1]})", "");
  CHECK(experimentLab(file) == "latent");
  const auto expected = losses(*first, 40);  // what the run does next

  const auto opened = openExperiment(file);
  CHECK(opened->viewJson == R"({"decode":[0.5,-1]})");
  CHECK(opened->session->globalStep() == 25);
  const auto resumed = losses(*opened->session, 40);
  REQUIRE(resumed.size() == expected.size());
  for (std::size_t i = 0; i < resumed.size(); ++i) CHECK(resumed[i] == expected[i]);  // exactly

  // The data changed: which file, and no substitution.
  {
    std::ofstream(data / "t10k-labels-idx1-ubyte.gz", std::ios::app) << "x";
  }
  CHECK_THROWS_WITH(openExperiment(file), Contains("t10k-labels-idx1-ubyte.gz") && Contains("differs"));
  // The data moved: it says so; pointing at the new folder opens it again.
  const auto moved = scratch("moved");
  fs::remove_all(moved);
  fs::rename(data, moved);
  CHECK_THROWS_AS(openExperiment(file), DataMismatch);
  CHECK_THROWS_WITH(openExperiment(file), Contains("not here") && Contains("Locate"));
  CHECK_THROWS_WITH(openExperiment(file, moved.string()), Contains("differs"));
  fs::copy_file(std::string(GENLAB_SOURCE_DIR) + "/resources/embedded/digits-labels-idx1-ubyte.gz",
                moved / "t10k-labels-idx1-ubyte.gz", fs::copy_options::overwrite_existing);
  CHECK(openExperiment(file, moved.string())->session->globalStep() == 25);
}

TEST_CASE("genlab-cli replay prints the recorded result again", "[experiment][cli]") {
  const std::string file = scratch("cli.genlabx").string();
  std::vector<std::string> lines;
  REQUIRE(genlab::test::runCli({"latent", "train", "--data", "digits", "--epochs", "2", "--latent-dim",
                                "2", "--seed", "3", "--experiment", file, "--json"}, lines) == 0);
  lines.clear();
  std::string err;
  REQUIRE(genlab::test::runCli({"replay", file, "--json"}, lines, &err) == 0);
  const auto res = nlohmann::json::parse(lines.back());
  CHECK(res["same_as_recorded"] == true);
  CHECK(res["test_elbo"] == res["recorded"]["test_elbo"]);
  // Not an experiment: a clear error.
  std::ofstream(scratch("junk.genlabx")) << "hello";
  lines.clear();
  CHECK(genlab::test::runCli({"replay", scratch("junk.genlabx").string()}, lines, &err) != 0);
  CHECK_THAT(err, Contains("not a GenLab experiment"));
}
