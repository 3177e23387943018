#pragma once
// Value snapshots: what the worker hands to whoever listens (the ui bridge,
// the CLI, tests). Plain data only; no torch type ever crosses this line.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace genlab::core {

// An 8-bit image, row-major, `channels` interleaved (1 = grey, 3 = RGB).
struct Image {
  int width = 0;
  int height = 0;
  int channels = 1;
  std::vector<std::uint8_t> pixels;
  bool empty() const { return pixels.empty(); }
};

// Base of every lab-specific payload. Labs derive plain structs from it; the
// consumer recovers the concrete type with std::dynamic_pointer_cast.
struct Payload {
  virtual ~Payload() = default;
};

struct Snapshot {
  enum class Kind {
    Progress,  // a job's periodic state; per channel, the latest one wins
    Reply,     // the answer to an interactive request; per channel, latest wins
    Result,    // a job's final result; never dropped
    Error,     // a job or request failed; never dropped
    Cancelled,  // a job stopped on request; never dropped
    Finished    // a job ended normally (after its Result, if any); never dropped
  };
  Kind kind = Kind::Progress;
  std::string channel;  // e.g. "latent.progress", "latent.decode" (see <lab>_requests.h)
  std::uint64_t job = 0;
  std::string message;  // human-readable (errors, status)
  double progress = -1;  // 0..1 when known, else negative
  std::shared_ptr<const Payload> payload;

  bool droppable() const { return kind == Kind::Progress || kind == Kind::Reply; }
  // The last snapshot a job sends: Finished, Error or Cancelled.
  bool terminal() const {
    return job != 0 && (kind == Kind::Finished || kind == Kind::Error || kind == Kind::Cancelled);
  }

  // The answer to an interactive request on `channel`.
  static Snapshot reply(std::string channel, std::shared_ptr<const Payload> payload) {
    Snapshot s;
    s.kind = Kind::Reply;
    s.channel = std::move(channel);
    s.payload = std::move(payload);
    return s;
  }
  // A job's progress on `channel` (`fraction` 0..1, or negative when unknown).
  static Snapshot progressOf(std::string channel, std::shared_ptr<const Payload> payload,
                             double fraction = -1) {
    Snapshot s;
    s.kind = Kind::Progress;
    s.channel = std::move(channel);
    s.progress = fraction;
    s.payload = std::move(payload);
    return s;
  }
  // A job's final result on `channel`.
  static Snapshot result(std::string channel, std::shared_ptr<const Payload> payload) {
    Snapshot s;
    s.kind = Kind::Result;
    s.channel = std::move(channel);
    s.progress = 1.0;
    s.payload = std::move(payload);
    return s;
  }
};

}  // namespace genlab::core
