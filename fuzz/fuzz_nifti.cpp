// libFuzzer: readVolume on a .nii.gz file (written to a temporary file: the
// readers take paths). Leak detection is off for this target: a file GDCM
// aborts on is abandoned with what GDCM had allocated (dicom_gdcm.cpp).
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "core/data/volume_io.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/genlab-fuzz-" + std::to_string(::getpid()) + ".nii.gz";
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data),
                                                                 static_cast<std::streamsize>(size));
  try {
    genlab::core::data::readVolume(path);
  } catch (const genlab::core::data::VolumeError&) {
  }
  return 0;
}
