#include "ui/labs/ct/ct_controller.h"

#include <exception>
#include <utility>

#include "ui/bridge/engine_bridge.h"

namespace genlab::ui {

using core::Snapshot;
using core::physics::FloatImage;
namespace ct = core::ct;
using PayloadPtr = LabClient::PayloadPtr;

namespace {
QString methodName(const std::string& m) {
  if (m == "fbp") return QObject::tr("FBP");
  if (m == "sirt") return QObject::tr("SIRT");
  if (m == "tv") return QObject::tr("TV");
  if (m == "score") return QObject::tr("Score prior");
  return QString::fromStdString(m);
}
}  // namespace

CtController::CtController(EngineBridge* bridge, QObject* parent)
    : QObject(parent), m_bridge(bridge), m_client(bridge, ct::channel::kLab, this) {
  m_client.setErrorHandler([this](const QString& what, const QString& message) {
    Q_EMIT errorOccurred(what, message, false);
  });
  // The session holds tensors: it is made on the worker, which owns them.
  m_client.request("session", tr("CT session"), []() -> PayloadPtr { return ct::createSession(); },
                   LabClient::as<ct::SessionReady>([this](auto r) {
                     m_session = r->session;
                     auto waiting = std::move(m_waitingForSession);
                     m_waitingForSession.clear();
                     for (auto& fn : waiting) fn();
                   }));
}

CtController::~CtController() {
  m_stopNullspace->store(true);  // a split in progress ends at its next iteration
  for (const auto& [id, method] : m_jobs) m_client.cancel(id);
  m_client.cancel(m_priorJob);
  m_client.cancel(m_volumeJob);
  // Let the worker drop the last reference to the session's tensors.
  m_client.releaseOnWorker(std::move(m_session));
}

void CtController::withSession(std::function<void()> fn) {
  if (m_session) fn();
  else m_waitingForSession.push_back(std::move(fn));
}

QStringList CtController::pendingMethods() const {
  QStringList out;
  for (const auto& q : m_queued) out << methodName(q.method);
  for (const auto& [id, m] : m_jobs) out << methodName(m);
  return out;
}

void CtController::run(const ct::ScanOptions& scan, const CtObjectSpec& object,
                       const std::vector<ct::ReconOptions>& methods) {
  stopCurrent();
  m_queued = methods;
  m_runTotal = int(methods.size());
  m_runDone = 0;
  m_cancelledRun = false;
  postSetup(scan, object);
}

void CtController::simulate(const ct::ScanOptions& scan, const CtObjectSpec& object) {
  stopCurrent();
  m_queued.clear();
  m_runTotal = m_runDone = 0;
  postSetup(scan, object);
}

void CtController::postSetup(const ct::ScanOptions& scan, const CtObjectSpec& object) {
  const int generation = ++m_generation;
  m_setupPending = true;
  Q_EMIT busyChanged(true);
  withSession([this, scan, spec = ct::ObjectSpec(object), generation] {
    auto session = m_session;
    m_client.request(
        "setup", tr("Scan"),
        [session, scan, spec]() -> PayloadPtr { return ct::setUpScan(*session, scan, spec); },
        LabClient::as<ct::Simulated>([this, generation](auto r) { onSetUp(generation, r); }),
        [this, generation](const QString& message) {
          if (generation != m_generation || !m_setupPending) return;
          m_setupPending = false;
          m_queued.clear();
          Q_EMIT errorOccurred(tr("Scan"), message, false);
          finishRun(false);
        });
  });
}

void CtController::onSetUp(int generation, const std::shared_ptr<const ct::Simulated>& r) {
  if (generation != m_generation || !m_setupPending) return;  // superseded
  m_setupPending = false;
  Q_EMIT simulated(r->object, r->measurement);
  if (m_queued.empty()) {
    finishRun(false);
    return;
  }
  submitMethods();
}

void CtController::submitMethods() {
  for (const ct::ReconOptions& o : m_queued) {
    try {
      LabClient::JobHandlers h;
      h.progress = [this](const Snapshot& s) {
        if (auto p = std::dynamic_pointer_cast<const ct::ReconProgress>(s.payload))
          Q_EMIT methodProgress(p, runFraction(std::max(0.0, s.progress)));
      };
      h.ended = [this](const LabClient::JobEnd& end) { onMethodEnded(end); };
      m_jobs[m_client.submit(ct::makeReconstructionJob(m_session, o), std::move(h))] = o.method;
    } catch (const std::exception& e) {  // invalid options
      ++m_runDone;
      Q_EMIT methodFailed(methodName(o.method), QString::fromStdString(e.what()));
    }
  }
  m_queued.clear();
  if (m_jobs.empty()) finishRun(false);
}

void CtController::onMethodEnded(const LabClient::JobEnd& end) {
  // Jobs of a stopped run are no longer in m_jobs: their end is not this run's.
  const auto it = m_jobs.find(end.job);
  if (it == m_jobs.end()) return;
  const std::string method = it->second;
  m_jobs.erase(it);
  ++m_runDone;
  if (end.failed()) {
    Q_EMIT methodFailed(methodName(method), end.message);
  } else if (auto r = std::dynamic_pointer_cast<const ct::ReconResult>(end.result)) {
    Q_EMIT methodFinished(r);
  }
  if (m_jobs.empty() && !m_setupPending) finishRun(false);
}

void CtController::cancel() {
  // Stop also stops a nullspace split in progress; later ones get a fresh flag.
  m_stopNullspace->store(true);
  m_stopNullspace = std::make_shared<std::atomic<bool>>(false);
  const bool wasRunning = running();
  stopCurrent();
  if (wasRunning) finishRun(true);
}

void CtController::stopCurrent() {
  for (const auto& [id, method] : m_jobs) m_client.cancel(id);
  m_jobs.clear();
  m_queued.clear();
  if (m_setupPending) ++m_generation;  // its reply is stale now
  m_setupPending = false;
}

void CtController::finishRun(bool cancelled) {
  m_runTotal = m_runDone = 0;
  Q_EMIT runFinished(cancelled);
  Q_EMIT busyChanged(running());
}

double CtController::runFraction(double current) const {
  return m_runTotal > 0 ? (m_runDone + current) / m_runTotal : 0;
}

void CtController::loadPrior(const QString& path, bool quiet) {
  const std::string file = path.toStdString();
  withSession([this, file, quiet] {
    auto session = m_session;
    m_client.request(
        "prior", tr("Load prior"),
        [session, file]() -> PayloadPtr { return ct::loadPrior(*session, file); },
        LabClient::as<ct::PriorLoaded>([this](auto r) {
          m_hasPrior = true;
          m_priorDescription = QString::fromStdString(r->description);
          Q_EMIT priorLoaded(m_priorDescription);
        }),
        [this, quiet](const QString& message) {
          Q_EMIT errorOccurred(tr("Load prior"), message, !quiet);
        });
  });
}

void CtController::exportPriorScript(const QString& pathPt) {
  const std::string file = pathPt.toStdString();
  withSession([this, file, pathPt] {
    auto session = m_session;
    m_client.request(
        "export-prior", tr("Export prior"),
        [session, file]() -> PayloadPtr {
          ct::exportPriorScript(*session, file);
          return nullptr;
        },
        [this, pathPt](const PayloadPtr&) { Q_EMIT exported(pathPt); },
        [this](const QString& message) { Q_EMIT errorOccurred(tr("Export prior"), message, true); });
  });
}

void CtController::trainPrior(const ct::PriorOptions& options, const QString& savePath) {
  if (m_priorJob) return;
  if (!m_session) {  // the session is being made: train as soon as it is there
    withSession([this, options, savePath] { trainPrior(options, savePath); });
    return;
  }
  try {
    LabClient::JobHandlers h;
    h.progress = [this](const Snapshot& s) {
      if (auto p = std::dynamic_pointer_cast<const ct::PriorProgress>(s.payload))
        Q_EMIT priorProgress(p);
    };
    h.ended = [this](const LabClient::JobEnd& end) { onPriorEnded(end); };
    m_priorJob = m_client.submit(
        ct::makePriorTrainingJob(m_session, options, savePath.toStdString()), std::move(h));
  } catch (const std::exception& e) {
    Q_EMIT errorOccurred(tr("Prior training"), QString::fromStdString(e.what()), false);
    Q_EMIT priorStopped();
  }
}

void CtController::onPriorEnded(const LabClient::JobEnd& end) {
  m_priorJob = 0;
  auto r = std::dynamic_pointer_cast<const ct::PriorResult>(end.result);
  if (end.finished() && r) {
    m_hasPrior = true;
    m_priorDescription = tr("score prior trained here: %1 steps, %2 s, loss %3")
                             .arg(r->steps)
                             .arg(r->seconds, 0, 'f', 0)
                             .arg(r->loss, 0, 'f', 3);
    if (!r->path.empty())
      m_priorDescription += tr(", saved to %1").arg(QString::fromStdString(r->path));
    Q_EMIT priorFinished(m_priorDescription);
    return;
  }
  if (end.failed()) Q_EMIT errorOccurred(tr("Prior training"), end.message, false);
  Q_EMIT priorStopped();
}

void CtController::cancelPriorTraining() { m_client.cancel(m_priorJob); }

void CtController::importVolume(const QString& path) {
  const std::string file = path.toStdString();
  m_client.request(
      "import", tr("Import"), [file]() -> PayloadPtr { return ct::importVolume(file); },
      LabClient::as<ct::VolumeRead>([this](auto r) {
        Q_EMIT imported(QString::fromStdString(r->path), r->volume);
      }),
      [this](const QString& message) { Q_EMIT errorOccurred(tr("Import"), message, true); });
}

void CtController::exportVolume(const core::data::Volume& volume, const QString& path,
                                const core::data::PngExport& png) {
  auto v = std::make_shared<core::data::Volume>(volume);
  const std::string file = path.toStdString();
  m_client.request(
      "export", tr("Export"),
      [v, file, png]() -> PayloadPtr {
        core::data::writeVolume(*v, file, png);
        return nullptr;
      },
      [this, path](const PayloadPtr&) { Q_EMIT exported(path); },
      [this](const QString& message) { Q_EMIT errorOccurred(tr("Export"), message, true); });
}

void CtController::fetchMri() {
  m_client.request(
      "mri", tr("MRI volume"), []() -> PayloadPtr { return ct::mriHead(); },
      LabClient::as<ct::VolumeRead>([this](auto r) { Q_EMIT mriReady(r->volume); }));
}

void CtController::runVolume(const ct::ScanOptions& scan, const VolumePtr& volume,
                             const ct::ReconOptions& options, const ct::VolumeSlices& slices) {
  if (m_volumeJob || !volume) return;
  if (!m_session) {
    withSession([=] { runVolume(scan, volume, options, slices); });
    return;
  }
  try {
    // The job reads the session's scan when it starts; this request runs first.
    auto session = m_session;
    auto job = ct::makeVolumeReconstructionJob(m_session, *volume, options, slices);
    m_client.request("volume-scan", tr("Scan"), [session, scan]() -> PayloadPtr {
      session->setScan(scan);
      return nullptr;
    }, {});
    LabClient::JobHandlers h;
    h.progress = [this](const Snapshot& s) {
      if (auto p = std::dynamic_pointer_cast<const ct::VolumeProgress>(s.payload))
        Q_EMIT volumeProgress(p);
    };
    h.ended = [this](const LabClient::JobEnd& end) { onVolumeEnded(end); };
    m_volumeJob = m_client.submit(std::move(job), std::move(h));
  } catch (const std::exception& e) {
    Q_EMIT errorOccurred(tr("Volume reconstruction"), QString::fromStdString(e.what()), false);
    Q_EMIT volumeStopped(false);
  }
}

void CtController::onVolumeEnded(const LabClient::JobEnd& end) {
  m_volumeJob = 0;
  auto r = std::dynamic_pointer_cast<const ct::VolumeResult>(end.result);
  if (end.finished() && r) {
    Q_EMIT volumeFinished(r);
    return;
  }
  if (end.failed())
    Q_EMIT errorOccurred(tr("Volume reconstruction"), end.message, false);
  Q_EMIT volumeStopped(end.cancelled());
}

void CtController::cancelVolume() { m_client.cancel(m_volumeJob); }

void CtController::requestNullspace(const QString& key, const FloatImage& image) {
  const std::string k = key.toStdString();
  withSession([this, k, image] {
    auto session = m_session;
    m_client.requestLatest(
        "nullspace." + k, tr("Nullspace"),
        [session, k, image, stop = m_stopNullspace]() -> PayloadPtr {
          return ct::nullspaceSplit(*session, k, image, [stop] { return stop->load(); });
        },
        LabClient::as<ct::NullspaceSplit>([this](auto r) {
          Q_EMIT nullspaceReady(QString::fromStdString(r->key), r->views.rowSpace,
                                r->views.nullSpace);
        }));
  });
}

}  // namespace genlab::ui
