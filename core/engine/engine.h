#pragma once
// The worker-thread engine. One thread owns every model, optimizer and RNG.
// Callers post long jobs (run as resumable slices) and short interactive
// requests (served first, between slices). Results come back as Snapshots.
// Torch-free header: the ui includes it.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/engine/snapshot.h"

namespace genlab::core {

class JobContext;

// A long computation split into steps of a few milliseconds each.
class Job {
 public:
  virtual ~Job() = default;
  virtual std::string name() const = 0;
  // Called once on the worker before the first step.
  virtual void begin(JobContext&) {}
  // One slice of work; return true when the job has finished.
  virtual bool step(JobContext& ctx) = 0;
  // Called once on the worker after the last step, or after cancel / error.
  virtual void end(JobContext&, bool cancelled) {}
};

class JobContext {
 public:
  JobContext(std::uint64_t id, const std::atomic<bool>* cancel,
             std::function<void(Snapshot)> publish, const std::atomic<int>* pending = nullptr)
      : m_id(id), m_cancel(cancel), m_publish(std::move(publish)), m_pending(pending) {}
  std::uint64_t id() const { return m_id; }
  bool cancelled() const { return m_cancel && m_cancel->load(std::memory_order_relaxed); }
  // True when the step should end early: cancelled, or an interactive request
  // is waiting (a step that loops over mini-batches checks it between them).
  bool shouldYield() const {
    return cancelled() || (m_pending && m_pending->load(std::memory_order_relaxed) > 0);
  }
  // Sends a snapshot (tagged with this job's id) to the listener.
  void publish(Snapshot s) const {
    s.job = m_id;
    m_publish(std::move(s));
  }
  // True at most every `interval` (default 50 ms = 20 updates/s): a job calls
  // it before building an expensive progress snapshot.
  bool publishDue(std::chrono::milliseconds interval = std::chrono::milliseconds(50));

 private:
  std::uint64_t m_id;
  const std::atomic<bool>* m_cancel;
  std::function<void(Snapshot)> m_publish;
  const std::atomic<int>* m_pending;
  std::chrono::steady_clock::time_point m_lastPublish{};
};

enum class JobState { Queued, Running, Paused, Finished, Cancelled, Failed, Unknown };

class Engine {
 public:
  using Listener = std::function<void(const Snapshot&)>;
  // The listener is called on the worker thread; it must be quick and
  // thread-safe (the ui bridge coalesces and forwards to the GUI thread).
  explicit Engine(Listener listener);
  ~Engine();  // cancels everything and joins the worker
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Queue a long job; jobs run one at a time in submission order.
  std::uint64_t submit(std::unique_ptr<Job> job);
  // Request cancellation; the job sees it at its next step boundary.
  void cancel(std::uint64_t jobId);
  void cancelAll();
  // Paused jobs keep their state; stepOnce runs exactly one step of a paused job.
  void pause(std::uint64_t jobId);
  void resume(std::uint64_t jobId);
  void stepOnce(std::uint64_t jobId);
  JobState state(std::uint64_t jobId) const;

  // Run `fn` on the worker before the next job step. Exceptions become an
  // Error snapshot on `channel`. Interactive work must be short.
  void post(std::string channel, std::function<void(const std::function<void(Snapshot)>&)> fn);
  // Run `fn` on the worker and wait for it (for the CLI and tests; never
  // from the GUI thread).
  void runSync(std::function<void()> fn);

  // Busy (a job is queued or running) or idle.
  bool idle() const;
  // Blocks until no job is queued or running (CLI, tests).
  void waitIdle() const;

  // Worker-side name of the device ("cpu" or "cuda"), chosen once at start.
  static std::string deviceName();

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace genlab::core
