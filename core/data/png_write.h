#pragma once
// 8-bit PNG out (libpng), written atomically: what `genlab-cli latent grid`
// and other exports save. Torch-free.
#include <string>

#include "core/engine/snapshot.h"

namespace genlab::core::data {

// Grey (channels 1) or RGB (3) images. Throws std::runtime_error naming the path.
void writePng(const Image& image, const std::string& path);

}  // namespace genlab::core::data
