#include "core/data/read_limits.h"

#include <mutex>

namespace genlab::core {

namespace {
std::mutex g_mutex;
ReadLimits g_limits;
}  // namespace

ReadLimits readLimits() {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_limits;
}

void setReadLimits(const ReadLimits& limits) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_limits = limits;
}

std::string overLimit(std::uint64_t limit, const std::string& unit, const char* option) {
  return "more than the limit of " + std::to_string(limit) + " " + unit + " (raise it with " + option +
         " N)";
}

}  // namespace genlab::core
