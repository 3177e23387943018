#pragma once
// Header checks made before a file reaches a VTK reader: magic numbers,
// header fields, dimensions, and that the data the header promises is all
// there (decompressing gzip/zlib streams as far as needed, never further).
// Each throws VolumeError naming the file and the problem. Internal to core/data.
#include <array>
#include <cstdint>
#include <string>

#include "core/data/volume_io.h"

namespace genlab::core::data::detail {

struct NiftiInfo {
  std::array<int, 3> dims{1, 1, 1};
  int volumes = 1;     // dim[4]: only the first volume is read
  int datatype = 0;
  std::string typeName;
  double slope = 0, intercept = 0;  // scl_slope / scl_inter; slope 0 = none
  bool gzipped = false;
};
NiftiInfo checkNifti(const std::string& path);

struct MetaImageInfo {
  std::array<int, 3> dims{1, 1, 1};
  int ndims = 3;
  std::string elementType;
  bool compressed = false;
  std::string dataFile;  // "LOCAL" or the data file's path
};
MetaImageInfo checkMetaImage(const std::string& path);

struct PnmInfo {
  int width = 0, height = 0, channels = 1;
};
PnmInfo checkPnm(const std::string& path);

// A PNG slice through libpng (8- or 16-bit; colour as luma, alpha onto
// black), in png_volume.cpp.
Volume readPngVolume(const std::string& path);

// Refuses (VolumeError naming the limit and its option) a volume of more
// voxels than readLimits().maxVoxels allows, and compressed data declared to
// expand to more than readLimits().maxExpansion times its file's size (above
// kExpansionFloorBytes). Both are checked from the header, before decoding.
void checkVoxelCount(const std::string& path, std::uint64_t voxels);
void checkExpansion(const std::string& path, std::uint64_t decodedBytes, std::uint64_t compressedBytes);

// The first `n` bytes of a file (fewer if it is shorter), without reading more.
std::string readHead(const std::string& path, std::size_t n);
// A file's size if it is a regular file; otherwise throws VolumeError ("not
// found", "is a folder", "is not a regular file": FIFOs and devices would hang).
std::uint64_t regularFile(const std::string& path);

// The file's extension in lower case, ".nii.gz" counted as one ("" if none).
std::string lowerExtension(const std::string& path);

}  // namespace genlab::core::data::detail
