#include "ui/labs/cells/cells_controller.h"

#include "core/util/atomic_file.h"

namespace genlab::ui {

using namespace core::cells;
using PayloadPtr = LabClient::PayloadPtr;

CellsController::CellsController(EngineBridge* bridge, QObject* parent)
    : QObject(parent), m_client(bridge, channel::kLab, this) {
  m_client.setErrorHandler(
      [this](const QString& what, const QString& message) { Q_EMIT errorOccurred(what, message); });
}

CellsController::~CellsController() {
  if (m_jobId) m_client.cancel(m_jobId);
  releaseSession();
}

void CellsController::releaseSession() {
  if (!m_session) return;
  m_client.releaseOnWorker(std::move(m_session));
  m_session.reset();
}

void CellsController::start(const CellsOptions& options) {
  if (busy()) return;
  m_preparing = true;
  Q_EMIT busyChanged(true);
  m_client.request(
      "open", tr("Open cells"), [options]() -> PayloadPtr { return openCells(options); },
      LabClient::as<OpenedCells>([this](std::shared_ptr<const OpenedCells> o) {
        m_preparing = false;
        releaseSession();
        m_session = o->session;
        m_eval.reset();
        QStringList steps;
        for (const auto& s : o->steps) steps << QString::fromStdString(s);
        Q_EMIT opened(QString::fromStdString(o->summary), steps);
        if (o->map) Q_EMIT mapUpdated(o->map);
        submitJob();
      }),
      [this](const QString& message) {
        m_preparing = false;
        Q_EMIT busyChanged(false);
        Q_EMIT errorOccurred(tr("Open cells"), message);
      });
}

void CellsController::cancel() {
  if (m_jobId) m_client.cancel(m_jobId);
}

void CellsController::setBeta(double beta) {
  if (m_jobId) m_client.setLive(m_jobId, live::kBeta, beta);
}

void CellsController::submitJob() {
  if (!m_session) return;
  LabClient::JobHandlers h;
  h.progress = [this](const core::Snapshot& s) {
    if (s.job != m_jobId) return;
    if (auto map = std::dynamic_pointer_cast<const CellMap>(s.payload)) Q_EMIT mapUpdated(map);
    else if (auto p = std::dynamic_pointer_cast<const CellsProgress>(s.payload)) Q_EMIT progressed(p);
  };
  h.ended = [this](const LabClient::JobEnd& end) {
    if (end.job != m_jobId) return;
    m_jobId = 0;
    Q_EMIT busyChanged(false);
    if (end.failed()) {
      Q_EMIT errorOccurred(tr("Training"), end.message);
    } else if (auto e = std::dynamic_pointer_cast<const Evaluation>(end.result)) {
      m_eval = e;
      Q_EMIT finished(e);
    }
  };
  m_jobId = m_client.submit(std::make_unique<CellsTrainJob>(m_session), std::move(h));
  Q_EMIT busyChanged(true);
}

void CellsController::gene(const QString& name) {
  if (!m_session) return;
  auto s = m_session;
  const std::string g = name.toStdString();
  m_client.requestLatest("gene", tr("Colour by gene"),
                         [s, g]() -> PayloadPtr { return s->geneValues(g); },
                         LabClient::as<GeneValues>([this](auto v) { Q_EMIT geneReady(v); }));
}

void CellsController::apply(const std::vector<int>& control, const std::vector<int>& treated,
                            const std::vector<int>& target) {
  if (!m_session) return;
  auto s = m_session;
  m_client.requestLatest(
      "apply", tr("Apply δ"),
      [s, control, treated, target]() -> PayloadPtr { return s->applyDelta(control, treated, target); },
      LabClient::as<SelectionPrediction>([this](auto p) { Q_EMIT predicted(p); }));
}

void CellsController::exportPredictions(const QString& path) {
  if (!m_session) return;
  auto s = m_session;
  const std::string file = path.toStdString();
  m_client.request(
      "export", tr("Export predictions"),
      [s, file]() -> PayloadPtr {
        core::cells::exportPredictions(*s, file);
        return nullptr;
      },
      [this, path](const PayloadPtr&) { Q_EMIT info(tr("Predictions saved to %1").arg(path)); });
}

void CellsController::exportSelection(const std::vector<int>& rows, const QString& path) {
  if (!m_session) return;
  auto s = m_session;
  const std::string file = path.toStdString();
  m_client.request(
      "export-selection", tr("Export selection"),
      [s, rows, file]() -> PayloadPtr {
        core::cells::exportSelection(*s, rows, file);
        return nullptr;
      },
      [this, path](const PayloadPtr&) { Q_EMIT info(tr("Selection saved to %1").arg(path)); });
}

void CellsController::exportText(const QString& path, const QString& which) {
  if (!m_eval) {
    Q_EMIT errorOccurred(tr("Export"), tr("There are no scores yet: train or evaluate first."));
    return;
  }
  try {
    core::writeFileAtomic(path.toStdString(), which == QLatin1String("de") ? deCsv(*m_eval)
                                                                           : metricsCsv(*m_eval));
    Q_EMIT info(tr("Saved %1").arg(path));
  } catch (const std::exception& e) {
    Q_EMIT errorOccurred(tr("Export"), QString::fromStdString(e.what()));
  }
}

}  // namespace genlab::ui
