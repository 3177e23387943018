// libFuzzer: the protein lab's alignment reader (aligned FASTA, A2M,
// Stockholm; plain or gzip, recognised by content) through readMsa, as
// `genlab-cli protein` and the GUI open a family file. The first byte picks
// which alignment of a multi-alignment Stockholm file is read.
#include <cstdint>

#include "core/data/image_dataset.h"
#include "core/data/msa_reader.h"
#include "fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const std::string path = genlab::fuzz::scratchPath(".msa");
  genlab::fuzz::writeFile(path, genlab::fuzz::view(data + 1, size - 1));
  try {
    genlab::core::readMsa(path, {}, data[0] % 3);
  } catch (const genlab::core::DataError&) {
  }
  return 0;
}
