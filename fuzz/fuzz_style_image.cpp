// libFuzzer: the style lab's image reader (decodeImage: a PNG of any colour
// type to RGB; a JPEG is refused by name).
#include <cstdint>
#include <stdexcept>
#include <string>

#include "core/labs/style/style_image.h"
#include "fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    genlab::core::style::decodeImage(std::string(genlab::fuzz::view(data, size)), "fuzz.png");
  } catch (const std::runtime_error&) {
  }
  return 0;
}
