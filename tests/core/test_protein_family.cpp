// Focus columns, sequence weights (fast vs brute force), Neff, the PSSM, the
// sequence properties of the design funnel, and the Potts simulator.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "core/data/msa_reader.h"
#include "core/labs/protein/potts.h"
#include "core/labs/protein/protein_family.h"
#include "core/labs/protein/protein_session.h"

using namespace genlab::core;
using namespace genlab::core::protein;

namespace {
// Sequences that share a few ancestors, so identities spread across the threshold.
Family randomFamily(int n, int len, unsigned seed, double gapRate) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> aa(1, 20);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<std::string> roots(5, std::string(len, 'A'));
  for (auto& r : roots)
    for (auto& c : r) c = letterOf(aa(rng));
  std::vector<std::string> names, seqs;
  for (int i = 0; i < n; ++i) {
    std::string s = roots[i % roots.size()];
    const double mut = 0.05 + 0.3 * u(rng);
    for (auto& c : s) {
      if (u(rng) < mut) c = letterOf(aa(rng));
      if (u(rng) < gapRate) c = '-';
    }
    names.push_back("s" + std::to_string(i));
    seqs.push_back(s);
  }
  return familyFromAligned(names, seqs);
}
}  // namespace

TEST_CASE("protein weights: fast equals brute force at several thresholds", "[protein]") {
  for (int len : {7, 40, 161}) {
    const Family f = randomFamily(300, len, 17u + len, 0.1);
    for (double t : {0.0, 0.5, 0.8, 0.9, 1.0}) {
      const auto brute = sequenceWeightsBruteForce(f, t);
      for (int threads : {1, 2}) {
        const auto fast = sequenceWeights(f, t, threads);
        REQUIRE(fast.size() == brute.size());
        for (std::size_t i = 0; i < fast.size(); ++i) REQUIRE(fast[i] == brute[i]);
      }
    }
  }
  // Identical sequences share one unit of weight.
  const Family same = familyFromAligned({"a", "b", "c", "d"}, {"ACDE", "ACDE", "ACDE", "WWWW"});
  const auto w = sequenceWeights(same, 0.8);
  CHECK(w[0] == Approx(1.0 / 3));
  CHECK(w[3] == 1.0);
  CHECK(neff(w) == Approx(2.0));
}

TEST_CASE("protein family: gappy sequences dropped, then focus columns", "[protein]") {
  const Msa msa = parseMsa(">a\nACDEF\n>b\nA-DE-\n>c\nA---F\n>d\n--DEF\n>e\nACDEF\n", "m");
  // c has 3/5 gaps (> 50 %): dropped. Columns over a, b, d, e: gaps 1/4, 2/4, 0, 0, 1/4.
  const Family f = makeFamily(msa);
  CHECK(f.droppedSequences == 1);
  CHECK(f.n() == 4);
  CHECK(f.focusColumns == std::vector<int>{0, 2, 3, 4});
  CHECK(f.aligned[1] == "ADE-");
  CHECK(f.row(2)[0] == 0);
}

TEST_CASE("protein PSSM: pseudocounts and log-probabilities", "[protein]") {
  const Family f = familyFromAligned({"a", "b"}, {"AC", "AD"});
  const Pssm p = fitPssm(f, {1.0, 1.0}, {0, 1}, 1.0);
  // Column 0: A has 2 + 1/21 out of 3.
  CHECK(std::exp(p.logp[0 * kStates + stateOf('A')]) == Approx((2 + 1.0 / 21) / 3));
  double total = 0;
  for (int s = 0; s < kStates; ++s) total += std::exp(p.logp[kStates + s]);
  CHECK(total == Approx(1.0));
  CHECK(p.delta(0, stateOf('A'), stateOf('W')) < 0);
}

