#pragma once
// Small image helpers of the CT panel (GUI thread, no torch): the Hubble deep
// field as a grey float image, imported slices scaled to [0, 1], and
// conversions between volumes and image stacks.
#include <QString>

#include "core/data/volume_io.h"
#include "core/physics/float_image.h"

namespace genlab::ui {

// Where the Hubble deep field JPEG is (python3-skimage's data folder, or
// $GENLAB_HUBBLE); empty when not found.
QString hubblePath();
// A size x size grey crop of `path` (centre, after halving the resolution so
// that galaxies span a few pixels), values in [0, 1]. Empty image on failure,
// with the reason in `error`.
core::physics::FloatImage loadHubble(const QString& path, int size, QString* error);

// `image` scaled so that its 0.5th..99.5th percentile spans [0, 1], clamped.
core::physics::FloatImage normalised(const core::physics::FloatImage& image);
// Centre crop (or zero pad) to size x size.
core::physics::FloatImage centreCrop(const core::physics::FloatImage& image, int size);

// Volume <-> stack of images (top row first, depth = nz).
core::physics::FloatImage volumeStack(const core::data::Volume& v);
core::data::Volume stackVolume(const core::physics::FloatImage& stack,
                               std::array<double, 3> spacing = {1, 1, 1});

}  // namespace genlab::ui
