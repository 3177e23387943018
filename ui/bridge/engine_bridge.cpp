#include "ui/bridge/engine_bridge.h"

#include "ui/bridge/lab_client.h"

#include <QMetaObject>
#include <QMetaType>

#include <algorithm>
#include <utility>

namespace genlab::ui {

EngineBridge::EngineBridge(QObject* parent) : QObject(parent) {
  qRegisterMetaType<core::Snapshot>("genlab::core::Snapshot");
  m_engine = std::make_unique<core::Engine>(
      [this](const core::Snapshot& s) { onWorkerSnapshot(s); });
}

EngineBridge::~EngineBridge() {
  // Joins the worker: after this no listener call can reach `this`. Posted
  // deliveries still queued for this object are discarded by Qt.
  m_engine.reset();
}

void EngineBridge::onWorkerSnapshot(const core::Snapshot& s) {
  bool schedule = false;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (s.droppable()) {
      // The latest droppable snapshot of a channel supersedes an undelivered
      // older one; it moves to the back so that order with results is kept.
      auto same = [&s](const core::Snapshot& p) {
        return p.droppable() && p.kind == s.kind && p.channel == s.channel;
      };
      m_pending.erase(std::remove_if(m_pending.begin(), m_pending.end(), same),
                      m_pending.end());
    }
    m_pending.push_back(s);
    if (!m_deliveryScheduled) {
      m_deliveryScheduled = true;
      schedule = true;
    }
  }
  if (schedule)
    QMetaObject::invokeMethod(this, &EngineBridge::deliver, Qt::QueuedConnection);
}

void EngineBridge::deliver() {
  std::deque<core::Snapshot> batch;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    batch.swap(m_pending);
    m_deliveryScheduled = false;
  }
  ++m_batches;
  for (const core::Snapshot& s : batch) {
    ++m_delivered;
    LabClient* owner = nullptr;
    if (s.job != 0) {
      auto it = m_jobRoutes.find(s.job);
      if (it != m_jobRoutes.end()) owner = it->second;
      if (s.terminal() && it != m_jobRoutes.end()) m_jobRoutes.erase(it);
    } else {
      auto it = m_channelRoutes.find(s.channel);
      if (it != m_channelRoutes.end()) owner = it->second;
    }
    if (owner) owner->dispatch(s);
    Q_EMIT snapshot(s);
  }
}

void EngineBridge::post(const std::string& channel, PostFn fn) {
  m_engine->post(channel, std::move(fn));
}

std::uint64_t EngineBridge::submit(std::unique_ptr<core::Job> job) {
  return m_engine->submit(std::move(job));
}

void EngineBridge::cancel(std::uint64_t jobId) { m_engine->cancel(jobId); }
void EngineBridge::setLive(std::uint64_t jobId, const std::string& key, double value) {
  m_engine->setLive(jobId, key, value);
}
double EngineBridge::longestStepMs() const { return m_engine->longestStepMs(); }
double EngineBridge::longestRequestMs() const { return m_engine->longestRequestMs(); }

void EngineBridge::route(std::uint64_t jobId, LabClient* client) { m_jobRoutes[jobId] = client; }
void EngineBridge::route(const std::string& channel, LabClient* client) {
  m_channelRoutes[channel] = client;
}
void EngineBridge::unroute(const std::string& channel) { m_channelRoutes.erase(channel); }
void EngineBridge::forget(LabClient* client) {
  for (auto it = m_jobRoutes.begin(); it != m_jobRoutes.end();)
    it = it->second == client ? m_jobRoutes.erase(it) : std::next(it);
  for (auto it = m_channelRoutes.begin(); it != m_channelRoutes.end();)
    it = it->second == client ? m_channelRoutes.erase(it) : std::next(it);
}
void EngineBridge::cancelAll() { m_engine->cancelAll(); }
void EngineBridge::pause(std::uint64_t jobId) { m_engine->pause(jobId); }
void EngineBridge::resume(std::uint64_t jobId) { m_engine->resume(jobId); }
void EngineBridge::stepOnce(std::uint64_t jobId) { m_engine->stepOnce(jobId); }

core::JobState EngineBridge::state(std::uint64_t jobId) const {
  return m_engine->state(jobId);
}

QString EngineBridge::deviceName() {
  const std::string name = core::Engine::deviceName();
  return name.rfind("cuda", 0) == 0 ? QStringLiteral("CUDA") : QStringLiteral("CPU");
}

}  // namespace genlab::ui
