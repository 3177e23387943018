#include "ui/labs/toy2d/toy2d_controller.h"

#include <chrono>
#include <string>
#include <utility>

#include "ui/bridge/engine_bridge.h"

namespace genlab::ui {

namespace toy2d = core::toy2d;
using core::Snapshot;
using PayloadPtr = LabClient::PayloadPtr;

namespace {
const char* const kFrameSlots[Toy2dController::kColumns] = {"view0", "view1"};
}  // namespace

Toy2dController::Toy2dController(EngineBridge* bridge, QObject* parent)
    : QObject(parent), m_bridge(bridge), m_client(bridge, toy2d::channel::kLab, this) {
  m_client.setErrorHandler([this](const QString& what, const QString& message) {
    Q_EMIT errorOccurred(what, message, false);
  });
  m_timer.setInterval(kTickMs);
  m_timer.setTimerType(Qt::PreciseTimer);
  connect(&m_timer, &QTimer::timeout, this, &Toy2dController::tick);
  m_timer.start();
}

Toy2dController::~Toy2dController() {
  if (m_jobId) m_client.cancel(m_jobId);
  releaseSessions();
}

std::shared_ptr<const toy2d::Toy2dSession> Toy2dController::session(int i) const {
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
  if (m_jobId) m_client.cancel(m_jobId);
  m_jobId = 0;
  m_steps = setup.steps;
  build(setup, false);
}

void Toy2dController::clearSessions() {
  if (m_jobId) m_client.cancel(m_jobId);
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
  m_client.request(
      "session", tr("Data / model"),
      [setup, generation]() -> PayloadPtr { return toy2d::buildSessions(setup, generation); },
      LabClient::as<toy2d::BuiltSessions>([this](auto built) { onSessionsBuilt(built); }),
      [this](const QString& message) {
        m_trainAfterBuild = false;
        m_signature.clear();
        setState(State::Idle);
        Q_EMIT errorOccurred(tr("Data / model"), message, true);
      });
}

void Toy2dController::exportTorchScript(int index, const QString& pathPt) {
  if (index < 0 || index >= int(m_sessions.size())) return;
  auto s = m_sessions[static_cast<std::size_t>(index)];
  const std::string file = pathPt.toStdString();
  m_client.request(
      "export", tr("Export model"),
      [s, file]() -> PayloadPtr {
        s->exportTorchScript(file);
        return nullptr;
      },
      [this, pathPt](const PayloadPtr&) {
        Q_EMIT info(tr("Exported %1 (TorchScript), its state dict and options for PyTorch").arg(pathPt));
      },
      [this](const QString& message) { Q_EMIT errorOccurred(tr("Export model"), message, true); });
}

void Toy2dController::releaseSessions() {
  if (m_sessions.empty()) return;
  // The models' tensors belong to the worker: drop them there.
  auto old = std::make_shared<decltype(m_sessions)>(std::move(m_sessions));
  m_sessions.clear();
  m_client.releaseOnWorker(std::move(old));
}

void Toy2dController::submitJob(long iterations, bool finalEvaluation) {
  if (m_sessions.empty()) return;
  m_singleStepJob = !finalEvaluation;
  m_live.iterationsPerSlice = 0;
  LabClient::JobHandlers h;
  h.progress = [this](const Snapshot& s) {
    if (s.job == m_jobId) onJobProgress(s);  // not a replaced job that is still ending
  };
  h.ended = [this](const LabClient::JobEnd& end) {
    if (end.job == m_jobId) onJobEnded(end);
  };
  m_jobId = m_client.submit(
      std::make_unique<toy2d::Toy2dTrainJob>(m_sessions, iterations, m_live, finalEvaluation),
      std::move(h));
  setState(State::Training);
}

void Toy2dController::pause() {
  if (m_state != State::Training || !m_jobId) return;
  // From now on a job step is one iteration, so Step advances one at a time.
  setLive(toy2d::live::kSliceIterations, 1);
  m_client.pause(m_jobId);
  setState(State::Paused);
  refreshSoon();
}

void Toy2dController::resume() {
  if (m_state != State::Paused || !m_jobId) return;
  setLive(toy2d::live::kSliceIterations, 0);
  m_client.resume(m_jobId);
  setState(State::Training);
}

void Toy2dController::step() {
  if (m_state == State::Paused && m_jobId) {
    // The job trains its models in turn: one step each.
    for (std::size_t i = 0; i < m_sessions.size(); ++i) m_client.stepOnce(m_jobId);
    refreshSoon();
  } else if (m_state == State::Idle && !m_sessions.empty()) {
    submitJob(1, false);
  }
}

void Toy2dController::cancel() {
  if (m_jobId) m_client.cancel(m_jobId);
}

void Toy2dController::setLive(const std::string& key, double value) {
  if (key == toy2d::live::kSpeed) m_live.maxIterationsPerSecond = value;
  else if (key == toy2d::live::kEvalEvery) m_live.evalEverySeconds = value;
  else if (key == toy2d::live::kSliceIterations) m_live.iterationsPerSlice = int(value);
  if (m_jobId) m_client.setLive(m_jobId, key, value);
}

void Toy2dController::setSlowMotion(double maxIterationsPerSecond) {
  setLive(toy2d::live::kSpeed, std::max(0.0, maxIterationsPerSecond));
}

void Toy2dController::setLiveEvaluation(double everySeconds) {
  setLive(toy2d::live::kEvalEvery, std::max(0.0, everySeconds));
}

void Toy2dController::setSampler(const core::toy2d::SamplerSettings& settings) {
  m_sampler = settings;
  for (auto& col : m_columns) col.request.sampler = settings;
  for (const auto& s : m_sessions) {
    if (!s->capabilities().diffusion) continue;
    m_client.request("sampler", tr("Sampler"), [s, settings]() -> PayloadPtr {
      s->setSampler(settings);
      return nullptr;
    }, {});
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
  const auto posted = std::chrono::steady_clock::now();
  m_client.requestLatest(
      kFrameSlots[column], tr("View"),
      [s, request, column, generation, posted]() -> PayloadPtr {
        const auto start = std::chrono::steady_clock::now();
        auto frame = toy2d::computeToy2dFrame(*s, request, column);
        frame->generation = generation;
        frame->computeMs = std::chrono::duration<double, std::milli>(
                               std::chrono::steady_clock::now() - start).count();
        frame->queueMs = std::chrono::duration<double, std::milli>(start - posted).count();
        return frame;
      },
      LabClient::as<Toy2dFrame>([this, column](auto f) { onFrame(column, f); }),
      [this, column](const QString& message) {
        // Shown once in the status line; the next request waits for a change.
        m_columns[column].inFlight = false;
        m_columns[column].valid = false;
        Q_EMIT errorOccurred(tr("View"), message, false);
      });
}

void Toy2dController::importCsv(const QString& path) {
  const std::string file = path.toStdString();
  m_client.request(
      "import", tr("Import CSV"), [file]() -> PayloadPtr { return toy2d::importPoints(file); },
      LabClient::as<toy2d::ImportedPoints>([this](auto in) {
        Q_EMIT csvImported(QString::fromStdString(in->path), in->points);
      }),
      [this](const QString& message) { Q_EMIT errorOccurred(tr("Import CSV"), message, true); });
}

void Toy2dController::exportPoints(const QString& path, PointsPtr points) {
  const std::string file = path.toStdString();
  m_client.request(
      "export", tr("Export CSV"),
      [file, points]() -> PayloadPtr {
        toy2d::writePointsCsv(file, *points);
        return nullptr;
      },
      [this, path](const PayloadPtr&) { Q_EMIT info(tr("Points saved to %1").arg(path)); },
      [this](const QString& message) { Q_EMIT errorOccurred(tr("Export CSV"), message, true); });
}

void Toy2dController::runReparam(const QString& function, double mu, double sigma, int repeats,
                                 std::uint64_t seed) {
  const std::string f = function.toStdString();
  m_client.request(
      "reparam", tr("Reparameterization experiment"),
      [f, mu, sigma, repeats, seed]() -> PayloadPtr {
        return toy2d::reparamExperiment(f, mu, sigma, repeats, seed);
      },
      LabClient::as<toy2d::ReparamExperiment>([this](auto e) { Q_EMIT reparamReady(e); }));
}

void Toy2dController::onSessionsBuilt(const std::shared_ptr<const toy2d::BuiltSessions>& built) {
  if (built->generation != m_generation) {
    // Superseded while it was being built: drop it on the worker.
    m_client.releaseOnWorker(std::make_shared<decltype(m_sessions)>(built->sessions));
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

void Toy2dController::onJobProgress(const Snapshot& s) {
  auto p = std::dynamic_pointer_cast<const toy2d::Toy2dProgress>(s.payload);
  if (!p) return;
  for (std::size_t i = 0; i < p->models.size() && i < m_lastIterations.size(); ++i) {
    // A step while paused: refresh the views once.
    if (p->models[i].iteration != m_lastIterations[i] && m_state != State::Training)
      m_columns[i].dirty = true;
    m_lastIterations[i] = p->models[i].iteration;
  }
  Q_EMIT progressed(p);
}

void Toy2dController::onJobEnded(const LabClient::JobEnd& end) {
  m_jobId = 0;
  m_live.iterationsPerSlice = 0;
  setState(State::Idle);
  markDirty();
  if (end.failed()) Q_EMIT errorOccurred(tr("Training"), end.message, true);
  else if (end.cancelled()) Q_EMIT cancelled();
  else if (auto r = std::dynamic_pointer_cast<const toy2d::Toy2dResult>(end.result)) Q_EMIT finished(r);
  else if (m_singleStepJob) Q_EMIT info(tr("One step done."));
}

void Toy2dController::onFrame(int column, const std::shared_ptr<const Toy2dFrame>& f) {
  Column& c = m_columns[column];
  c.inFlight = false;
  if (f->generation != m_generation) return;
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

}  // namespace genlab::ui
