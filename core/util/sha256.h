#pragma once
// SHA-256 (FIPS 180-4) of bytes and of files, as lower-case hex: how an
// experiment file records which data it ran on.
#include <cstddef>
#include <cstdint>
#include <string>

namespace genlab::core {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t n);
  std::string hex();  // finishes; call once

 private:
  void block(const std::uint8_t* p);
  std::uint32_t m_h[8];
  std::uint8_t m_buf[64];
  std::size_t m_used = 0;
  std::uint64_t m_bytes = 0;
};

std::string sha256Hex(const std::string& bytes);
// Streams the file; throws std::runtime_error naming it when it cannot be read.
std::string sha256File(const std::string& path);

}  // namespace genlab::core
