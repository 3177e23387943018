#include "core/data/dicom_gdcm.h"

#include <gdcmDataSet.h>
#include <gdcmImage.h>
#include <gdcmImageReader.h>
#include <gdcmReader.h>
#include <gdcmStringFilter.h>
#include <gdcmTrace.h>
#include <gdcmTransferSyntax.h>

#include <algorithm>
#include <csetjmp>
#include <csignal>
#include <exception>
#include <functional>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <sstream>
#include <vector>

#include "core/data/dicom_structure.h"
#include "core/data/read_limits.h"
#include "core/data/volume_checks.h"

namespace genlab::core::data::detail {

namespace {

constexpr std::uint64_t kDicomMaxFileBytes = std::uint64_t{1} << 30;
const gdcm::Tag kPixelData(0x7fe0, 0x0010);

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw VolumeError(path + ": " + what);
}

// Debian builds GDCM with assertions on, and some real files (pydicom's
// rtdose_1frame.dcm) or damaged ones fail one of them: abort() would end the
// whole application. While this thread is inside GDCM, SIGABRT jumps back
// here instead and the file is refused. What GDCM had allocated is leaked;
// other threads' aborts go to the handler that was there before. GDCM is
// entered by one thread at a time.
thread_local sigjmp_buf* t_abortJump = nullptr;
struct sigaction g_previousAbort;
std::mutex g_gdcmMutex;

extern "C" void onAbortInsideGdcm(int sig) {
  if (t_abortJump) siglongjmp(*t_abortJump, 1);
  sigaction(SIGABRT, &g_previousAbort, nullptr);
  raise(sig);
}

// Runs `fn` (which reads with GDCM); false when GDCM aborted inside it.
// Exceptions from `fn` pass through.
bool survivesGdcm(const std::function<void()>& fn) {
  std::lock_guard<std::mutex> lock(g_gdcmMutex);
  struct sigaction ours {};
  ours.sa_handler = onAbortInsideGdcm;
  sigemptyset(&ours.sa_mask);
  ours.sa_flags = SA_NODEFER;
  sigaction(SIGABRT, &ours, &g_previousAbort);
  std::exception_ptr error;
  sigjmp_buf jump;
  volatile bool aborted = false;
  if (sigsetjmp(jump, 1) == 0) {
    t_abortJump = &jump;
    try {
      fn();
    } catch (...) {
      error = std::current_exception();
    }
  } else {
    aborted = true;
  }
  t_abortJump = nullptr;
  sigaction(SIGABRT, &g_previousAbort, nullptr);
  if (error) std::rethrow_exception(error);
  return !aborted;
}

[[noreturn]] void gdcmAborted(const std::string& path) {
  fail(path, "GDCM stopped on an internal check while reading this file (it is malformed, or uses a "
             "form GDCM does not handle)");
}

// GDCM writes a line to stderr for each oddity it tolerates (hundreds of
// thousands for a file with zeros after its pixel data). GenLab says what
// matters itself.
void quietGdcm() {
  static std::once_flag once;
  std::call_once(once, [] {
    gdcm::Trace::WarningOff();
    gdcm::Trace::DebugOff();
    gdcm::Trace::ErrorOff();
  });
}

std::string text(const gdcm::StringFilter& sf, const gdcm::DataSet& ds, std::uint16_t group,
                 std::uint16_t element) {
  const gdcm::Tag tag(group, element);
  if (!ds.FindDataElement(tag) || ds.GetDataElement(tag).IsEmpty()) return {};
  std::string s = sf.ToString(tag);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  return s;
}

// Up to n backslash-separated numbers; false unless exactly n finite ones.
template <std::size_t N>
bool numbers(const std::string& s, std::array<double, N>& out) {
  std::stringstream in(s);
  std::string item;
  std::size_t k = 0;
  while (std::getline(in, item, '\\')) {
    if (k == N) return false;
    char* end = nullptr;
    const double v = std::strtod(item.c_str(), &end);
    if (end == item.c_str() || !std::isfinite(v)) return false;
    out[k++] = v;
  }
  return k == N;
}

int integer(const std::string& s, int def) {
  if (s.empty()) return def;
  char* end = nullptr;
  const long v = std::strtol(s.c_str(), &end, 10);
  return end == s.c_str() || v < -(1L << 30) || v > (1L << 30) ? def : static_cast<int>(v);
}

std::uint64_t checkedFileSize(const std::string& path) {
  const std::uint64_t size = regularFile(path);
  if (size == 0) fail(path, "the file is empty");
  if (size > kDicomMaxFileBytes) fail(path, "the file is too large for one DICOM image (over 1 GiB)");
  return size;
}

std::string number(double x) {
  char s[32];
  std::snprintf(s, sizeof s, "%g", x);
  return s;
}

template <typename T>
void convert(const char* buffer, std::size_t count, std::vector<float>& out) {
  out.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    T v;
    std::memcpy(&v, buffer + i * sizeof(T), sizeof(T));
    out[i] = static_cast<float>(v);
  }
}

