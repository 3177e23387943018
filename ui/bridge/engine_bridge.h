#pragma once
// The one place where the ui meets the engine. Owns a core::Engine, collects
// the snapshots its worker publishes and hands them to the GUI thread as a
// queued `snapshot` signal: per channel the latest Progress/Reply wins,
// Result/Error/Cancelled/Finished are queued and never dropped. Labs talk to
// it through a LabClient (lab_client.h), which receives only its own snapshots.
#include <QObject>
#include <QString>

#include <cstdint>
#include <deque>
#include <map>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "core/engine/engine.h"
#include "core/engine/snapshot.h"

Q_DECLARE_METATYPE(genlab::core::Snapshot)

namespace genlab::ui {

class LabClient;

class EngineBridge : public QObject {
  Q_OBJECT

 public:
  using Send = std::function<void(core::Snapshot)>;
  using PostFn = std::function<void(const Send&)>;

  explicit EngineBridge(QObject* parent = nullptr);
  ~EngineBridge() override;

  // Pass-throughs to the engine (see core/engine/engine.h).
  void post(const std::string& channel, PostFn fn);
  std::uint64_t submit(std::unique_ptr<core::Job> job);
  void cancel(std::uint64_t jobId);
  void cancelAll();
  void pause(std::uint64_t jobId);
  void resume(std::uint64_t jobId);
  void stepOnce(std::uint64_t jobId);
  void setLive(std::uint64_t jobId, const std::string& key, double value);
  core::JobState state(std::uint64_t jobId) const;
  // Longest worker step / request so far (ms), for benchmarks.
  double longestStepMs() const;
  double longestRequestMs() const;

  // Routing: snapshots of a job go to the client that submitted it; job-less
  // ones to the client that owns their channel. LabClient calls these.
  void route(std::uint64_t jobId, LabClient* client);
  void route(const std::string& channel, LabClient* client);
  void unroute(const std::string& channel);
  void forget(LabClient* client);

  // "CPU" or "CUDA".
  static QString deviceName();

  // How many batches were handed to the GUI thread, and how many snapshots
  // they held (diagnostics and tests).
  long deliveryBatches() const { return m_batches; }
  long deliveredSnapshots() const { return m_delivered; }

 Q_SIGNALS:
  void snapshot(const genlab::core::Snapshot& snapshot);

 private:
  void onWorkerSnapshot(const core::Snapshot& s);  // worker thread
  void deliver();                                   // GUI thread

  std::mutex m_mutex;
  std::deque<core::Snapshot> m_pending;  // guarded by m_mutex
  bool m_deliveryScheduled = false;      // guarded by m_mutex
  std::map<std::uint64_t, LabClient*> m_jobRoutes;      // GUI thread only
  std::map<std::string, LabClient*> m_channelRoutes;    // GUI thread only
  long m_batches = 0;
  long m_delivered = 0;
  std::unique_ptr<core::Engine> m_engine;  // last member: destroyed first
};

}  // namespace genlab::ui
