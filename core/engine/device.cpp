#include "core/engine/device.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include <malloc.h>

#include <atomic>

#include "core/engine/engine.h"

namespace genlab::core {

c10::Device defaultDevice() {
  static const c10::Device dev =
      torch::cuda::is_available() ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
  return dev;
}

namespace {
std::atomic<int> g_workerThreads{0};
}

void setTorchThreads(int n) {
  if (n > 0 && n != at::get_num_threads()) at::set_num_threads(n);
}

void configureProcess() {
  // Blocks up to 64 MB come from the heap, and the heap keeps up to 256 MB
  // free before trimming: a training step's buffers are reused, not refaulted.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

int torchThreads() { return at::get_num_threads(); }

int Engine::workerThreads() { return g_workerThreads.load(); }

namespace detail {
void noteWorkerThreads(int n) { g_workerThreads = n; }
}

std::string Engine::deviceName() { return defaultDevice().is_cuda() ? "cuda" : "cpu"; }

}  // namespace genlab::core
