#include "ui/labs/latent/vae_controller.h"

#include <QFileInfo>

#include <exception>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/data/image_data.h"
#include "ui/bridge/engine_bridge.h"
#include "ui/views/image_convert.h"

namespace genlab::ui {

using core::Snapshot;
using core::vae::VaeOptions;
using core::vae::VaeSession;

namespace {
constexpr double kLiveMapSeconds = 1.0;

// A session handle that also says which data the session explores with
// (a loaded model may fall back to the embedded digits).
struct OpenedSession : core::vae::SessionHandle {
  VaeOptions effective;
  std::string provenance;
  bool loaded = false;
};

std::string dataName(const std::string& spec) {
  if (spec == "mnist") return "MNIST";
  if (spec == "digits") return "digits";
  return QFileInfo(QString::fromStdString(spec)).fileName().toStdString();
}

// "MNIST · 60000 train / 10000 test · 28×28"
std::string dataSummary(const std::string& spec, const core::ImageSplit& d) {
  return dataName(spec) + " \u00b7 " + std::to_string(d.train.count) + " train / " +
         std::to_string(d.test.count) + " test \u00b7 " + std::to_string(d.train.height) +
         "\u00d7" + std::to_string(d.train.width);
}

// Worker side of "Load model…": reads the file, finds its data (or the
// embedded digits when the original data is not here and the sizes match).
std::shared_ptr<OpenedSession> openModel(const std::string& path) {
  std::string provenance;
  const VaeOptions stored = VaeSession::peekOptions(path, &provenance);
  auto out = std::make_shared<OpenedSession>();
  out->effective = stored;
  out->loaded = true;
  std::shared_ptr<const core::ImageSplit> data;
  std::string note;
  try {
    data = std::make_shared<core::ImageSplit>(
        core::loadImageData(stored.data, static_cast<unsigned>(stored.seed)));
  } catch (const std::exception& e) {
    if (stored.data == "digits") throw;
    auto digits = std::make_shared<core::ImageSplit>(
        core::loadImageData("digits", static_cast<unsigned>(stored.seed)));
    try {
      out->session = VaeSession::load(path, digits);
    } catch (const std::exception& e2) {
      throw std::runtime_error("The model was trained on " + dataName(stored.data) +
                               ", which is not available here:\n" + e.what() +
                               "\n\nThe embedded digits cannot stand in for it: " + e2.what());
    }
    out->effective.data = "digits";
    note = " (its data, " + dataName(stored.data) + ", is not here: exploring with digits)";
  }
  if (!out->session) out->session = VaeSession::load(path, data);
  out->session->evaluate();
  out->description = dataSummary(out->effective.data, out->session->data());
  out->provenance = "model " + path + ", " +
                    std::to_string(int(out->session->epochsDone() + 0.5)) + " epochs on " +
                    (provenance.empty() ? dataName(stored.data) : provenance) + note;
  return out;
}
}  // namespace

VaeController::VaeController(EngineBridge* bridge, QObject* parent)
    : QObject(parent), m_bridge(bridge) {
  connect(m_bridge, &EngineBridge::snapshot, this, &VaeController::onSnapshot);
  m_mapTimer.setInterval(int(kLiveMapSeconds * 1000));
  connect(&m_mapTimer, &QTimer::timeout, this, &VaeController::refreshMap);
}

VaeController::~VaeController() {
  if (m_jobId) m_bridge->cancel(m_jobId);
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

void VaeController::start(const VaeOptions& options) {
  if (m_state != State::Idle) return;
  if (canContinue(options)) {
    setBeta(options.beta);
    submitJob();
  } else {
    createSession(options, true);
  }
}

void VaeController::reset(const VaeOptions& options) {
  if (m_jobId) m_bridge->cancel(m_jobId);
  m_jobId = 0;
  releaseSession();
  createSession(options, false);
}

void VaeController::cancel() {
  if (m_jobId) m_bridge->cancel(m_jobId);
}

void VaeController::pause() {
  if (m_state != State::Training || !m_jobId) return;
  m_bridge->pause(m_jobId);
  setState(State::Paused);
}

void VaeController::resume() {
  if (m_state != State::Paused || !m_jobId) return;
  m_bridge->resume(m_jobId);
  setState(State::Training);
}

void VaeController::step() {
  if (m_state == State::Paused && m_jobId) m_bridge->stepOnce(m_jobId);
}

void VaeController::setBeta(double beta) {
  m_sessionOptions.beta = beta;
  if (!m_session) return;
  auto s = m_session;
  m_bridge->post("vae.beta", [s, beta](const EngineBridge::Send&) { s->setBeta(beta); });
}

void VaeController::createSession(const VaeOptions& options, bool thenTrain) {
  VaeOptions opts = options;
  opts.liveMapSeconds = kLiveMapSeconds;
  m_trainAfterSession = thenTrain;
  m_loading = false;
  setState(State::Preparing);
  m_bridge->post("vae.session", [opts](const EngineBridge::Send& send) {
    auto out = std::make_shared<OpenedSession>();
    out->session = VaeSession::create(opts);
    out->effective = opts;
    out->description = dataSummary(opts.data, out->session->data());
    out->provenance = out->session->data().train.provenance;
    // An untrained model's map: the test set already has a place in latent space.
    out->session->evaluate();
    send(Snapshot::reply("vae.session", out));
    send(Snapshot::reply("vae.map", out->session->latentMap()));
  });
}

void VaeController::load(const QString& path) {
  if (m_state != State::Idle) return;
  m_trainAfterSession = false;
  m_loading = true;
  setState(State::Preparing);
  const std::string file = path.toStdString();
  m_bridge->post("vae.session", [file](const EngineBridge::Send& send) {
    auto out = openModel(file);
    send(Snapshot::reply("vae.session", out));
    send(Snapshot::reply("vae.map", out->session->latentMap()));
  });
}

void VaeController::save(const QString& path) {
  if (!m_session) {
    Q_EMIT errorOccurred(tr("Save model"), tr("There is no model to save yet."), true);
    return;
  }
  auto s = m_session;
  const std::string file = path.toStdString();
  m_bridge->post("vae.save", [s, file](const EngineBridge::Send& send) {
    s->save(file);
    Snapshot snap = Snapshot::reply("vae.save", nullptr);
    snap.message = file;
    send(snap);
  });
}

void VaeController::releaseSession() {
  if (!m_session) return;
  // Drop the model on the worker, which owns its tensors.
  auto old = std::move(m_session);
  m_session.reset();
  m_bridge->post("vae.release", [old](const EngineBridge::Send&) mutable { old.reset(); });
}

void VaeController::adoptSession(std::shared_ptr<VaeSession> session, const VaeOptions& effective) {
  releaseSession();
  m_session = std::move(session);
  m_sessionOptions = effective;
}

void VaeController::submitJob() {
  if (!m_session) return;
  m_jobId = m_bridge->submit(std::make_unique<core::vae::VaeTrainJob>(m_session));
  setState(State::Training);
}

void VaeController::onSnapshot(const Snapshot& s) {
  if (s.channel == "vae.session") {
    onSessionSnapshot(s);
  } else if (s.channel == "vae.progress" || s.channel == "vae.train" || s.channel == "vae.map") {
    onJobSnapshot(s);
  } else if (s.channel == "vae.decode" || s.channel == "vae.grid" || s.channel == "vae.interp" ||
             s.channel == "vae.refresh") {
    onInteractiveSnapshot(s);
  } else if (s.channel == "vae.save") {
    if (s.kind == Snapshot::Kind::Error)
      Q_EMIT errorOccurred(tr("Save model"), QString::fromStdString(s.message), true);
    else
      Q_EMIT info(tr("Model saved to %1").arg(QString::fromStdString(s.message)));
  } else if (s.channel == "vae.beta" && s.kind == Snapshot::Kind::Error) {
    Q_EMIT errorOccurred(tr("Beta"), QString::fromStdString(s.message), false);
  }
}

void VaeController::onSessionSnapshot(const Snapshot& s) {
  const bool loading = m_loading;
  m_loading = false;
  if (s.kind == Snapshot::Kind::Error) {
    m_trainAfterSession = false;
    setState(State::Idle);
    Q_EMIT errorOccurred(loading ? tr("Load model") : tr("Data / model"),
                         QString::fromStdString(s.message), loading);
    return;
  }
  auto opened = std::dynamic_pointer_cast<const OpenedSession>(s.payload);
  if (!opened || !opened->session) return;
  adoptSession(opened->session, opened->effective);
  m_provenance = QString::fromStdString(opened->provenance);
  m_decode.valid = m_grid.valid = m_interp.valid = false;
  Q_EMIT sessionReady(QString::fromStdString(opened->description), opened->loaded);
  if (m_trainAfterSession) {
    m_trainAfterSession = false;
    submitJob();
  } else {
    setState(State::Idle);
  }
}

void VaeController::onJobSnapshot(const Snapshot& s) {
  // Snapshots of an earlier (cancelled or replaced) job are stale.
  if (s.job != 0 && s.job != m_jobId) return;
  if (s.channel == "vae.map") {
    if (auto map = std::dynamic_pointer_cast<const core::vae::LatentMap>(s.payload))
      Q_EMIT mapUpdated(map);
    return;
  }
  if (s.channel == "vae.progress") {
    if (auto p = std::dynamic_pointer_cast<const core::vae::VaeProgress>(s.payload))
      Q_EMIT progressed(p);
    return;
  }
  if (s.job == 0) return;  // "vae.train" always comes from the job
  m_jobId = 0;
  setState(State::Idle);
  if (s.kind == Snapshot::Kind::Result) {
    if (auto r = std::dynamic_pointer_cast<const core::vae::VaeResult>(s.payload))
      Q_EMIT finished(r);
  } else if (s.kind == Snapshot::Kind::Cancelled) {
    Q_EMIT cancelled();
  } else if (s.kind == Snapshot::Kind::Error) {
    Q_EMIT errorOccurred(tr("Training"), QString::fromStdString(s.message), false);
  }
}

void VaeController::onInteractiveSnapshot(const Snapshot& s) {
  const bool error = s.kind == Snapshot::Kind::Error;
  if (error)
    Q_EMIT errorOccurred(tr("Decoding"), QString::fromStdString(s.message), false);
  if (s.channel == "vae.decode") {
    m_decode.inFlight = false;
    if (auto d = std::dynamic_pointer_cast<const core::vae::DecodedPoint>(s.payload))
      Q_EMIT decoded(QPointF(d->x, d->y), toQImage(d->image));
    if (m_decode.dirty) sendDecode();
  } else if (s.channel == "vae.grid") {
    m_grid.inFlight = false;
    if (auto g = std::dynamic_pointer_cast<const core::vae::DecodedGrid>(s.payload)) {
      // Tile centres span [x0, x1]; the image covers half a tile more on each side.
      const double hx = g->n > 1 ? (g->x1 - g->x0) / (2.0 * (g->n - 1)) : 0.5;
      const double hy = g->n > 1 ? (g->y1 - g->y0) / (2.0 * (g->n - 1)) : 0.5;
      Q_EMIT gridDecoded(toQImage(g->tiles),
                         QRectF(QPointF(g->x0 - hx, g->y0 - hy), QPointF(g->x1 + hx, g->y1 + hy)));
    }
    if (m_grid.dirty) sendGrid();
  } else if (s.channel == "vae.interp") {
    m_interp.inFlight = false;
    if (auto in = std::dynamic_pointer_cast<const core::vae::Interpolation>(s.payload)) {
      QVector<QImage> images;
      for (const core::Image& im : in->images) images.push_back(toQImage(im));
      Q_EMIT interpolated(QPointF(in->ax, in->ay), QPointF(in->bx, in->by), images);
    }
    if (m_interp.dirty) sendInterpolation();
  } else if (s.channel == "vae.refresh") {
    m_map.inFlight = false;
    if (auto map = std::dynamic_pointer_cast<const core::vae::LatentMap>(s.payload))
      Q_EMIT mapUpdated(map);
  }
}

void VaeController::requestDecode(const QPointF& latent, bool force) {
  // The same point again: it is already in flight or answered.
  if (!force && m_decode.valid && latent == m_decodeAt) return;
  m_decodeAt = latent;
  m_decode.valid = true;
  m_decode.dirty = true;
  if (!m_decode.inFlight) sendDecode();
}

void VaeController::requestGrid(const QRectF& latentRect, int n) {
  if (latentRect.isEmpty() || n < 2) return;
  m_gridRect = latentRect.normalized();
  m_gridN = n;
  m_grid.valid = true;
  m_grid.dirty = true;
  if (!m_grid.inFlight) sendGrid();
}

void VaeController::requestInterpolation(const QPointF& a, const QPointF& b, int steps) {
  m_interpA = a;
  m_interpB = b;
  m_interpSteps = steps;
  m_interp.valid = true;
  m_interp.dirty = true;
  if (!m_interp.inFlight) sendInterpolation();
}

void VaeController::refreshRequests() {
  if (m_decode.valid) requestDecode(m_decodeAt, true);
  if (m_interp.valid) requestInterpolation(m_interpA, m_interpB, m_interpSteps);
}

void VaeController::sendDecode() {
  m_decode.dirty = false;
  if (!m_session) return;
  m_decode.inFlight = true;
  m_decodeSent = m_decodeAt;
  auto s = m_session;
  const float x = float(m_decodeAt.x()), y = float(m_decodeAt.y());
  m_bridge->post("vae.decode", [s, x, y](const EngineBridge::Send& send) {
    auto d = std::make_shared<core::vae::DecodedPoint>();
    d->x = x;
    d->y = y;
    d->image = s->decode(x, y);
    send(Snapshot::reply("vae.decode", d));
  });
}

void VaeController::sendGrid() {
  m_grid.dirty = false;
  if (!m_session) return;
  m_grid.inFlight = true;
  auto s = m_session;
  const int n = m_gridN;
  // Tile centres sit half a tile inside the rectangle, so the image covers it exactly.
  const double hx = m_gridRect.width() / (2.0 * n), hy = m_gridRect.height() / (2.0 * n);
  const float x0 = float(m_gridRect.left() + hx), x1 = float(m_gridRect.right() - hx);
  const float y0 = float(m_gridRect.top() + hy), y1 = float(m_gridRect.bottom() - hy);
  m_bridge->post("vae.grid", [s, x0, x1, y0, y1, n](const EngineBridge::Send& send) {
    auto g = std::make_shared<core::vae::DecodedGrid>();
    g->x0 = x0;
    g->x1 = x1;
    g->y0 = y0;
    g->y1 = y1;
    g->n = n;
    g->tiles = s->decodeGrid(x0, x1, y0, y1, n);
    send(Snapshot::reply("vae.grid", g));
  });
}

void VaeController::sendInterpolation() {
  m_interp.dirty = false;
  if (!m_session) return;
  m_interp.inFlight = true;
  auto s = m_session;
  const float ax = float(m_interpA.x()), ay = float(m_interpA.y());
  const float bx = float(m_interpB.x()), by = float(m_interpB.y());
  const int steps = m_interpSteps;
  m_bridge->post("vae.interp", [s, ax, ay, bx, by, steps](const EngineBridge::Send& send) {
    auto in = std::make_shared<core::vae::Interpolation>();
    in->ax = ax;
    in->ay = ay;
    in->bx = bx;
    in->by = by;
    in->images = s->interpolate(ax, ay, bx, by, steps);
    send(Snapshot::reply("vae.interp", in));
  });
}

void VaeController::refreshMap() {
  if (!m_session || m_map.inFlight) return;
  m_map.inFlight = true;
  auto s = m_session;
  m_bridge->post("vae.refresh", [s](const EngineBridge::Send& send) {
    s->beginMapRefresh();
    while (!s->mapRefreshChunk()) {
    }
    send(Snapshot::reply("vae.refresh", s->latentMap()));
  });
}

}  // namespace genlab::ui
