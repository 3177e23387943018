#include "core/engine/device.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include "core/engine/engine.h"

namespace genlab::core {

c10::Device defaultDevice() {
  static const c10::Device dev =
      torch::cuda::is_available() ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
  return dev;
}

void setTorchThreads(int n) {
  if (n > 0) at::set_num_threads(n);
}

std::string Engine::deviceName() { return defaultDevice().is_cuda() ? "cuda" : "cpu"; }

}  // namespace genlab::core
