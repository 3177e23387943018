#pragma once
// The one DICOM check GDCM does not make safely. Debian's GDCM is built with
// assertions on, and some malformed files (an element without a valid VR, a
// file cut inside its meta header) make it abort the whole process instead
// of failing. So before GDCM sees a file, its element structure is walked
// here, bounds-checked: the file meta group, then every element and nested
// sequence of the data set up to the pixel data (whose fragments are walked
// when encapsulated). Nothing is interpreted: GDCM reads the values.
// Internal to core/data.
#include <string>

namespace genlab::core::data::detail {

// Throws VolumeError naming the file and what is malformed: no "DICM"
// marker, no transfer syntax, a deflated data set (which cannot be walked
// without inflating it), an invalid VR, a length running past its sequence
// or the file, sequences nested over 16 deep, pixel data cut short.
void checkDicomStructure(const std::string& path);

}  // namespace genlab::core::data::detail
