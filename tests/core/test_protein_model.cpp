// The family VAE end to end through genlab-cli: a Potts family simulated with
// planted couplings, a short training run that must beat the PSSM on held-out
// sequences, a mutation scan against the true effects, and a design batch
// whose FASTA export the reader opens again.
#include <optional>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

#include "cli_test_util.h"
#include "core/data/msa_reader.h"
#include "core/labs/protein/potts.h"
#include "core/labs/protein/protein_design.h"
#include "core/labs/protein/protein_family.h"
#include "core/labs/protein/protein_session.h"

namespace fs = std::filesystem;
#include "tests/core/tmp_dir.h"

using namespace genlab;
using nlohmann::json;

namespace {
struct TmpDir : genlab::test::TmpDir {
  TmpDir() : genlab::test::TmpDir("genlab-protein-") {}
};

json resultOf(const std::vector<std::string>& lines) {
  REQUIRE(!lines.empty());
  const json j = json::parse(lines.back());
  REQUIRE(j["event"] == "result");
  return j;
}

// A simulated family (Potts model) of `sequences` sequences of `length`.
core::protein::PottsFamily pottsFamily(int length, int sequences, std::uint64_t seed) {
  core::protein::PottsOptions p;
  p.length = length;
  p.sequences = sequences;
  p.seed = seed;
  return core::protein::simulatePotts(p);
}
}  // namespace

TEST_CASE("protein lab: Potts family, training beats the PSSM, scan, design export",
          "[protein][slow]") {
  TmpDir t;
  std::vector<std::string> lines;
  std::string err;
  REQUIRE(test::runCli({"protein", "simulate-potts", "--length", "30", "--n", "1500", "--seed",
                        "1", "--out", t / "potts.fasta", "--json"},
                       lines, &err) == 0);
  const json sim = resultOf(lines);
  CHECK(sim["mutants"] == 30 * 19);
  REQUIRE(fs::exists(t / "potts.effects.csv"));

  lines.clear();
  REQUIRE(test::runCli({"protein", "train", "--family", t / "potts.fasta", "--latent-dim", "2",
                        "--epochs", "60", "--seed", "1", "--out", t / "m.glm", "--json"},
                       lines, &err) == 0);
  const json tr = resultOf(lines);
  INFO(lines.back());
  REQUIRE(tr["held_out_elbo"].is_number());
  REQUIRE(tr["pssm_held_out_loglik"].is_number());
  CHECK(tr["held_out_elbo"].get<double>() > tr["pssm_held_out_loglik"].get<double>());
  CHECK(tr["neff"].get<double>() > 1);

  lines.clear();
  REQUIRE(test::runCli({"protein", "scan", "--model", t / "m.glm", "--wildtype", "wt", "--truth",
                        t / "potts.effects.csv", "--out", t / "scan.csv", "--json"},
                       lines, &err) == 0);
  const json sc = resultOf(lines);
  INFO(lines.back());
  CHECK(sc["mutants_scored"] == 30 * 19);
  REQUIRE(sc["spearman_vae_truth"].is_number());
  CHECK(sc["spearman_vae_truth"].get<double>() > 0.3);

  lines.clear();
  REQUIRE(test::runCli({"protein", "design", "--model", t / "m.glm", "--n", "300", "--seed", "2",
                        "--out", t / "designs.fasta", "--all", "--json"},
                       lines, &err) == 0);
  const json de = resultOf(lines);
  INFO(lines.back());
  CHECK(de["sampled"] == 300);
  CHECK(lines.size() == 9u);  // 8 stages and the result
  const core::Msa back = core::readMsa(t / "designs.fasta");
  CHECK(back.size() == 300u);
  CHECK(back.columns() == 30u);
  CHECK_THAT(back.descriptions[0], Catch::Contains("elbo=") && Catch::Contains("identity="));

  // The model file reopens with the same family and scores.
  auto s = core::protein::ProteinSession::load(t / "m.glm");
  CHECK(s->family().n() == 1500);
  CHECK(s->neff() == Approx(tr["neff"].get<double>()));
}

