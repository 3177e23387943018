#include "core/engine/engine.h"

#include "core/engine/device.h"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <exception>
#include <thread>
#include <vector>

namespace genlab::core {

namespace detail {
void noteWorkerThreads(int n);  // device.cpp
}

void LiveSettings::set(const std::string& key, double value) {
  std::lock_guard<std::mutex> g(m_mutex);
  m_values[key] = {value, true};
}

double LiveSettings::get(const std::string& key, double fallback) const {
  std::lock_guard<std::mutex> g(m_mutex);
  auto it = m_values.find(key);
  return it == m_values.end() ? fallback : it->second.first;
}

std::optional<double> LiveSettings::take(const std::string& key) {
  std::lock_guard<std::mutex> g(m_mutex);
  auto it = m_values.find(key);
  if (it == m_values.end() || !it->second.second) return std::nullopt;
  it->second.second = false;
  return it->second.first;
}

JobContext::JobContext(std::uint64_t id, const std::atomic<bool>* cancel,
                       std::function<void(Snapshot)> publish, const std::atomic<int>* pending)
    : m_id(id),
      m_cancel(cancel),
      m_publish(std::move(publish)),
      m_pending(pending),
      m_live(std::make_shared<LiveSettings>()) {}

bool JobContext::publishDue(std::chrono::milliseconds interval, int stream) {
  const auto now = std::chrono::steady_clock::now();
  auto it = m_lastPublish.find(stream);
  if (it != m_lastPublish.end() && now - it->second < interval) return false;
  m_lastPublish[stream] = now;
  return true;
}

namespace {
using Clock = std::chrono::steady_clock;

struct Request {
  std::string channel;
  std::function<void(const std::function<void(Snapshot)>&)> fn;
};

struct JobEntry {
  std::uint64_t id = 0;
  std::string lane;
  std::unique_ptr<Job> job;
  std::unique_ptr<JobContext> ctx;  // one for the job's whole life
  std::atomic<bool> cancel{false};
  JobState state = JobState::Queued;
  int pendingSteps = 0;  // single steps requested while paused
  bool begun = false;

  bool runnable() const {
    return state != JobState::Paused || pendingSteps > 0 || cancel.load();
  }
};

// GENLAB_TRACE_SLICES=MS: every job slice (begin, step, end) or request
// longer than MS milliseconds is named on stderr, to find what a click waits
// behind (bench/slices.sh). Unset: nothing is printed.
double traceSlicesMs() {
  static const double ms = [] {
    const char* v = std::getenv("GENLAB_TRACE_SLICES");
    return v && *v ? std::atof(v) : -1.0;
  }();
  return ms;
}

void traceSlice(const std::string& what, const char* phase, Clock::time_point since) {
  const double limit = traceSlicesMs();
  if (limit < 0) return;
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - since).count();
  if (ms > limit) std::fprintf(stderr, "genlab slice: %s %s %.1f ms\n", what.c_str(), phase, ms);
}

long long microsSince(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t).count();
}

void raiseTo(std::atomic<long long>& max, long long v) {
  long long cur = max.load();
  while (v > cur && !max.compare_exchange_weak(cur, v)) {
  }
}
}  // namespace

struct Engine::Impl {
  Listener listener;
  mutable std::mutex mutex;
  mutable std::condition_variable wake;     // worker waits for work
  mutable std::condition_variable idleCv;   // waitIdle() waits for this
  std::deque<Request> requests;
  std::atomic<int> pendingRequests{0};  // readable without the mutex
  std::deque<std::shared_ptr<JobEntry>> jobs;       // submission order, all lanes
  std::map<std::uint64_t, JobState> finished;       // terminal states by id
  std::map<std::string, std::uint64_t> laneOrder;   // lane -> first-seen rank
  std::uint64_t nextLaneRank = 0;
  std::uint64_t lastLaneRank = 0;  // the lane that ran the last step
  std::uint64_t nextId = 1;
  bool stopping = false;
  bool busy = false;  // worker is inside a step or request
  std::atomic<long long> longestStepUs{0}, longestRequestUs{0};
  std::atomic<int> fixedThreads{0};
  std::thread worker;

