#include "core/labs/cells/cells_requests.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/data/cell_formats.h"
#include "core/util/atomic_file.h"

namespace genlab::core::cells {

namespace {
std::string num(double v) {
  if (!std::isfinite(v)) return "";
  char b[32];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}
bool endsWith(const std::string& s, const std::string& e) {
  return s.size() >= e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0;
}
}  // namespace

std::shared_ptr<OpenedCells> openCells(const CellsOptions& options) {
  auto o = std::make_shared<OpenedCells>();
  o->session = CellsSession::create(options);
  o->summary = o->session->summary();
  o->steps = o->session->data().steps;
  o->map = o->session->cellMap();
  return o;
}

std::string metricsCsv(const Evaluation& e) {
  std::ostringstream s;
  s << "method,r2_means_all,r2_means_top100,r2_delta_all,r2_delta_top100,pearson_delta_all,"
       "pearson_delta_top100,rmse_truth_delta_all,rmse_truth_delta_top100\n";
  for (const auto& m : e.methods)
    s << m.method << ',' << num(m.r2MeansAll) << ',' << num(m.r2MeansTop) << ','
      << num(m.r2DeltaAll) << ',' << num(m.r2DeltaTop) << ',' << num(m.pearsonDeltaAll) << ','
      << num(m.pearsonDeltaTop) << ',' << num(m.rmseTruthAll) << ',' << num(m.rmseTruthTop)
      << '\n';
  return s.str();
}

std::string deCsv(const Evaluation& e) {
  std::ostringstream s;
  s << "rank,gene,observed_treated_mean,control_mean_A,control_mean_B,observed_delta";
  for (const auto& m : e.methods) s << ",predicted_" << m.method;
  s << '\n';
  std::vector<int> order = e.top;
  std::vector<char> inTop(e.geneNames.size(), 0);
  for (int g : order) inTop[g] = 1;
  for (std::size_t g = 0; g < e.geneNames.size(); ++g)
    if (!inTop[g]) order.push_back(static_cast<int>(g));
  for (std::size_t i = 0; i < order.size(); ++i) {
    const int g = order[i];
    s << (i < e.top.size() ? std::to_string(i + 1) : std::string()) << ','
      << csvField(e.geneNames[g]) << ',' << num(e.trueMean[g]) << ',' << num(e.ctrlA[g]) << ','
      << num(e.ctrlB[g]) << ',' << num(e.trueMean[g] - e.ctrlB[g]);
    for (const auto& m : e.methods) s << ',' << num(m.predMean[g]);
    s << '\n';
  }
  return s.str();
}

void exportPredictions(CellsSession& s, const std::string& path) {
  const auto& rows = s.controlA();
  auto pred = s.predictRows(rows);
  const auto& p = s.data();
  // Every space preprocessing produces is non-negative (the readers refuse
  // negative values, and normalisation and log1p keep them so), but a
  // decoder or a shift can go below 0. Clamp there, so that GenLab's own
  // readers reopen the file, and count what was clamped per cell.
  std::vector<double> clamped(rows.size(), 0.0);
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (int g = 0; g < p.genes; ++g) {
      float& v = pred[i * static_cast<std::size_t>(p.genes) + g];
      if (v < 0) v = 0, clamped[i] += 1;
    }
  CellData d;
  d.X = CsrMatrix::fromDense(pred.data(), static_cast<std::int64_t>(rows.size()), p.genes);
  for (int r : rows) d.obs.index.push_back(p.cellIds[r] + "-predicted");
  std::vector<std::string> from, method, space;
  const std::string spaceName = predictionSpace(s.options());
  for (int r : rows) {
    from.push_back(p.cellIds[r]);
    method.push_back(s.hasModel() ? s.options().method : "mean-shift");
    space.push_back(spaceName);
  }
  d.obs.columns.push_back(CellColumn::fromStrings("source_cell", from));
  d.obs.columns.push_back(CellColumn::fromStrings("method", method));
  d.obs.columns.push_back(CellColumn::fromStrings("space", space));
  CellColumn c;
  c.name = "clamped_values";
  c.categorical = false;
  c.values = clamped;
  d.obs.columns.push_back(std::move(c));
  d.var.index = p.geneNames;
  d.source = "predictions";
  if (endsWith(path, ".h5ad")) {
    writeH5ad(path, d);
  } else {
    writeExpressionCsv(path, d, true);
    writeObsCsv(path.substr(0, path.size() - (endsWith(path, ".csv") ? 4 : 0)) + ".obs.csv", d.obs);
  }
}

std::string predictionSpace(const CellsOptions& o) {
  std::string s = o.normalize ? "counts per " + num(o.targetSum) : std::string("values as read");
  if (o.log1p) s = "log1p(" + s + ")";
  return s + ", clamped at 0";
}

void exportSelection(const CellsSession& s, const std::vector<int>& rows, const std::string& path) {
  std::vector<int> raw;
  for (int r : rows) {
    if (r < 0 || r >= static_cast<int>(s.keptRows().size()))
      throw std::invalid_argument("selection holds a cell out of range");
    raw.push_back(s.keptRows()[r]);
  }
  if (endsWith(path, ".h5ad")) {
    writeH5ad(path, s.raw().subsetCells(raw));
    return;
  }
  std::string out;
  for (int r : raw) out += s.raw().obs.index[r] + '\n';
  writeFileAtomic(path, out);
}

}  // namespace genlab::core::cells
