// Models trained elsewhere: TorchScript files made by Debian's Python PyTorch
// (tests/fixtures/make_torchscript.py) opened in the Latent Explorer's core.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "cli_test_util.h"
#include "../test_skips.h"
#include "core/engine/engine.h"
#include "core/labs/latent/latent_requests.h"
#include "core/data/image_data.h"
#include "core/labs/latent/script_import.h"

using namespace genlab::core;
using namespace genlab::core::latent;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {
// The fixtures, made once per run; empty when python3-torch is missing (a
// failure under CI=true, a visible warning otherwise).
fs::path fixtures() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("genlab-ts-" + std::to_string(::getpid()));
    fs::create_directories(d);
    const std::string cmd = "/usr/bin/python3 '" GENLAB_SOURCE_DIR
                            "/tests/fixtures/make_torchscript.py' '" + d.string() + "' 2>&1";
    return std::system(cmd.c_str()) == 0 ? d : fs::path();
  }();
  return dir;
}

bool haveFixtures() {
  return genlab::test::fixturePresent(
      !fixtures().empty(), "TorchScript fixtures: /usr/bin/python3 with python3-torch (scripts/setup.sh installs it)");
}

std::string f(const char* name) { return (fixtures() / name).string(); }
}  // namespace

TEST_CASE("a TorchScript decoder made in Python decodes as in Python", "[latent][script]") {
  if (!haveFixtures()) return;
  const auto probe = probeScript(f("good.pt"));
  CHECK(probe->latentDim == 3);
  CHECK(probe->height == 8);
  CHECK(probe->width == 8);
  CHECK(probe->decodeMethod == "decode");
  CHECK(probe->probabilities);
  CHECK(std::find(probe->encoderMethods.begin(), probe->encoderMethods.end(), "encode") !=
        probe->encoderMethods.end());

  ScriptImport im;
  im.path = f("good.pt");
  auto session = VaeSession::openScript(im, nullptr);
  CHECK(session->imported());
  const std::vector<float> z = {0, 0, 0, 1, -1, 0.5f, -2, 0.3f, 1.7f};
  const auto ours = session->decodeLatents(z, 3);
  std::ifstream expect(f("good.expect"));
  std::vector<float> theirs;
  for (float v; expect >> v;) theirs.push_back(v);
  REQUIRE(theirs.size() == 3 * 64);
  REQUIRE(ours.size() == theirs.size());
  for (std::size_t i = 0; i < ours.size(); ++i) CHECK(ours[i] == Approx(theirs[i]).margin(1e-5));
  CHECK_THROWS_WITH(session->trainStep(), Contains("not trained"));
  CHECK_THROWS_WITH(session->save((fixtures() / "x.genlab").string()), Contains("TorchScript"));
}

TEST_CASE("an imported encoder maps the data, a decoder alone maps nothing", "[latent][script]") {
  if (!haveFixtures()) return;
  ScriptImport im;
  im.path = f("good.pt");
  im.encoderMethod = "encode";
  im.data = "digits";  // the embedded 8x8 digits match the decoder's 8x8 images
  const auto opened = openScriptModel(im);
  REQUIRE(opened->map);
  CHECK(opened->map->xy.size() > 100);
  CHECK(opened->map->labels.size() * 2 == opened->map->xy.size());
  CHECK(opened->description.find("decoder only") == std::string::npos);
  im.encoderMethod.clear();
  const auto alone = openScriptModel(im);
  CHECK(alone->map->xy.empty());
  CHECK(alone->session->decode(0.5f, -0.5f).width == 8);
}