  // Never lets a listener's exception (bad_alloc in a consumer, say) reach
  // the worker: inside a catch block it would end in std::terminate.
  void emit(const Snapshot& s) noexcept {
    if (!listener) return;
    try {
      listener(s);
    } catch (...) {
    }
  }
  void loop();
  void serveRequests(std::unique_lock<std::mutex>& lock);
  void runJobStep(std::unique_lock<std::mutex>& lock, const std::shared_ptr<JobEntry>& e);
  void finishJob(const std::shared_ptr<JobEntry>& e, JobState st);
  std::shared_ptr<JobEntry> pickNext();
  bool anyRunnable() const {
    return std::any_of(jobs.begin(), jobs.end(), [](const auto& e) { return e->runnable(); });
  }
  bool workAvailable() const { return stopping || !requests.empty() || anyRunnable(); }
  bool isIdle() const { return requests.empty() && !busy && !anyRunnable(); }
  JobEntry* find(std::uint64_t id) const {
    for (const auto& e : jobs)
      if (e->id == id) return e.get();
    return nullptr;
  }
};

// Round robin over lanes: the first runnable job of the lane that comes next
// after the one that ran last. A paused job steps aside for the next in its lane.
std::shared_ptr<JobEntry> Engine::Impl::pickNext() {
  std::shared_ptr<JobEntry> best, wrap;
  std::uint64_t bestRank = 0, wrapRank = 0;
  std::map<std::string, bool> seen;
  for (const auto& e : jobs) {
    if (!e->runnable() || seen[e->lane]) continue;
    seen[e->lane] = true;
    const std::uint64_t rank = laneOrder[e->lane];
    if (rank > lastLaneRank && (!best || rank < bestRank)) best = e, bestRank = rank;
    if (!wrap || rank < wrapRank) wrap = e, wrapRank = rank;
  }
  if (!best) best = wrap, bestRank = wrapRank;
  if (best) lastLaneRank = bestRank;
  return best;
}

void Engine::Impl::serveRequests(std::unique_lock<std::mutex>& lock) {
  while (!requests.empty()) {
    Request r = std::move(requests.front());
    requests.pop_front();
    --pendingRequests;
    busy = true;
    lock.unlock();
    const auto start = Clock::now();
    auto send = [this](Snapshot s) { emit(s); };
    std::string error;
    try {
      r.fn(send);
    } catch (const std::exception& ex) {
      error = ex.what();
      if (error.empty()) error = "interactive request failed";
    } catch (...) {
      error = "unknown error in interactive request";
    }
    if (!error.empty()) {
      Snapshot s;
      s.kind = Snapshot::Kind::Error;
      s.channel = r.channel;
      s.message = error;
      emit(s);
    }
    traceSlice(r.channel, "request", start);
    raiseTo(longestRequestUs, microsSince(start));
    lock.lock();
    busy = false;
  }
}

void Engine::Impl::finishJob(const std::shared_ptr<JobEntry>& e, JobState st) {
  e->state = st;
  finished[e->id] = st;
  jobs.erase(std::remove(jobs.begin(), jobs.end(), e), jobs.end());
}

