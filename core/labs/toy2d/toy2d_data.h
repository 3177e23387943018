#pragma once
// 2-D point data for the "Architects and Alchemists" lab: the built-in
// distributions, draw-your-own brushes, CSV import/export and the seeded
// train / held-out split. Torch-free: the ui includes it.
#include <cstdint>
#include <string>
#include <vector>

namespace genlab::core::toy2d {

// Points as interleaved coordinates: x0, y0, x1, y1, ...
struct Points2D {
  std::vector<float> xy;
  std::size_t size() const { return xy.size() / 2; }
  bool empty() const { return xy.empty(); }
  float x(std::size_t i) const { return xy[2 * i]; }
  float y(std::size_t i) const { return xy[2 * i + 1]; }
  void add(float x, float y) {
    xy.push_back(x);
    xy.push_back(y);
  }
};

// A data set as the models see it. When standardised, every coordinate is
// (raw - shift) / scale with one scale for both axes, so shapes keep their
// aspect; the MMD and NLLs are measured in these standardised coordinates.
struct Toy2dData {
  std::string name;        // "moons", ..., or the CSV path, or "drawn"
  std::string provenance;  // how it was made (generator, seed, file)
  Points2D train, heldOut;
  float shiftX = 0, shiftY = 0, scale = 1;
};

constexpr std::size_t kMaxPoints = 1000000;     // CSV and drawn data sets
constexpr std::size_t kMaxCsvBytes = 64u << 20;  // 64 MiB

// moons, rings, 8gaussians, checkerboard, swissroll, spiral.
const std::vector<std::string>& builtinDatasets();
bool isBuiltinDataset(const std::string& name);
// `n` raw points of a built-in distribution (not standardised). Throws std::invalid_argument.
Points2D generateBuiltin(const std::string& name, int n, std::uint64_t seed);

// CSV with one `x,y` per line; an optional first header line of non-numbers
// (e.g. "x,y"); blank lines and lines starting with '#' are skipped; ';' or
// tab may separate too. Throws DataError naming the source and the line.
Points2D parsePointsCsv(const std::string& text, const std::string& source);
Points2D readPointsCsv(const std::string& path);  // at most kMaxCsvBytes
std::string pointsToCsv(const Points2D& points);  // "x,y" header, 9 significant digits
void writePointsCsv(const std::string& path, const Points2D& points);  // atomic

// Draw-your-own: `count` points uniform in the disc of `radius` around
// (cx, cy) (a brush dab; density = count per dab), appended to `points`.
void paintBrush(Points2D& points, float cx, float cy, float radius, int count, std::uint64_t seed);
// Removes every point within `radius` of (cx, cy); returns how many went.
std::size_t eraseDisc(Points2D& points, float cx, float cy, float radius);

// Shuffles with `seed`, holds out ceil(fraction * n) points (at least 1, and
// at least 1 left to train on), and standardises with the training points'
// statistics when asked. Throws DataError for fewer than 2 points or
// non-finite coordinates.
Toy2dData splitData(const Points2D& all, double heldOutFraction, std::uint64_t seed,
                    bool standardize, const std::string& name, const std::string& provenance);
// A built-in name (generating `builtinPoints` points) or a CSV path.
Toy2dData loadData(const std::string& spec, int builtinPoints, double heldOutFraction,
                   std::uint64_t seed, bool standardize);

}  // namespace genlab::core::toy2d
