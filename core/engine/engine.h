#pragma once
// The worker-thread engine. One thread owns every model, optimizer and RNG.
// Callers post long jobs (run as resumable slices) and short interactive
// requests (served first, between slices). Results come back as Snapshots.
// Torch-free header: the ui includes it.
//
// Scheduling: every job runs in a lane (by default its name, e.g.
// "latent.train"; a lab's jobs of one kind queue behind each other). Lanes
// take turns one step at a time, so two labs training at once both advance;
// a paused job steps aside and never blocks another. Interactive requests go
// before every step.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/engine/snapshot.h"

namespace genlab::core {

class JobContext;

// A long computation split into steps of a few milliseconds each.
class Job {
 public:
  virtual ~Job() = default;
  virtual std::string name() const = 0;
  // Jobs of one lane run one after another; lanes take turns.
  virtual std::string lane() const { return name(); }
  // Torch intra-op threads this job's steps run with (its lab's measured
  // default, or the user's choice); 0 leaves the current setting.
  virtual int threads() const { return 0; }
  // Called once on the worker before the first step.
  virtual void begin(JobContext&) {}
  // One slice of work; return true when the job has finished.
  virtual bool step(JobContext& ctx) = 0;
  // Called once on the worker after the last step, or after cancel / error.
  virtual void end(JobContext&, bool cancelled) {}
};

// Live settings: numbers the GUI changes while a job runs (beta, speed,
// learning rate). Any thread sets; the job reads them between steps.
class LiveSettings {
 public:
  void set(const std::string& key, double value);
  // The value last set, or `fallback` when never set.
  double get(const std::string& key, double fallback) const;
  // The value set since the last take() of this key, if any.
  std::optional<double> take(const std::string& key);

 private:
  mutable std::mutex m_mutex;
  std::map<std::string, std::pair<double, bool>> m_values;  // value, changed
};

// What a job sees of the engine, for the job's whole life.
class JobContext {
 public:
  JobContext(std::uint64_t id, const std::atomic<bool>* cancel,
             std::function<void(Snapshot)> publish, const std::atomic<int>* pending = nullptr);
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
  // True at most every `interval` (default 50 ms = 20 updates/s) per `stream`:
  // a job calls it before building an expensive progress snapshot. The clock
  // lives as long as the job, so it throttles across steps.
  bool publishDue(std::chrono::milliseconds interval = std::chrono::milliseconds(50),
                  int stream = 0);
  // Live settings sent to this job (Engine::setLive).
  LiveSettings& live() { return *m_live; }

 private:
  std::uint64_t m_id;
  const std::atomic<bool>* m_cancel;
  std::function<void(Snapshot)> m_publish;
  const std::atomic<int>* m_pending;
  std::map<int, std::chrono::steady_clock::time_point> m_lastPublish;
  std::shared_ptr<LiveSettings> m_live;
};

// Process-wide settings for steady-state training, called once by each
// executable's main(): freed tensor buffers stay in the heap instead of going
// back to the OS and faulting in again at the next step (glibc's malloc
// otherwise maps and unmaps blocks of a few hundred kB every step).
void configureProcess();

enum class JobState { Queued, Running, Paused, Finished, Cancelled, Failed, Unknown };

class Engine {
 public:
  using Listener = std::function<void(const Snapshot&)>;
  // The listener is called on the worker thread; it must be quick and
  // thread-safe (the ui bridge coalesces and forwards to the GUI thread).
  // An exception it throws is swallowed: it never reaches the worker.
  explicit Engine(Listener listener);
  ~Engine();  // cancels everything, ends every job, joins the worker
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Queue a long job in its lane (Job::lane()).
  std::uint64_t submit(std::unique_ptr<Job> job);
  // Request cancellation; the job sees it at its next step boundary (and
  // long steps poll JobContext::cancelled()).
  void cancel(std::uint64_t jobId);
  void cancelAll();
  // Paused jobs keep their state and step aside; stepOnce runs exactly one
  // step of a paused job.
  void pause(std::uint64_t jobId);
  void resume(std::uint64_t jobId);
  void stepOnce(std::uint64_t jobId);
  JobState state(std::uint64_t jobId) const;
  // Torch intra-op threads for every job step from now on, whatever the
  // job's own default (Job::threads()); 0 goes back to the jobs' defaults.
  // The CLI's --threads.
  void setThreads(int threads);
  // Sets a live setting of a queued or running job (no effect once it ended).
  void setLive(std::uint64_t jobId, const std::string& key, double value);

  // Run `fn` on the worker before the next job step. Exceptions become an
  // Error snapshot on `channel`. Interactive work must be short.
  void post(std::string channel, std::function<void(const std::function<void(Snapshot)>&)> fn);
  // Run `fn` on the worker and wait for it (for the CLI and tests; never
  // from the GUI thread).
  void runSync(std::function<void()> fn);

  // Idle: no request waiting and no job that can run (paused jobs do not count).
  bool idle() const;
  // Blocks until idle (CLI, tests). Returns at once when only paused jobs remain.
  void waitIdle() const;

  // The longest job step and the longest interactive request so far, in
  // milliseconds (benchmarks report them; resetSliceStats starts over).
  double longestStepMs() const;
  double longestRequestMs() const;
  void resetSliceStats();

  // Worker-side name of the device ("cpu" or "cuda"), chosen once at start.
  static std::string deviceName();
  // Torch intra-op threads of the last job step (0 before any); any thread.
  static int workerThreads();

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace genlab::core
