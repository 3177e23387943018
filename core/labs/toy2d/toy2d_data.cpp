#include "core/labs/toy2d/toy2d_data.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <stdexcept>

#include "core/data/image_dataset.h"
#include "core/labs/toy2d/toy2d_random.h"
#include "core/util/atomic_file.h"

namespace genlab::core::toy2d {

namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr std::size_t kMaxLine = 4096;
constexpr double kMaxAbsCoordinate = 1e9;

void moons(Points2D& p, int n, Rng& r) {
  // scikit-learn's make_moons with noise 0.1.
  for (int i = 0; i < n; ++i) {
    const double t = kPi * r.uniform();
    double x, y;
    if (i % 2 == 0) {
      x = std::cos(t);
      y = std::sin(t);
    } else {
      x = 1 - std::cos(t);
      y = 0.5 - std::sin(t);
    }
    p.add(float(x + 0.1 * r.normal()), float(y + 0.1 * r.normal()));
  }
}

void rings(Points2D& p, int n, Rng& r) {
  // Two concentric rings (radii 1 and 0.5) with noise 0.05: scikit-learn's
  // make_circles(factor=0.5, noise=0.05), as in its toy-data comparisons.
  for (int i = 0; i < n; ++i) {
    const double t = 2 * kPi * r.uniform();
    const double rad = i % 2 == 0 ? 1.0 : 0.5;
    p.add(float(rad * std::cos(t) + 0.05 * r.normal()), float(rad * std::sin(t) + 0.05 * r.normal()));
  }
}

void eightGaussians(Points2D& p, int n, Rng& r) {
  // Means on a circle of radius 2 at multiples of 45 degrees; std 0.25 (ratio 1/8).
  for (int i = 0; i < n; ++i) {
    const int k = static_cast<int>(r.uniform() * 8) % 8;
    const double a = k * kPi / 4;
    p.add(float(2 * std::cos(a) + 0.25 * r.normal()), float(2 * std::sin(a) + 0.25 * r.normal()));
  }
}

void checkerboard(Points2D& p, int n, Rng& r) {
  // The 4x4 board's 8 dark squares on [-2, 2]^2.
  for (int i = 0; i < n; ++i) {
    const double x = r.uniform() * 4 - 2;
    const double yy = r.uniform() - 2 * std::floor(r.uniform() * 2);  // [-2,-1) or [0,1)
    const double y = yy + (static_cast<int>(std::floor(x)) & 1);
    p.add(float(x), float(y));
  }
}

void swissroll(Points2D& p, int n, Rng& r) {
  // scikit-learn's make_swiss_roll (x, z) with noise 0.5, over 1.5 turns.
  for (int i = 0; i < n; ++i) {
    const double t = 1.5 * kPi * (1 + 2 * r.uniform());
    p.add(float(t * std::cos(t) + 0.5 * r.normal()), float(t * std::sin(t) + 0.5 * r.normal()));
  }
}

void spiral(Points2D& p, int n, Rng& r) {
  // Two interleaved spirals (FFJORD's "2spirals").
  for (int i = 0; i < n; ++i) {
    const double t = std::sqrt(r.uniform()) * 540 * 2 * kPi / 360;
    const double s = i % 2 == 0 ? 1.0 : -1.0;
    const double x = s * (-std::cos(t) * t + r.uniform() * 0.5);
    const double y = s * (std::sin(t) * t + r.uniform() * 0.5);
    p.add(float(x / 3 + 0.1 * r.normal()), float(y / 3 + 0.1 * r.normal()));
  }
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

bool parseNumber(const std::string& field, double& v) {
  const std::string f = trim(field);
  if (f.empty()) return false;
  const char* b = f.data();
  if (*b == '+') ++b;
  const auto res = std::from_chars(b, f.data() + f.size(), v);
  return res.ec == std::errc() && res.ptr == f.data() + f.size();
}

std::vector<std::string> splitFields(const std::string& line) {
  std::vector<std::string> out(1);
  for (char c : line) {
    if (c == ',' || c == ';' || c == '\t')
      out.emplace_back();
    else
      out.back().push_back(c);
  }
  return out;
}
}  // namespace

const std::vector<std::string>& builtinDatasets() {
  static const std::vector<std::string> names{"moons",        "rings",     "8gaussians",
                                              "checkerboard", "swissroll", "spiral"};
  return names;
}

bool isBuiltinDataset(const std::string& name) {
  const auto& n = builtinDatasets();
  return std::find(n.begin(), n.end(), name) != n.end();
}

Points2D generateBuiltin(const std::string& name, int n, std::uint64_t seed) {
  if (n < 1 || static_cast<std::size_t>(n) > kMaxPoints)
    throw std::invalid_argument("a built-in data set needs between 1 and 1000000 points");
  Points2D p;
  p.xy.reserve(2 * static_cast<std::size_t>(n));
  Rng r(seed);
  if (name == "moons") moons(p, n, r);
  else if (name == "rings") rings(p, n, r);
  else if (name == "8gaussians") eightGaussians(p, n, r);
  else if (name == "checkerboard") checkerboard(p, n, r);
  else if (name == "swissroll") swissroll(p, n, r);
  else if (name == "spiral") spiral(p, n, r);
  else
    throw std::invalid_argument("unknown data set '" + name +
                                "': use moons, rings, 8gaussians, checkerboard, swissroll, "
                                "spiral or a CSV file");
  return p;
}

Points2D parsePointsCsv(const std::string& text, const std::string& source) {
  Points2D p;
  std::size_t lineNo = 0, pos = 0;
  bool sawData = false;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    ++lineNo;
    const std::string where = source + " line " + std::to_string(lineNo) + ": ";
    if (end - pos > kMaxLine) throw DataError(where + "the line is too long");
    const std::string line = trim(text.substr(pos, end - pos));
    pos = end + 1;
    if (line.empty() || line[0] == '#') continue;
    if (line.find('\0') != std::string::npos) throw DataError(where + "binary data, not text");
    const auto fields = splitFields(line);
    if (fields.size() != 2)
      throw DataError(where + "expected two columns x,y but found " + std::to_string(fields.size()));
    double x = 0, y = 0;
    const bool okX = parseNumber(fields[0], x), okY = parseNumber(fields[1], y);
    if (!okX && !okY && !sawData && p.empty()) {  // a header such as "x,y"
      sawData = true;
      continue;
    }
    sawData = true;
    if (!okX || !okY)
      throw DataError(where + "'" + trim(fields[okX ? 1 : 0]) + "' is not a number");
    if (!std::isfinite(x) || !std::isfinite(y))
      throw DataError(where + "coordinates must be finite (no NaN or infinity)");
    if (std::abs(x) > kMaxAbsCoordinate || std::abs(y) > kMaxAbsCoordinate)
      throw DataError(where + "coordinates must lie within +-1e9");
    if (p.size() >= kMaxPoints)
      throw DataError(where + "more than " + std::to_string(kMaxPoints) + " points");
    p.add(static_cast<float>(x), static_cast<float>(y));
  }
  if (p.empty()) throw DataError(source + ": no points (expected lines of x,y)");
  return p;
}

