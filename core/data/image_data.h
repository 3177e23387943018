#pragma once
// Resolves a data specification to a train/test split of images.
#include <string>

#include "core/data/image_dataset.h"

namespace genlab::core {

// `spec` is "mnist" (the fetched IDX files, see scripts/fetch-data.sh),
// "digits" (scikit-learn's 8x8 digits, embedded), or a folder holding an
// MNIST-format IDX pair (train-/t10k- images and labels, optionally .gz) or
// PNG images with a labels.csv (file,label). A PNG folder has no test split of
// its own: a seeded 1/6 of it is held out. Throws DataError.
ImageSplit loadImageData(const std::string& spec, unsigned seed = 1);

// Where "mnist" is looked for: $GENLAB_DATA_DIR/mnist, then <source>/data/mnist,
// then $XDG_DATA_HOME (or ~/.local/share)/genlab/mnist.
std::string mnistDirectory();

}  // namespace genlab::core
