// libFuzzer: IDX images + labels (raw or gzip). The input is split in two at
// a point its first byte chooses.
#include <cstdint>
#include <string_view>

#include "core/data/idx_reader.h"
#include "core/data/image_dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view all(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t cut = all.size() * data[0] / 255;
  try {
    genlab::core::readIdxImagesFromMemory(all.substr(0, cut), all.substr(cut), "images", "labels");
  } catch (const genlab::core::DataError&) {
  }
  return 0;
}
