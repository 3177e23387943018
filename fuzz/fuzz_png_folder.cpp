// libFuzzer: one image of a PNG folder (any PNG, converted to 8-bit grey).
#include <cstdint>
#include <string_view>

#include "core/data/image_dataset.h"
#include "core/data/png_folder_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    genlab::core::decodePngGrey(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.png");
  } catch (const genlab::core::DataError&) {
  }
  return 0;
}