TEST_CASE("protein lab: errors a user can act on", "[protein]") {
  TmpDir t;
  std::vector<std::string> lines;
  std::string err;
  CHECK(test::runCli({"protein", "train", "--family", t / "absent.fa"}, lines, &err) != 0);
  CHECK_THAT(err, Catch::Contains("not found"));
  CHECK_THROWS_WITH(core::protein::FunnelFilters::fromJson(R"({"motifs":{"patterns":["N[^P"]}})"),
                    Catch::Contains("not a valid regular expression"));
  CHECK_THROWS_WITH(core::protein::FunnelFilters::fromJson(R"({"colour":{}})"),
                    Catch::Contains("unknown filter"));
}

TEST_CASE("protein lab: evaluation and the family map in pieces equal the whole",
          "[protein]") {
  const auto fam = pottsFamily(24, 300, 3);
  core::protein::ProteinOptions o;
  o.family = "test";
  o.latentDim = 3;  // projected: the map's PCA runs too
  o.hidden = 32;
  o.heldOutFraction = 0.2;
  core::protein::ProteinSession s(o, core::protein::familyFromAligned(fam.names, fam.sequences));
  for (int i = 0; i < 20; ++i) s.trainStep();
  const auto whole = s.evaluate(s.heldOutRows());
  core::protein::EvalPass pass;
  pass.rows = s.heldOutRows();
  int pieces = 0;
  while (!pass.done()) {
    s.evaluateSome(pass, 7);
    ++pieces;
  }
  CHECK(pieces == static_cast<int>((s.heldOutRows().size() + 6) / 7));
  const auto parts = pass.result();
  REQUIRE(std::isfinite(whole.elbo));
  CHECK(parts.elbo == Approx(whole.elbo).epsilon(1e-6));  // float GEMMs of other sizes
  CHECK(parts.kl == Approx(whole.kl).margin(1e-6));
  const auto mapWhole = s.familyMap();
  auto mp = s.beginMap();
  while (!mp.done()) s.mapSome(mp, 11);
  const auto mapParts = s.finishMap(mp);
  REQUIRE(mapParts->xy.size() == mapWhole->xy.size());
  REQUIRE(mapParts->elbo.size() == mapWhole->elbo.size());
  for (std::size_t i = 0; i < mapWhole->xy.size(); ++i)
    REQUIRE(mapParts->xy[i] == Approx(mapWhole->xy[i]).margin(1e-4));
  for (std::size_t i = 0; i < mapWhole->elbo.size(); ++i)
    REQUIRE(mapParts->elbo[i] == Approx(mapWhole->elbo[i]).epsilon(1e-5));
  // An empty evaluation is NaN (shown as "—"), never 0.
  core::protein::EvalPass none;
  CHECK(std::isnan(none.result().elbo));
}

TEST_CASE("protein lab: a training step in pieces is the same step as in one", "[protein]") {
  const auto fam = pottsFamily(30, 200, 4);
  core::protein::ProteinOptions o;
  o.family = "test";
  o.hidden = 24;
  o.batch = 50;
  core::protein::ProteinSession whole(o, core::protein::familyFromAligned(fam.names, fam.sequences));
  o.pieceRows = 7;  // 8 pieces, the last of one row
  core::protein::ProteinSession pieces(o, core::protein::familyFromAligned(fam.names, fam.sequences));
  REQUIRE(whole.rowsPerTrainPiece() == 50);
  REQUIRE(pieces.rowsPerTrainPiece() == 7);
  for (int step = 0; step < 5; ++step) {
    const auto a = whole.trainStep();
    int calls = 0;
    std::optional<core::protein::ProteinMetrics> b;
    while (!(b = pieces.trainPiece())) ++calls;
    CHECK(calls == 7);
    CHECK(b->recon == Approx(a.recon).epsilon(1e-5));
    CHECK(b->kl == Approx(a.kl).epsilon(1e-4));
  }
  CHECK(whole.globalStep() == 5);
  CHECK(pieces.globalStep() == 5);
  const auto ea = whole.evaluate(whole.heldOutRows());
  const auto eb = pieces.evaluate(pieces.heldOutRows());
  REQUIRE(std::isfinite(ea.elbo));
  CHECK(eb.elbo == Approx(ea.elbo).epsilon(1e-5));
}