TEST_CASE("protein properties and statistics", "[protein]") {
  CHECK(netCharge("KRDE-H") == Approx(0.1));
  CHECK(gravy("IV") == Approx((4.5 + 4.2) / 2));
  CHECK(std::isnan(gravy("--")));
  CHECK(longestHomopolymer("AAGGG-GA") == 4);
  CHECK(ungappedLength("A-C-") == 2);
  CHECK(spearman({1, 2, 3, 4}, {10, 20, 30, 40}) == Approx(1.0));
  CHECK(spearman({1, 2, 3, 4}, {4, 3, 2, 1}) == Approx(-1.0));
  CHECK(std::isnan(spearman({1, 1, 1}, {1, 2, 3})));
  CHECK(quantile({1, 2, 3, 4, 5}, 0.5) == Approx(3));
  CHECK(std::isnan(quantile({}, 0.5)));
}

TEST_CASE("protein Potts simulator: seeded, wild type first, true effects", "[protein]") {
  PottsOptions o;
  o.length = 12;
  o.sequences = 50;
  o.burnIn = 20;
  o.seed = 3;
  const auto a = simulatePotts(o), b = simulatePotts(o);
  REQUIRE(a.sequences == b.sequences);
  REQUIRE(a.sequences.size() == 50);
  CHECK(a.names[0] == "wt");
  REQUIRE(a.effects.size() == 12u * 19);
  // Each effect is the energy change of that substitution.
  std::vector<std::uint8_t> wt;
  for (char c : a.sequences[0]) wt.push_back(static_cast<std::uint8_t>(stateOf(c) - 1));
  const auto& e = a.effects[25];
  auto mut = wt;
  mut[e.position] = static_cast<std::uint8_t>(stateOf(e.mut) - 1);
  CHECK(e.deltaEnergy == Approx(a.model.energy(mut) - a.model.energy(wt)));
  CHECK(a.model.pairs.size() == 12u);
  o.seed = 4;
  CHECK(simulatePotts(o).sequences != a.sequences);
}

TEST_CASE("protein design region: uniform over a union of discs", "[protein]") {
  using genlab::core::protein::Disc;
  using genlab::core::protein::Region;
  using genlab::core::protein::sampleRegion;
  // Two separate discs, areas 1 : 4: points fall in them about 1 : 4.
  const Region two{{0, 0, 1}, {10, 0, 2}};
  const int n = 20000;
  const auto xy = sampleRegion(two, n, 7);
  REQUIRE(xy.size() == 2u * n);
  int inSmall = 0, outside = 0;
  for (int i = 0; i < n; ++i) {
    const double x = xy[2 * i], y = xy[2 * i + 1];
    const bool a = x * x + y * y <= 1.0001, b = (x - 10) * (x - 10) + y * y <= 4.0001;
    inSmall += a;
    outside += !a && !b;
  }
  CHECK(outside == 0);
  CHECK(double(inSmall) / n == Approx(0.2).margin(0.01));
  // Two overlapping unit discs (centres 1 apart): the lens is
  // 2 acos(1/2) - sqrt(3)/2 = 1.2284 of a union of 2 pi - 1.2284 = 5.0548,
  // so 24.3 % of uniform points, not the 38.7 % that double counting would give.
  const Region lens{{0, 0, 1}, {1, 0, 1}};
  const auto p = sampleRegion(lens, n, 8);
  int both = 0;
  for (int i = 0; i < n; ++i) {
    const double x = p[2 * i], y = p[2 * i + 1];
    both += (x * x + y * y <= 1) && ((x - 1) * (x - 1) + y * y <= 1);
  }
  CHECK(double(both) / n == Approx(1.2284 / 5.0548).margin(0.012));
  // Seeded; degenerate discs are ignored; nothing usable gives nothing.
  CHECK(sampleRegion(lens, 10, 8) == sampleRegion(lens, 10, 8));
  CHECK(sampleRegion(Region{{0, 0, 0}, {1, 1, -1}}, 5, 1).empty());
  CHECK(sampleRegion(Region{{0, 0, 0}, {3, 3, 0.5f}}, 5, 1).size() == 10u);
}
