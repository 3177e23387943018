#include "ui/labs/latent/vae_controller.h"

#include <utility>

#include "core/labs/latent/latent_experiment.h"
#include "ui/bridge/engine_bridge.h"
#include "ui/views/image_convert.h"

namespace genlab::ui {

namespace latent = core::latent;
using latent::OpenedSession;
using latent::VaeOptions;
using core::Snapshot;
using PayloadPtr = LabClient::PayloadPtr;

// The live map while training: refreshed about once a second.
constexpr double kLiveMapSeconds = 1.0;

VaeController::VaeController(EngineBridge* bridge, QObject* parent)
    : QObject(parent), m_bridge(bridge), m_client(bridge, latent::channel::kLab, this) {
  m_client.setErrorHandler([this](const QString& what, const QString& message) {
    Q_EMIT errorOccurred(what, message, false);
  });
  m_mapTimer.setInterval(int(kLiveMapSeconds * 1000));
  connect(&m_mapTimer, &QTimer::timeout, this, &VaeController::refreshMap);
}

VaeController::~VaeController() {
  if (m_jobId) m_client.cancel(m_jobId);
  releaseSession();
}

bool VaeController::canContinue(const VaeOptions& o) const {
  if (!m_session) return false;
  const VaeOptions& s = m_sessionOptions;
  return s.data == o.data && s.architecture == o.architecture && s.latentDim == o.latentDim &&
         s.hidden == o.hidden && s.klWarmupEpochs == o.klWarmupEpochs && s.lr == o.lr &&
         s.batch == o.batch && s.epochs == o.epochs && s.seed == o.seed;
}

void VaeController::setState(State state) {
  if (state == m_state) return;
  m_state = state;
  const bool needTimer = (state == State::Training) && m_session &&
                         m_session->options().liveMapSeconds <= 0;
  if (needTimer) m_mapTimer.start();
  else m_mapTimer.stop();
  Q_EMIT stateChanged(state);
}

bool VaeController::imported() const { return m_session && m_session->imported(); }

void VaeController::probeScript(const QString& path) {
  if (m_state != State::Idle) return;
  setState(State::Preparing);
  const std::string file = path.toStdString();
  m_client.request(
      "probe", tr("Open model"), [file]() -> PayloadPtr { return latent::probeScript(file); },
      LabClient::as<latent::ScriptProbe>([this](auto probe) {
        setState(State::Idle);
        Q_EMIT probed(probe);
      }),
      [this](const QString& message) {
        setState(State::Idle);
        Q_EMIT errorOccurred(tr("Open model"), message, true);
      });
}

void VaeController::loadScript(const latent::ScriptImport& import) {
  if (m_state != State::Idle) return;
  m_trainAfterSession = false;
  m_loading = true;
  setState(State::Preparing);
  m_client.request(
      "session", tr("Open model"),
      [import]() -> PayloadPtr { return latent::openScriptModel(import); },
      LabClient::as<OpenedSession>([this](auto opened) { onSessionOpened(opened); }),
      [this](const QString& message) { onSessionFailed(message); });
}

void VaeController::start(const VaeOptions& options) {
  if (m_state != State::Idle) return;
  if (imported() && canContinue(options)) {
    Q_EMIT info(tr("An imported model is explored, not trained: Reset builds a GenLab model to train."));
    return;
  }
  if (canContinue(options)) {
    setBeta(options.beta);
    submitJob();
  } else {
    createSession(options, true);
  }
}

void VaeController::reset(const VaeOptions& options) {
  if (m_jobId) m_client.cancel(m_jobId);
  m_jobId = 0;
  releaseSession();
  createSession(options, false);
}

void VaeController::cancel() { m_client.cancel(m_jobId); }

void VaeController::pause() {
  if (m_state != State::Training || !m_jobId) return;
  m_client.pause(m_jobId);
  setState(State::Paused);
}

void VaeController::resume() {
  if (m_state != State::Paused || !m_jobId) return;
  m_client.resume(m_jobId);
  setState(State::Training);
}

void VaeController::step() {
  if (m_state == State::Paused && m_jobId) m_client.stepOnce(m_jobId);
}

void VaeController::setBeta(double beta) {
  // A live setting: the running job applies it at its next step; a job
  // started later begins with it (submitJob).
  m_sessionOptions.beta = beta;
  if (m_jobId) m_client.setLive(m_jobId, latent::live::kBeta, beta);
}

void VaeController::createSession(const VaeOptions& options, bool thenTrain) {
  VaeOptions opts = options;
  opts.liveMapSeconds = kLiveMapSeconds;
  m_trainAfterSession = thenTrain;
  m_loading = false;
  setState(State::Preparing);
  m_client.request(
      "session", tr("Data / model"), [opts]() -> PayloadPtr { return latent::createSession(opts); },
      LabClient::as<OpenedSession>([this](auto opened) { onSessionOpened(opened); }),
      [this](const QString& message) { onSessionFailed(message); });
}

void VaeController::load(const QString& path) {
  if (m_state != State::Idle) return;
  m_trainAfterSession = false;
  m_loading = true;
  setState(State::Preparing);
  const std::string file = path.toStdString();
  m_client.request(
      "session", tr("Load model"), [file]() -> PayloadPtr { return latent::openModel(file); },
      LabClient::as<OpenedSession>([this](auto opened) { onSessionOpened(opened); }),
      [this](const QString& message) { onSessionFailed(message); });
}

void VaeController::save(const QString& path) {
  if (!m_session) {
    Q_EMIT errorOccurred(tr("Save model"), tr("There is no model to save yet."), true);
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
      [this, path](const PayloadPtr&) { Q_EMIT info(tr("Model saved to %1").arg(path)); },
      [this](const QString& message) { Q_EMIT errorOccurred(tr("Save model"), message, true); });
}

void VaeController::exportTorchScript(const QString& pathPt) {
  if (!m_session) return;
  auto s = m_session;
  const std::string file = pathPt.toStdString();
  m_client.request(
      "export", tr("Export model"),
      [s, file]() -> PayloadPtr {
        s->exportTorchScript(file);
        return nullptr;
      },
      [this, pathPt](const PayloadPtr&) {
        Q_EMIT info(tr("Exported %1 (TorchScript), its state dict and options for PyTorch")
                        .arg(pathPt));
      },
      [this](const QString& message) { Q_EMIT errorOccurred(tr("Export model"), message, true); });
}

std::optional<QPointF> VaeController::lastDecodePoint() const {
  return m_decodeValid ? std::optional<QPointF>(m_decodeAt) : std::nullopt;
}

std::optional<std::pair<QPointF, QPointF>> VaeController::lastInterpolation() const {
  return m_interpValid ? std::optional(std::pair(m_interpA, m_interpB)) : std::nullopt;
}

void VaeController::saveExperiment(const QString& path, const QString& dataSpec,
                                   const QString& viewJson, const QString& resultJson) {
  if (!m_session) return;
  auto s = m_session;
  const std::string file = path.toStdString(), data = dataSpec.toStdString();
  const std::string view = viewJson.toStdString(), result = resultJson.toStdString();
  m_client.request(
      "experiment-save", tr("Save experiment"),
      [s, file, data, view, result]() -> PayloadPtr {
        latent::saveExperiment(file, *s, s->options().data == "none" ? data : s->options().data, view,
                               result);
        return nullptr;
      },
      [this, path](const PayloadPtr&) { Q_EMIT info(tr("Experiment saved to %1").arg(path)); },
      [this](const QString& message) { Q_EMIT errorOccurred(tr("Save experiment"), message, true); });
}

void VaeController::openExperiment(const QString& path, const QString& dataFolder) {
  if (m_state != State::Idle) return;
  m_trainAfterSession = false;
  m_loading = true;
  setState(State::Preparing);
  const std::string file = path.toStdString(), folder = dataFolder.toStdString();
  struct Missing : core::Payload {
    std::string message;
  };
  m_client.request(
      "experiment-open", tr("Open experiment"),
      [file, folder]() -> PayloadPtr {
        try {
          return latent::openExperiment(file, folder);
        } catch (const latent::DataMismatch& e) {
          auto m = std::make_shared<Missing>();
          m->message = e.what();
          return m;
        }
      },
      [this, path](const PayloadPtr& p) {
        if (auto m = std::dynamic_pointer_cast<const Missing>(p)) {
          m_loading = false;
          setState(State::Idle);
          Q_EMIT experimentDataMissing(path, QString::fromStdString(m->message));
        } else if (auto e = std::dynamic_pointer_cast<const latent::OpenedExperiment>(p)) {
          onSessionOpened(e);
          Q_EMIT experimentOpened(QString::fromStdString(e->viewJson),
                                  QString::fromStdString(e->resultJson));
        }
      },
      [this](const QString& message) { onSessionFailed(message); });
}

void VaeController::releaseSession() {
  if (!m_session) return;
  // Drop the model on the worker, which owns its tensors.
  m_client.releaseOnWorker(std::move(m_session));
  m_session.reset();
}

void VaeController::adoptSession(std::shared_ptr<latent::VaeSession> session, const VaeOptions& effective) {
  releaseSession();
  m_session = std::move(session);
  m_sessionOptions = effective;
}

void VaeController::submitJob() {
  if (!m_session) return;
  // A job replaced by a reset may still be ending: only the current one counts.
  LabClient::JobHandlers h;
  h.progress = [this](const Snapshot& s) {
    if (s.job == m_jobId) onJobProgress(s);
  };
  h.ended = [this](const LabClient::JobEnd& end) {
    if (end.job != m_jobId) return;
    m_jobId = 0;
    setState(State::Idle);
    if (end.failed()) Q_EMIT errorOccurred(tr("Training"), end.message, false);
    else if (end.cancelled()) Q_EMIT cancelled();
    else if (auto r = std::dynamic_pointer_cast<const latent::VaeResult>(end.result)) Q_EMIT finished(r);
  };
  m_jobId = m_client.submit(std::make_unique<latent::VaeTrainJob>(m_session), std::move(h));
  m_client.setLive(m_jobId, latent::live::kBeta, m_sessionOptions.beta);
  setState(State::Training);
}

void VaeController::onSessionOpened(const std::shared_ptr<const OpenedSession>& opened) {
  m_loading = false;
  if (!opened->session) return;
  adoptSession(opened->session, opened->effective);
  m_provenance = QString::fromStdString(opened->provenance);
  m_decodeValid = m_interpValid = false;
  Q_EMIT sessionReady(QString::fromStdString(opened->description), opened->loaded);
  if (opened->map) Q_EMIT mapUpdated(opened->map);
  if (m_trainAfterSession) {
    m_trainAfterSession = false;
    submitJob();
  } else {
    setState(State::Idle);
  }
}

void VaeController::onSessionFailed(const QString& message) {
  const bool loading = m_loading;
  m_loading = false;
  m_trainAfterSession = false;
  setState(State::Idle);
  Q_EMIT errorOccurred(loading ? tr("Load model") : tr("Data / model"), message, loading);
}

void VaeController::onJobProgress(const Snapshot& s) {
  if (s.channel == latent::channel::kMap) {
    if (auto map = std::dynamic_pointer_cast<const latent::LatentMap>(s.payload))
      Q_EMIT mapUpdated(map);
  } else if (auto p = std::dynamic_pointer_cast<const latent::VaeProgress>(s.payload)) {
    Q_EMIT progressed(p);
  }
}

void VaeController::requestDecode(const QPointF& latent, bool force) {
  // The same point again: it is already in flight or answered.
  if (!force && m_decodeValid && latent == m_decodeAt) return;
  m_decodeAt = latent;
  m_decodeValid = true;
  sendDecode();
}

void VaeController::requestGrid(const QRectF& latentRect, int n) {
  if (latentRect.isEmpty() || n < 2) return;
  m_gridRect = latentRect.normalized();
  m_gridN = n;
  sendGrid();
}

void VaeController::requestInterpolation(const QPointF& a, const QPointF& b, int steps) {
  m_interpA = a;
  m_interpB = b;
  m_interpSteps = steps;
  m_interpValid = true;
  sendInterpolation();
}

void VaeController::refreshRequests() {
  if (m_decodeValid) requestDecode(m_decodeAt, true);
  if (m_interpValid) requestInterpolation(m_interpA, m_interpB, m_interpSteps);
}

void VaeController::sendDecode() {
  if (!m_session) return;
  auto s = m_session;
  const float x = float(m_decodeAt.x()), y = float(m_decodeAt.y());
  m_client.requestLatest(
      "decode", tr("Decoding"), [s, x, y]() -> PayloadPtr { return latent::decodePoint(*s, x, y); },
      LabClient::as<latent::DecodedPoint>([this](auto d) {
        Q_EMIT decoded(QPointF(d->x, d->y), toQImage(d->image));
      }));
}

void VaeController::sendGrid() {
  if (!m_session) return;
  auto s = m_session;
  const int n = m_gridN;
  // Tile centres sit half a tile inside the rectangle, so the image covers it exactly.
  const double hx = m_gridRect.width() / (2.0 * n), hy = m_gridRect.height() / (2.0 * n);
  const float x0 = float(m_gridRect.left() + hx), x1 = float(m_gridRect.right() - hx);
  const float y0 = float(m_gridRect.top() + hy), y1 = float(m_gridRect.bottom() - hy);
  m_client.requestLatest(
      "grid", tr("Decoding"),
      [s, x0, x1, y0, y1, n]() -> PayloadPtr { return latent::decodeGrid(*s, x0, x1, y0, y1, n); },
      LabClient::as<latent::DecodedGrid>([this](auto g) {
        // Tile centres span [x0, x1]; the image covers half a tile more on each side.
        const double hx = g->n > 1 ? (g->x1 - g->x0) / (2.0 * (g->n - 1)) : 0.5;
        const double hy = g->n > 1 ? (g->y1 - g->y0) / (2.0 * (g->n - 1)) : 0.5;
        Q_EMIT gridDecoded(toQImage(g->tiles), QRectF(QPointF(g->x0 - hx, g->y0 - hy),
                                                      QPointF(g->x1 + hx, g->y1 + hy)));
      }));
}

void VaeController::sendInterpolation() {
  if (!m_session) return;
  auto s = m_session;
  const float ax = float(m_interpA.x()), ay = float(m_interpA.y());
  const float bx = float(m_interpB.x()), by = float(m_interpB.y());
  const int steps = m_interpSteps;
  m_client.requestLatest(
      "interp", tr("Decoding"),
      [s, ax, ay, bx, by, steps]() -> PayloadPtr {
        return latent::interpolate(*s, ax, ay, bx, by, steps);
      },
      LabClient::as<latent::Interpolation>([this](auto in) {
        QVector<QImage> images;
        for (const core::Image& im : in->images) images.push_back(toQImage(im));
        Q_EMIT interpolated(QPointF(in->ax, in->ay), QPointF(in->bx, in->by), images);
      }));
}

void VaeController::refreshMap() {
  if (!m_session || m_client.inFlight("map")) return;
  auto s = m_session;
  m_client.requestLatest(
      "map", tr("Latent map"), [s]() -> PayloadPtr { return latent::refreshMap(*s); },
      LabClient::as<latent::LatentMap>([this](auto map) { Q_EMIT mapUpdated(map); }));
}

}  // namespace genlab::ui
