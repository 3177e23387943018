#pragma once
// For targets whose reader takes a path: the input written to a file of this
// process's own (libFuzzer's -fork=N and -jobs=N run several processes).
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>

namespace genlab::fuzz {

inline std::string scratchPath(const std::string& suffix) {
  return "/tmp/genlab-fuzz-" + std::to_string(::getpid()) + suffix;
}

inline void writeFile(const std::string& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string_view view(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace genlab::fuzz
