#include "core/engine/engine.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

namespace genlab::core {

bool JobContext::publishDue(std::chrono::milliseconds interval) {
  const auto now = std::chrono::steady_clock::now();
  if (now - m_lastPublish < interval) return false;
  m_lastPublish = now;
  return true;
}

namespace {
struct Request {
  std::string channel;
  std::function<void(const std::function<void(Snapshot)>&)> fn;
};

struct JobEntry {
  std::uint64_t id = 0;
  std::unique_ptr<Job> job;
  std::atomic<bool> cancel{false};
  JobState state = JobState::Queued;
  int pendingSteps = 0;  // single steps requested while paused
  bool begun = false;
};
}  // namespace

struct Engine::Impl {
  Listener listener;
  mutable std::mutex mutex;
  mutable std::condition_variable wake;     // worker waits for work
  mutable std::condition_variable idleCv;   // waitIdle() waits for this
  std::deque<Request> requests;
  std::atomic<int> pendingRequests{0};  // readable without the mutex
  std::deque<std::shared_ptr<JobEntry>> jobs;       // queue; front is current
  std::map<std::uint64_t, JobState> finished;       // terminal states by id
  std::uint64_t nextId = 1;
  bool stopping = false;
  bool busy = false;  // worker is inside a step or request
  std::thread worker;

