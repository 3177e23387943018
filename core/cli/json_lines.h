#pragma once
// What every CLI command shares when it prints a job's snapshots: one JSON
// object per line under --json, at most one progress line a second, the last
// error a job reported, and numbers that are honest (`null`, never 0, when a
// value cannot be computed). Snapshots arrive on the engine's thread: hold
// `mutex` while handling one. Torch-free.
#include <chrono>
#include <cmath>
#include <mutex>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "core/engine/snapshot.h"

namespace genlab::core::cli {

using Json = nlohmann::ordered_json;

// JSON has no NaN or infinity: a value that is not finite prints as null
// (with a `<key>_note` saying why, where the caller knows).
inline Json number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }
// `j[key] = number(v)`, plus `<key>_note` saying why when it is null.
inline void putMetric(Json& j, const std::string& key, double v) {
  j[key] = number(v);
  if (std::isnan(v)) j[key + "_note"] = "cannot be computed: no ground truth to compare with";
  else if (std::isinf(v)) j[key + "_note"] = "infinite: the result equals the reference exactly";
}
// count / seconds, or null when no time has passed to divide by.
inline Json rate(double count, double seconds) {
  return seconds > 0 && std::isfinite(count / seconds) ? Json(count / seconds) : Json(nullptr);
}

class JsonLines {
 public:
  JsonLines(std::ostream& out, bool json) : m_out(out), m_json(json) {}
  std::ostream& out() { return m_out; }
  bool asJson() const { return m_json; }
  std::mutex mutex;
  std::string error;  // the last error a job or request reported

  // Prints `j` under --json; else nothing (commands print text themselves).
  void line(const Json& j) {
    if (m_json) m_out << j.dump() << std::endl;
  }
  // Keeps the message of an Error snapshot. Call with every snapshot.
  void note(const Snapshot& s) {
    if (s.kind == Snapshot::Kind::Error) error = s.message;
  }
  // True at most once a second: a progress line is due.
  bool progressDue() {
    const auto now = std::chrono::steady_clock::now();
    if (m_last.time_since_epoch().count() != 0 && now - m_last < std::chrono::seconds(1))
      return false;
    m_last = now;
    return true;
  }

 private:
  std::ostream& m_out;
  bool m_json;
  std::chrono::steady_clock::time_point m_last{};
};

}  // namespace genlab::core::cli
