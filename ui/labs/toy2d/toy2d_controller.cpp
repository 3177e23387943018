#include "ui/labs/toy2d/toy2d_controller.h"

#include <QFileInfo>
#include <QLocale>

#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>

#include "ui/bridge/engine_bridge.h"

namespace genlab::ui {

using core::Snapshot;
using core::toy2d::Points2D;
using core::toy2d::Toy2dData;
using core::toy2d::Toy2dOptions;
using core::toy2d::Toy2dSession;

namespace {
const char* const kFrameChannels[Toy2dController::kColumns] = {"toy2d.view0", "toy2d.view1"};

struct BuiltSessions : core::Payload {
  std::vector<std::shared_ptr<Toy2dSession>> sessions;
  std::uint64_t generation = 0;
  std::string description;
};

struct ImportedPoints : core::Payload {
  std::shared_ptr<const Points2D> points;
  std::string path;
};

std::string describe(const Toy2dData& d) {
  std::string name = d.name;
  if (!core::toy2d::isBuiltinDataset(name) && name != "drawn")
    name = QFileInfo(QString::fromStdString(name)).fileName().toStdString();
  const QLocale c;
  return name + " \u00b7 " + c.toString(qlonglong(d.train.size())).toStdString() + " train / " +
         c.toString(qlonglong(d.heldOut.size())).toStdString() + " held out";
}

// Worker side: the data (built-in, CSV or drawn points) and one session per model on it.
std::shared_ptr<BuiltSessions> buildSessions(const Toy2dSetup& setup, std::uint64_t generation) {
  if (setup.models.empty()) throw std::invalid_argument("choose at least one model");
  const Toy2dOptions& first = setup.models.front();
  std::shared_ptr<const Toy2dData> data;
  if (setup.drawn) {
    data = std::make_shared<Toy2dData>(core::toy2d::splitData(
        *setup.drawn, first.heldOutFraction, first.seed, false, "drawn",
        "drawn with the mouse: " + std::to_string(setup.drawn->size()) + " points"));
  } else {
    data = std::make_shared<Toy2dData>(core::toy2d::loadData(
        first.data, first.dataPoints, first.heldOutFraction, first.seed, first.standardize));
  }
  auto out = std::make_shared<BuiltSessions>();
  out->generation = generation;
  for (const Toy2dOptions& o : setup.models) {
    auto s = std::make_shared<Toy2dSession>(o, data);
    if (s->capabilities().diffusion) s->setSampler(setup.sampler);
    out->sessions.push_back(std::move(s));
  }
  out->description = describe(*data);
  return out;
}
}  // namespace

std::string Toy2dSetup::signature() const {
  std::string sig = drawn ? "drawn:" + std::to_string(drawnRevision) : "data";
  for (Toy2dOptions o : models) {
    // Live settings and the training length do not need a new model.
    const Toy2dOptions d;
    o.steps = 0;
    o.sampler = d.sampler;
    o.sampleSteps = d.sampleSteps;
    o.correctorSteps = d.correctorSteps;
    o.snr = d.snr;
    sig += "|" + o.toJson();
  }
  return sig;
}

Toy2dController::Toy2dController(EngineBridge* bridge, QObject* parent)
    : QObject(parent), m_bridge(bridge), m_control(std::make_shared<core::toy2d::TrainControl>()) {
  connect(m_bridge, &EngineBridge::snapshot, this, &Toy2dController::onSnapshot);
  m_timer.setInterval(kTickMs);
  m_timer.setTimerType(Qt::PreciseTimer);
  connect(&m_timer, &QTimer::timeout, this, &Toy2dController::tick);
  m_timer.start();
}

Toy2dController::~Toy2dController() {
  if (m_jobId) m_bridge->cancel(m_jobId);
  releaseSessions();
}

std::shared_ptr<const Toy2dSession> Toy2dController::session(int i) const {
  return i >= 0 && i < int(m_sessions.size()) ? m_sessions[i] : nullptr;
}

bool Toy2dController::canContinue(const Toy2dSetup& setup) const {
  return !m_sessions.empty() && setup.signature() == m_signature;
}

void Toy2dController::setState(State state) {
  if (state == m_state) return;
  m_state = state;
  Q_EMIT stateChanged(state);
}

void Toy2dController::start(const Toy2dSetup& setup) {
  if (m_state == State::Paused) {
    resume();
    return;
  }
  if (m_state != State::Idle) return;
  m_steps = setup.steps;
  if (canContinue(setup)) submitJob(m_steps, true);
  else build(setup, true);
}

void Toy2dController::rebuild(const Toy2dSetup& setup) {
  if (m_jobId) m_bridge->cancel(m_jobId);
  m_jobId = 0;
  m_steps = setup.steps;
  build(setup, false);
}

void Toy2dController::clearSessions() {
  if (m_jobId) m_bridge->cancel(m_jobId);
  m_jobId = 0;
  releaseSessions();
  m_signature.clear();
  ++m_generation;
  setState(State::Idle);
  Q_EMIT sessionsCleared();
}

void Toy2dController::build(const Toy2dSetup& setup, bool thenTrain) {
  m_trainAfterBuild = thenTrain;
  m_sampler = setup.sampler;
  const std::uint64_t generation = ++m_generation;
  m_signature = setup.signature();
  setState(State::Preparing);
  m_bridge->post("toy2d.session", [setup, generation](const EngineBridge::Send& send) {
    send(Snapshot::reply("toy2d.session", buildSessions(setup, generation)));
  });
}

void Toy2dController::releaseSessions() {
  if (m_sessions.empty()) return;
  // The models' tensors belong to the worker: drop them there.
  auto old = std::move(m_sessions);
  m_sessions.clear();
  m_bridge->post("toy2d.release", [old](const EngineBridge::Send&) mutable { old.clear(); });
}

void Toy2dController::submitJob(long iterations, bool finalEvaluation) {
  if (m_sessions.empty()) return;
  m_singleStepJob = !finalEvaluation;
  m_control->iterationsPerSlice = 0;
  m_jobId = m_bridge->submit(std::make_unique<core::toy2d::Toy2dTrainJob>(
      m_sessions, iterations, m_control, finalEvaluation));
  setState(State::Training);
}

void Toy2dController::pause() {
  if (m_state != State::Training || !m_jobId) return;
  // From now on a job step is one iteration, so Step advances one at a time.
  m_control->iterationsPerSlice = 1;
  m_bridge->pause(m_jobId);
  setState(State::Paused);
  refreshSoon();
}

void Toy2dController::resume() {
  if (m_state != State::Paused || !m_jobId) return;
  m_control->iterationsPerSlice = 0;
  m_bridge->resume(m_jobId);
  setState(State::Training);
}

void Toy2dController::step() {
  if (m_state == State::Paused && m_jobId) {
    // The job trains its models in turn: one step each.
    for (std::size_t i = 0; i < m_sessions.size(); ++i) m_bridge->stepOnce(m_jobId);
    refreshSoon();
  } else if (m_state == State::Idle && !m_sessions.empty()) {
    submitJob(1, false);
  }
}

void Toy2dController::cancel() {
  if (m_jobId) m_bridge->cancel(m_jobId);
}

void Toy2dController::setSlowMotion(double maxIterationsPerSecond) {
  m_control->maxIterationsPerSecond = std::max(0.0, maxIterationsPerSecond);
}

void Toy2dController::setLiveEvaluation(double everySeconds) {
  m_control->evalEverySeconds = std::max(0.0, everySeconds);
}

void Toy2dController::setSampler(const core::toy2d::SamplerSettings& settings) {
  m_sampler = settings;
  for (auto& col : m_columns) col.request.sampler = settings;
  for (const auto& s : m_sessions) {
    if (!s->capabilities().diffusion) continue;
    m_bridge->post("toy2d.sampler", [s, settings](const EngineBridge::Send&) { s->setSampler(settings); });
  }
  markDirty();
}

void Toy2dController::setViewRequest(int column, const Toy2dViewRequest& request) {
  if (column < 0 || column >= kColumns) return;
  Column& c = m_columns[column];
  if (request.view != c.request.view) c.costMs = c.latencyMs = c.queueMs = 0;  // another view's cost
  c.request = request;
  c.request.sampler = m_sampler;
  c.minIntervalMs = std::max(kMinFrameMs, toy2dViewInfo(request.view).minIntervalMs);
  c.valid = true;
  c.dirty = true;
}

void Toy2dController::clearViewRequest(int column) {
  if (column >= 0 && column < kColumns) m_columns[column].valid = false;
}

void Toy2dController::requestFrame(int column) {
  if (column >= 0 && column < kColumns) m_columns[column].dirty = true;
}

void Toy2dController::refreshSoon() {
  // Progress is throttled and may miss the last step before a pause: views
  // asked for a moment later show the exact state (the worker serves view
  // requests before job steps, so asking right away would show the state
  // before the step).
  QTimer::singleShot(150, this, [this] { markDirty(); });
}

void Toy2dController::markDirty() {
  for (Column& c : m_columns) c.dirty = true;
}

int Toy2dController::intervalMs(int column) const {
  // Views may take at most kViewBudget of the worker's time: an expensive
  // view refreshes less often rather than starving training.
  int active = 0;
  for (int i = 0; i < kColumns; ++i) active += m_columns[i].valid && i < int(m_sessions.size());
  const Column& c = m_columns[column];
  return std::max(c.minIntervalMs, int(c.costMs * std::max(1, active) / kViewBudget));
}

void Toy2dController::tick() {
  const bool running = m_state == State::Training;
  for (int i = 0; i < kColumns; ++i) {
    Column& c = m_columns[i];
    if (!c.valid || c.inFlight || i >= int(m_sessions.size())) continue;
    const bool due = c.dirty || (running && (!c.lastSent.isValid() || c.lastSent.elapsed() >= intervalMs(i)));
    if (due) sendFrame(i);
  }
}

void Toy2dController::sendFrame(int column) {
  Column& c = m_columns[column];
  c.dirty = false;
  c.inFlight = true;
  c.lastSent.start();
  auto s = m_sessions[column];
  Toy2dViewRequest request = c.request;
  // Coarser heatmaps while training (cheaper, and they change anyway); sharp ones at rest.
  request.gridSize = m_state == State::Training ? kTrainingGrid : kRestingGrid;
  c.request.noisedDensity = false;  // one-shot: the ui caches it per t
  const std::uint64_t generation = m_generation;
  const char* channel = kFrameChannels[column];
  const auto posted = std::chrono::steady_clock::now();
  m_bridge->post(channel, [s, request, column, generation, channel, posted](const EngineBridge::Send& send) {
    const auto start = std::chrono::steady_clock::now();
    auto frame = computeToy2dFrame(*s, request, column);
    frame->generation = generation;
    frame->computeMs =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    frame->queueMs = std::chrono::duration<double, std::milli>(start - posted).count();
    send(Snapshot::reply(channel, frame));
  });
}

void Toy2dController::importCsv(const QString& path) {
  const std::string file = path.toStdString();
  m_bridge->post("toy2d.import", [file](const EngineBridge::Send& send) {
    auto out = std::make_shared<ImportedPoints>();
    auto pts = std::make_shared<Points2D>(core::toy2d::readPointsCsv(file));
    if (pts->size() < 4)
      throw std::invalid_argument(file + ": only " + std::to_string(pts->size()) +
                                  " points; the lab needs at least 4 (some to train on, some held out)");
    out->points = std::move(pts);
    out->path = file;
    send(Snapshot::reply("toy2d.import", out));
  });
}

void Toy2dController::exportPoints(const QString& path, PointsPtr points) {
  const std::string file = path.toStdString();
  m_bridge->post("toy2d.export", [file, points](const EngineBridge::Send& send) {
    core::toy2d::writePointsCsv(file, *points);
    Snapshot s = Snapshot::reply("toy2d.export", nullptr);
    s.message = file;
    send(s);
  });
}

void Toy2dController::runReparam(const QString& function, double mu, double sigma, int repeats,
                                 std::uint64_t seed) {
  const std::string f = function.toStdString();
  m_bridge->post("toy2d.reparam", [f, mu, sigma, repeats, seed](const EngineBridge::Send& send) {
    auto e = std::make_shared<core::toy2d::ReparamExperiment>(core::toy2d::runReparamExperiment(
        f, mu, sigma, core::toy2d::defaultSampleCounts(), repeats, seed));
    send(Snapshot::reply("toy2d.reparam", e));
  });
}

void Toy2dController::onSnapshot(const Snapshot& s) {
  const std::string& ch = s.channel;
  if (ch == "toy2d.session") onSessionSnapshot(s);
  else if (ch == "toy2d.progress" || ch == "toy2d.train") onJobSnapshot(s);
  else if (ch == kFrameChannels[0]) onFrameSnapshot(0, s);
  else if (ch == kFrameChannels[1]) onFrameSnapshot(1, s);
  else if (ch == "toy2d.import" || ch == "toy2d.export" || ch == "toy2d.reparam") onFileSnapshot(s);
  else if (ch == "toy2d.sampler" && s.kind == Snapshot::Kind::Error)
    Q_EMIT errorOccurred(tr("Sampler"), QString::fromStdString(s.message), false);
}

void Toy2dController::onSessionSnapshot(const Snapshot& s) {
  if (s.kind == Snapshot::Kind::Error) {
    m_trainAfterBuild = false;
    m_signature.clear();
    setState(State::Idle);
    Q_EMIT errorOccurred(tr("Data / model"), QString::fromStdString(s.message), true);
    return;
  }
  auto built = std::dynamic_pointer_cast<const BuiltSessions>(s.payload);
  if (!built) return;
  if (built->generation != m_generation) {
    // Superseded while it was being built: drop it on the worker.
    auto stale = built->sessions;
    m_bridge->post("toy2d.release", [stale](const EngineBridge::Send&) mutable { stale.clear(); });
    return;
  }
  releaseSessions();
  m_sessions = built->sessions;
  m_lastIterations.assign(m_sessions.size(), 0);
  for (Column& c : m_columns) {
    c.inFlight = false;
    c.dirty = true;
    c.costMs = c.latencyMs = c.queueMs = 0;
  }
  Q_EMIT sessionsReady(QString::fromStdString(built->description));
  if (m_trainAfterBuild) {
    m_trainAfterBuild = false;
    submitJob(m_steps, true);
  } else {
    setState(State::Idle);
  }
}

void Toy2dController::onJobSnapshot(const Snapshot& s) {
  if (s.job != 0 && s.job != m_jobId) return;  // an earlier, replaced job
  if (s.channel == "toy2d.progress") {
    auto p = std::dynamic_pointer_cast<const core::toy2d::Toy2dProgress>(s.payload);
    if (!p) return;
    for (std::size_t i = 0; i < p->models.size() && i < m_lastIterations.size(); ++i) {
      // A step while paused: refresh the views once.
      if (p->models[i].iteration != m_lastIterations[i] && m_state != State::Training)
        m_columns[i].dirty = true;
      m_lastIterations[i] = p->models[i].iteration;
    }
    Q_EMIT progressed(p);
    return;
  }
  if (s.job == 0) return;
  m_jobId = 0;
  m_control->iterationsPerSlice = 0;
  setState(State::Idle);
  markDirty();
  if (s.kind == Snapshot::Kind::Result) {
    if (auto r = std::dynamic_pointer_cast<const core::toy2d::Toy2dResult>(s.payload))
      Q_EMIT finished(r);
  } else if (s.kind == Snapshot::Kind::Cancelled) {
    Q_EMIT cancelled();
  } else if (s.kind == Snapshot::Kind::Error) {
    Q_EMIT errorOccurred(tr("Training"), QString::fromStdString(s.message), true);
  } else if (m_singleStepJob) {
    Q_EMIT info(tr("One step done."));
  }
}

void Toy2dController::onFrameSnapshot(int column, const Snapshot& s) {
  Column& c = m_columns[column];
  c.inFlight = false;
  if (s.kind == Snapshot::Kind::Error) {
    // Shown once in the status line; the next request waits for a change.
    c.valid = false;
    Q_EMIT errorOccurred(tr("View"), QString::fromStdString(s.message), false);
    return;
  }
  auto f = std::dynamic_pointer_cast<const Toy2dFrame>(s.payload);
  if (!f || f->generation != m_generation) return;
  ++c.frames;
  // Only frames made while training set the budget (resting ones are finer
  // and dearer); a moving average that forgets within a few frames.
  if (f->gridSize == kTrainingGrid && f->view == c.request.view) {
    auto average = [](double& avg, double v) { avg = avg <= 0 ? v : 0.7 * avg + 0.3 * v; };
    average(c.costMs, f->computeMs);
    average(c.latencyMs, double(c.lastSent.nsecsElapsed()) / 1e6);
    average(c.queueMs, f->queueMs);
  }
  // Ask for the next frame (when due) before drawing this one: the worker
  // computes while the GUI thread paints.
  tick();
  Q_EMIT frameReady(f);
}

void Toy2dController::onFileSnapshot(const Snapshot& s) {
  const bool error = s.kind == Snapshot::Kind::Error;
  const QString message = QString::fromStdString(s.message);
  if (s.channel == "toy2d.import") {
    if (error) {
      Q_EMIT errorOccurred(tr("Import CSV"), message, true);
    } else if (auto in = std::dynamic_pointer_cast<const ImportedPoints>(s.payload)) {
      Q_EMIT csvImported(QString::fromStdString(in->path), in->points);
    }
  } else if (s.channel == "toy2d.export") {
    if (error) Q_EMIT errorOccurred(tr("Export CSV"), message, true);
    else Q_EMIT info(tr("Points saved to %1").arg(message));
  } else if (s.channel == "toy2d.reparam") {
    if (error) Q_EMIT errorOccurred(tr("Reparameterization experiment"), message, false);
    else if (auto e = std::dynamic_pointer_cast<const core::toy2d::ReparamExperiment>(s.payload))
      Q_EMIT reparamReady(e);
  }
}

}  // namespace genlab::ui
