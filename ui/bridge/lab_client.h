#pragma once
// A lab's one way to talk to the engine. Every lab controller owns one:
//   - request(): run a function on the worker; its reply (or error) comes
//     back to a handler on the GUI thread;
//   - requestLatest(): the same with a latest-wins slot per channel (at most
//     one in flight; a newer call replaces the one waiting), for drags;
//   - submit(): a job, with a handler for its progress and one for its end
//     (finished with its result, cancelled, or failed with a message);
//   - setLive(): a live setting (beta, speed...) to a running job.
// Only this client's own snapshots reach its handlers. Torch-free.
#include <QObject>
#include <QString>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/engine/engine.h"
#include "core/engine/snapshot.h"

namespace genlab::ui {

class EngineBridge;

class LabClient : public QObject {
  Q_OBJECT

 public:
  using PayloadPtr = std::shared_ptr<const core::Payload>;
  // Runs on the worker; returns the reply's payload (may be null).
  using Work = std::function<PayloadPtr()>;
  using OnReply = std::function<void(const PayloadPtr&)>;
  using OnError = std::function<void(const QString& message)>;
  using OnSnapshot = std::function<void(const core::Snapshot&)>;

  // How a job ended: the one tail every lab handles the same way.
  struct JobEnd {
    enum class How { Finished, Cancelled, Failed } how = How::Finished;
    std::uint64_t job = 0;
    PayloadPtr result;  // the job's Result payload, when it sent one
    QString message;    // why it failed
    bool finished() const { return how == How::Finished; }
    bool cancelled() const { return how == How::Cancelled; }
    bool failed() const { return how == How::Failed; }
  };
  struct JobHandlers {
    OnSnapshot progress;                       // Progress and Reply snapshots of the job
    std::function<void(const JobEnd&)> ended;  // once, at the end
  };

  // `lab` prefixes this client's request channels ("latent" -> "latent.decode").
  LabClient(EngineBridge* bridge, std::string lab, QObject* parent = nullptr);
  ~LabClient() override;

  EngineBridge* bridge() const { return m_bridge; }
  // Where errors of requests without their own handler go: (what, message).
  void setErrorHandler(std::function<void(const QString& what, const QString& message)> h) {
    m_onError = std::move(h);
  }

  // One-shot request: `work` on the worker, then `onReply` on the GUI thread.
  // `what` names the request in error messages ("Save model").
  void request(const std::string& name, const QString& what, Work work, OnReply onReply,
               OnError onError = {});
  // Latest-wins request on slot `name`.
  void requestLatest(const std::string& name, const QString& what, Work work, OnReply onReply,
                     OnError onError = {});
  // Drops a latest-wins slot's waiting request (its reply, if one is in flight, still arrives).
  void clearLatest(const std::string& name);
  bool inFlight(const std::string& name) const;

  std::uint64_t submit(std::unique_ptr<core::Job> job, JobHandlers handlers);
  void cancel(std::uint64_t jobId);
  void pause(std::uint64_t jobId);
  void resume(std::uint64_t jobId);
  void stepOnce(std::uint64_t jobId);
  void setLive(std::uint64_t jobId, const std::string& key, double value);
  bool owns(std::uint64_t jobId) const { return m_jobs.count(jobId) > 0; }

  // Drops `object` on the worker, which owns the tensors inside it.
  template <class T>
  void releaseOnWorker(std::shared_ptr<T> object) {
    if (!object) return;
    post(m_lab + ".release", [object]() mutable -> PayloadPtr {
      object.reset();
      return nullptr;
    });
  }

  // Typed reply handler: `fn(std::shared_ptr<const T>)`, skipped when the
  // payload is not a T.
  template <class T, class Fn>
  static OnReply as(Fn fn) {
    return [fn = std::move(fn)](const PayloadPtr& p) {
      if (auto t = std::dynamic_pointer_cast<const T>(p)) fn(t);
    };
  }

  // Called by the bridge on the GUI thread.
  void dispatch(const core::Snapshot& s);

 private:
  struct Pending {
    QString what;
    OnReply onReply;
    OnError onError;
  };
  struct Slot {
    bool inFlight = false;
    bool waiting = false;
    QString what;
    Work work;
    OnReply onReply;
    OnError onError;
  };
  void post(const std::string& channel, Work work);
  void sendSlot(const std::string& channel, Slot& slot);
  void fail(const QString& what, const OnError& onError, const QString& message);

  EngineBridge* m_bridge;
  std::string m_lab;
  std::uint64_t m_next = 0;
  std::map<std::string, Pending> m_pending;  // one-shot requests by channel
  std::map<std::string, Slot> m_slots;       // latest-wins slots by channel
  struct JobEntry {
    JobHandlers handlers;
    PayloadPtr result;
  };
  std::map<std::uint64_t, JobEntry> m_jobs;
  std::function<void(const QString&, const QString&)> m_onError;
};

}  // namespace genlab::ui
