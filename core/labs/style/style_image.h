#pragma once
// Images for the Style lab: files in (PNG through core/data/png_decode, with
// the read limits checked before any pixel memory is allocated), RGB out.
// JPEG is decoded by the GUI (QImage) and by the data step (converted to PNG);
// the core reads PNG only and says so. Torch-free.
#include <string>
#include <vector>

#include "core/engine/snapshot.h"

namespace genlab::core::style {

// An RGB image from a PNG file (grey, grey+alpha and RGBA are converted; alpha
// over white). Throws std::runtime_error naming the file and what is wrong.
Image readImageFile(const std::string& path);
// The same from bytes in memory (`name` for messages).
Image decodeImage(const std::string& bytes, const std::string& name);
// Checks an image handed over by the GUI: RGB, sizes within the read limits.
void checkImage(const Image& image, const std::string& what);

// Where the Style lab keeps its photos and its default decoder:
// $GENLAB_DATA_DIR/style, else <source>/data/style, else ~/.local/share/genlab/style.
std::string styleDataDirectory();
// <styleDataDirectory()>/decoder.genlab
std::string defaultDecoderPath();
// Where the GUI saves a decoder it trains unless the user picks another file:
// $XDG_DATA_HOME (else ~/.local/share)/genlab/style/my-decoder.genlab. Never
// the shipped default above (a different name even when the folders coincide).
std::string userDecoderPath();
// Where the GUI saves a decoder of this upsampling: userDecoderPath() for
// "nearest", my-decoder-<upsampling>.genlab beside it for the others (so an
// experiment never overwrites the user's own decoder).
std::string userDecoderPathFor(const std::string& upsampling);
// What to tell a user who has no decoder yet.
std::string howToTrainDecoder();

// The photos `make data` puts in styleDataDirectory() (docs/style.md).
struct TrainingPhotos {
  std::vector<std::string> contents;  // full paths that exist
  std::vector<std::string> styles;
};
TrainingPhotos findTrainingPhotos(const std::string& dir = "");

}  // namespace genlab::core::style