// The stored values as floats, or false for a type GenLab does not read.
bool storedValues(const gdcm::PixelFormat& pf, const std::vector<char>& buffer, std::size_t count,
                  std::vector<float>& out) {
  switch (pf.GetScalarType()) {
    case gdcm::PixelFormat::UINT8: convert<std::uint8_t>(buffer.data(), count, out); return true;
    case gdcm::PixelFormat::INT8: convert<std::int8_t>(buffer.data(), count, out); return true;
    case gdcm::PixelFormat::UINT12:
    case gdcm::PixelFormat::UINT16: convert<std::uint16_t>(buffer.data(), count, out); return true;
    case gdcm::PixelFormat::INT12:
    case gdcm::PixelFormat::INT16: convert<std::int16_t>(buffer.data(), count, out); return true;
    case gdcm::PixelFormat::UINT32: convert<std::uint32_t>(buffer.data(), count, out); return true;
    case gdcm::PixelFormat::INT32: convert<std::int32_t>(buffer.data(), count, out); return true;
    case gdcm::PixelFormat::FLOAT32: convert<float>(buffer.data(), count, out); return true;
    case gdcm::PixelFormat::FLOAT64: convert<double>(buffer.data(), count, out); return true;
    default: return false;
  }
}

std::string syntaxName(const gdcm::TransferSyntax& ts) {
  using T = gdcm::TransferSyntax;
  switch (static_cast<T::TSType>(ts)) {
    case T::RLELossless: return "RLE lossless";
    case T::JPEGLosslessProcess14:
    case T::JPEGLosslessProcess14_1: return "JPEG lossless";
    case T::JPEGBaselineProcess1: return "JPEG baseline";
    case T::JPEGExtendedProcess2_4: return "JPEG extended";
    case T::JPEGLSLossless: return "JPEG-LS lossless";
    case T::JPEGLSNearLossless: return "JPEG-LS near-lossless";
    case T::JPEG2000Lossless: return "JPEG 2000 lossless";
    case T::JPEG2000: return "JPEG 2000";
    default: return std::string("transfer syntax ") + (ts.GetString() ? ts.GetString() : "?");
  }
}

}  // namespace

bool hasDicomMagic(const std::string& bytes) {
  return bytes.size() >= 132 && bytes.compare(128, 4, "DICM") == 0;
}

