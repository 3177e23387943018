// libFuzzer: the 2-D lab's CSV of points.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "core/labs/toy2d/toy2d_data.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    genlab::core::toy2d::parsePointsCsv(std::string(reinterpret_cast<const char*>(data), size), "fuzz.csv");
  } catch (const std::invalid_argument&) {
  } catch (const std::runtime_error&) {
  }
  return 0;
}