void Engine::Impl::runJobStep(std::unique_lock<std::mutex>& lock,
                              const std::shared_ptr<JobEntry>& e) {
  if (e->state == JobState::Paused && e->pendingSteps > 0) --e->pendingSteps;
  if (e->state == JobState::Queued) e->state = JobState::Running;
  busy = true;
  lock.unlock();
  const auto start = Clock::now();
  JobContext& ctx = *e->ctx;
  if (const int t = fixedThreads > 0 ? fixedThreads.load() : e->job->threads(); t > 0)
    setTorchThreads(t);
  detail::noteWorkerThreads(torchThreads());
  const std::string name = e->job->name();
  JobState terminal = JobState::Running;
  std::string error;
  try {
    if (e->cancel.load()) {
      terminal = JobState::Cancelled;
    } else {
      if (!e->begun) {
        e->begun = true;
        const auto t = Clock::now();
        e->job->begin(ctx);
        traceSlice(name, "begin", t);
      }
      const auto t = Clock::now();
      if (e->cancel.load()) terminal = JobState::Cancelled;
      else if (e->job->step(ctx)) terminal = JobState::Finished;
      traceSlice(name, "step", t);
    }
  } catch (const std::exception& ex) {
    terminal = JobState::Failed;
    error = ex.what();
  } catch (...) {
    terminal = JobState::Failed;
    error = "unknown error";
  }
  // A step that saw the cancel flag and returned early is a cancellation.
  if (terminal == JobState::Running && e->cancel.load()) terminal = JobState::Cancelled;
  if (terminal != JobState::Running) {
    if (e->begun) {
      const auto t = Clock::now();
      try {
        e->job->end(ctx, terminal == JobState::Cancelled);
        traceSlice(name, "end", t);
      } catch (const std::exception& ex) {
        if (terminal != JobState::Failed) error = ex.what();
        terminal = JobState::Failed;
      } catch (...) {
        terminal = JobState::Failed;
      }
      // Cancelled while ending (a long end, e.g. a nullspace split, stops early).
      if (terminal == JobState::Finished && e->cancel.load()) terminal = JobState::Cancelled;
    }
    Snapshot s;
    s.job = e->id;
    s.channel = name;
    if (terminal == JobState::Failed) {
      s.kind = Snapshot::Kind::Error;
      s.message = error.empty() ? "job failed" : error;
      emit(s);
    } else if (terminal == JobState::Cancelled) {
      s.kind = Snapshot::Kind::Cancelled;
      s.message = "cancelled";
      emit(s);
    } else {
      s.kind = Snapshot::Kind::Finished;
      s.progress = 1.0;
      emit(s);
    }
  }
  raiseTo(longestStepUs, microsSince(start));
  lock.lock();
  busy = false;
  if (terminal != JobState::Running) {
    finishJob(e, terminal);
    lock.unlock();
    e->job.reset();  // free model memory held only by the job, outside the lock
    lock.lock();
  }
}

void Engine::Impl::loop() {
  std::unique_lock<std::mutex> lock(mutex);
  for (;;) {
    wake.wait(lock, [this] { return workAvailable(); });
    if (stopping) break;
    serveRequests(lock);
    if (stopping) break;
    if (auto e = pickNext()) runJobStep(lock, e);
    if (isIdle()) idleCv.notify_all();
  }
  // Shutdown: end every job as cancelled, without further steps.
  while (!jobs.empty()) {
    auto e = jobs.front();
    e->cancel = true;
    lock.unlock();
    if (e->begun) {
      try {
        e->job->end(*e->ctx, true);
      } catch (...) {
      }
    }
    Snapshot s;
    s.kind = Snapshot::Kind::Cancelled;
    s.job = e->id;
    s.channel = e->lane;
    s.message = "cancelled (quitting)";
    emit(s);
    lock.lock();
    finishJob(e, JobState::Cancelled);
    lock.unlock();
    e->job.reset();
    lock.lock();
  }
  requests.clear();
  pendingRequests = 0;
  idleCv.notify_all();
}

Engine::Engine(Listener listener) : m_impl(std::make_unique<Impl>()) {
  m_impl->listener = std::move(listener);
  m_impl->worker = std::thread([this] { m_impl->loop(); });
}

Engine::~Engine() {
  {
    std::lock_guard<std::mutex> g(m_impl->mutex);
    m_impl->stopping = true;
    for (auto& e : m_impl->jobs) e->cancel = true;
  }
  m_impl->wake.notify_all();
  if (m_impl->worker.joinable()) m_impl->worker.join();
}

std::uint64_t Engine::submit(std::unique_ptr<Job> job) {
  auto e = std::make_shared<JobEntry>();
  e->lane = job->lane();
  e->job = std::move(job);
  std::uint64_t id;
  {
    std::lock_guard<std::mutex> g(m_impl->mutex);
    id = e->id = m_impl->nextId++;
    Impl* impl = m_impl.get();
    e->ctx = std::make_unique<JobContext>(
        id, &e->cancel, [impl](Snapshot s) { impl->emit(s); }, &impl->pendingRequests);
    if (!impl->laneOrder.count(e->lane)) impl->laneOrder[e->lane] = ++impl->nextLaneRank;
    impl->jobs.push_back(e);
  }
  m_impl->wake.notify_all();
  return id;
}

