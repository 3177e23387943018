// libFuzzer: the cells lab's text readers: a dense expression CSV/TSV (plain
// or gzip) in each orientation, and a per-cell obs CSV. The first byte picks
// the reader.
#include <cstdint>

#include "core/data/cell_data.h"
#include "core/data/cell_formats.h"
#include "core/data/image_dataset.h"
#include "fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  using namespace genlab::core;
  static const std::string path = genlab::fuzz::scratchPath(".csv");
  genlab::fuzz::writeFile(path, genlab::fuzz::view(data + 1, size - 1));
  try {
    switch (data[0] % 4) {
      case 0: readExpressionCsv(path, TableOrientation::Auto); break;
      case 1: readExpressionCsv(path, TableOrientation::GenesByCells); break;
      case 2: readExpressionCsv(path, TableOrientation::CellsByGenes); break;
      default: readObsCsv(path); break;
    }
  } catch (const DataError&) {
  }
  return 0;
}
