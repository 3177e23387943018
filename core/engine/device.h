#pragma once
// Device choice for core code (torch side). CUDA when available, else CPU.
#include <c10/core/Device.h>
#include <string>

namespace genlab::core {
c10::Device defaultDevice();
// Sets torch intra-op threads on the calling thread; 0 keeps the library default.
void setTorchThreads(int n);
// Torch intra-op threads the calling thread runs with now.
int torchThreads();

}  // namespace genlab::core
