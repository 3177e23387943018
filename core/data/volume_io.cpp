// Reading volumes: checks first (volume_checks), then VTK's readers, with
// their complaints collected into the VolumeError; DICOM through GDCM
// (dicom_gdcm).
#include "core/data/volume_io.h"

#include <vtkMatrix4x4.h>
#include <vtkMetaImageReader.h>
#include <vtkNIFTIImageReader.h>
#include <vtkNew.h>
#include <vtkPNMReader.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <new>

#include "core/data/dicom_gdcm.h"
#include "core/data/file_checks.h"
#include "core/data/volume_checks.h"
#include "core/data/vtk_glue.h"

namespace genlab::core::data {

namespace fs = std::filesystem;
using namespace detail;

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw VolumeError(path + ": " + what);
}

// Runs a configured reader; its errors (and warnings, if it then fails)
// become the VolumeError.
template <typename Reader>
Volume runReader(Reader* reader, const std::string& path, const char* kind) {
  vtkNew<VtkMessages> messages;
  messages->watch(reader);
  reader->Update();
  if (messages->failed() || reader->GetErrorCode() != 0) {
    const std::string text = messages->text();
    fail(path, std::string("VTK's ") + kind + " reader failed" + (text.empty() ? "" : ": " + text));
  }
  return fromImageData(reader->GetOutput(), path);
}

void expectSize(const Volume& v, const std::string& path, int nx, int ny, int nz) {
  if (v.nx != nx || v.ny != ny || v.nz != nz)
    fail(path, "VTK's reader returned " + std::to_string(v.nx) + " x " + std::to_string(v.ny) +
                   " x " + std::to_string(v.nz) + " voxels where the header says " +
                   std::to_string(nx) + " x " + std::to_string(ny) + " x " + std::to_string(nz));
}

std::string sizeText(const Volume& v) {
  return std::to_string(v.nx) + " x " + std::to_string(v.ny) + " x " + std::to_string(v.nz);
}

// ---- DICOM (decoded by GDCM, dicom_gdcm.cpp) ---------------------------------

Volume readDicomFile(const std::string& path) { return readDicomImage(path); }

struct SeriesFile {
  std::string path;
  DicomInfo info;
  double key = 0;  // position along the slice normal, or the instance number
};

struct FolderCounts {
  int looked = 0, withoutImage = 0, subfolders = 0;
  std::vector<std::string> skipped;  // "name (why)": unreadable files, left out of the series
};

// "; skipped 1 unreadable file: x.dcm (why)" for a description, or "".
std::string skippedNote(const std::vector<std::string>& skipped) {
  if (skipped.empty()) return {};
  std::string note = "; skipped " + std::to_string(skipped.size()) + " unreadable file" +
                     (skipped.size() == 1 ? "" : "s") + ": ";
  for (std::size_t i = 0; i < skipped.size() && i < 5; ++i) note += (i ? ", " : "") + skipped[i];
  if (skipped.size() > 5) note += ", ...";
  return note;
}

std::string fileName(const std::string& path) { return fs::path(path).filename().string(); }

// The reason in a VolumeError's message, without the path it starts with.
std::string reason(const VolumeError& e, const std::string& path) {
  const std::string what = e.what();
  return what.rfind(path + ": ", 0) == 0 ? what.substr(path.size() + 2) : what;
}

std::vector<SeriesFile> scanFolder(const std::string& dir, FolderCounts& n) {
  std::vector<std::string> paths;
  std::error_code ec;
  int& looked = n.looked;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code e2;
    if (it->is_directory(e2)) ++n.subfolders;
    if (!it->is_regular_file(e2)) continue;
    // A DICOMDIR indexes media; it holds no image of its own.
    if (it->path().filename().string().rfind("DICOMDIR", 0) == 0) continue;
    if (++looked > kDicomSeriesMaxFiles)
      fail(dir, "more than " + std::to_string(kDicomSeriesMaxFiles) + " files: not read as one series");
    paths.push_back(it->path().string());
  }
  if (ec) fail(dir, "cannot list the folder: " + ec.message());
  std::sort(paths.begin(), paths.end());
  std::vector<SeriesFile> files;
  for (const auto& p : paths) {
    if (!hasDicomMagic(readHead(p, 132))) continue;
    if (!resolvesInside(dir, p)) {
      n.skipped.push_back(fileName(p) + " (a symbolic link leading outside the folder)");
      continue;
    }
    DicomInfo info;
    try {
      info = readDicomHeader(p);
    } catch (const VolumeError& e) {
      n.skipped.push_back(fileName(p) + " (" + reason(e, p) + ")");
      continue;
    }
    if (!info.hasPixels()) {
      ++n.withoutImage;
      continue;
    }
    files.push_back({p, info, 0});
  }
  return files;
}

