#pragma once
// Limits on what an input file may make GenLab allocate, checked before the
// allocation: a small file must not expand into gigabytes. Process-wide,
// defaults below; genlab-cli raises them with the options named here (every
// refusal message names its option). Thread-safe to read from the worker.
#include <cstdint>
#include <string>

namespace genlab::core {

struct ReadLimits {
  // Pixels of one 2-D image: a PNG decoded anywhere, a CT phantom after it
  // is padded to a square. 4096 x 4096 by default.
  std::uint64_t maxPixels = std::uint64_t{4096} * 4096;
  // Voxels of one volume (NIfTI, MetaImage, DICOM series). 512^3 by default.
  std::uint64_t maxVoxels = std::uint64_t{512} * 512 * 512;
  // Decoded bytes per byte of a compressed file (gzip NIfTI, zlib MetaImage),
  // above a floor of kExpansionFloorBytes. Real scans compress 2-20x.
  std::uint64_t maxExpansion = 100;
  // Pixels of one training image in a PNG folder: a model's first layer is
  // sized from it. 256 x 256 by default.
  std::uint64_t maxTrainPixels = std::uint64_t{256} * 256;
};

// Compressed data may always expand to this much, whatever the ratio.
inline constexpr std::uint64_t kExpansionFloorBytes = std::uint64_t{64} << 20;

ReadLimits readLimits();
void setReadLimits(const ReadLimits& limits);

// The option of genlab-cli that raises each limit.
inline constexpr char kMaxPixelsOption[] = "--max-pixels";
inline constexpr char kMaxVoxelsOption[] = "--max-voxels";
inline constexpr char kMaxExpansionOption[] = "--max-expansion";
inline constexpr char kMaxTrainPixelsOption[] = "--max-train-pixels";

// "more than the limit of N <unit> (raise it with --option N)": the tail of
// every refusal.
std::string overLimit(std::uint64_t limit, const std::string& unit, const char* option);

// Sets the limits for its lifetime and restores the previous ones after.
class ScopedReadLimits {
 public:
  explicit ScopedReadLimits(const ReadLimits& limits) : m_saved(readLimits()) { setReadLimits(limits); }
  ~ScopedReadLimits() { setReadLimits(m_saved); }
  ScopedReadLimits(const ScopedReadLimits&) = delete;
  ScopedReadLimits& operator=(const ScopedReadLimits&) = delete;

 private:
  ReadLimits m_saved;
};

}  // namespace genlab::core
