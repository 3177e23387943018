#include "ui/labs/ct/ct_controller.h"

#include <QFileInfo>

#include <exception>
#include <utility>

#include "core/labs/ct/training_images.h"
#include "ui/bridge/engine_bridge.h"

namespace genlab::ui {

using core::Snapshot;
using core::physics::FloatImage;
namespace ct = core::ct;

namespace {
// Replies of this controller's own requests; `error` set when it failed.
struct RequestReply : core::Payload {
  int generation = 0;
  std::string error;
};
struct SetupReply : RequestReply {
  FloatImage object, measurement;
};
struct PriorReply : RequestReply {
  std::string description;
  bool quiet = false;
};
struct ImportReply : RequestReply {
  std::string path;
  VolumePtr volume;
};
struct ExportReply : RequestReply {
  std::string path;
};
struct MriReply : RequestReply {
  VolumePtr volume;
};
struct NullspaceReply : RequestReply {
  std::string key;
  ct::NullspaceViews views;
};

Snapshot reply(const std::string& channel, std::shared_ptr<const core::Payload> payload) {
  Snapshot s;
  s.kind = Snapshot::Kind::Reply;
  s.channel = channel;
  s.payload = std::move(payload);
  return s;
}

// Runs `fill` on the worker and always answers on `channel`: with the filled
// reply, or with the exception's message in `error`.
template <class Reply, class Fill>
EngineBridge::PostFn answering(std::string channel, std::shared_ptr<Reply> r, Fill fill) {
  return [channel = std::move(channel), r, fill](const EngineBridge::Send& send) {
    try {
      fill(*r);
    } catch (const std::exception& e) {
      r->error = e.what();
    } catch (...) {
      r->error = "unknown error";
    }
    send(reply(channel, r));
  };
}

QString methodName(const std::string& m) {
  if (m == "fbp") return QObject::tr("FBP");
  if (m == "sirt") return QObject::tr("SIRT");
  if (m == "tv") return QObject::tr("TV");
  if (m == "score") return QObject::tr("Score prior");
  return QString::fromStdString(m);
}
}  // namespace

CtController::CtController(EngineBridge* bridge, QObject* parent)
    : QObject(parent), m_bridge(bridge), m_session(std::make_shared<ct::CtSession>()) {
  connect(m_bridge, &EngineBridge::snapshot, this, &CtController::onSnapshot);
}

CtController::~CtController() {
  for (const auto& [id, method] : m_jobs) m_bridge->cancel(id);
  if (m_priorJob) m_bridge->cancel(m_priorJob);
  if (m_volumeJob) m_bridge->cancel(m_volumeJob);
  // The session holds tensors: let the worker drop the last reference.
  auto old = std::move(m_session);
  m_bridge->post("ctui.release", [old](const EngineBridge::Send&) mutable { old.reset(); });
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
  auto r = std::make_shared<SetupReply>();
  r->generation = ++m_generation;
  m_setupPending = true;
  Q_EMIT busyChanged(true);
  auto session = m_session;
  m_bridge->post("ctui.setup", answering("ctui.setup", r, [session, scan, object](SetupReply& out) {
    session->setScan(scan);
    if (!object.phantom.empty())
      session->generatePhantom(object.phantom, object.seed);
    else
      session->setObject(object.image);
    session->simulate();
    out.object = session->object();
    out.measurement = session->measurement();
  }));
}

void CtController::submitMethods() {
  for (const ct::ReconOptions& o : m_queued) {
    try {
      const std::uint64_t id = m_bridge->submit(ct::makeReconstructionJob(m_session, o));
      m_jobs[id] = o.method;
    } catch (const std::exception& e) {  // invalid options
      ++m_runDone;
      Q_EMIT methodFailed(methodName(o.method), QString::fromStdString(e.what()));
    }
  }
  m_queued.clear();
  if (m_jobs.empty()) finishRun(false);
}

void CtController::cancel() {
  const bool wasRunning = running();
  stopCurrent();
  if (wasRunning) finishRun(true);
}

void CtController::stopCurrent() {
  for (const auto& [id, method] : m_jobs) m_bridge->cancel(id);
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

void CtController::onSnapshot(const Snapshot& s) {
  if (s.channel.rfind("ctui.", 0) == 0) {
    onRequestSnapshot(s);
  } else if (m_priorJob && s.job == m_priorJob) {
    onPriorSnapshot(s);
  } else if (m_volumeJob && s.job == m_volumeJob) {
    onVolumeSnapshot(s);
  } else if (s.job && m_jobs.count(s.job)) {
    onJobSnapshot(s);
  }
}

void CtController::onJobSnapshot(const Snapshot& s) {
  const auto it = m_jobs.find(s.job);
  const std::string method = it->second;
  if (s.kind == Snapshot::Kind::Progress) {
    if (auto p = std::dynamic_pointer_cast<const ct::ReconProgress>(s.payload))
      Q_EMIT methodProgress(p, runFraction(std::max(0.0, s.progress)));
    return;
  }
  m_jobs.erase(it);
  ++m_runDone;
  if (s.kind == Snapshot::Kind::Result) {
    if (auto r = std::dynamic_pointer_cast<const ct::ReconResult>(s.payload))
      Q_EMIT methodFinished(r);
  } else if (s.kind == Snapshot::Kind::Error) {
    Q_EMIT methodFailed(methodName(method), QString::fromStdString(s.message));
  }
  if (m_jobs.empty() && !m_setupPending) finishRun(false);
}

void CtController::onPriorSnapshot(const Snapshot& s) {
  if (s.kind == Snapshot::Kind::Progress) {
    if (auto p = std::dynamic_pointer_cast<const ct::PriorProgress>(s.payload))
      Q_EMIT priorProgress(p);
    return;
  }
  m_priorJob = 0;
  if (s.kind == Snapshot::Kind::Result) {
    auto r = std::dynamic_pointer_cast<const ct::PriorResult>(s.payload);
    m_hasPrior = true;
    m_priorDescription = tr("score prior trained here: %1 steps, %2 s, loss %3")
                             .arg(r ? r->steps : 0)
                             .arg(r ? r->seconds : 0, 0, 'f', 0)
                             .arg(r ? r->loss : 0, 0, 'f', 3);
    if (r && !r->path.empty())
      m_priorDescription += tr(", saved to %1").arg(QString::fromStdString(r->path));
    Q_EMIT priorFinished(m_priorDescription);
  } else if (s.kind == Snapshot::Kind::Error) {
    Q_EMIT errorOccurred(tr("Prior training"), QString::fromStdString(s.message), false);
    Q_EMIT priorStopped();
  } else {
    Q_EMIT priorStopped();
  }
}

void CtController::onRequestSnapshot(const Snapshot& s) {
  if (s.kind == Snapshot::Kind::Error) {  // only if a request escaped `answering`
    Q_EMIT errorOccurred(tr("Request"), QString::fromStdString(s.message), false);
    return;
  }
  if (s.channel == "ctui.setup") {
    auto r = std::dynamic_pointer_cast<const SetupReply>(s.payload);
    if (!r || r->generation != m_generation || !m_setupPending) return;
    m_setupPending = false;
    if (!r->error.empty()) {
      m_queued.clear();
      Q_EMIT errorOccurred(tr("Scan"), QString::fromStdString(r->error), false);
      finishRun(false);
      return;
    }
    Q_EMIT simulated(r->object, r->measurement);
    if (m_queued.empty()) {
      finishRun(false);
      return;
    }
    submitMethods();
  } else if (s.channel == "ctui.prior") {
    auto r = std::dynamic_pointer_cast<const PriorReply>(s.payload);
    if (!r) return;
    if (!r->error.empty()) {
      Q_EMIT errorOccurred(tr("Load prior"), QString::fromStdString(r->error), !r->quiet);
      return;
    }
    m_hasPrior = true;
    m_priorDescription = QString::fromStdString(r->description);
    Q_EMIT priorLoaded(m_priorDescription);
  } else if (s.channel == "ctui.import") {
    auto r = std::dynamic_pointer_cast<const ImportReply>(s.payload);
    if (!r) return;
    if (!r->error.empty())
      Q_EMIT errorOccurred(tr("Import"), QString::fromStdString(r->error), true);
    else
      Q_EMIT imported(QString::fromStdString(r->path), r->volume);
  } else if (s.channel == "ctui.export") {
    auto r = std::dynamic_pointer_cast<const ExportReply>(s.payload);
    if (!r) return;
    if (!r->error.empty())
      Q_EMIT errorOccurred(tr("Export"), QString::fromStdString(r->error), true);
    else
      Q_EMIT exported(QString::fromStdString(r->path));
  } else if (s.channel == "ctui.mri") {
    auto r = std::dynamic_pointer_cast<const MriReply>(s.payload);
    if (!r) return;
    if (!r->error.empty())
      Q_EMIT errorOccurred(tr("MRI volume"), QString::fromStdString(r->error), false);
    else
      Q_EMIT mriReady(r->volume);
  } else if (s.channel == "ctui.volume.scan") {
    auto r = std::dynamic_pointer_cast<const RequestReply>(s.payload);
    if (r && !r->error.empty())
      Q_EMIT errorOccurred(tr("Scan"), QString::fromStdString(r->error), false);
  } else if (s.channel.rfind("ctui.nullspace.", 0) == 0) {
    auto r = std::dynamic_pointer_cast<const NullspaceReply>(s.payload);
    if (!r) return;
    if (!r->error.empty())
      Q_EMIT errorOccurred(tr("Nullspace"), QString::fromStdString(r->error), false);
    else
      Q_EMIT nullspaceReady(QString::fromStdString(r->key), r->views.rowSpace, r->views.nullSpace);
  }
}

void CtController::loadPrior(const QString& path, bool quiet) {
  auto r = std::make_shared<PriorReply>();
  r->quiet = quiet;
  auto session = m_session;
  const std::string file = path.toStdString();
  m_bridge->post("ctui.prior", answering("ctui.prior", r, [session, file](PriorReply& out) {
    session->loadPrior(file);
    out.description = session->priorDescription();
  }));
}

void CtController::trainPrior(const ct::PriorOptions& options, const QString& savePath) {
  if (m_priorJob) return;
  try {
    m_priorJob = m_bridge->submit(ct::makePriorTrainingJob(m_session, options, savePath.toStdString()));
  } catch (const std::exception& e) {
    Q_EMIT errorOccurred(tr("Prior training"), QString::fromStdString(e.what()), false);
    Q_EMIT priorStopped();
  }
}

void CtController::cancelPriorTraining() {
  if (m_priorJob) m_bridge->cancel(m_priorJob);
}

void CtController::importVolume(const QString& path) {
  auto r = std::make_shared<ImportReply>();
  r->path = path.toStdString();
  m_bridge->post("ctui.import", answering("ctui.import", r, [](ImportReply& out) {
    out.volume = std::make_shared<core::data::Volume>(core::data::readVolume(out.path));
  }));
}

void CtController::exportVolume(const core::data::Volume& volume, const QString& path,
                                const core::data::PngExport& png) {
  auto r = std::make_shared<ExportReply>();
  r->path = path.toStdString();
  auto v = std::make_shared<core::data::Volume>(volume);
  m_bridge->post("ctui.export", answering("ctui.export", r, [v, png](ExportReply& out) {
    core::data::writeVolume(*v, out.path, png);
  }));
}

void CtController::onVolumeSnapshot(const Snapshot& s) {
  if (s.kind == Snapshot::Kind::Progress) {
    if (auto p = std::dynamic_pointer_cast<const ct::VolumeProgress>(s.payload))
      Q_EMIT volumeProgress(p);
    return;
  }
  m_volumeJob = 0;
  if (s.kind == Snapshot::Kind::Result) {
    if (auto r = std::dynamic_pointer_cast<const ct::VolumeResult>(s.payload))
      Q_EMIT volumeFinished(r);
  } else if (s.kind == Snapshot::Kind::Error) {
    Q_EMIT errorOccurred(tr("Volume reconstruction"), QString::fromStdString(s.message), false);
    Q_EMIT volumeStopped(false);
  } else {
    Q_EMIT volumeStopped(true);
  }
}

void CtController::fetchMri() {
  auto r = std::make_shared<MriReply>();
  m_bridge->post("ctui.mri", answering("ctui.mri", r, [](MriReply& out) {
    out.volume = ct::mriVolume();
  }));
}

void CtController::runVolume(const ct::ScanOptions& scan, const VolumePtr& volume,
                             const ct::ReconOptions& options, const ct::VolumeSlices& slices) {
  if (m_volumeJob || !volume) return;
  try {
    // The job reads the session's scan when it starts; this request runs first.
    auto session = m_session;
    auto r = std::make_shared<RequestReply>();
    auto job = ct::makeVolumeReconstructionJob(m_session, *volume, options, slices);
    m_bridge->post("ctui.volume.scan", answering("ctui.volume.scan", r, [session, scan](RequestReply&) {
      session->setScan(scan);
    }));
    m_volumeJob = m_bridge->submit(std::move(job));
  } catch (const std::exception& e) {
    Q_EMIT errorOccurred(tr("Volume reconstruction"), QString::fromStdString(e.what()), false);
    Q_EMIT volumeStopped(false);
  }
}

void CtController::cancelVolume() {
  if (m_volumeJob) m_bridge->cancel(m_volumeJob);
}

void CtController::requestNullspace(const QString& key, const FloatImage& image) {
  auto r = std::make_shared<NullspaceReply>();
  r->key = key.toStdString();
  auto session = m_session;
  const std::string channel = "ctui.nullspace." + r->key;
  m_bridge->post(channel, answering(channel, r, [session, image](NullspaceReply& out) {
    out.views = session->nullspace(image);
  }));
}

}  // namespace genlab::ui
