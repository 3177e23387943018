#include "core/data/image_data.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <vector>

#include "core/data/idx_reader.h"
#include "core/data/png_folder_reader.h"

namespace genlab::core {
namespace {

namespace fs = std::filesystem;

constexpr int kDigitsTestCount = 300;

// Fisher-Yates on raw std::mt19937 draws with rejection sampling: std::shuffle
// and uniform_int_distribution differ between standard libraries, and a seed
// must give the same split on every platform.
std::vector<int> seededPermutation(int n, unsigned seed) {
  std::vector<int> order(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  std::mt19937 rng(seed);
  for (int i = n - 1; i > 0; --i) {
    const std::uint64_t range = static_cast<std::uint64_t>(i) + 1;
    const std::uint64_t limit = (std::uint64_t{1} << 32) - ((std::uint64_t{1} << 32) % range);
    std::uint64_t r;
    do r = rng(); while (r >= limit);
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(r % range)]);
  }
  return order;
}

ImageDataset subset(const ImageDataset& all, std::vector<int> indices) {
  // File order within each part: the split picks members, training shuffles.
  std::sort(indices.begin(), indices.end());
  ImageDataset out;
  out.count = static_cast<int>(indices.size());
  out.height = all.height;
  out.width = all.width;
  const std::size_t size = all.imageSize();
  out.pixels.resize(indices.size() * size);
  out.labels.reserve(indices.size());
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const std::size_t i = static_cast<std::size_t>(indices[k]);
    std::copy_n(all.pixels.begin() + static_cast<std::ptrdiff_t>(i * size), size,
                out.pixels.begin() + static_cast<std::ptrdiff_t>(k * size));
    out.labels.push_back(all.labels[i]);
  }
  return out;
}

ImageSplit splitSeeded(const ImageDataset& all, int testCount, unsigned seed) {
  const std::vector<int> order = seededPermutation(all.count, seed);
  ImageSplit split;
  split.test = subset(all, std::vector<int>(order.begin(), order.begin() + testCount));
  split.train = subset(all, std::vector<int>(order.begin() + testCount, order.end()));
  return split;
}

// --- IDX folders -------------------------------------------------------------

struct IdxQuartet {
  std::string trainImages, trainLabels, testImages, testLabels;
  std::vector<std::string> missing;
  bool complete() const { return missing.empty(); }
  bool any() const { return missing.size() < 4; }
};

// MNIST's own names, raw or .gz; the dotted variant ("train-images.idx3-ubyte")
// is how several mirrors unpack it.
std::string findIdxFile(const fs::path& dir, const std::string& stem, const std::string& kind,
                        std::vector<std::string>& missing) {
  const std::string names[] = {stem + "-" + kind, stem + "-" + kind + ".gz", stem + "." + kind,
                               stem + "." + kind + ".gz"};
  for (const std::string& name : names) {
    std::error_code ec;
    if (fs::is_regular_file(dir / name, ec)) return (dir / name).string();
  }
  missing.push_back(stem + "-" + kind + "[.gz]");
  return {};
}

IdxQuartet findIdxQuartet(const fs::path& dir) {
  IdxQuartet q;
  q.trainImages = findIdxFile(dir, "train-images", "idx3-ubyte", q.missing);
  q.trainLabels = findIdxFile(dir, "train-labels", "idx1-ubyte", q.missing);
  q.testImages = findIdxFile(dir, "t10k-images", "idx3-ubyte", q.missing);
  q.testLabels = findIdxFile(dir, "t10k-labels", "idx1-ubyte", q.missing);
  return q;
}

std::string joined(const std::vector<std::string>& items) {
  std::string s;
  for (const std::string& item : items) s += (s.empty() ? "" : ", ") + item;
  return s;
}

ImageSplit loadIdxQuartet(const IdxQuartet& q, const std::string& what, const std::string& dir) {
  ImageSplit split;
  split.train = readIdxImages(q.trainImages, q.trainLabels);
  split.test = readIdxImages(q.testImages, q.testLabels);
  if (split.train.height != split.test.height || split.train.width != split.test.width)
    throw DataError(q.testImages + ": its images are " + std::to_string(split.test.height) + "x" +
                    std::to_string(split.test.width) + " but the training images in " + q.trainImages + " are " +
                    std::to_string(split.train.height) + "x" + std::to_string(split.train.width));
  const std::string provenance = what + " from " + dir + " (" + std::to_string(split.train.count) + " train / " +
                                 std::to_string(split.test.count) + " test)";
  split.train.provenance = provenance;
  split.test.provenance = provenance;
  return split;
}