namespace {
DicomInfo readHeaderUnguarded(const std::string& path) {
  checkedFileSize(path);
  // Checked before GDCM sees it (GDCM aborts on some malformed files), and
  // only the part up to the end of the pixel data.
  std::istringstream stream(checkDicomStructure(path).bytes);
  gdcm::Reader reader;
  reader.SetStream(stream);
  bool ok = false;
  try {
    ok = reader.ReadUpToTag(kPixelData);
  } catch (const std::exception&) {
    ok = false;
  }
  if (!ok) fail(path, "not a DICOM file GDCM can read (malformed or truncated header)");
  const gdcm::DataSet& ds = reader.GetFile().GetDataSet();
  gdcm::StringFilter sf;
  sf.SetFile(reader.GetFile());
  DicomInfo d;
  d.rows = integer(text(sf, ds, 0x0028, 0x0010), 0);
  d.columns = integer(text(sf, ds, 0x0028, 0x0011), 0);
  d.frames = std::max(1, integer(text(sf, ds, 0x0028, 0x0008), 1));
  d.modality = text(sf, ds, 0x0008, 0x0060);
  d.seriesUid = text(sf, ds, 0x0020, 0x000e);
  d.hasPosition = numbers(text(sf, ds, 0x0020, 0x0032), d.position);
  d.hasOrientation = numbers(text(sf, ds, 0x0020, 0x0037), d.orientation);
  const std::string instance = text(sf, ds, 0x0020, 0x0013);
  d.hasInstance = !instance.empty();
  d.instanceNumber = integer(instance, 0);
  if (d.rows < 0 || d.columns < 0 || d.rows > kVolumeMaxSide || d.columns > kVolumeMaxSide)
    fail(path, "absurd image size " + std::to_string(d.columns) + " x " + std::to_string(d.rows));
  return d;
}
}  // namespace

DicomInfo readDicomHeader(const std::string& path) {
  quietGdcm();
  DicomInfo d;
  if (!survivesGdcm([&] { d = readHeaderUnguarded(path); })) gdcmAborted(path);
  return d;
}

