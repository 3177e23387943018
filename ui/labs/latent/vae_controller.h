#pragma once
// The Latent Explorer's side of the engine: owns the current VaeSession (which
// lives on the worker), runs training jobs, saves and loads models and serves
// interactive decode requests through latest-wins slots (at most one of each
// kind in flight; the latest wish is sent when the reply arrives). The work
// itself is in core/labs/latent/latent_requests.h.
#include <QImage>
#include <QObject>
#include <QPointF>
#include <QRectF>
#include <QTimer>
#include <QVector>

#include <optional>
#include <utility>

#include "core/labs/latent/latent_requests.h"  // the session and its payloads
#include "core/labs/latent/vae_job.h"          // progress and result
#include "ui/bridge/lab_client.h"

namespace genlab::ui {

using VaeProgressPtr = std::shared_ptr<const core::latent::VaeProgress>;
using LatentMapPtr = std::shared_ptr<const core::latent::LatentMap>;
using VaeResultPtr = std::shared_ptr<const core::latent::VaeResult>;
using ScriptProbePtr = std::shared_ptr<const core::latent::ScriptProbe>;

class VaeController : public QObject {
  Q_OBJECT

 public:
  enum class State { Idle, Preparing, Training, Paused };

  explicit VaeController(EngineBridge* bridge, QObject* parent = nullptr);
  ~VaeController() override;

  State state() const { return m_state; }
  bool busy() const { return m_state != State::Idle; }
  bool hasSession() const { return bool(m_session); }
  // Options of the current session, with `data` naming the data actually used.
  const core::latent::VaeOptions& sessionOptions() const { return m_sessionOptions; }
  // Where the session's data (or loaded model) came from.
  QString provenance() const { return m_provenance; }
  // True when Start would continue training the current session.
  bool canContinue(const core::latent::VaeOptions& options) const;

  // Trains the current session if `options` match it (see canContinue), else
  // builds a new one from `options` first.
  void start(const core::latent::VaeOptions& options);
  // Cancels training and builds a fresh, untrained session.
  void reset(const core::latent::VaeOptions& options);
  void cancel();
  void pause();
  void resume();
  void step();
  void setBeta(double beta);

  void save(const QString& path);
  void exportTorchScript(const QString& pathPt);
  // Experiment files (core/labs/latent/latent_experiment.h).
  void saveExperiment(const QString& path, const QString& dataSpec, const QString& viewJson,
                      const QString& resultJson);
  void openExperiment(const QString& path, const QString& dataFolder);
  // What the views show now, for an experiment's view state.
  std::optional<QPointF> lastDecodePoint() const;
  std::optional<std::pair<QPointF, QPointF>> lastInterpolation() const;
  void load(const QString& path);
  // A model trained elsewhere: probe it (probed, or errorOccurred), then open
  // it with the user's answers (sessionReady with loaded = true).
  void probeScript(const QString& path);
  void loadScript(const core::latent::ScriptImport& import);
  // The current session is an imported model (explored, never trained).
  bool imported() const;

  void requestDecode(const QPointF& latent, bool force = false);
  void requestGrid(const QRectF& latentRect, int n);
  void requestInterpolation(const QPointF& a, const QPointF& b, int steps);
  // Decodes the last requested point and interpolation again (e.g. after the
  // model changed); the grid follows the view and is re-requested by its owner.
  void refreshRequests();

 Q_SIGNALS:
  void stateChanged(genlab::ui::VaeController::State state);
  // A new session replaced the old one (created, reset or loaded);
  // `dataSummary` reads like "MNIST · 60000 train / 10000 test · 28×28".
  void sessionReady(const QString& dataSummary, bool loaded);
  void progressed(const genlab::ui::VaeProgressPtr& progress);
  void mapUpdated(const genlab::ui::LatentMapPtr& map);
  void decoded(QPointF latent, const QImage& image);
  void gridDecoded(const QImage& image, QRectF latentRect);
  void interpolated(QPointF a, QPointF b, const QVector<QImage>& images);
  void finished(const genlab::ui::VaeResultPtr& result);
  void probed(const genlab::ui::ScriptProbePtr& probe);
  // An experiment opened (after sessionReady): restore its view state.
  void experimentOpened(const QString& viewJson, const QString& resultJson);
  // Its data is not here or differs: `message` says which; the user may locate it.
  void experimentDataMissing(const QString& path, const QString& message);
  void cancelled();
  // `fileError`: the message concerns a file the user chose (load/save).
  void errorOccurred(const QString& what, const QString& message, bool fileError);
  void info(const QString& message);

 private:
  void onSessionOpened(const std::shared_ptr<const core::latent::OpenedSession>& opened);
  void onSessionFailed(const QString& message);
  void onJobProgress(const core::Snapshot& s);
  void setState(State state);
  void createSession(const core::latent::VaeOptions& options, bool thenTrain);
  void adoptSession(std::shared_ptr<core::latent::VaeSession> session,
                    const core::latent::VaeOptions& effective);
  void releaseSession();
  void submitJob();
  void sendDecode();
  void sendGrid();
  void sendInterpolation();
  void refreshMap();

  EngineBridge* m_bridge;
  LabClient m_client;
  State m_state = State::Idle;
  std::shared_ptr<core::latent::VaeSession> m_session;
  core::latent::VaeOptions m_sessionOptions;
  QString m_provenance;
  std::uint64_t m_jobId = 0;
  bool m_trainAfterSession = false;
  bool m_loading = false;

  bool m_decodeValid = false, m_interpValid = false;
  QPointF m_decodeAt;
  QRectF m_gridRect;
  int m_gridN = 20;
  QPointF m_interpA, m_interpB;
  int m_interpSteps = 10;
  // Sessions whose options have no live map interval (loaded models) get
  // their map refreshed from here while they train.
  QTimer m_mapTimer;
};

}  // namespace genlab::ui
