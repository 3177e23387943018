// 2-D lab: data sets, CSV hardening, MMD, the Gaussian baseline and the
// reparameterization experiment (all torch-free).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/data/image_dataset.h"
#include "core/labs/toy2d/toy2d_data.h"
#include "core/labs/toy2d/toy2d_metrics.h"
#include "core/labs/toy2d/toy2d_random.h"
#include "core/labs/toy2d/toy2d_reparam.h"
#include "core/labs/toy2d/toy2d_session.h"

using namespace genlab::core;
using namespace genlab::core::toy2d;
namespace fs = std::filesystem;

namespace {
fs::path tempPath(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("genlab-toy2d-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

std::string csvError(const std::string& text) {
  try {
    parsePointsCsv(text, "pts.csv");
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

Points2D gaussianPoints(std::size_t n, double mx, double my, double s, std::uint64_t seed) {
  Rng r(seed);
  Points2D p;
  for (std::size_t i = 0; i < n; ++i) p.add(float(mx + s * r.normal()), float(my + s * r.normal()));
  return p;
}
}  // namespace

TEST_CASE("built-in data sets are seeded and standardised", "[toy2d][data]") {
  for (const auto& name : builtinDatasets()) {
    INFO(name);
    const auto a = generateBuiltin(name, 3000, 7), b = generateBuiltin(name, 3000, 7);
    REQUIRE(a.size() == 3000);
    CHECK(a.xy == b.xy);
    CHECK(generateBuiltin(name, 3000, 8).xy != a.xy);
    const auto d = loadData(name, 3000, 1.0 / 6.0, 7, true);
    CHECK(d.heldOut.size() == 500);
    CHECK(d.train.size() == 2500);
    double mx = 0, my = 0, v = 0;
    for (std::size_t i = 0; i < d.train.size(); ++i) {
      mx += d.train.x(i);
      my += d.train.y(i);
    }
    mx /= double(d.train.size());
    my /= double(d.train.size());
    for (std::size_t i = 0; i < d.train.size(); ++i)
      v += (d.train.x(i) - mx) * (d.train.x(i) - mx) + (d.train.y(i) - my) * (d.train.y(i) - my);
    CHECK(std::abs(mx) < 1e-4);
    CHECK(std::abs(my) < 1e-4);
    CHECK(v / (2.0 * double(d.train.size())) == Approx(1.0).epsilon(1e-4));
  }
  CHECK_THROWS_AS(generateBuiltin("spirals", 10, 1), std::invalid_argument);
  CHECK_THROWS_AS(loadData("nosuchset", 100, 0.2, 1, true), DataError);
}

TEST_CASE("points round-trip through CSV, headers and comments allowed", "[toy2d][data][csv]") {
  Points2D p;
  p.add(1.5f, -2.25f);
  p.add(1e-7f, 3.0e6f);
  p.add(-0.1f, 0.2f);
  const auto path = tempPath("points.csv").string();
  writePointsCsv(path, p);
  const auto q = readPointsCsv(path);
  CHECK(q.xy == p.xy);
  const auto r = parsePointsCsv("# drawn in class\nx;y\n\n 1 ; 2 \n3\t4\r\n+5,-6e-1\n", "t.csv");
  REQUIRE(r.size() == 3);
  CHECK(r.x(2) == 5.f);
  CHECK(r.y(2) == Approx(-0.6f));
}

TEST_CASE("bad CSV input is refused with the line at fault", "[toy2d][data][csv]") {
  CHECK_THAT(csvError("x,y\n1,2\n3\n"), Catch::Contains("line 3") && Catch::Contains("two columns"));
  CHECK_THAT(csvError("1,2,3\n"), Catch::Contains("line 1"));
  CHECK_THAT(csvError("1,2\n1,abc\n"), Catch::Contains("line 2") && Catch::Contains("'abc'"));
  CHECK_THAT(csvError("1,2\nnan,1\n"), Catch::Contains("line 2") && Catch::Contains("finite"));
  CHECK_THAT(csvError("inf,1\n"), Catch::Contains("finite"));
  CHECK_THAT(csvError("1,2\nx,y\n"), Catch::Contains("line 2"));  // a header only comes first
  CHECK_THAT(csvError("1e300,0\n"), Catch::Contains("within"));
  CHECK_THAT(csvError(""), Catch::Contains("no points"));
  CHECK_THAT(csvError("x,y\n# nothing\n"), Catch::Contains("no points"));
  CHECK_THAT(csvError("1,2\n" + std::string(5000, '1') + ",2\n"), Catch::Contains("too long"));
  CHECK_THAT(csvError(std::string("1,2\n3,\0", 7) + "4\n"), Catch::Contains("line 2"));
  std::string many;
  for (std::size_t i = 0; i <= kMaxPoints; ++i) many += "1,2\n";
  CHECK_THAT(csvError(many), Catch::Contains("more than"));
  CHECK_THROWS_AS(readPointsCsv(tempPath("missing.csv").string()), DataError);
  // One point cannot be split into training and held-out points.
  CHECK_THROWS_AS(splitData(parsePointsCsv("1,2\n", "one"), 0.2, 1, true, "one", ""), DataError);
  CHECK_THROWS_AS(splitData(parsePointsCsv("1,2\n1,2\n1,2\n", "same"), 0.4, 1, true, "same", ""),
                  DataError);
}

TEST_CASE("the brush paints inside its disc and the eraser removes", "[toy2d][data]") {
  Points2D p;
  paintBrush(p, 1.f, -1.f, 0.5f, 200, 3);
  REQUIRE(p.size() == 200);
  for (std::size_t i = 0; i < p.size(); ++i)
    CHECK(std::hypot(p.x(i) - 1.f, p.y(i) + 1.f) <= 0.5f + 1e-6f);
  paintBrush(p, -2.f, 2.f, 0.1f, 50, 4);
  CHECK(eraseDisc(p, 1.f, -1.f, 0.6f) == 200);
  CHECK(p.size() == 50);
  CHECK_THROWS_AS(paintBrush(p, 0.f, 0.f, -1.f, 1, 1), std::invalid_argument);
  const auto d = splitData(p, 0.2, 9, false, "drawn", "drawn");
  CHECK(d.heldOut.size() == 10);
  CHECK(d.train.size() == 40);
}

TEST_CASE("MMD is about 0 within a distribution and grows with a shift", "[toy2d][metrics]") {
  const auto a = gaussianPoints(1500, 0, 0, 1, 1), b = gaussianPoints(1500, 0, 0, 1, 2);
  const double same = mmd2(a, b);
  CHECK(std::abs(same) < 2e-3);
  CHECK(mmd2(a, b) == Approx(mmd2(b, a)).margin(1e-12));
  double last = same;
  for (double shift : {0.25, 0.5, 1.0, 2.0}) {
    const double m = mmd2(a, gaussianPoints(1500, shift, 0, 1, 3));
    INFO("shift " << shift << " mmd " << m);
    CHECK(m > last);
    last = m;
  }
  CHECK(last > 0.5);
  // Closed form for one point each side is impossible (n >= 2), so check the
  // kernel sum directly: two pairs of coincident points at distance d.
  Points2D x, y;
  x.add(0, 0);
  x.add(0, 0);
  y.add(3, 4);
  y.add(3, 4);
  double k0 = 0, kd = 0;
  for (double s : kMmdBandwidths) {
    k0 += 1;
    kd += std::exp(-25.0 / (2 * s * s));
  }
  CHECK(mmd2(x, y) == Approx(2 * k0 - 2 * kd).epsilon(1e-9));
}

TEST_CASE("the Gaussian baseline fits and scores like its closed form", "[toy2d][metrics]") {
  const auto p = gaussianPoints(20000, 1.0, -2.0, 0.5, 5);
  const auto g = Gaussian2D::fit(p);
  CHECK(g.meanX == Approx(1.0).margin(0.02));
  CHECK(g.meanY == Approx(-2.0).margin(0.02));
  CHECK(g.cxx == Approx(0.25).margin(0.01));
  CHECK(g.cxy == Approx(0.0).margin(0.01));
  // Entropy of N(m, 0.25 I) in 2-D: log(2 pi e 0.25).
  CHECK(g.nll(p) == Approx(std::log(2 * M_PI * M_E * 0.25)).margin(0.02));
  const auto s = g.sample(20000, 6);
  const auto h = Gaussian2D::fit(s);
  CHECK(h.cyy == Approx(g.cyy).margin(0.01));
  const auto d = loadData("moons", 6000, 1.0 / 6.0, 1, true);
  const auto b = gaussianBaseline(d, 1000, 1);
  CHECK(b.mmd > 0.02);
  CHECK(b.nll > 2.0);
}

TEST_CASE("both gradient estimators are unbiased; reparameterization varies less",
          "[toy2d][reparam]") {
  for (const auto& f : reparamFunctions()) {
    const double mu = 0.7, sigma = 0.8;
    const int repeats = 2000;
    const auto ex = runReparamExperiment(f, mu, sigma, {1, 16, 256}, repeats, 11);
    REQUIRE(ex.curves.size() == 4);
    for (const auto& c : ex.curves) {
      INFO(f << " " << c.estimator << " d/d" << c.parameter << " exact " << c.exact);
      // The mean of the 256-sample estimates over the repeats has standard
      // error sqrt(var1 / (256 * repeats)); allow five of them.
      const double se = std::sqrt(c.singleSampleVariance / (256.0 * repeats));
      CHECK(std::abs(c.mean.back() - c.exact) < 5 * se + 1e-9);
      // The measured variance follows the exact one-sample variance / n
      // (loosely: the score-function estimators are heavy-tailed, so their
      // sample variances scatter widely).
      for (std::size_t k = 0; k < c.samples.size(); ++k)
        CHECK(c.variance[k] == Approx(c.referenceVariance[k]).epsilon(0.5));
    }
    // Exactly so for the reparameterization estimator of d/dmu E[z^2] = 2 z,
    // a Gaussian: variance 4 sigma^2 / n.
    if (f == "square")
      CHECK(ex.curves[0].referenceVariance[1] == Approx(4 * sigma * sigma / 16).epsilon(1e-9));
    // For these smooth f the reparameterization estimator is the better one.
    CHECK(ex.curves[0].singleSampleVariance < ex.curves[2].singleSampleVariance);
  }
  const auto g = exactGradient("square", 1.5, 0.5);
  CHECK(g.dMu == Approx(3.0));
  CHECK(g.dSigma == Approx(1.0));
  CHECK_THROWS_AS(runReparamExperiment("tan", 0, 1, {1}, 10, 1), std::invalid_argument);
  CHECK_THROWS_AS(runReparamExperiment("sin", 0, -1, {1}, 10, 1), std::invalid_argument);
}

TEST_CASE("the comparison table writes as CSV", "[toy2d][compare]") {
  ComparisonRow a;
  a.model = "flow (realnvp)";
  a.data = "moons";
  a.iterations = 10;
  a.eval.mmd = 0.001;
  a.eval.mmdBaseline = 0.08;
  a.eval.nll = 1.5;
  a.eval.nllKind = "exact";
  a.eval.nllBaseline = 2.5;
  ComparisonRow b = a;
  b.model = "gan \"ls\"";
  b.eval.nll = std::nan("");
  b.eval.nllKind = "";
  const auto csv = comparisonCsv({a, b});
  CHECK_THAT(csv, Catch::StartsWith("model,data,iterations,heldout_nll"));
  CHECK_THAT(csv, Catch::Contains("\"flow (realnvp)\",\"moons\",10,1.5,exact,2.5,0.001,0.08"));
  CHECK_THAT(csv, Catch::Contains("\"gan \"\"ls\"\"\",\"moons\",10,,,2.5"));
  const auto path = tempPath("table.csv").string();
  writeComparisonCsv(path, {a});
  std::ifstream in(path);
  std::string header;
  std::getline(in, header);
  CHECK_THAT(header, Catch::StartsWith("model,"));
}
