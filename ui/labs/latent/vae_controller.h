#pragma once
// The Latent Explorer's side of the engine: owns the current VaeSession (which
// lives on the worker), runs training jobs, saves and loads models and serves
// interactive decode requests without letting them pile up (at most one of
// each kind in flight; the latest wish is sent when the reply arrives).
#include <QImage>
#include <QObject>
#include <QPointF>
#include <QRectF>
#include <QTimer>
#include <QVector>

#include <cstdint>
#include <memory>

#include "core/labs/vae/vae_job.h"
#include "core/labs/vae/vae_options.h"
#include "core/labs/vae/vae_session.h"

namespace genlab::ui {

class EngineBridge;

using VaeProgressPtr = std::shared_ptr<const core::vae::VaeProgress>;
using LatentMapPtr = std::shared_ptr<const core::vae::LatentMap>;
using VaeResultPtr = std::shared_ptr<const core::vae::VaeResult>;

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
  const core::vae::VaeOptions& sessionOptions() const { return m_sessionOptions; }
  // Where the session's data (or loaded model) came from.
  QString provenance() const { return m_provenance; }
  // True when Start would continue training the current session.
  bool canContinue(const core::vae::VaeOptions& options) const;

  // Trains the current session if `options` match it (see canContinue), else
  // builds a new one from `options` first.
  void start(const core::vae::VaeOptions& options);
  // Cancels training and builds a fresh, untrained session.
  void reset(const core::vae::VaeOptions& options);
  void cancel();
  void pause();
  void resume();
  void step();
  void setBeta(double beta);

  void save(const QString& path);
  void load(const QString& path);

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
  void cancelled();
  // `fileError`: the message concerns a file the user chose (load/save).
  void errorOccurred(const QString& what, const QString& message, bool fileError);
  void info(const QString& message);

 private:
  struct Pending {
    bool inFlight = false;
    bool dirty = false;
    bool valid = false;
  };

  void onSnapshot(const core::Snapshot& s);
  void onSessionSnapshot(const core::Snapshot& s);
  void onJobSnapshot(const core::Snapshot& s);
  void onInteractiveSnapshot(const core::Snapshot& s);
  void setState(State state);
  void createSession(const core::vae::VaeOptions& options, bool thenTrain);
  void adoptSession(std::shared_ptr<core::vae::VaeSession> session,
                    const core::vae::VaeOptions& effective);
  void releaseSession();
  void submitJob();
  void sendDecode();
  void sendGrid();
  void sendInterpolation();
  void refreshMap();

  EngineBridge* m_bridge;
  State m_state = State::Idle;
  std::shared_ptr<core::vae::VaeSession> m_session;
  core::vae::VaeOptions m_sessionOptions;
  QString m_provenance;
  std::uint64_t m_jobId = 0;
  bool m_trainAfterSession = false;
  bool m_loading = false;

  Pending m_decode, m_grid, m_interp, m_map;
  QPointF m_decodeAt, m_decodeSent;
  QRectF m_gridRect;
  int m_gridN = 20;
  QPointF m_interpA, m_interpB;
  int m_interpSteps = 10;
  // Sessions whose options have no live map interval (loaded models) get
  // their map refreshed from here while they train.
  QTimer m_mapTimer;
};

}  // namespace genlab::ui
