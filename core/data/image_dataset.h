#pragma once
// A labelled set of 8-bit grey images, plain data (no torch), as every image
// reader in core/data returns it.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace genlab::core {

struct ImageDataset {
  int count = 0;
  int height = 0;
  int width = 0;
  std::vector<std::uint8_t> pixels;  // count * height * width, row-major
  std::vector<int> labels;           // count entries, -1 when unknown
  std::string provenance;            // where it came from (path, package, checksum)

  std::size_t imageSize() const { return static_cast<std::size_t>(height) * width; }
};

struct ImageSplit {
  ImageDataset train;
  ImageDataset test;
};

// Thrown for every unreadable, malformed or inconsistent input. The message is
// meant for a user: it names the file and says what is wrong with it.
struct DataError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The embedded resource of that file name (see cmake/embed_files.cmake), or an
// empty view when there is none.
std::string_view embeddedResource(std::string_view name);

}  // namespace genlab::core
