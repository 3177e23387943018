#pragma once
// The 2-D lab's side of the engine: owns the sessions (one or two models on
// the same data, living on the worker), the training job and its
// live settings (slow motion, single steps, live evaluation), and keeps every
// view fresh: a 100 Hz tick posts a view request for each column whose last
// frame is at least 33 ms old (25-30 refreshes a second while training), at
// most one in flight per column (a tick is skipped while one is pending), and
// stale replies of replaced sessions are dropped.
#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/labs/toy2d/toy2d_data.h"
#include "core/labs/toy2d/toy2d_job.h"
#include "core/labs/toy2d/toy2d_options.h"
#include "core/labs/toy2d/toy2d_reparam.h"
#include "core/labs/toy2d/toy2d_requests.h"
#include "core/labs/toy2d/toy2d_session.h"
#include "ui/bridge/lab_client.h"
#include "ui/labs/toy2d/toy2d_frames.h"

namespace genlab::ui {

class EngineBridge;

using Toy2dProgressPtr = std::shared_ptr<const core::toy2d::Toy2dProgress>;
using Toy2dResultPtr = std::shared_ptr<const core::toy2d::Toy2dResult>;
using Toy2dFramePtr = std::shared_ptr<const Toy2dFrame>;
using ReparamPtr = std::shared_ptr<const core::toy2d::ReparamExperiment>;
using core::toy2d::PointsPtr;

using core::toy2d::Toy2dSetup;

class Toy2dController : public QObject {
  Q_OBJECT

 public:
  enum class State { Idle, Preparing, Training, Paused };
  static constexpr int kColumns = 2;
  static constexpr int kTickMs = 10;
  // While training a view refreshes at most every 33 ms (30 per second; with
  // the round trip about 25): beyond that the eye sees no difference and the
  // worker's time is better spent training.
  static constexpr int kMinFrameMs = 25;
  static constexpr double kViewBudget = 0.6;  // share of the worker's time views may use
  static constexpr int kTrainingGrid = 48;    // heatmap cells (longer side) while training
  static constexpr int kRestingGrid = 96;     // ... and when paused or idle

  explicit Toy2dController(EngineBridge* bridge, QObject* parent = nullptr);
  ~Toy2dController() override;

  State state() const { return m_state; }
  bool busy() const { return m_state != State::Idle; }
  int sessionCount() const { return int(m_sessions.size()); }
  // The GUI reads only the sessions' any-thread accessors (options, data, capabilities...).
  std::shared_ptr<const core::toy2d::Toy2dSession> session(int i) const;
  std::uint64_t generation() const { return m_generation; }
  bool canContinue(const Toy2dSetup& setup) const;

  // Model `index`'s plain forward functions as TorchScript (info, or errorOccurred).
  void exportTorchScript(int index, const QString& pathPt);
  // Continues the current sessions when the setup matches, else builds new ones; then trains.
  void start(const Toy2dSetup& setup);
  // Stops training and builds fresh, untrained sessions.
  void rebuild(const Toy2dSetup& setup);
  // Stops training and forgets the sessions (the data changed).
  void clearSessions();
  void pause();
  void resume();
  // One iteration of every model (paused, or idle with sessions).
  void step();
  void cancel();
  void setSlowMotion(double maxIterationsPerSecond);
  void setLiveEvaluation(double everySeconds);
  void setSampler(const core::toy2d::SamplerSettings& settings);

  // The view column `column` shows; a frame is requested at the next tick.
  void setViewRequest(int column, const Toy2dViewRequest& request);
  void clearViewRequest(int column);
  void requestFrame(int column);
  long framesReceived(int column) const { return m_columns[column].frames; }
  // Worker milliseconds per frame of a column (moving average).
  double frameCostMs(int column) const { return m_columns[column].costMs; }
  // Milliseconds from posting a view request to its frame arriving (moving average).
  double frameLatencyMs(int column) const { return m_columns[column].latencyMs; }
  // ... of which waiting for the worker (the rest: computing and reaching the GUI thread).
  double frameQueueMs(int column) const { return m_columns[column].queueMs; }

  void importCsv(const QString& path);
  void exportPoints(const QString& path, PointsPtr points);
  void runReparam(const QString& function, double mu, double sigma, int repeats, std::uint64_t seed);

 Q_SIGNALS:
  void stateChanged(genlab::ui::Toy2dController::State state);
  void sessionsReady(const QString& description);
  void sessionsCleared();
  void progressed(const genlab::ui::Toy2dProgressPtr& progress);
  void frameReady(const genlab::ui::Toy2dFramePtr& frame);
  void finished(const genlab::ui::Toy2dResultPtr& result);
  void cancelled();
  void csvImported(const QString& path, const genlab::ui::PointsPtr& points);
  void reparamReady(const genlab::ui::ReparamPtr& experiment);
  // `modal`: worth a message box (files, data); else the status line is enough.
  void errorOccurred(const QString& what, const QString& message, bool modal);
  void info(const QString& message);

 private:
  struct Column {
    Toy2dViewRequest request;
    bool valid = false;
    bool inFlight = false;
    bool dirty = false;
    int minIntervalMs = 0;
    QElapsedTimer lastSent;
    long frames = 0;
    double costMs = 0;
    double latencyMs = 0;
    double queueMs = 0;
  };

  void onSessionsBuilt(const std::shared_ptr<const core::toy2d::BuiltSessions>& built);
  void onJobProgress(const core::Snapshot& s);
  void onJobEnded(const LabClient::JobEnd& end);
  void onFrame(int column, const std::shared_ptr<const Toy2dFrame>& frame);
  void setLive(const std::string& key, double value);
  void setState(State state);
  void build(const Toy2dSetup& setup, bool thenTrain);
  void releaseSessions();
  void submitJob(long iterations, bool finalEvaluation);
  void tick();
  int intervalMs(int column) const;
  void sendFrame(int column);
  void markDirty();
  void refreshSoon();

  EngineBridge* m_bridge;
  LabClient m_client;
  State m_state = State::Idle;
  std::vector<std::shared_ptr<core::toy2d::Toy2dSession>> m_sessions;
  std::string m_signature;
  std::uint64_t m_generation = 0;
  std::uint64_t m_jobId = 0;
  long m_steps = 5000;
  bool m_trainAfterBuild = false;
  bool m_singleStepJob = false;
  core::toy2d::TrainSettings m_live;  // sent to every job at start, then changed live
  core::toy2d::SamplerSettings m_sampler;
  std::array<Column, kColumns> m_columns;
  std::vector<long> m_lastIterations;
  QTimer m_timer;
};

}  // namespace genlab::ui