// Keeps the largest series, ordered along the slice normal (or by instance
// number, or by file name). Returns a note for the description, if any.
std::string pickSeries(const std::string& dir, std::vector<SeriesFile>& files, bool& parallel) {
  std::map<std::string, int> count;
  for (const auto& f : files) ++count[f.info.seriesUid];
  std::string note;
  if (count.size() > 1) {
    const auto best = std::max_element(count.begin(), count.end(),
                                       [](const auto& a, const auto& b) { return a.second < b.second; });
    const std::string uid = best->first;
    note = "; the folder holds " + std::to_string(count.size()) + " series, read the largest";
    files.erase(std::remove_if(files.begin(), files.end(),
                               [&](const SeriesFile& f) { return f.info.seriesUid != uid; }),
                files.end());
  }
  const DicomInfo& first = files.front().info;
  for (const auto& f : files)
    if (f.info.rows != first.rows || f.info.columns != first.columns)
      fail(f.path, "its image is " + std::to_string(f.info.columns) + " x " + std::to_string(f.info.rows) +
                       " where the series' first is " + std::to_string(first.columns) + " x " +
                       std::to_string(first.rows));
  // Positions order the slices only when all planes are parallel (not so in
  // a radial set or a localizer).
  const auto& o0 = first.orientation;
  const bool geometry = std::all_of(files.begin(), files.end(), [&](const SeriesFile& f) {
    if (!f.info.hasPosition || !f.info.hasOrientation) return false;
    for (int i = 0; i < 6; ++i)
      if (std::abs(f.info.orientation[i] - o0[i]) > 1e-3) return false;
    return true;
  });
  parallel = geometry;
  const bool instances = std::all_of(files.begin(), files.end(),
                                     [](const SeriesFile& f) { return f.info.hasInstance; });
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto& f = files[i];
    if (geometry) {
      const auto& o = f.info.orientation;
      const double n[3] = {o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]};
      f.key = n[0] * f.info.position[0] + n[1] * f.info.position[1] + n[2] * f.info.position[2];
    } else {
      f.key = instances ? f.info.instanceNumber : double(i);
    }
  }
  std::stable_sort(files.begin(), files.end(),
                   [](const SeriesFile& a, const SeriesFile& b) { return a.key < b.key; });
  for (std::size_t i = 1; i < files.size(); ++i)
    if (std::abs(files[i].key - files[i - 1].key) < 1e-6)
      fail(dir, std::string(geometry ? "two images at the same slice position (" : "two images with the same instance number (") +
                    fs::path(files[i - 1].path).filename().string() +
                    " and " + fs::path(files[i].path).filename().string() +
                    "): the folder mixes acquisitions; put one series per folder");
  if (!geometry)
    note += std::string(files.size() > 1 && first.hasOrientation ? "; the slices are not parallel" : "") +
            (instances ? "; ordered by instance number" : "; ordered by file name");
  return note;
}

