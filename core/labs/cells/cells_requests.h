#pragma once
// What the Cells lab asks of its session, as functions: the GUI runs them on
// the engine's worker through its LabClient; the CLI and tests call them
// directly. Torch-free: sessions are opaque, payloads plain.
#include <memory>
#include <string>
#include <vector>

#include "core/labs/cells/cells_options.h"
#include "core/labs/cells/cells_session.h"

namespace genlab::core::cells {

namespace channel {
inline constexpr char kLab[] = "cells";
inline constexpr char kTrain[] = "cells.train";        // the training job: result (Evaluation)
inline constexpr char kProgress[] = "cells.progress";  // ... its progress
inline constexpr char kMap[] = "cells.map";            // ... the cell map as the latent changes
}  // namespace channel

struct OpenedCells : Payload {
  std::shared_ptr<CellsSession> session;
  std::string summary;
  std::vector<std::string> steps;  // preprocessing, one line each
  std::shared_ptr<CellMap> map;
};

std::shared_ptr<OpenedCells> openCells(const CellsOptions& options);

// "method,r2_means_all,r2_means_top100,r2_delta_all,r2_delta_top100,pearson_delta_all,..."
std::string metricsCsv(const Evaluation& e);
// One row per gene: z-ranked DE (held-out treated vs control), observed and predicted means.
std::string deCsv(const Evaluation& e);

// Predicted expression of the held-out group's control half A (what every
// method predicts from), by the session's model (or the mean shift): .h5ad
// or .csv (+ FILE.obs.csv) by the extension. Values below 0 are clamped to 0
// (obs column clamped_values counts them per cell; obs column space names
// the space), so GenLab's readers reopen what it writes.
void exportPredictions(CellsSession& s, const std::string& path);
// "log1p(counts per 10000), clamped at 0" and the like.
std::string predictionSpace(const CellsOptions& o);
// The selected cells (rows of the session's data): ids one per line (.txt /
// .csv), or the raw subset as .h5ad that openCellData reopens.
void exportSelection(const CellsSession& s, const std::vector<int>& rows, const std::string& path);

}  // namespace genlab::core::cells
