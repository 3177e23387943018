#pragma once
// Where the score prior's training images come from, and the held-out images
// that evaluation uses instead. Torch-free: plain FloatImages in [0, 1].
//
//   "ellipses"  random-ellipse phantoms (training seed stream; physics/phantom.h)
//   "mri"       axial slices of the Colin27 T1 head (ch2.nii.gz, Debian mricron-data),
//               slices z = 20..150 (MNI z -51..+79 mm: cerebellum to vertex);
//               z = 80..91 are held out for evaluation (lateral ventricles and
//               basal ganglia) and z = 76..79 and 92..95 are used by neither,
//               so no training slice is a 1 mm neighbour of a test slice
//   "mixed"     each image an ellipse phantom or an MRI slice, half and half
//   FILE        any volume readVolume() reads: its z slices whose content covers
//               at least 40 % of the fullest slice's; the middle tenth held out,
//               with a 4-slice gap on either side
//
// Volume slices become CT objects alike everywhere (training, `--phantom mri`,
// volume reconstruction): top row first, padded to a square with background,
// resampled to size x size (area average when shrinking, bilinear when
// growing), and scaled to [0, 1] by the volume's 0.5th..99.5th percentiles.
// Training draws add light augmentation: a left-right flip (p = 1/2) and a
// shift of up to 4 % of the size in x and y (background fill).
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/data/volume_io.h"
#include "core/physics/float_image.h"

namespace genlab::core::ct {

using physics::FloatImage;

// The MRI volume: $GENLAB_MRI_VOLUME if set, else Debian's
// /usr/share/mricron/templates/ch2.nii.gz.
std::string mriVolumePath();
// The MRI volume, read once per process (thread-safe). Throws
// std::invalid_argument saying how to install it when it is missing.
std::shared_ptr<const data::Volume> mriVolume();

// The 0.5th and 99.5th percentiles of a volume's values (lo < hi).
std::pair<float, float> robustRange(const data::Volume& v);
// Throws std::invalid_argument (naming --max-pixels) when a width x height
// slice padded to a square would exceed readLimits().maxPixels.
void checkPaddedSquare(int width, int height);
// Slice z as a CT object (see above), values (v - lo) / (hi - lo) clamped to [0, 1].
FloatImage ctObjectFromSlice(const data::Volume& v, int z, int size, float lo, float hi);
// A square image resampled to size x size (area average or bilinear).
FloatImage resampleSquare(const FloatImage& image, int size);

// z slices whose content (voxels above lo + 0.2 (hi - lo), robust range)
// covers at least 40 % of the fullest slice's, ascending.
std::vector<int> contentSlices(const data::Volume& v);

// Axial slices chosen for training and for evaluation.
struct SliceSplit {
  std::vector<int> training, heldOut;
  std::string rule;  // one line saying which, for provenance
};
SliceSplit mriSliceSplit(const data::Volume& ch2);  // the fixed ranges above
SliceSplit contentSliceSplit(const data::Volume& v);  // the FILE rule above

// A held-out MRI slice at `size`: heldOut[seed % count], unaugmented.
FloatImage mriPhantom(int size, std::uint64_t seed);

class TrainingImages {
 public:
  // Throws std::invalid_argument (unknown source, missing MRI data) or
  // data::VolumeError (unreadable FILE).
  TrainingImages(const std::string& data, int size, std::uint64_t seed);
  ~TrainingImages();

  const std::string& data() const { return m_data; }
  int size() const { return m_size; }
  // Training image `id` (deterministic in id): for ellipses exactly
  // randomEllipsePhantom(size, id, Training), as before this source existed.
  FloatImage image(std::uint64_t id) const;
  // Evaluation images no training draw ever returns.
  int heldOutCount() const;
  FloatImage heldOut(int i) const;
  std::string description() const;

 private:
  FloatImage volumeImage(std::uint64_t id) const;

  std::string m_data;
  int m_size = 0;
  std::uint64_t m_seed = 0;
  std::vector<FloatImage> m_slices, m_heldOut;  // volume sources: prepared at m_size
  std::string m_rule;
};

}  // namespace genlab::core::ct