ImageSplit loadDigits(unsigned seed) {
  const std::string imagesName = "digits-images-idx3-ubyte.gz";
  const std::string labelsName = "digits-labels-idx1-ubyte.gz";
  const std::string_view images = embeddedResource(imagesName);
  const std::string_view labels = embeddedResource(labelsName);
  if (images.empty() || labels.empty())
    throw DataError("digits: this build has no embedded digits (resources/embedded/" + imagesName +
                    "); rebuild after running scripts/make-embedded-digits.py");
  const ImageDataset all =
      readIdxImagesFromMemory(images, labels, "embedded " + imagesName, "embedded " + labelsName);
  if (all.count <= kDigitsTestCount)
    throw DataError("digits: the embedded set holds only " + std::to_string(all.count) + " images");
  ImageSplit split = splitSeeded(all, kDigitsTestCount, seed);
  const std::string provenance = "scikit-learn digits, 8x8 (embedded; BSD-3, from UCI optdigits; " +
                                 std::to_string(split.train.count) + " train / " + std::to_string(split.test.count) +
                                 " test, split seed " + std::to_string(seed) + ")";
  split.train.provenance = provenance;
  split.test.provenance = provenance;
  return split;
}

ImageSplit loadPngFolder(const std::string& folder, unsigned seed) {
  const ImageDataset all = readPngFolder(folder);
  if (all.count < 2)
    throw DataError(folder + "/labels.csv lists only 1 image; at least 2 are needed (1/6 is held out for testing)");
  const int testCount = std::max(1, all.count / 6);
  ImageSplit split = splitSeeded(all, testCount, seed);
  const std::string provenance = all.provenance + "; " + std::to_string(split.train.count) + " train / " +
                                 std::to_string(split.test.count) + " test, split seed " + std::to_string(seed);
  split.train.provenance = provenance;
  split.test.provenance = provenance;
  return split;
}

const char* const kFolderHelp =
    "a data folder must hold either the four MNIST-format IDX files (train-images-idx3-ubyte, "
    "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each optionally .gz) "
    "or PNG images with a labels.csv listing \"file,label\" per line";

}  // namespace

ImageSplit loadImageData(const std::string& spec, unsigned seed) {
  if (spec == "mnist") {
    const std::string dir = mnistDirectory();
    const IdxQuartet q = findIdxQuartet(dir);
    if (!q.complete())
      throw DataError("MNIST is not in " + dir + " (missing " + joined(q.missing) +
                      "). Run `make data` (scripts/fetch-data.sh) to fetch it, or set GENLAB_DATA_DIR to a folder "
                      "whose mnist/ subfolder holds the IDX files.");
    return loadIdxQuartet(q, "MNIST IDX", dir);
  }
  if (spec == "digits") return loadDigits(seed);
  if (spec.empty())
    throw DataError("no data set given: use \"mnist\", \"digits\" or a folder (" + std::string(kFolderHelp) + ")");

  std::error_code ec;
  const fs::file_status st = fs::status(spec, ec);
  if (st.type() == fs::file_type::not_found)
    throw DataError("unknown data set \"" + spec + "\": it is neither \"mnist\", \"digits\" nor an existing folder (" +
                    kFolderHelp + ")");
  if (!fs::is_directory(st))
    throw DataError(spec + ": is a file, not a folder (" + kFolderHelp + ")");

  const IdxQuartet q = findIdxQuartet(spec);
  if (q.complete()) return loadIdxQuartet(q, "IDX", spec);
  if (fs::exists(fs::path(spec) / "labels.csv", ec)) return loadPngFolder(spec, seed);
  if (q.any())
    throw DataError(spec + ": holds only some of the IDX files (missing " + joined(q.missing) + "); " + kFolderHelp);
  throw DataError(spec + ": nothing to load here; " + kFolderHelp);
}

std::string mnistDirectory() {
  if (const char* dir = std::getenv("GENLAB_DATA_DIR"); dir && *dir) return (fs::path(dir) / "mnist").string();
#ifdef GENLAB_SOURCE_DIR
  {
    // A source checkout keeps what `make data` fetched next to the code.
    const fs::path inSource = fs::path(GENLAB_SOURCE_DIR) / "data" / "mnist";
    std::error_code ec;
    if (fs::exists(inSource, ec)) return inSource.string();
  }
#endif
  fs::path base;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) {
    base = xdg;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    base = fs::path(home) / ".local" / "share";
  } else if (const char* profile = std::getenv("USERPROFILE"); profile && *profile) {
    base = fs::path(profile) / ".local" / "share";
  } else {
    base = fs::path(".local") / "share";
  }
  return (base / "genlab" / "mnist").string();
}

}  // namespace genlab::core