TEST_CASE("bad TorchScript files are refused with what was found", "[latent][script]") {
  if (!haveFixtures()) return;
  ScriptImport im;
  auto open = [&](const char* name) {
    im.path = f(name);
    return VaeSession::openScript(im, nullptr);
  };
  CHECK_THROWS_WITH(open("logits.pt"), Contains("outside [0, 1]") && Contains("logits"));
  im.outputs = ScriptImport::Outputs::Logits;  // the user said: they are logits
  CHECK(open("logits.pt")->decodeLatents({0, 0, 0}, 1).size() == 64);
  im.outputs = ScriptImport::Outputs::Unknown;
  CHECK_THROWS_WITH(probeScript(f("wide.pt")), Contains("did not run") && Contains("wrong input size"));
  CHECK_THROWS_WITH(probeScript(f("flat7.pt")), Contains("[2, 7]") && Contains("not a square"));
  CHECK_THROWS_WITH(probeScript(f("tuple.pt")), Contains("a tuple") && Contains("not a tensor"));
  CHECK_THROWS_WITH(probeScript(f("nan.pt")), Contains("not finite"));
  CHECK_THROWS_WITH(probeScript(f("state.pt")), Contains("state dict") && Contains("torch.jit.script"));

  const auto good = fs::file_size(f("good.pt"));
  {
    std::ifstream in(f("good.pt"), std::ios::binary);
    std::string bytes(good / 2, '\0');
    in.read(bytes.data(), bytes.size());
    std::ofstream(fixtures() / "truncated.pt", std::ios::binary) << bytes;
  }
  CHECK_THROWS_WITH(probeScript(f("truncated.pt")), Contains("could not load"));
  {
    std::mt19937 rng(3);
    std::ofstream out(fixtures() / "random.pt", std::ios::binary);
    for (int i = 0; i < 4096; ++i) out.put(char(rng()));
  }
  CHECK_THROWS_WITH(probeScript(f("random.pt")), Contains("not a TorchScript file"));
}

TEST_CASE("genlab-cli latent decode and grid open TorchScript", "[latent][script][cli]") {
  if (!haveFixtures()) return;
  std::vector<std::string> lines;
  std::string err;
  REQUIRE(genlab::test::runCli({"latent", "decode", "--model", f("good.pt"), "--z", "0,0,0;1,-1,0.5",
                                "--json"}, lines, &err) == 0);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].find("\"shape\":[1,8,8]") != std::string::npos);
  CHECK(lines[2].find("\"imported\":true") != std::string::npos);
  lines.clear();
  CHECK(genlab::test::runCli({"latent", "decode", "--model", f("logits.pt")}, lines, &err) != 0);
  CHECK_THAT(err, Contains("--sigmoid") || Contains("logits"));
  const auto png = (fixtures() / "grid.png").string();
  REQUIRE(genlab::test::runCli({"latent", "grid", "--model", f("good.pt"), "--n", "5", "--out", png},
                               lines, &err) == 0);
  CHECK(fs::file_size(png) > 100);
}

TEST_CASE("Python loads GenLab's export and decodes as GenLab does", "[latent][script][export]") {
  if (!haveFixtures()) return;
  for (const char* arch : {"mlp", "conv"}) {
    INFO(arch);
    VaeOptions o;
    o.data = "digits";
    o.architecture = arch;
    o.latentDim = 3;
    o.hidden = 32;
    o.seed = 4;
    auto data = std::make_shared<const ImageSplit>(loadImageData("digits", 1));
    VaeSession s(o, data);
    for (int i = 0; i < 20; ++i) s.trainStep();  // weights that are not the initial ones
    const std::string base = (fixtures() / (std::string("export-") + arch)).string();
    s.exportTorchScript(base + ".pt");
    const std::vector<float> z = {0, 0, 0, 0.5f, -1, 2, -1.5f, 0.25f, 0.75f};
    const auto probs = s.decodeLatents(z, 3);
    std::ofstream zs(base + ".z"), ex(base + ".expect");
    zs.precision(9);
    ex.precision(9);
    for (int r = 0; r < 3; ++r) {
      for (int j = 0; j < 3; ++j) zs << z[r * 3 + j] << (j < 2 ? " " : "\n");
      for (int j = 0; j < 64; ++j) ex << probs[r * 64 + j] << (j < 63 ? " " : "\n");
    }
    zs.close();
    ex.close();
    const std::string cmd = "/usr/bin/python3 '" GENLAB_SOURCE_DIR
                            "/tests/fixtures/check_export.py' '" + base + "' 8 8";
    CHECK(std::system(cmd.c_str()) == 0);
    // And GenLab opens its own export like any TorchScript model.
    ScriptImport im;
    im.path = base + ".pt";
    auto again = VaeSession::openScript(im, nullptr);
    const auto back = again->decodeLatents(z, 3);
    for (std::size_t i = 0; i < back.size(); ++i) CHECK(back[i] == Approx(probs[i]).margin(1e-5));
  }
}
