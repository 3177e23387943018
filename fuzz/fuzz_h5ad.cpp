// libFuzzer: AnnData .h5ad through GenLab's reader and Debian's HDF5
// library (not instrumented: a fault inside HDF5 shows as a crash, not as
// an ASan report). In this process, not in the child the app reads in, so
// that a crash in HDF5 is found as one.
#include <cstdint>

#include "core/data/cell_formats.h"
#include "core/data/image_dataset.h"
#include "fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = genlab::fuzz::scratchPath(".h5ad");
  genlab::fuzz::writeFile(path, genlab::fuzz::view(data, size));
  try {
    genlab::core::readH5adInProcess(path);
  } catch (const genlab::core::DataError&) {
  }
  return 0;
}