Points2D readPointsCsv(const std::string& path) {
  std::string bytes;
  try {
    bytes = readFileLimited(path, kMaxCsvBytes);
  } catch (const std::runtime_error& e) {
    throw DataError(e.what());
  }
  return parsePointsCsv(bytes, path);
}

std::string pointsToCsv(const Points2D& points) {
  std::string out = "x,y\n";
  out.reserve(points.size() * 24 + 4);
  char buf[64];
  for (std::size_t i = 0; i < points.size(); ++i) {
    const int n = std::snprintf(buf, sizeof buf, "%.9g,%.9g\n", points.x(i), points.y(i));
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

void writePointsCsv(const std::string& path, const Points2D& points) {
  writeFileAtomic(path, pointsToCsv(points));
}

void paintBrush(Points2D& points, float cx, float cy, float radius, int count, std::uint64_t seed) {
  if (!(radius >= 0) || !std::isfinite(cx) || !std::isfinite(cy) || !std::isfinite(radius))
    throw std::invalid_argument("the brush needs a finite centre and a radius >= 0");
  if (count < 0 || count > 100000) throw std::invalid_argument("a dab paints 0 to 100000 points");
  if (points.size() + static_cast<std::size_t>(count) > kMaxPoints)
    throw std::invalid_argument("a drawn data set holds at most 1000000 points");
  Rng r(seed);
  for (int i = 0; i < count; ++i) {
    const double rad = radius * std::sqrt(r.uniform());  // uniform over the disc's area
    const double a = 2 * kPi * r.uniform();
    points.add(float(cx + rad * std::cos(a)), float(cy + rad * std::sin(a)));
  }
}

std::size_t eraseDisc(Points2D& points, float cx, float cy, float radius) {
  const float r2 = radius * radius;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const float dx = points.x(i) - cx, dy = points.y(i) - cy;
    if (dx * dx + dy * dy <= r2) continue;
    points.xy[2 * kept] = points.x(i);
    points.xy[2 * kept + 1] = points.y(i);
    ++kept;
  }
  const std::size_t removed = points.size() - kept;
  points.xy.resize(2 * kept);
  return removed;
}

Toy2dData splitData(const Points2D& all, double heldOutFraction, std::uint64_t seed,
                    bool standardize, const std::string& name, const std::string& provenance) {
  const std::size_t n = all.size();
  if (n < 2) throw DataError(name + ": at least 2 points are needed (one is held out)");
  for (float v : all.xy)
    if (!std::isfinite(v)) throw DataError(name + ": coordinates must be finite");
  std::vector<std::size_t> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  Rng r(seed ^ 0x5eedda7aULL);
  for (std::size_t i = n - 1; i > 0; --i) std::swap(idx[i], idx[r.next() % (i + 1)]);
  std::size_t held = static_cast<std::size_t>(std::ceil(heldOutFraction * double(n) - 1e-9));
  held = std::clamp<std::size_t>(held, 1, n - 1);
  Toy2dData d;
  d.name = name;
  d.provenance = provenance;
  for (std::size_t k = 0; k < n; ++k) {
    Points2D& dst = k < held ? d.heldOut : d.train;
    dst.add(all.x(idx[k]), all.y(idx[k]));
  }
  if (standardize) {
    double mx = 0, my = 0;
    for (std::size_t i = 0; i < d.train.size(); ++i) {
      mx += d.train.x(i);
      my += d.train.y(i);
    }
    mx /= double(d.train.size());
    my /= double(d.train.size());
    double var = 0;
    for (std::size_t i = 0; i < d.train.size(); ++i)
      var += (d.train.x(i) - mx) * (d.train.x(i) - mx) + (d.train.y(i) - my) * (d.train.y(i) - my);
    const double scale = std::sqrt(var / (2.0 * double(d.train.size())));
    if (!(scale > 1e-12)) throw DataError(name + ": the training points all lie at one place");
    d.shiftX = float(mx);
    d.shiftY = float(my);
    d.scale = float(scale);
    for (Points2D* set : {&d.train, &d.heldOut})
      for (std::size_t i = 0; i < set->size(); ++i) {
        set->xy[2 * i] = float((set->xy[2 * i] - mx) / scale);
        set->xy[2 * i + 1] = float((set->xy[2 * i + 1] - my) / scale);
      }
  }
  return d;
}

Toy2dData loadData(const std::string& spec, int builtinPoints, double heldOutFraction,
                   std::uint64_t seed, bool standardize) {
  if (isBuiltinDataset(spec)) {
    auto pts = generateBuiltin(spec, builtinPoints, seed);
    return splitData(pts, heldOutFraction, seed, standardize, spec,
                     spec + " (" + std::to_string(builtinPoints) + " points, seed " +
                         std::to_string(seed) + ")");
  }
  const bool looksLikeFile = spec.size() > 4 && spec.compare(spec.size() - 4, 4, ".csv") == 0;
  if (!looksLikeFile && spec.find('/') == std::string::npos)
    throw DataError("unknown data set '" + spec +
                    "': use moons, rings, 8gaussians, checkerboard, swissroll, spiral or a "
                    "CSV file of x,y lines");
  auto pts = readPointsCsv(spec);
  return splitData(pts, heldOutFraction, seed, standardize, spec,
                   spec + " (" + std::to_string(pts.size()) + " points)");
}

}  // namespace genlab::core::toy2d
