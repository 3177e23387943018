#pragma once
// The Cells lab's state behind a torch-free facade: the data (preprocessed),
// the experiment's split, the model (VAE or cVAE) and every baseline. All
// methods but the const accessors run on the engine's worker thread.
//
// The experiment: the treated cells of the held-out type (or a seeded fifth
// of the treated cells when there is no type key) are never trained on. The
// held-out type's control cells are split in two halves: A is what every
// method predicts from, B is the control mean that Δtrue subtracts.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/data/cell_data.h"
#include "core/engine/snapshot.h"
#include "core/labs/cells/cells_metrics.h"
#include "core/labs/cells/cells_model.h"
#include "core/labs/cells/cells_options.h"

namespace genlab::core::cells {

// Preprocessed expression, dense cells x genes (the kept genes).
struct Prepared {
  std::vector<float> x;
  int cells = 0, genes = 0;
  std::vector<std::string> geneNames, cellIds;
  std::vector<int> condition;  // 0 control, 1 treated
  std::vector<int> type;       // code into typeNames (0 when there is no type key)
  std::vector<std::string> typeNames;
  std::vector<float> counterfactual;  // same layout, or empty (simulator only)
  std::vector<std::string> steps;     // what preprocessing did, one line each
};

// Library-size normalisation, log1p and HVG as options say; `keepRows`
// are the cells kept (others dropped); HVG variance is computed on `hvgRows`
// (indices into keepRows' order) only.
Prepared preprocess(const CellData& d, const CellsOptions& o, const std::vector<int>& keepRows,
                    const std::vector<std::string>& conditionOf);

struct Evaluation : Payload {
  std::string model;                // the trained model ("vae", "cvae") or "" when none
  std::vector<MethodScore> methods; // the model first (when trained), then the baselines
  std::vector<int> top;             // top-100 DE genes (Wilcoxon, held-out truth vs control)
  std::vector<double> trueMean, ctrlA, ctrlB;
  std::vector<std::string> geneNames;
  std::string banner;  // non-empty when a baseline beats the model on R²-Δ
  double epochs = 0;
  int heldOutCells = 0, controlA = 0, controlB = 0;
  bool hasTruth = false;
  double trainSeconds = 0, cellsPerSecond = 0;  // training steps only (set by the job)
};

// The cells on the map: PCA of the latent means (or of expression before a model is trained).
struct CellMap : Payload {
  std::vector<float> xy;  // 2 * cells
  std::vector<int> type, condition;
  std::vector<std::uint8_t> heldOut;
  std::vector<std::string> typeNames, conditionNames;
  std::string space;  // "latent PCA" | "expression PCA"
  double epochs = 0;
};

// Expression of one gene on every cell, for colouring the map.
struct GeneValues : Payload {
  std::string gene;
  std::vector<float> values;
  float lo = 0, hi = 0;
};

// Latent arithmetic on lasso selections: δ = mean z(treated sel) − mean z(control sel),
// applied to a third selection.
struct SelectionPrediction : Payload {
  float fromX = 0, fromY = 0, toX = 0, toY = 0;  // the δ arrow between the centroids (map)
  std::vector<float> sourceXY, predictedXY;      // the third selection, before and after
  std::vector<double> sourceMean, predictedMean; // per gene
  std::vector<std::string> geneNames;
  std::vector<int> topChanged;  // genes by |predicted − source|
  std::string space;
  // The prediction scored against the truth of selection 3's population:
  // its control cells are split in seeded halves A (predicted from) and B
  // (the control of Δtrue); the truth is the treated cells of A's cell types
  // (outside selection 2), weighted as A mixes them. The simulator's
  // counterfactual of A gives RMSE vs truth. Empty scores with a note when
  // the truth cannot be known (no cell-type key, fewer than 2 control cells
  // in selection 3, or a type without treated cells outside selection 2).
  std::vector<MethodScore> scores;  // the latent δ (with a model), gene-space δ, none
  std::string scoreNote;
  int scoredSource = 0, truthCells = 0;
};

class CellsSession {
 public:
  static std::shared_ptr<CellsSession> create(const CellsOptions& options);
  CellsSession(const CellsOptions& options, std::shared_ptr<const CellData> data);
  ~CellsSession();

  const CellsOptions& options() const { return m_o; }
  const Prepared& data() const { return m_p; }
  const std::string& source() const { return m_source; }
  const std::vector<int>& trainRows() const { return m_train; }
  const std::vector<int>& heldOutRows() const { return m_heldOut; }
  const std::vector<int>& controlA() const { return m_ctrlA; }
  const std::vector<int>& controlB() const { return m_ctrlB; }
  std::string summary() const;
  // The data as read (before preprocessing) and which of its cells were kept
  // (row i of data() is raw() row keptRows()[i]); for exporting subsets.
  const CellData& raw() const { return *m_raw; }
  const std::vector<int>& keptRows() const { return m_keep; }

  bool hasModel() const { return bool(m_model); }
  long stepsPerEpoch() const;
  long globalStep() const { return m_step; }
  double epochsDone() const;
  StepLoss trainStep();
  void setBeta(double b) { m_beta = b; }

  std::shared_ptr<Evaluation> evaluate();
  std::shared_ptr<CellMap> cellMap();
  // Re-encodes `count` cells of the map cache (round robin); returns true when a pass completed.
  bool refreshMapSlice(int count);
  // True once a full pass has encoded every cell (the map is then in latent space).
  bool latentMapReady() const { return m_mapReady; }
  std::shared_ptr<GeneValues> geneValues(const std::string& gene) const;
  std::shared_ptr<SelectionPrediction> applyDelta(const std::vector<int>& controlSel,
                                                  const std::vector<int>& treatedSel,
                                                  const std::vector<int>& targetSel);
  // Predicted expression of `rows` under the trained model (or the mean shift), cells x genes.
  std::vector<float> predictRows(const std::vector<int>& rows);

 private:
  void split();
  void scoreSelection(SelectionPrediction& p, const std::vector<int>& ctrlSel,
                      const std::vector<int>& trtSel, const std::vector<int>& target,
                      const std::vector<float>& predicted);
  std::vector<int> rowsOfIds(const std::vector<std::string>& ids, const std::string& what) const;
  std::vector<float> embed(const std::vector<int>& rows);  // latent means (or PCA scores)
  std::vector<double> meanOf(const std::vector<float>& m, int cols, const std::vector<int>& rows) const;
  std::vector<double> balancedDelta(const std::vector<float>& values, int cols,
                                    const std::vector<int>& rows) const;
  void ensureExpressionPca();
  void projectMap(const std::vector<float>& z, int dim, std::vector<float>& xy);

  CellsOptions m_o;
  std::shared_ptr<const CellData> m_raw;
  std::vector<int> m_keep;
  Prepared m_p;
  std::string m_source;
  std::vector<int> m_train, m_heldOut, m_ctrlA, m_ctrlB;
  std::unique_ptr<CellsModel> m_model;
  long m_step = 0;
  double m_beta = 0.5;
  std::vector<int> m_order;
  std::size_t m_cursor = 0;
  std::uint64_t m_rng = 1;
  std::vector<float> m_batch;
  std::vector<int> m_batchCond;
  // Map cache.
  std::vector<float> m_latentCache;  // cells x latent
  std::size_t m_mapCursor = 0;
  bool m_mapReady = false;
  std::vector<float> m_pcaMean, m_pcaAxes;  // expression PCA (2 axes), before a model
  std::vector<float> m_mapMean, m_mapAxes;  // latent PCA, fixed per pass
};

}  // namespace genlab::core::cells
