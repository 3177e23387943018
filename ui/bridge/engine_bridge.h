#pragma once
// The one place where the ui meets the engine. Owns a core::Engine, collects
// the snapshots its worker publishes and hands them to the GUI thread as a
// queued `snapshot` signal: per channel the latest Progress/Reply wins,
// Result/Error/Cancelled are queued and never dropped.
#include <QObject>
#include <QString>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "core/engine/engine.h"
#include "core/engine/snapshot.h"

Q_DECLARE_METATYPE(genlab::core::Snapshot)

namespace genlab::ui {

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
  core::JobState state(std::uint64_t jobId) const;

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
  long m_batches = 0;
  long m_delivered = 0;
  std::unique_ptr<core::Engine> m_engine;  // last member: destroyed first
};

}  // namespace genlab::ui
