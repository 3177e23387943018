// libFuzzer: GenLab's own reader of R save() files (.rda: RDX2/RDX3, XDR),
// for the numeric matrix and the data.frame the cells lab takes from them.
// zlib reads a file that is not gzip'd as it is, so the fuzzer mutates the
// XDR stream itself.
#include <cstdint>

#include "core/data/cell_formats.h"
#include "core/data/image_dataset.h"
#include "fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace genlab::core;
  static const std::string path = genlab::fuzz::scratchPath(".rda");
  genlab::fuzz::writeFile(path, genlab::fuzz::view(data, size));
  try {
    readRdaMatrix(path);
  } catch (const DataError&) {
  }
  try {
    readRdaDataFrame(path);
  } catch (const DataError&) {
  }
  return 0;
}
