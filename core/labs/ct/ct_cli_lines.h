#pragma once
// What the CT commands share when they print a job's snapshots: one JSON line
// per event under --json, at most one progress line a second, and the last
// error the job reported. Torch-free.
#include <chrono>
#include <cmath>
#include <mutex>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "core/engine/engine.h"

namespace genlab::core::ct {

// JSON has no NaN or infinity: a metric that is not finite prints as 0.
inline double finiteOr0(double v) { return std::isfinite(v) ? v : 0.0; }

struct JsonLines {
  JsonLines(std::ostream& o, bool json) : out(o), asJson(json) {}
  std::ostream& out;
  bool asJson;
  std::mutex mutex;  // snapshots arrive on the engine's thread
  std::chrono::steady_clock::time_point last{};
  std::string error;

  void line(const nlohmann::ordered_json& j) {
    if (asJson) out << j.dump() << std::endl;
  }
  // Call under `mutex` with every snapshot: keeps an error, and says whether
  // a progress line is due when the snapshot carries progress.
  bool progressDue(const Snapshot& s, bool isProgress) {
    if (s.kind == Snapshot::Kind::Error) error = s.message;
    if (!isProgress) return false;
    const auto now = std::chrono::steady_clock::now();
    if (now - last < std::chrono::seconds(1)) return false;
    last = now;
    return true;
  }
};

}  // namespace genlab::core::ct
