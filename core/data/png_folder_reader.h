#pragma once
// Reads PNG images as 8-bit grey, and folders of PNGs listed in a labels.csv.
// Inputs are treated as hostile: every problem throws DataError naming the
// file (and the labels.csv line where there is one).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/data/image_dataset.h"

namespace genlab::core {

// Caps on what one PNG or one folder may claim.
inline constexpr int kPngMaxSide = 4096;
inline constexpr std::uint64_t kPngMaxFileBytes = std::uint64_t{256} << 20;
inline constexpr std::uint64_t kLabelsCsvMaxBytes = std::uint64_t{64} << 20;
inline constexpr std::uint64_t kPngFolderMaxPixelBytes = std::uint64_t{4} << 30;

struct GreyImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;  // height * width, row-major
};

// Any PNG colour type and bit depth, converted to 8-bit grey: palette and
// low bit depths are expanded, 16-bit scaled to 8, RGB turned into luma
// (Rec. 601: 0.299 R + 0.587 G + 0.114 B, on the stored values), and alpha
// composited onto black (value * alpha / 255), matching MNIST's light digits
// on a black ground.
GreyImage readPngGrey(const std::string& path);
GreyImage decodePngGrey(std::string_view bytes, const std::string& name);

// `folder`/labels.csv lists one image per line as `file,label`: file relative
// to the folder (no absolute paths, no "..", no symlink leading out of it),
// label an integer 0..255. An optional first line is a header naming the
// columns (filename|file|path|image, then label|class|target, any case);
// blank lines and lines starting with '#' are skipped; fields may be
// double-quoted. All images must have the same size, at most
// readLimits().maxTrainPixels pixels (they are training images). Returns
// every listed image, in file order.
ImageDataset readPngFolder(const std::string& folder);

}  // namespace genlab::core
