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

// Reads the file and returns its bytes up to the end of its pixel data (or
// of its data set): what follows the pixel data (zero padding, junk) never
// reaches GDCM, which would otherwise try to parse it as elements and
// allocate whatever lengths it finds there. Throws VolumeError naming the
// file and what is malformed: no "DICM" marker, no transfer syntax, a
// deflated data set (which cannot be walked without inflating it), an
// invalid VR, a length running past its sequence or the file, sequences
// nested over 16 deep, pixel data cut short.
std::string checkDicomStructure(const std::string& path);

}  // namespace genlab::core::data::detail
