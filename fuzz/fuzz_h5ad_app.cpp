// libFuzzer: AnnData .h5ad through the reader the app uses (readH5ad), which
// runs HDF5 in a child process. What is fuzzed is the parent's side: whatever
// the child does on a file (crashes inside libhdf5, runs out of its memory
// cap, sends back what it read), the app gets a DataError or a CellData that
// passes its checks, never a crash. fuzz_h5ad fuzzes the reader itself, in
// one process, so that HDF5's own faults show there.
#include <cstdint>

#include "core/data/cell_formats.h"
#include "core/data/image_dataset.h"
#include "fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = genlab::fuzz::scratchPath(".h5ad");
  genlab::fuzz::writeFile(path, genlab::fuzz::view(data, size));
  try {
    const genlab::core::CellData d = genlab::core::readH5ad(path);
    d.checkShapes(path);  // what came back is consistent (readH5ad checked it; a second look)
  } catch (const genlab::core::DataError&) {
  }
  return 0;
}
