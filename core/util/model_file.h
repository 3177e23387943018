#pragma once
// GenLab's model file: versioned, checksummed, torch-independent container.
//   "GENLABMF" | u32 version | u32 header length | header JSON | payload | u32 crc32
// The header names the lab, carries lab metadata (options, provenance,
// progress) and lists named float32 tensors as (shape, offset) into the payload.
// Every field of a file being read is validated; failures throw ModelFileError.
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace genlab::core {

struct ModelFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct TensorBlob {
  std::vector<std::int64_t> shape;
  std::vector<float> values;
};

struct ModelFile {
  static constexpr std::uint32_t kVersion = 1;
  std::string lab;       // e.g. "vae"
  std::string metaJson;  // lab-specific JSON object (options, provenance, ...)
  std::map<std::string, TensorBlob> tensors;

  // Serialises and writes atomically. Throws std::runtime_error on I/O failure.
  void save(const std::string& path) const;
  // Reads and validates; `expectedLab` non-empty rejects other labs' files.
  static ModelFile load(const std::string& path, const std::string& expectedLab = "");
  // Same from bytes already in memory (`name` is used in messages).
  static ModelFile parse(const std::string& bytes, const std::string& name,
                         const std::string& expectedLab = "");
  std::string serialise() const;
};

}  // namespace genlab::core