Volume readDicomFolder(const std::string& dir) {
  FolderCounts n;
  auto files = scanFolder(dir, n);
  if (files.empty())
    fail(dir, "no DICOM images in this folder (" + std::to_string(n.looked) +
                  (n.looked == 1 ? " file" : " files") + " looked at" +
                  (n.withoutImage ? ", " + std::to_string(n.withoutImage) + " DICOM without an image" : "") +
                  (n.subfolders ? "; a series is read from the folder holding its files, not from the " +
                                      std::to_string(n.subfolders) + " subfolders"
                                : std::string()) +
                  ")" + skippedNote(n.skipped));
  bool parallel = false;
  const std::string note = pickSeries(dir, files, parallel);
  const DicomInfo& first = files.front().info;
  if (files.size() > 1)
    for (const auto& f : files)
      if (f.info.frames > 1)
        fail(f.path, "a multi-frame image in a series of " + std::to_string(files.size()) +
                         " files: read the file on its own");
  checkVoxelCount(dir, std::uint64_t(first.rows) * first.columns * first.frames * files.size());
  Volume v;
  v.nx = first.columns;
  v.ny = first.rows;
  std::vector<const SeriesFile*> used;
  for (const auto& f : files) {
    Volume s;
    try {
      s = readDicomImage(f.path);
    } catch (const VolumeError& e) {
      // One unreadable file does not lose the series: it is named instead.
      n.skipped.push_back(fileName(f.path) + " (" + reason(e, f.path) + ")");
      continue;
    }
    if (s.nx != v.nx || s.ny != v.ny) fail(f.path, "the file changed while reading");
    if (used.empty()) {
      v.spacing = s.spacing;
      v.origin = s.origin;
      v.voxels.reserve(std::size_t(v.nx) * v.ny * files.size() * first.frames);
    }
    v.voxels.insert(v.voxels.end(), s.voxels.begin(), s.voxels.end());
    v.nz += s.nz;
    used.push_back(&f);
  }
  if (used.empty()) fail(dir, "none of the series' images could be read" + skippedNote(n.skipped));
  if (used.size() > 1 && parallel) {
    const double gap = (used.back()->key - used.front()->key) / double(used.size() - 1);
    if (gap > 0) v.spacing[2] = gap;
  }
  v.format = "dicom-series";
  v.description = "DICOM series " + sizeText(v) + " (" + std::to_string(used.size()) + " files" +
                  (first.modality.empty() ? "" : ", " + first.modality) + ")" + note + skippedNote(n.skipped);
  return v;
}

// ---- NIfTI, MetaImage, PNG, PNM -----------------------------------------------

Volume readNifti(const std::string& path) {
  const NiftiInfo info = checkNifti(path);
  vtkNew<vtkNIFTIImageReader> reader;
  reader->SetFileName(path.c_str());
  Volume v = runReader(reader.Get(), path, "NIfTI");
  expectSize(v, path, info.dims[0], info.dims[1], info.dims[2]);
  vtkMatrix4x4* m = reader->GetQFormMatrix() ? reader->GetQFormMatrix() : reader->GetSFormMatrix();
  if (m)
    for (int i = 0; i < 3; ++i)
      v.origin[i] = std::isfinite(m->GetElement(i, 3)) ? m->GetElement(i, 3) : 0.0;
  const bool scaled = info.slope != 0 && (info.slope != 1 || info.intercept != 0);
  if (scaled)
    for (float& x : v.voxels) x = static_cast<float>(x * info.slope + info.intercept);
  v.format = "nifti";
  v.description = "NIfTI " + sizeText(v) + " " + info.typeName +
                  (info.gzipped ? " (gzip)" : "") +
                  (info.volumes > 1 ? ", first of " + std::to_string(info.volumes) + " volumes" : "") +
                  (scaled ? ", scaled by scl_slope/scl_inter" : "");
  return v;
}

Volume readMetaImage(const std::string& path) {
  const MetaImageInfo info = checkMetaImage(path);
  vtkNew<vtkMetaImageReader> reader;
  reader->SetFileName(path.c_str());
  Volume v = runReader(reader.Get(), path, "MetaImage");
  expectSize(v, path, info.dims[0], info.dims[1], info.dims[2]);
  v.format = "metaimage";
  v.description = "MetaImage " + sizeText(v) + " " + info.elementType + (info.compressed ? " (zlib)" : "");
  return v;
}

Volume readPnm(const std::string& path) {
  const PnmInfo info = checkPnm(path);
  vtkNew<vtkPNMReader> reader;
  reader->SetFileName(path.c_str());
  Volume v = runReader(reader.Get(), path, "PNM");
  expectSize(v, path, info.width, info.height, 1);
  v.format = "pgm";
  v.description = (info.channels == 3 ? "PPM " : "PGM ") + std::to_string(v.nx) + " x " + std::to_string(v.ny);
  return v;
}