  void emit(const Snapshot& s) {
    if (listener) listener(s);
  }
  void loop();
  void serveRequests(std::unique_lock<std::mutex>& lock);
  void runJobStep(std::unique_lock<std::mutex>& lock, const std::shared_ptr<JobEntry>& e);
  void finishJob(const std::shared_ptr<JobEntry>& e, JobState st);
  bool workAvailable() const;
};

bool Engine::Impl::workAvailable() const {
  if (stopping || !requests.empty()) return true;
  if (jobs.empty()) return false;
  const auto& e = jobs.front();
  return e->state != JobState::Paused || e->pendingSteps > 0 || e->cancel.load();
}

void Engine::Impl::serveRequests(std::unique_lock<std::mutex>& lock) {
  while (!requests.empty()) {
    Request r = std::move(requests.front());
    requests.pop_front();
    --pendingRequests;
    busy = true;
    lock.unlock();
    auto send = [this](Snapshot s) { emit(s); };
    try {
      r.fn(send);
    } catch (const std::exception& ex) {
      Snapshot s;
      s.kind = Snapshot::Kind::Error;
      s.channel = r.channel;
      s.message = ex.what();
      emit(s);
    } catch (...) {
      Snapshot s;
      s.kind = Snapshot::Kind::Error;
      s.channel = r.channel;
      s.message = "unknown error in interactive request";
      emit(s);
    }
    lock.lock();
    busy = false;
  }
}

void Engine::Impl::finishJob(const std::shared_ptr<JobEntry>& e, JobState st) {
  e->state = st;
  finished[e->id] = st;
  if (!jobs.empty() && jobs.front() == e) jobs.pop_front();
}

void Engine::Impl::runJobStep(std::unique_lock<std::mutex>& lock,
                              const std::shared_ptr<JobEntry>& e) {
  if (e->state == JobState::Paused && e->pendingSteps > 0) --e->pendingSteps;
  if (e->state == JobState::Queued) e->state = JobState::Running;
  busy = true;
  lock.unlock();
  JobContext ctx(e->id, &e->cancel, [this](Snapshot s) { emit(s); }, &pendingRequests);
  const std::string name = e->job->name();
  JobState terminal = JobState::Running;
  std::string error;
  try {
    if (e->cancel.load()) {
      terminal = JobState::Cancelled;
    } else if (!e->begun) {
      e->begun = true;
      e->job->begin(ctx);
    }
    if (terminal != JobState::Running) {
    } else if (e->cancel.load()) {
      terminal = JobState::Cancelled;
    } else if (e->job->step(ctx)) {
      terminal = JobState::Finished;
    }
  } catch (const std::exception& ex) {
    terminal = JobState::Failed;
    error = ex.what();
  } catch (...) {
    terminal = JobState::Failed;
    error = "unknown error";
  }
  if (terminal != JobState::Running) {
    try {
      e->job->end(ctx, terminal == JobState::Cancelled);
    } catch (const std::exception& ex) {
      if (terminal != JobState::Failed) error = ex.what();
      terminal = JobState::Failed;
    } catch (...) {
      terminal = JobState::Failed;
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
    }
  }
  lock.lock();
  busy = false;
  if (terminal != JobState::Running) {
    finishJob(e, terminal);
    e->job.reset();  // free model memory held only by the job
  }
}

void Engine::Impl::loop() {
  std::unique_lock<std::mutex> lock(mutex);
  for (;;) {
    wake.wait(lock, [this] { return workAvailable(); });
    if (stopping) break;
    serveRequests(lock);
    if (!jobs.empty()) {
      auto e = jobs.front();
      if (e->state != JobState::Paused || e->pendingSteps > 0 || e->cancel.load())
        runJobStep(lock, e);
    }
    if (jobs.empty() && requests.empty()) idleCv.notify_all();
  }
  // Shutdown: end every job as cancelled, without further steps.
  while (!jobs.empty()) {
    auto e = jobs.front();
    e->cancel = true;
    lock.unlock();
    if (e->begun) {
      JobContext ctx(e->id, &e->cancel, [this](Snapshot s) { emit(s); });
      try { e->job->end(ctx, true); } catch (...) {}
    }
    lock.lock();
    finishJob(e, JobState::Cancelled);
  }
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
  e->job = std::move(job);
  std::uint64_t id;
  {
    std::lock_guard<std::mutex> g(m_impl->mutex);
    id = e->id = m_impl->nextId++;
    m_impl->jobs.push_back(e);
  }
  m_impl->wake.notify_all();
  return id;
}

void Engine::cancel(std::uint64_t jobId) {
  {
    std::lock_guard<std::mutex> g(m_impl->mutex);
    for (auto& e : m_impl->jobs)
      if (e->id == jobId) e->cancel = true;
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
  std::lock_guard<std::mutex> g(m_impl->mutex);
  for (auto& e : m_impl->jobs)
    if (e->id == jobId && (e->state == JobState::Running || e->state == JobState::Queued))
      e->state = JobState::Paused;
}

void Engine::resume(std::uint64_t jobId) {
  {
    std::lock_guard<std::mutex> g(m_impl->mutex);
    for (auto& e : m_impl->jobs)
      if (e->id == jobId && e->state == JobState::Paused) {
        e->state = JobState::Running;
        e->pendingSteps = 0;
      }
  }
  m_impl->wake.notify_all();
}

void Engine::stepOnce(std::uint64_t jobId) {
  {
    std::lock_guard<std::mutex> g(m_impl->mutex);
    for (auto& e : m_impl->jobs)
      if (e->id == jobId && e->state == JobState::Paused) ++e->pendingSteps;
  }
  m_impl->wake.notify_all();
}

JobState Engine::state(std::uint64_t jobId) const {
  std::lock_guard<std::mutex> g(m_impl->mutex);
  for (auto& e : m_impl->jobs)
    if (e->id == jobId) return e->state;
  auto it = m_impl->finished.find(jobId);
  return it == m_impl->finished.end() ? JobState::Unknown : it->second;
}

void Engine::post(std::string channel,
                  std::function<void(const std::function<void(Snapshot)>&)> fn) {
  {
    std::lock_guard<std::mutex> g(m_impl->mutex);
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
  return m_impl->jobs.empty() && m_impl->requests.empty() && !m_impl->busy;
}

void Engine::waitIdle() const {
  std::unique_lock<std::mutex> lock(m_impl->mutex);
  m_impl->idleCv.wait(lock, [this] {
    return m_impl->jobs.empty() && m_impl->requests.empty() && !m_impl->busy;
  });
}

}  // namespace genlab::core
