#pragma once
// Medical volumes in and out: DICOM (one file, or a folder holding a series),
// NIfTI-1 (.nii, .nii.gz), MetaImage (.mha, .mhd + raw) and PNG/PGM slices.
// DICOM is decoded by GDCM (any transfer syntax it knows: RLE, JPEG lossless,
// JPEG-LS, JPEG 2000, ...); the others are read and written through VTK's IO
// readers and writers (PNG is read with libpng itself: VTK's PNG reader
// crashes on any libpng error). Plain data
// only: no VTK, Qt or torch type appears here, so the ui and the labs both
// include it.
//
// Every file is treated as hostile. VTK's readers crash on some malformed
// inputs (a truncated PNG), so each file is checked first (magic, header
// fields, dimensions against the limits of core/data/read_limits.h, that the
// data is all there) and refused with a VolumeError naming the file and the
// problem; VTK's and GDCM's own error output never reaches the terminal.
//
// Orientation: voxels are in VTK's image-data order, x fastest, then y, then
// z, with y growing upward as a VTK view shows it (the first row in memory is
// the bottom of the picture). sliceImage() gives a slice top row first, as
// physics::FloatImage and PNG files have it.
#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/physics/float_image.h"

namespace genlab::core::data {

struct Volume {
  int nx = 0, ny = 0, nz = 0;
  std::array<double, 3> spacing{1, 1, 1};  // mm (or the file's unit) between voxel centres
  std::array<double, 3> origin{0, 0, 0};   // position of voxel (0, 0, 0)
  std::vector<float> voxels;               // nx * ny * nz: x fastest, then y, then z
  std::string format;       // "dicom", "dicom-series", "nifti", "metaimage", "png", "pgm"
  std::string description;  // one line for a status bar: size, type, what was done to it

  std::size_t voxelCount() const { return static_cast<std::size_t>(nx) * ny * nz; }
  float at(int x, int y, int z) const {
    return voxels[(static_cast<std::size_t>(z) * ny + y) * nx + x];
  }
};

// Every unreadable, unsupported, malformed or unwritable file. The message is
// for a user: it names the file and says what is wrong and, where there is
// one, what to do about it.
class VolumeError : public std::runtime_error {
 public:
  using runtime_error::runtime_error;
};

// Absolute caps on what a file may claim (checked before anything is
// allocated); the adjustable limits are readLimits() (core/data/read_limits.h).
inline constexpr int kVolumeMaxSide = 16384;
inline constexpr std::uint64_t kVolumeMaxVoxels = std::uint64_t{1} << 28;  // 1 GiB as float
inline constexpr int kDicomSeriesMaxFiles = 8192;

// A DICOM file (all its frames), a folder of DICOM files (one series: the
// largest if several; slices ordered by position along the slice normal,
// else by instance number; unreadable files are left out and named in the
// description), .nii / .nii.gz (the first volume of a 4-D file), .mha / .mhd,
// .png (8- or 16-bit; colour becomes luma) or .pgm. Values are the file's
// real-world values: DICOM rescale slope/intercept and NIfTI scl_slope/inter
// are applied. Throws VolumeError.
Volume readVolume(const std::string& path);

// By extension: .nii, .nii.gz, .mha (float32, uncompressed) or .png (one
// slice: the middle one when nz > 1). Atomic: a temporary file beside the
// target, flushed, then renamed over it. Throws VolumeError.
void writeVolume(const Volume& v, const std::string& path);

struct PngExport {
  int bits = 16;           // 16 or 8
  int slice = -1;          // -1: the middle slice
  // Grey window mapped onto 0 .. 2^bits - 1. When lo >= hi: the values as
  // they are if they are all integers that fit, else the slice's min .. max.
  double windowLo = 0, windowHi = 0;
};
void writeVolume(const Volume& v, const std::string& path, const PngExport& png);

// Throws VolumeError unless `path` has a savable extension and lies in an
// existing, writable folder (to fail before a long computation, not after).
void checkVolumeSavePath(const std::string& path);

// For file dialogs, e.g. "Volumes (*.dcm *.nii *.nii.gz *.mha *.mhd *.png *.pgm)".
std::string volumeFileFilter();
// The same for saving: "NIfTI (*.nii.gz *.nii);;MetaImage (*.mha);;PNG slice (*.png)".
std::string volumeSaveFilter();

// Slice z as an image, top row first (the volume's y flipped).
physics::FloatImage sliceImage(const Volume& v, int z);
// The inverse: images top row first (equal sizes) as a volume.
Volume volumeFromImages(const std::vector<physics::FloatImage>& slices,
                        std::array<double, 3> spacing = {1, 1, 1});

// Throws VolumeError unless v's sizes, voxel count and spacing are sane.
void validateVolume(const Volume& v, const std::string& what);

}  // namespace genlab::core::data
