// Writing volumes through VTK's writers, atomically: a temporary file beside
// the target (same extension, so the writer picks the same format), flushed
// to disk, then renamed over the target.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vtkImageData.h>
#include <vtkMetaImageWriter.h>
#include <vtkNIFTIImageWriter.h>
#include <vtkNew.h>
#include <vtkPNGWriter.h>
#include <vtkPointData.h>
#include <vtkUnsignedCharArray.h>
#include <vtkUnsignedShortArray.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <vector>

#include "core/data/volume_checks.h"
#include "core/data/volume_io.h"
#include "core/data/vtk_glue.h"
#include "core/util/atomic_file.h"

namespace genlab::core::data {

namespace fs = std::filesystem;
using namespace detail;

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw VolumeError("cannot save " + path + ": " + what);
}

// A temporary file beside `path` ending in `ext`; removed unless released.
class TempFile {
 public:
  TempFile(const std::string& path, const std::string& ext) : m_target(path) {
    const fs::path p(path);
    std::string tmpl = (p.parent_path() / ("." + p.filename().string() + ".tmp-XXXXXX" + ext)).string();
    std::vector<char> name(tmpl.begin(), tmpl.end());
    name.push_back('\0');
    const int fd = ::mkstemps(name.data(), static_cast<int>(ext.size()));
    if (fd < 0) fail(path, std::string("cannot create a file in its folder: ") + std::strerror(errno));
    ::close(fd);
    m_path = name.data();
  }
  ~TempFile() {
    if (!m_path.empty()) ::unlink(m_path.c_str());
  }
  const std::string& path() const { return m_path; }
  // Flushes the written file to disk and renames it over the target.
  void commit() {
    const int fd = ::open(m_path.c_str(), O_RDONLY);
    if (fd < 0 || ::fsync(fd) != 0) {
      if (fd >= 0) ::close(fd);
      fail(m_target, std::string("cannot flush it: ") + std::strerror(errno));
    }
    ::close(fd);
    ::chmod(m_path.c_str(), 0644);
    if (::rename(m_path.c_str(), m_target.c_str()) != 0)
      fail(m_target, std::string("cannot replace it: ") + std::strerror(errno));
    m_path.clear();
  }

 private:
  std::string m_target, m_path;
};

template <typename Writer>
void runWriter(Writer* writer, const std::string& path) {
  vtkNew<VtkMessages> messages;
  messages->watch(writer);
  writer->Write();
  if (messages->failed() || writer->GetErrorCode() != 0) {
    const std::string text = messages->text();
    fail(path, "VTK's writer failed" + (text.empty() ? std::string() : ": " + text));
  }
}

// One slice as 8- or 16-bit grey, in VTK's row order (the writer puts the
// top row first in the file).
vtkSmartPointer<vtkImageData> pngSlice(const Volume& v, const PngExport& o, const std::string& path) {
  if (o.bits != 8 && o.bits != 16) fail(path, "PNG export is 8- or 16-bit");
  const int z = o.slice < 0 ? v.nz / 2 : o.slice;
  if (z >= v.nz) fail(path, "slice " + std::to_string(z) + " is outside the volume");
  const std::size_t n = std::size_t(v.nx) * v.ny;
  const float* src = v.voxels.data() + std::size_t(z) * n;
  const double top = o.bits == 16 ? 65535.0 : 255.0;
  double lo = o.windowLo, hi = o.windowHi;
  if (!(lo < hi)) {
    const auto [mn, mx] = std::minmax_element(src, src + n);
    const bool integral = std::all_of(src, src + n, [](float x) { return x == std::floor(x); });
    if (integral && *mn >= 0 && *mx <= top) {
      lo = 0;  // store the values as they are
      hi = top;
    } else {
      lo = *mn;
      hi = *mx > *mn ? *mx : *mn + 1;
    }
  }
  auto image = vtkSmartPointer<vtkImageData>::New();
  image->SetDimensions(v.nx, v.ny, 1);
  image->AllocateScalars(o.bits == 16 ? VTK_UNSIGNED_SHORT : VTK_UNSIGNED_CHAR, 1);
  for (std::size_t i = 0; i < n; ++i) {
    const double t = std::clamp((double(src[i]) - lo) / (hi - lo), 0.0, 1.0) * top;
    const long q = std::isfinite(t) ? std::lround(t) : 0;
    if (o.bits == 16)
      static_cast<unsigned short*>(image->GetScalarPointer())[i] = static_cast<unsigned short>(q);
    else
      static_cast<unsigned char*>(image->GetScalarPointer())[i] = static_cast<unsigned char>(q);
  }
  return image;
}

void writePng(const Volume& v, const std::string& path, const PngExport& o) {
  vtkNew<vtkPNGWriter> writer;
  writer->SetInputData(pngSlice(v, o, path));
  writer->WriteToMemoryOn();
  runWriter(writer.Get(), path);
  vtkUnsignedCharArray* bytes = writer->GetResult();
  if (!bytes || bytes->GetNumberOfTuples() == 0) fail(path, "VTK's PNG writer produced nothing");
  try {
    writeFileAtomic(path, std::string(reinterpret_cast<const char*>(bytes->GetPointer(0)),
                                      static_cast<std::size_t>(bytes->GetNumberOfTuples())));
  } catch (const std::runtime_error& e) {
    throw VolumeError(e.what());
  }
}

void checkExtension(const std::string& path, const std::string& ext) {
  if (ext == ".mhd") fail(path, "save as .mha (one file) instead of .mhd + raw data");
  if (ext != ".nii" && ext != ".nii.gz" && ext != ".mha" && ext != ".png")
    fail(path, "unknown extension '" + ext + "': save as .nii, .nii.gz, .mha or .png");
}

}  // namespace

void checkVolumeSavePath(const std::string& path) {
  if (path.empty()) throw VolumeError("no file name to save to");
  checkExtension(path, lowerExtension(path));
  std::error_code ec;
  if (fs::is_directory(path, ec)) fail(path, "it is a folder");
  const fs::path dir = fs::path(path).has_parent_path() ? fs::path(path).parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec)) fail(path, "the folder " + dir.string() + " does not exist");
  if (::access(dir.c_str(), W_OK) != 0) fail(path, "the folder " + dir.string() + " is not writable");
}

void writeVolume(const Volume& v, const std::string& path) { writeVolume(v, path, PngExport{}); }

void writeVolume(const Volume& v, const std::string& path, const PngExport& png) {
  if (path.empty()) throw VolumeError("no file name to save to");
  validateVolume(v, "cannot save " + path);
  const std::string ext = lowerExtension(path);
  std::error_code ec;
  if (fs::is_directory(path, ec)) fail(path, "it is a folder");
  try {
    checkExtension(path, ext);
    if (ext == ".png") return writePng(v, path, png);
    TempFile tmp(path, ext);
    const auto image = toImageData(v);
    if (ext == ".mha") {
      vtkNew<vtkMetaImageWriter> writer;
      writer->SetInputData(image);
      writer->SetFileName(tmp.path().c_str());
      writer->SetCompression(false);
      runWriter(writer.Get(), path);
    } else {
      vtkNew<vtkNIFTIImageWriter> writer;  // the origin goes into the qform
      writer->SetInputData(image);
      writer->SetFileName(tmp.path().c_str());
      writer->SetDescription("GenLab");
      runWriter(writer.Get(), path);
    }
    tmp.commit();
  } catch (const VolumeError&) {
    throw;
  } catch (const std::bad_alloc&) {
    fail(path, "out of memory");
  } catch (const std::exception& e) {
    fail(path, e.what());
  }
}

}  // namespace genlab::core::data