namespace {
Volume readImageUnguarded(const std::string& path) {
  const std::uint64_t fileSize = checkedFileSize(path);
  // The header first: the sizes it declares are checked before GDCM reads
  // (and later decodes) the pixel data.
  const DicomInfo header = readHeaderUnguarded(path);
  if (!header.hasPixels()) fail(path, "no image in this DICOM file (a report, plan or index?)");
  const std::uint64_t pixels = std::uint64_t(header.rows) * header.columns;
  if (pixels > readLimits().maxPixels)
    fail(path, std::to_string(header.columns) + "x" + std::to_string(header.rows) + " = " +
                   std::to_string(pixels) + " pixels is " +
                   overLimit(readLimits().maxPixels, "pixels per image", kMaxPixelsOption));
  checkVoxelCount(path, pixels * header.frames);

  const DicomBytes bytes = checkDicomStructure(path);
  checkCodestreamSizes(path, bytes, header.rows, header.columns);
  std::istringstream stream(bytes.bytes);
  gdcm::ImageReader reader;
  reader.SetStream(stream);
  bool ok = false;
  try {
    ok = reader.Read();
  } catch (const std::exception&) {
    ok = false;
  }
  if (!ok) fail(path, "GDCM cannot read the image in this DICOM file (malformed, or an unsupported encoding)");
  const gdcm::Image& image = reader.GetImage();
  const gdcm::PixelFormat& pf = image.GetPixelFormat();
  const gdcm::TransferSyntax& ts = image.GetTransferSyntax();
  const int columns = static_cast<int>(image.GetDimension(0));
  const int rows = static_cast<int>(image.GetDimension(1));
  const int frames = image.GetNumberOfDimensions() > 2 ? static_cast<int>(image.GetDimension(2)) : 1;
  if (columns != header.columns || rows != header.rows || frames != header.frames)
    fail(path, "the image's size disagrees with its header");
  if (pf.GetSamplesPerPixel() != 1)
    fail(path, "a colour image (" + std::to_string(pf.GetSamplesPerPixel()) +
                   " samples per pixel): only greyscale DICOM is read");
  if (pf.GetScalarType() == gdcm::PixelFormat::SINGLEBIT)
    fail(path, "1 bits per pixel (a segmentation mask) is not supported");
  const std::uint64_t length = image.GetBufferLength();
  const std::uint64_t count = pixels * frames;
  if (length == 0 || length < count * pf.GetPixelSize())
    fail(path, "the pixel data does not hold the image its header describes");
  if (ts.IsEncapsulated()) {
    checkExpansion(path, length, fileSize);
  } else {
    // Uncompressed: the pixel data element must hold every pixel (GDCM
    // would leave the missing ones as they were).
    const gdcm::DataElement& pixelData = reader.GetFile().GetDataSet().GetDataElement(kPixelData);
    const gdcm::ByteValue* bv = pixelData.GetByteValue();
    const std::uint64_t have = bv ? static_cast<std::uint64_t>(static_cast<std::uint32_t>(bv->GetLength())) : 0;
    if (have < length)
      fail(path, "the pixel data is truncated: " + std::to_string(have) + " bytes where the image needs " +
                     std::to_string(length));
  }
  std::vector<char> buffer(static_cast<std::size_t>(length));
  bool decoded = false;
  try {
    decoded = image.GetBuffer(buffer.data());
  } catch (const std::exception&) {
    decoded = false;
  }
  if (!decoded)
    fail(path, std::string("GDCM cannot decode its pixel data (transfer syntax ") + ts.GetString() + ")");
  Volume v;
  v.nx = columns;
  v.ny = rows;
  v.nz = frames;
  if (!storedValues(pf, buffer, static_cast<std::size_t>(count), v.voxels))
    fail(path, std::string("pixels of type ") + pf.GetScalarTypeAsString() + " are not supported");
  buffer = {};
  const double slope = image.GetSlope(), intercept = image.GetIntercept();
  const bool rescaled = std::isfinite(slope) && std::isfinite(intercept) && (slope != 1 || intercept != 0);
  const bool inverted = image.GetPhotometricInterpretation() == gdcm::PhotometricInterpretation::MONOCHROME1;
  if (rescaled)
    for (float& x : v.voxels) x = static_cast<float>(x * slope + intercept);
  // DICOM rows run top down; the volume's y grows upward.
  const std::size_t slice = static_cast<std::size_t>(pixels);
  for (int z = 0; z < frames; ++z)
    for (int y = 0; y < rows / 2; ++y) {
      float* top = v.voxels.data() + z * slice + static_cast<std::size_t>(y) * columns;
      float* bottom = v.voxels.data() + z * slice + static_cast<std::size_t>(rows - 1 - y) * columns;
      std::swap_ranges(top, top + columns, bottom);
    }
  if (inverted) {  // stored inverted: high values are dark
    const auto [lo, hi] = std::minmax_element(v.voxels.begin(), v.voxels.end());
    const float sum = *lo + *hi;
    for (float& x : v.voxels) x = sum - x;
  }
  for (int i = 0; i < 3; ++i) {
    const double s = image.GetSpacing(i), o = image.GetOrigin(i);
    v.spacing[i] = std::isfinite(s) && s > 0 ? s : 1.0;
    v.origin[i] = std::isfinite(o) ? o : 0.0;
  }
  v.format = "dicom";
  v.description = "DICOM " + (header.modality.empty() ? std::string("image") : header.modality) + " " +
                  std::to_string(v.nx) + " x " + std::to_string(v.ny) +
                  (frames > 1 ? " x " + std::to_string(frames) + " frames" : std::string()) + ", " +
                  std::to_string(pf.GetBitsStored()) + "-bit" +
                  (ts.IsEncapsulated() ? ", " + syntaxName(ts) : std::string()) +
                  (rescaled ? ", rescaled: " + number(slope) + " x stored + " + number(intercept) : std::string());
  return v;
}
}  // namespace

Volume readDicomImage(const std::string& path) {
  quietGdcm();
  Volume v;
  if (!survivesGdcm([&] { v = readImageUnguarded(path); })) gdcmAborted(path);
  return v;
}

}  // namespace genlab::core::data::detail
