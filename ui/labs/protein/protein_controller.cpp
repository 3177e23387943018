#include "ui/labs/protein/protein_controller.h"

#include "core/util/atomic_file.h"

namespace genlab::ui {

using namespace core::protein;
using PayloadPtr = LabClient::PayloadPtr;

ProteinController::ProteinController(EngineBridge* bridge, QObject* parent)
    : QObject(parent), m_client(bridge, channel::kLab, this) {
  m_client.setErrorHandler(
      [this](const QString& what, const QString& message) { Q_EMIT errorOccurred(what, message); });
}

ProteinController::~ProteinController() {
  if (m_jobId) m_client.cancel(m_jobId);
  releaseSession();
}

void ProteinController::releaseSession() {
  if (!m_session) return;
  m_client.releaseOnWorker(std::move(m_session));
  m_session.reset();
}

void ProteinController::open(const ProteinOptions& options, bool thenTrain) {
  if (busy()) return;
  m_preparing = true;
  Q_EMIT busyChanged(true);
  m_client.request(
      "open", tr("Open family"), [options]() -> PayloadPtr { return openFamily(options); },
      LabClient::as<OpenedFamily>([this, thenTrain](auto o) { adopt(o, thenTrain); }),
      [this](const QString& message) {
        m_preparing = false;
        Q_EMIT busyChanged(false);
        Q_EMIT errorOccurred(tr("Open family"), message);
      });
}

void ProteinController::adopt(const std::shared_ptr<const OpenedFamily>& o, bool thenTrain) {
  m_preparing = false;
  releaseSession();
  m_session = o->session;
  m_options = o->session->options();
  Q_EMIT opened(QString::fromStdString(o->summary));
  if (o->map) Q_EMIT mapUpdated(o->map);
  if (thenTrain) submitJob();
  else Q_EMIT busyChanged(false);
}

void ProteinController::load(const QString& path) {
  if (busy()) return;
  m_preparing = true;
  Q_EMIT busyChanged(true);
  const std::string file = path.toStdString();
  m_client.request(
      "open", tr("Open model"), [file]() -> PayloadPtr { return openModel(file); },
      LabClient::as<OpenedFamily>([this](auto o) { adopt(o, false); }),
      [this](const QString& message) {
        m_preparing = false;
        Q_EMIT busyChanged(false);
        Q_EMIT errorOccurred(tr("Open model"), message);
      });
}

void ProteinController::save(const QString& path) {
  if (!m_session) {
    Q_EMIT errorOccurred(tr("Save model"), tr("There is no model to save yet."));
    return;
  }
  auto s = m_session;
  const std::string file = path.toStdString();
  m_client.request(
      "save", tr("Save model"),
      [s, file]() -> PayloadPtr {
        s->save(file);
        return nullptr;
      },
      [this, path](const PayloadPtr&) { Q_EMIT info(tr("Model saved to %1").arg(path)); });
}

void ProteinController::start(const ProteinOptions& options) {
  if (busy()) return;
  const ProteinOptions& s = m_options;
  // Same settings: train the session further (its own epoch count again);
  // anything else builds a fresh session.
  const bool same = m_session && s.family == options.family &&
                    s.alignment == options.alignment && s.latentDim == options.latentDim &&
                    s.theta == options.theta && s.seed == options.seed &&
                    s.hidden == options.hidden && s.epochs == options.epochs;
  if (!same) return open(options, true);
  submitJob();
}

void ProteinController::cancel() {
  if (m_jobId) m_client.cancel(m_jobId);
}

void ProteinController::submitJob() {
  if (!m_session) return;
  LabClient::JobHandlers h;
  h.progress = [this](const core::Snapshot& s) {
    if (s.job != m_jobId) return;
    if (auto map = std::dynamic_pointer_cast<const FamilyMap>(s.payload)) Q_EMIT mapUpdated(map);
    else if (auto p = std::dynamic_pointer_cast<const ProteinProgress>(s.payload))
      Q_EMIT progressed(p);
  };
  h.ended = [this](const LabClient::JobEnd& end) {
    if (end.job != m_jobId) return;
    m_jobId = 0;
    Q_EMIT busyChanged(false);
    if (end.failed()) Q_EMIT errorOccurred(tr("Training"), end.message);
    else if (auto r = std::dynamic_pointer_cast<const ProteinResult>(end.result)) Q_EMIT finished(r);
  };
  m_jobId = m_client.submit(std::make_unique<ProteinTrainJob>(m_session), std::move(h));
  Q_EMIT busyChanged(true);
}

void ProteinController::decode(QPointF latent) {
  if (!m_session) return;
  auto s = m_session;
  const float x = float(latent.x()), y = float(latent.y());
  m_client.requestLatest(
      "decode", tr("Decode"), [s, x, y]() -> PayloadPtr { return decodePoint(*s, x, y); },
      LabClient::as<DecodedSequence>([this](auto d) { Q_EMIT decoded(d); }));
}

void ProteinController::scan(const QString& wildtype, int samples) {
  if (!m_session) return;
  auto s = m_session;
  const std::string wt = wildtype.toStdString();
  m_client.requestLatest(
      "scan", tr("Mutation scan"),
      [s, wt, samples]() -> PayloadPtr { return scanWildtype(*s, wt, samples, 1); },
      LabClient::as<MutationScan>([this](auto r) {
        m_lastScan = r;
        Q_EMIT scanned(r);
      }));
}

void ProteinController::design(int n, int seed, const FunnelFilters& filters,
                               const core::protein::Region& region) {
  if (!m_session) return;
  auto s = m_session;
  m_client.requestLatest(
      "design", tr("Design"),
      [s, n, seed, filters, region]() -> PayloadPtr {
        return designBatch(*s, n, static_cast<std::uint64_t>(seed), filters, region);
      },
      LabClient::as<FunnelResult>([this](auto r) {
        m_lastDesign = r;
        Q_EMIT designed(r);
      }));
}

void ProteinController::exportDesigns(const QString& path, bool all) {
  if (!m_lastDesign) {
    Q_EMIT errorOccurred(tr("Export designs"), tr("Sample designs first."));
    return;
  }
  auto r = m_lastDesign;
  const std::string file = path.toStdString();
  m_client.request(
      "export", tr("Export designs"),
      [r, file, all]() -> PayloadPtr {
        core::writeFasta(file, designRecords(*r, all));
        return nullptr;
      },
      [this, path](const PayloadPtr&) { Q_EMIT info(tr("Designs saved to %1").arg(path)); });
}

void ProteinController::exportScan(const QString& path) {
  if (!m_lastScan) {
    Q_EMIT errorOccurred(tr("Export scan"), tr("Run a mutation scan first."));
    return;
  }
  auto r = m_lastScan;
  const std::string file = path.toStdString();
  m_client.request(
      "export", tr("Export scan"),
      [r, file]() -> PayloadPtr {
        core::writeFileAtomic(file, scanCsv(*r));
        return nullptr;
      },
      [this, path](const PayloadPtr&) { Q_EMIT info(tr("Scan saved to %1").arg(path)); });
}

}  // namespace genlab::ui
