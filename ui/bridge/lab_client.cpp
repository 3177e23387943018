#include "ui/bridge/lab_client.h"

#include <utility>

#include "ui/bridge/engine_bridge.h"

namespace genlab::ui {

using core::Snapshot;

LabClient::LabClient(EngineBridge* bridge, std::string lab, QObject* parent)
    : QObject(parent), m_bridge(bridge), m_lab(std::move(lab)) {}

LabClient::~LabClient() {
  for (const auto& [id, h] : m_jobs) m_bridge->cancel(id);
  m_bridge->forget(this);
}

void LabClient::post(const std::string& channel, Work work) {
  m_bridge->post(channel, [channel, work = std::move(work)](const EngineBridge::Send& send) {
    send(Snapshot::reply(channel, work()));
  });
}

void LabClient::fail(const QString& what, const OnError& onError, const QString& message) {
  if (onError) onError(message);
  else if (m_onError) m_onError(what, message);
}

void LabClient::request(const std::string& name, const QString& what, Work work,
                        OnReply onReply, OnError onError) {
  // A channel of its own: two requests of one kind never replace each other.
  const std::string channel = m_lab + "." + name + "#" + std::to_string(++m_next);
  m_pending[channel] = Pending{what, std::move(onReply), std::move(onError)};
  m_bridge->route(channel, this);
  post(channel, std::move(work));
}

void LabClient::requestLatest(const std::string& name, const QString& what, Work work,
                              OnReply onReply, OnError onError) {
  const std::string channel = m_lab + "." + name;
  Slot& slot = m_slots[channel];
  slot.what = what;
  slot.work = std::move(work);
  slot.onReply = std::move(onReply);
  slot.onError = std::move(onError);
  slot.waiting = true;
  if (!slot.inFlight) sendSlot(channel, slot);
}

void LabClient::clearLatest(const std::string& name) {
  auto it = m_slots.find(m_lab + "." + name);
  if (it != m_slots.end()) it->second.waiting = false;
}

bool LabClient::inFlight(const std::string& name) const {
  auto it = m_slots.find(m_lab + "." + name);
  return it != m_slots.end() && it->second.inFlight;
}

void LabClient::sendSlot(const std::string& channel, Slot& slot) {
  slot.waiting = false;
  slot.inFlight = true;
  m_bridge->route(channel, this);
  post(channel, slot.work);
}

std::uint64_t LabClient::submit(std::unique_ptr<core::Job> job, JobHandlers handlers) {
  const std::uint64_t id = m_bridge->submit(std::move(job));
  m_jobs[id] = JobEntry{std::move(handlers), nullptr};
  m_bridge->route(id, this);
  return id;
}

void LabClient::cancel(std::uint64_t jobId) {
  if (owns(jobId)) m_bridge->cancel(jobId);
}
void LabClient::pause(std::uint64_t jobId) {
  if (owns(jobId)) m_bridge->pause(jobId);
}
void LabClient::resume(std::uint64_t jobId) {
  if (owns(jobId)) m_bridge->resume(jobId);
}
void LabClient::stepOnce(std::uint64_t jobId) {
  if (owns(jobId)) m_bridge->stepOnce(jobId);
}
void LabClient::setLive(std::uint64_t jobId, const std::string& key, double value) {
  if (owns(jobId)) m_bridge->setLive(jobId, key, value);
}

void LabClient::dispatch(const Snapshot& s) {
  if (s.job != 0) {
    auto it = m_jobs.find(s.job);
    if (it == m_jobs.end()) return;
    JobEntry& e = it->second;
    if (s.kind == Snapshot::Kind::Progress || s.kind == Snapshot::Kind::Reply) {
      if (e.handlers.progress) e.handlers.progress(s);
      return;
    }
    if (s.kind == Snapshot::Kind::Result) {
      e.result = s.payload;
      return;
    }
    // The end: take the entry out first (the handler may submit a new job).
    JobEntry done = std::move(e);
    m_jobs.erase(it);
    JobEnd end;
    end.job = s.job;
    end.result = done.result;
    if (s.kind == Snapshot::Kind::Cancelled) end.how = JobEnd::How::Cancelled;
    if (s.kind == Snapshot::Kind::Error) {
      end.how = JobEnd::How::Failed;
      end.message = QString::fromStdString(s.message);
    }
    if (done.handlers.ended) done.handlers.ended(end);
    else if (end.failed() && m_onError) m_onError(QString::fromStdString(s.channel), end.message);
    return;
  }
  const bool error = s.kind == Snapshot::Kind::Error;
  if (auto it = m_pending.find(s.channel); it != m_pending.end()) {
    Pending p = std::move(it->second);
    m_pending.erase(it);
    m_bridge->unroute(s.channel);
    if (error) fail(p.what, p.onError, QString::fromStdString(s.message));
    else if (p.onReply) p.onReply(s.payload);
    return;
  }
  if (auto it = m_slots.find(s.channel); it != m_slots.end()) {
    Slot& slot = it->second;
    slot.inFlight = false;
    // Copies: a handler may call requestLatest() and replace them.
    const OnReply onReply = slot.onReply;
    const OnError onError = slot.onError;
    const QString what = slot.what;
    if (slot.waiting) sendSlot(s.channel, slot);  // the newest wish goes out before drawing
    if (error) fail(what, onError, QString::fromStdString(s.message));
    else if (onReply) onReply(s.payload);
  }
}

}  // namespace genlab::ui
