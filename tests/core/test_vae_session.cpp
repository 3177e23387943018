#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/cli/cli.h"
#include "core/data/image_data.h"
#include "core/labs/latent/vae_session.h"
#include "core/util/model_file.h"
#include "../test_skips.h"

using namespace genlab::core;
using namespace genlab::core::latent;
namespace fs = std::filesystem;

namespace {
std::shared_ptr<const ImageSplit> digits() {
  static auto d = std::make_shared<const ImageSplit>(loadImageData("digits", 1));
  return d;
}

// A small model on the embedded digits, as a user's options file would say it.
VaeOptions digitsOptions() {
  return VaeOptions::fromJson(
      R"({"data": "digits", "latent_dim": 2, "hidden": 64, "batch": 64, "seed": 5})");
}

fs::path tempPath(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("genlab-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

bool sameImage(const Image& a, const Image& b) {
  return a.width == b.width && a.height == b.height && a.pixels == b.pixels;
}
}  // namespace

TEST_CASE("the VAE learns the embedded digits", "[vae][learning]") {
  VaeSession s(digitsOptions(), digits());
  const double before = s.evaluate().elbo;
  for (int i = 0; i < 30 * s.stepsPerEpoch(); ++i) s.trainStep();
  const auto after = s.evaluate();
  INFO("test ELBO before " << before << " after " << after.elbo);
  CHECK(after.elbo > before + 10);
  CHECK(after.elbo > -32.0);  // 8x8 digits, 64 pixels; untrained is about -45
  CHECK(after.recon > 0);
  CHECK(after.kl > 0);
  REQUIRE(s.latentMap());
  CHECK(s.latentMap()->xy.size() == 2 * static_cast<std::size_t>(digits()->test.count));
  CHECK(s.activeUnits() == 2);
}

TEST_CASE("one epoch of MNIST beats the stated test ELBO", "[vae][learning][mnist]") {
  ImageSplit mnist;
  std::string why;
  try {
    mnist = loadImageData("mnist", 1);
  } catch (const DataError& e) {
    why = e.what();
  }
  GENLAB_REQUIRE_FIXTURE(why.empty(), "MNIST (run make data): " + why);
  VaeOptions o;
  o.data = "mnist";
  o.latentDim = 20;
  o.seed = 1;
  VaeSession s(o, std::make_shared<const ImageSplit>(std::move(mnist)));
  for (long i = 0; i < s.stepsPerEpoch(); ++i) s.trainStep();
  const auto m = s.evaluate();
  INFO("test ELBO after one epoch: " << m.elbo);
  CHECK(m.elbo > -130.0);
}

TEST_CASE("decoding answers depend on the point and latent dims > 2 use a PCA plane", "[vae]") {
  auto o = digitsOptions();
  o.latentDim = 5;
  VaeSession s(o, digits());
  for (int i = 0; i < 5 * s.stepsPerEpoch(); ++i) s.trainStep();
  s.evaluate();
  auto map = s.latentMap();
  REQUIRE(map);
  CHECK(map->latentDim == 5);
  // The plane's axes are orthonormal.
  double dot = 0, nx = 0, ny = 0;
  for (int i = 0; i < 5; ++i) {
    dot += map->axisX[i] * map->axisY[i];
    nx += map->axisX[i] * map->axisX[i];
    ny += map->axisY[i] * map->axisY[i];
  }
  CHECK(std::abs(dot) < 1e-4);
  CHECK(nx == Approx(1).epsilon(1e-4));
  CHECK(ny == Approx(1).epsilon(1e-4));
  const auto a = s.decode(-2, -2), b = s.decode(2, 2);
  CHECK(a.width == 8);
  CHECK_FALSE(sameImage(a, b));
  const auto grid = s.decodeGrid(-2, 2, -2, 2, 4);
  CHECK(grid.width == 32);
  CHECK(grid.height == 32);
  CHECK(s.interpolate(-1, 0, 1, 0, 6).size() == 6);
  const auto r = s.reconstruct(0);
  CHECK(r.original.pixels.size() == 64);
  CHECK_THROWS_AS(s.decodeGrid(0, 1, 0, 1, 0), std::invalid_argument);
}

TEST_CASE("a saved model loads back identically; corrupt and foreign files are refused",
          "[vae][io]") {
  VaeSession s(digitsOptions(), digits());
  for (int i = 0; i < 3 * s.stepsPerEpoch(); ++i) s.trainStep();
  const auto m1 = s.evaluate();
  const auto path = tempPath("model.genlab").string();
  s.save(path);
  auto loaded = VaeSession::load(path, digits());
  CHECK(loaded->evaluate().elbo == Approx(m1.elbo).epsilon(1e-9));
  CHECK(sameImage(loaded->decode(0.5f, -0.5f), s.decode(0.5f, -0.5f)));
  CHECK(loaded->globalStep() == s.globalStep());
  CHECK(VaeSession::peekOptions(path).hidden == 64);
  // Training continues from the saved optimizer state identically.
  s.trainStep();
  loaded->trainStep();
  CHECK(sameImage(loaded->decode(0.1f, 0.2f), s.decode(0.1f, 0.2f)));

  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto writeBytes = [&](const std::string& name, const std::string& b) {
    const auto p = tempPath(name).string();
    std::ofstream(p, std::ios::binary) << b;
    return p;
  };
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x55;
  CHECK_THROWS_WITH(VaeSession::load(writeBytes("flipped", flipped), digits()),
                    Catch::Contains("checksum"));
  CHECK_THROWS_WITH(VaeSession::load(writeBytes("trunc", bytes.substr(0, bytes.size() / 3)), digits()),
                    Catch::Contains("truncated") || Catch::Contains("checksum"));
  CHECK_THROWS_WITH(VaeSession::load(writeBytes("empty", ""), digits()),
                    Catch::Contains("not a GenLab model file"));
  CHECK_THROWS_WITH(VaeSession::load(writeBytes("foreign", "PK\x03\x04 a zip file"), digits()),
                    Catch::Contains("not a GenLab model file"));
  CHECK_THROWS_WITH(VaeSession::load(tempPath("missing").string(), digits()),
                    Catch::Contains("cannot open"));
  ModelFile other;
  other.lab = "toy2d";
  other.metaJson = "{}";
  other.save(tempPath("other").string());
  CHECK_THROWS_WITH(VaeSession::load(tempPath("other").string(), digits()),
                    Catch::Contains("'toy2d' lab"));
  // A model for 8x8 images refuses 28x28 data.
  ImageSplit big = *digits();
  big.train.height = big.train.width = 16;
  CHECK_THROWS_WITH(VaeSession::load(path, std::make_shared<const ImageSplit>(big)),
                    Catch::Contains("8x8"));
  fs::remove_all(tempPath("").parent_path());
}

TEST_CASE("genlab-cli latent train prints JSON lines ending in the result", "[vae][cli]") {
  const auto out = tempPath("cli.genlab").string();
  std::vector<std::string> args{"genlab-cli", "latent", "train",  "--data",  "digits",
                                "--epochs",   "2",     "--batch", "64",     "--latent-dim",
                                "3",          "--seed", "2",      "--json", "--out", out};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::ostringstream o, e;
  REQUIRE(cli::main(static_cast<int>(argv.size()), argv.data(), o, e) == 0);
  std::istringstream lines(o.str());
  std::string line, last;
  int epochs = 0;
  while (std::getline(lines, line)) {
    if (line.find("\"event\":\"epoch\"") != std::string::npos) ++epochs;
    last = line;
  }
  CHECK(epochs == 2);
  CHECK(last.find("\"event\":\"result\"") != std::string::npos);
  CHECK(last.find("\"test_elbo\":-") != std::string::npos);
  CHECK(last.find("\"samples_per_second\"") != std::string::npos);
  CHECK(fs::exists(out));

  // The lab's older CLI name still works (and still checks its input).
  std::vector<std::string> bad{"genlab-cli", "vae", "train", "--data", "/nonexistent/folder"};
  std::vector<char*> badv;
  for (auto& a : bad) badv.push_back(a.data());
  std::ostringstream o2, e2;
  CHECK(cli::main(static_cast<int>(badv.size()), badv.data(), o2, e2) != 0);
  CHECK_FALSE(e2.str().empty());
  CHECK(e2.str().find("unknown command") == std::string::npos);
  CHECK(e2.str().find("nonexistent") != std::string::npos);
  std::vector<std::string> typo{"genlab-cli", "vae", "train", "--latent-dims", "4"};
  std::vector<char*> typov;
  for (auto& a : typo) typov.push_back(a.data());
  std::ostringstream o3, e3;
  CHECK(cli::main(static_cast<int>(typov.size()), typov.data(), o3, e3) != 0);
  CHECK(e3.str().find("--latent-dims") != std::string::npos);
}

TEST_CASE("the convolutional VAE trains and refuses image sides it cannot halve twice",
          "[vae][conv]") {
  auto o = digitsOptions();
  o.architecture = "conv";
  VaeSession s(o, digits());
  const double before = s.evaluate().elbo;
  for (int i = 0; i < 10 * s.stepsPerEpoch(); ++i) s.trainStep();
  const double after = s.evaluate().elbo;
  INFO("conv VAE test ELBO before " << before << " after " << after);
  CHECK(after > before + 5);
  CHECK(s.decode(0, 0).pixels.size() == 64);
  ImageSplit odd = *digits();
  for (auto* part : {&odd.train, &odd.test}) {
    part->height = 2;
    part->width = 32;
  }
  CHECK_THROWS_WITH(VaeSession(o, std::make_shared<const ImageSplit>(odd)),
                    Catch::Contains("divisible by 4"));
}
