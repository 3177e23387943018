#pragma once
// Options of the Cells lab. Plain, torch-free.
#include <cstdint>
#include <string>
#include <vector>

namespace genlab::core::cells {

// Data names that need no file: simulated data with its own keys.
inline constexpr char kSimAdditive[] = "sim-additive";
inline constexpr char kSimShift[] = "sim-shift";

struct CellsOptions {
  std::string data = kSimShift;  // sim-additive | sim-shift | FILE.h5ad | DIR (10x) | FILE.csv | FILE.rda
  std::string obs;               // --obs: cell metadata for MTX / CSV / rda
  std::string orientation = "auto";
  std::string conditionKey, control, treated;  // sim-*: condition / control / stimulated
  std::string typeKey;           // "" = none: a seeded fifth of the treated cells is held out
  std::string holdout;           // the held-out cell type (its treated cells)
  // Or a held-out lasso selection (rows of the session's data, as the map
  // numbers them): its treated cells are held out, and the control cells of
  // `holdoutControlRows` are its control (split into halves A and B). When
  // set, these replace the cell-type hold-out.
  std::vector<int> holdoutRows, holdoutControlRows;
  // The same by cell id (the CLI's --holdout-ids / --holdout-control-ids,
  // files the GUI's selection export writes); resolved to rows on opening.
  std::vector<std::string> holdoutIds, holdoutControlIds;
  std::string method = "vae";    // vae | cvae | mean-shift | pca | linear | none
  // Preprocessing, each step switchable.
  bool normalize = true;         // library-size normalisation to targetSum
  double targetSum = 1e4;
  bool log1p = true;
  int hvg = 2000;                // highly variable genes kept (0: all genes)
  // Model and training.
  // Latent 4 and β 0.5: a compact, smooth latent in which one δ carries over
  // between cell types (chosen on simulator seeds 101-104; docs/cells.md).
  int latent = 4;
  int hidden = 256;
  int epochs = 30;
  int batch = 128;
  double lr = 1e-3;
  double beta = 0.5;             // KL weight
  int pcs = 50;                  // PCA baseline
  std::uint64_t seed = 1;
  int threads = 0;
  // sim-* size.
  int simCells = 6000;
  int simGenes = 1000;
  double simTypeRadius = 1.0, simStateSd = 0.6, simCoupling = 1.5;

  bool simulated() const { return data == kSimAdditive || data == kSimShift; }
  bool trainsModel() const { return method == "vae" || method == "cvae"; }
  void validate() const;  // throws std::invalid_argument
  bool holdsOutSelection() const { return !holdoutRows.empty() || !holdoutIds.empty(); }
};

}  // namespace genlab::core::cells
