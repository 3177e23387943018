#pragma once
// The Cells lab's side of the engine: owns the current CellsSession (on the
// worker), runs its training job and serves map, gene, lasso-prediction and
// export requests through one LabClient. The work is in
// core/labs/cells/cells_requests.h.
#include <QObject>
#include <QString>
#include <QStringList>

#include "core/labs/cells/cells_job.h"
#include "core/labs/cells/cells_requests.h"
#include "ui/bridge/lab_client.h"

namespace genlab::ui {

using CellMapPtr = std::shared_ptr<const core::cells::CellMap>;
using CellsProgressPtr = std::shared_ptr<const core::cells::CellsProgress>;
using EvaluationPtr = std::shared_ptr<const core::cells::Evaluation>;
using GeneValuesPtr = std::shared_ptr<const core::cells::GeneValues>;
using SelectionPredictionPtr = std::shared_ptr<const core::cells::SelectionPrediction>;

class CellsController : public QObject {
  Q_OBJECT

 public:
  explicit CellsController(EngineBridge* bridge, QObject* parent = nullptr);
  ~CellsController() override;

  bool busy() const { return m_preparing || m_jobId != 0; }
  bool training() const { return m_jobId != 0; }
  bool hasSession() const { return bool(m_session); }
  std::shared_ptr<const core::cells::CellsSession> session() const { return m_session; }
  EvaluationPtr lastEvaluation() const { return m_eval; }

  // Opens the data (new session) and trains / evaluates it.
  void start(const core::cells::CellsOptions& options);
  void cancel();
  void setBeta(double beta);
  void gene(const QString& name);
  void apply(const std::vector<int>& control, const std::vector<int>& treated,
             const std::vector<int>& target);
  void exportPredictions(const QString& path);
  void exportSelection(const std::vector<int>& rows, const QString& path);
  void exportText(const QString& path, const QString& which);  // "de" | "metrics"

 Q_SIGNALS:
  void opened(const QString& summary, const QStringList& steps);
  void mapUpdated(const genlab::ui::CellMapPtr& map);
  void progressed(const genlab::ui::CellsProgressPtr& p);
  void finished(const genlab::ui::EvaluationPtr& e);
  void geneReady(const genlab::ui::GeneValuesPtr& g);
  void predicted(const genlab::ui::SelectionPredictionPtr& p);
  void busyChanged(bool busy);
  void errorOccurred(const QString& what, const QString& message);
  void info(const QString& message);

 private:
  void submitJob();
  void releaseSession();

  LabClient m_client;
  std::shared_ptr<core::cells::CellsSession> m_session;
  EvaluationPtr m_eval;
  std::uint64_t m_jobId = 0;
  bool m_preparing = false;
};

}  // namespace genlab::ui
