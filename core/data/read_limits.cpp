#include "core/data/read_limits.h"

#include <pthread.h>

#include <mutex>

namespace genlab::core {

namespace {
std::mutex g_mutex;
ReadLimits g_limits;

// Readers may run in a forked child (core/data/child_read.h); the child
// must not inherit this lock held by a thread that is not there.
const int g_forkSafe = ::pthread_atfork([] { g_mutex.lock(); }, [] { g_mutex.unlock(); },
                                        [] { g_mutex.unlock(); });
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