void Engine::cancel(std::uint64_t jobId) {
  {
    std::lock_guard<std::mutex> g(m_impl->mutex);
    if (JobEntry* e = m_impl->find(jobId)) e->cancel = true;
  }
  m_impl->wake.notify_all();
}

void Engine::cancelAll() {
  {
    std::lock_guard<std::mutex> g(m_impl->mutex);
    for (auto& e : m_impl->jobs) e->cancel = true;
  }
  m_impl->wake.notify_all();
}

void Engine::pause(std::uint64_t jobId) {
  {
    std::lock_guard<std::mutex> g(m_impl->mutex);
    JobEntry* e = m_impl->find(jobId);
    if (e && (e->state == JobState::Running || e->state == JobState::Queued))
      e->state = JobState::Paused;
  }
  m_impl->idleCv.notify_all();  // waitIdle() does not wait for paused jobs
}

void Engine::resume(std::uint64_t jobId) {
  {
    std::lock_guard<std::mutex> g(m_impl->mutex);
    JobEntry* e = m_impl->find(jobId);
    if (e && e->state == JobState::Paused) {
      e->state = e->begun ? JobState::Running : JobState::Queued;
      e->pendingSteps = 0;
    }
  }
  m_impl->wake.notify_all();
}

void Engine::stepOnce(std::uint64_t jobId) {
  {
    std::lock_guard<std::mutex> g(m_impl->mutex);
    JobEntry* e = m_impl->find(jobId);
    if (e && e->state == JobState::Paused) ++e->pendingSteps;
  }
  m_impl->wake.notify_all();
}

JobState Engine::state(std::uint64_t jobId) const {
  std::lock_guard<std::mutex> g(m_impl->mutex);
  if (const JobEntry* e = m_impl->find(jobId)) return e->state;
  auto it = m_impl->finished.find(jobId);
  return it == m_impl->finished.end() ? JobState::Unknown : it->second;
}

void Engine::setThreads(int threads) { m_impl->fixedThreads = std::max(0, threads); }

void Engine::setLive(std::uint64_t jobId, const std::string& key, double value) {
  std::lock_guard<std::mutex> g(m_impl->mutex);
  if (JobEntry* e = m_impl->find(jobId)) e->ctx->live().set(key, value);
}

void Engine::post(std::string channel,
                  std::function<void(const std::function<void(Snapshot)>&)> fn) {
  {
    std::lock_guard<std::mutex> g(m_impl->mutex);
    if (m_impl->stopping) return;
    m_impl->requests.push_back(Request{std::move(channel), std::move(fn)});
    ++m_impl->pendingRequests;
  }
  m_impl->wake.notify_all();
}

void Engine::runSync(std::function<void()> fn) {
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  std::exception_ptr err;
  post("sync", [&](const std::function<void(Snapshot)>&) {
    try {
      fn();
    } catch (...) {
      err = std::current_exception();
    }
    std::lock_guard<std::mutex> g(m);
    done = true;
    cv.notify_all();
  });
  std::unique_lock<std::mutex> lk(m);
  cv.wait(lk, [&] { return done; });
  if (err) std::rethrow_exception(err);
}

bool Engine::idle() const {
  std::lock_guard<std::mutex> g(m_impl->mutex);
  return m_impl->isIdle();
}

void Engine::waitIdle() const {
  std::unique_lock<std::mutex> lock(m_impl->mutex);
  m_impl->idleCv.wait(lock, [this] { return m_impl->isIdle() || m_impl->stopping; });
}

double Engine::longestStepMs() const { return m_impl->longestStepUs.load() / 1000.0; }
double Engine::longestRequestMs() const { return m_impl->longestRequestUs.load() / 1000.0; }
void Engine::resetSliceStats() {
  m_impl->longestStepUs = 0;
  m_impl->longestRequestUs = 0;
}

}  // namespace genlab::core
