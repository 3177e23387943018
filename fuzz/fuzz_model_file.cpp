// libFuzzer: GenLab model files (header JSON, tensor table, payload).
#include <cstdint>
#include <string>

#include "core/util/model_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    genlab::core::ModelFile::parse(bytes, "fuzz");
  } catch (const genlab::core::ModelFileError&) {
  }
  return 0;
}
