// libFuzzer: the cells lab's 10x Matrix Market folder reader. The input is
// the folder's three files, matrix, genes (or features) and barcodes, joined
// by kSeparator; a part that starts with gzip's magic is written as .gz.
#include <cstdint>
#include <filesystem>
#include <string_view>

#include "core/data/cell_formats.h"
#include "core/data/image_dataset.h"
#include "fuzz_input_file.h"

namespace {
constexpr std::string_view kSeparator = "\n--GENLAB-FILE--\n";
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fs = std::filesystem;
  static const std::string dir = genlab::fuzz::scratchPath(".10x");
  std::string_view rest = genlab::fuzz::view(data, size);
  std::string_view parts[3];
  for (int i = 0; i < 3; ++i) {
    const std::size_t cut = i < 2 ? rest.find(kSeparator) : std::string_view::npos;
    if (i < 2 && cut == std::string_view::npos) return 0;
    parts[i] = rest.substr(0, cut);
    if (i < 2) rest.remove_prefix(cut + kSeparator.size());
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir);
  const char* names[3] = {"matrix.mtx", "genes.tsv", "barcodes.tsv"};
  for (int i = 0; i < 3; ++i) {
    const bool gz = parts[i].size() >= 2 && parts[i][0] == '\x1f' && parts[i][1] == '\x8b';
    genlab::fuzz::writeFile(dir + "/" + names[i] + (gz ? ".gz" : ""), parts[i]);
  }
  try {
    genlab::core::read10xFolder(dir);
  } catch (const genlab::core::DataError&) {
  }
  return 0;
}
