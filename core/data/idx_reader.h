#pragma once
// Reader for MNIST's IDX format (http://yann.lecun.com/exdb/mnist/): a
// big-endian header (magic 0x00000803 for unsigned-byte images with 3
// dimensions, 0x00000801 for labels with 1) followed by raw bytes. Files may be
// gzip-compressed; that is detected from the content, not the name.
//
// Every input is treated as hostile: declared sizes are capped and checked
// against the data actually present before anything large is allocated, and
// every problem throws DataError naming the file.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/data/image_dataset.h"

namespace genlab::core {

// Caps that a header cannot get past (MNIST is 60000 of 28x28, ~47 MB).
inline constexpr std::uint32_t kIdxMaxCount = 10'000'000;
inline constexpr std::uint32_t kIdxMaxSide = 4096;
inline constexpr std::uint64_t kIdxMaxPixelBytes = std::uint64_t{4} << 30;  // 4 GiB

// Reads an image file and its label file (raw or gzip). The counts must
// match. Messages name the files by the paths given.
ImageDataset readIdxImages(const std::string& imagesPath, const std::string& labelsPath);

// The same from bytes in memory (e.g. embeddedResource()), raw or gzip;
// the names are only used in messages.
ImageDataset readIdxImagesFromMemory(std::string_view imagesBytes, std::string_view labelsBytes,
                                     const std::string& imagesName,
                                     const std::string& labelsName);

}  // namespace genlab::core