Volume readByType(const std::string& path) {
  const std::string ext = lowerExtension(path);
  if (ext == ".nii" || ext == ".nii.gz") return readNifti(path);
  if (ext == ".mha" || ext == ".mhd") return readMetaImage(path);
  if (ext == ".png") return readPngVolume(path);
  if (ext == ".pgm" || ext == ".ppm" || ext == ".pnm") return readPnm(path);
  // DICOM files often have no extension: look inside.
  if (regularFile(path) == 0) fail(path, "the file is empty");
  const std::string head = readHead(path, 348);
  if (hasDicomMagic(head)) return readDicomFile(path);
  if (head.rfind("\x89PNG\r\n\x1a\n", 0) == 0) return readPngVolume(path);
  if (head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1f &&
      static_cast<unsigned char>(head[1]) == 0x8b)
    fail(path, "a gzip file: name it .nii.gz if it holds NIfTI");
  if (head.size() == 348 && head.compare(344, 3, "n+1") == 0) return readNifti(path);
  if (ext == ".dcm" || ext == ".dicom" || ext == ".ima") return readDicomFile(path);  // says what is wrong
  fail(path, "unknown file type: expected DICOM (a .dcm file or a folder of them), NIfTI "
             "(.nii, .nii.gz), MetaImage (.mha, .mhd), PNG or PGM");
}

}  // namespace

Volume readVolume(const std::string& path) {
  if (path.empty()) throw VolumeError("no file given");
  try {
    std::error_code ec;
    const auto st = fs::status(path, ec);
    if (st.type() == fs::file_type::not_found) fail(path, "file not found");
    Volume v = fs::is_directory(st) ? readDicomFolder(path) : readByType(path);
    validateVolume(v, path);
    return v;
  } catch (const VolumeError&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw VolumeError(path + ": out of memory while reading");
  } catch (const std::exception& e) {
    throw VolumeError(path + ": " + e.what());
  }
}

void validateVolume(const Volume& v, const std::string& what) {
  if (v.nx < 1 || v.ny < 1 || v.nz < 1 || v.nx > kVolumeMaxSide || v.ny > kVolumeMaxSide ||
      v.nz > kVolumeMaxSide)
    fail(what, "absurd volume size " + sizeText(v));
  if (v.voxelCount() > kVolumeMaxVoxels) fail(what, "the volume is too large (" + sizeText(v) + ")");
  if (v.voxels.size() != v.voxelCount())
    fail(what, "the volume holds " + std::to_string(v.voxels.size()) + " values for " + sizeText(v) + " voxels");
  for (int i = 0; i < 3; ++i) {
    if (!std::isfinite(v.spacing[i]) || v.spacing[i] <= 0) fail(what, "voxel spacing must be positive");
    if (!std::isfinite(v.origin[i])) fail(what, "the origin is not a number");
  }
}

std::string volumeFileFilter() {
  return "Volumes (*.dcm *.DCM *.ima *.nii *.nii.gz *.mha *.mhd *.png *.pgm);;All files (*)";
}

std::string volumeSaveFilter() {
  return "NIfTI (*.nii.gz *.nii);;MetaImage (*.mha);;PNG slice (*.png)";
}

physics::FloatImage sliceImage(const Volume& v, int z) {
  if (z < 0 || z >= v.nz || v.voxels.size() != v.voxelCount())
    throw VolumeError("slice " + std::to_string(z) + " is outside the volume (0.." +
                      std::to_string(v.nz - 1) + ")");
  physics::FloatImage img(v.nx, v.ny);
  for (int y = 0; y < v.ny; ++y)
    std::copy_n(v.voxels.begin() + static_cast<std::ptrdiff_t>((std::size_t(z) * v.ny + (v.ny - 1 - y)) * v.nx),
                v.nx, img.values.begin() + static_cast<std::ptrdiff_t>(std::size_t(y) * v.nx));
  return img;
}

Volume volumeFromImages(const std::vector<physics::FloatImage>& slices, std::array<double, 3> spacing) {
  if (slices.empty()) throw VolumeError("no slices to make a volume of");
  Volume v;
  v.nx = slices.front().width;
  v.ny = slices.front().height;
  v.nz = static_cast<int>(slices.size());
  v.spacing = spacing;
  v.voxels.resize(v.voxelCount());
  for (int z = 0; z < v.nz; ++z) {
    const auto& s = slices[z];
    if (s.width != v.nx || s.height != v.ny || s.values.size() < s.sliceSize())
      throw VolumeError("slices of a volume must all be " + std::to_string(v.nx) + " x " + std::to_string(v.ny));
    for (int y = 0; y < v.ny; ++y)
      std::copy_n(s.values.begin() + static_cast<std::ptrdiff_t>(std::size_t(y) * v.nx), v.nx,
                  v.voxels.begin() + static_cast<std::ptrdiff_t>((std::size_t(z) * v.ny + (v.ny - 1 - y)) * v.nx));
  }
  return v;
}

}  // namespace genlab::core::data
