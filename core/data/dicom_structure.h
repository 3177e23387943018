#pragma once
// The one DICOM check GDCM does not make safely. Debian's GDCM is built with
// assertions on, and some malformed files (an element without a valid VR, a
// file cut inside its meta header) make it abort the whole process instead
// of failing. So before GDCM sees a file, its element structure is walked
// here, bounds-checked: the file meta group, then every element and nested
// sequence of the data set up to the pixel data (whose fragments are walked
// when encapsulated). Nothing is interpreted: GDCM reads the values.
// Internal to core/data.
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace genlab::core::data::detail {

// Reads the file and returns its bytes up to the end of its pixel data (or
// of its data set): what follows the pixel data (zero padding, junk) never
// reaches GDCM, which would otherwise try to parse it as elements and
// allocate whatever lengths it finds there. Throws VolumeError naming the
// file and what is malformed: no "DICM" marker, no transfer syntax, a
// deflated data set (which cannot be walked without inflating it), an
// invalid VR, a delimiter whose length is not 0, a length running past its
// sequence or the file, sequences nested over 16 deep, pixel data cut short.
struct DicomBytes {
  std::string bytes;  // the file up to the end of its pixel data
  std::vector<std::pair<std::size_t, std::size_t>> fragments;  // (offset, length) of compressed fragments
};
DicomBytes checkDicomStructure(const std::string& path);

// A JPEG, JPEG-LS or JPEG 2000 codestream declares its own image size, and
// the decoders GDCM calls allocate from it (a fuzzed file asked OpenJPEG
// for 60 GB). Each fragment that starts a codestream must declare exactly
// columns x rows; throws VolumeError otherwise.
void checkCodestreamSizes(const std::string& path, const DicomBytes& d, int rows, int columns);

}  // namespace genlab::core::data::detail
