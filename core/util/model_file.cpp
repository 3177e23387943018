#include "core/util/model_file.h"


#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <tuple>

#include "core/util/atomic_file.h"
#include "core/util/json_depth.h"

namespace genlab::core {

namespace {
constexpr char kMagic[8] = {'G', 'E', 'N', 'L', 'A', 'B', 'M', 'F'};
constexpr std::size_t kMaxFile = std::size_t(4) << 30;  // 4 GiB
// Limits on what a file may declare, checked before anything is allocated
// from its numbers. GenLab's own headers are a few kilobytes, nest 4 levels
// and list a few dozen tensors; these leave room for far larger models.
constexpr std::size_t kMaxHeader = 16u << 20;  // 16 MiB of header JSON
constexpr int kMaxDepth = 64;                   // nesting of [ and { in the header
constexpr std::size_t kMaxTensors = 4096;       // tensor entries per file

void putU32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint32_t getU32(const std::string& in, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= std::uint32_t(static_cast<unsigned char>(in[at + i])) << (8 * i);
  return v;
}
std::uint32_t crcOf(const char* data, std::size_t n) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (n > 0) {
    const uInt chunk = static_cast<uInt>(std::min<std::size_t>(n, 1u << 30));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data), chunk);
    data += chunk;
    n -= chunk;
  }
  return static_cast<std::uint32_t>(crc);
}
struct TensorEntry {
  std::string name;
  std::vector<std::int64_t> shape;
  std::uint64_t count = 0, offset = 0, bytes = 0;
};

// Reads and checks the tensor list before any tensor is allocated: a bounded
// count, known dtypes and shapes, each tensor inside the payload, no two
// tensors sharing bytes, so the total allocated never exceeds the payload.
template <class Fail>
std::vector<TensorEntry> readTensorEntries(const nlohmann::json& list, std::size_t payloadSize,
                                           const Fail& fail) {
  if (!list.is_array()) throw fail("corrupt: the header's tensor list is not an array");
  if (list.size() > kMaxTensors)
    throw fail("the file lists " + std::to_string(list.size()) + " tensors; the limit is " +
               std::to_string(kMaxTensors) + " tensors per model file");
  std::vector<TensorEntry> entries;
  entries.reserve(list.size());
  for (const auto& t : list) {
    TensorEntry e;
    e.name = t.at("name").get<std::string>();
    if (t.at("dtype").get<std::string>() != "f32") throw fail("tensor " + e.name + ": unsupported dtype");
    e.shape = t.at("shape").get<std::vector<std::int64_t>>();
    if (e.shape.size() > 8) throw fail("tensor " + e.name + ": more than 8 dimensions");
    e.count = 1;
    for (auto d : e.shape) {
      if (d < 0 || d > (std::int64_t(1) << 32)) throw fail("tensor " + e.name + ": bad shape");
      e.count *= static_cast<std::uint64_t>(d);
      if (e.count > payloadSize) throw fail("tensor " + e.name + ": larger than the file");
    }
    e.offset = t.at("offset").get<std::uint64_t>();
    e.bytes = t.at("bytes").get<std::uint64_t>();
    if (e.bytes != e.count * 4 || e.offset > payloadSize || e.bytes > payloadSize - e.offset)
      throw fail("tensor " + e.name + ": data lies outside the file");
    entries.push_back(std::move(e));
  }
  std::vector<const TensorEntry*> byOffset;
  for (const auto& e : entries)
    if (e.bytes > 0) byOffset.push_back(&e);
  std::sort(byOffset.begin(), byOffset.end(), [](const TensorEntry* a, const TensorEntry* b) {
    return std::tie(a->offset, a->bytes) < std::tie(b->offset, b->bytes);
  });
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < byOffset.size(); ++i) {
    total += byOffset[i]->bytes;
    if (i > 0 && byOffset[i]->offset < byOffset[i - 1]->offset + byOffset[i - 1]->bytes)
      throw fail("corrupt or hostile: tensors " + byOffset[i - 1]->name + " and " +
                 byOffset[i]->name + " share bytes of the payload (tensors must not overlap)");
  }
  if (total > payloadSize)
    throw fail("the tensors declare " + std::to_string(total) + " bytes but the payload holds " +
               std::to_string(payloadSize));
  std::vector<std::string> names;
  for (const auto& e : entries) names.push_back(e.name);
  std::sort(names.begin(), names.end());
  const auto dup = std::adjacent_find(names.begin(), names.end());
  if (dup != names.end()) throw fail("corrupt: tensor " + *dup + " is listed twice");
  return entries;
}
}  // namespace

std::string ModelFile::serialise() const {
  nlohmann::json header;
  header["format"] = "genlab-model";
  header["lab"] = lab;
  header["meta"] = metaJson.empty() ? nlohmann::json::object() : nlohmann::json::parse(metaJson);
  std::string payload;
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [name, blob] : tensors) {
    std::int64_t count = 1;
    for (auto d : blob.shape) count *= d;
    if (count != static_cast<std::int64_t>(blob.values.size()))
      throw std::logic_error("tensor " + name + ": shape does not match its values");
    list.push_back({{"name", name}, {"shape", blob.shape}, {"dtype", "f32"},
                    {"offset", payload.size()}, {"bytes", blob.values.size() * 4}});
    payload.append(reinterpret_cast<const char*>(blob.values.data()), blob.values.size() * 4);
  }
  header["tensors"] = list;
  const std::string headerText = header.dump();
  std::string out(kMagic, 8);
  putU32(out, kVersion);
  putU32(out, static_cast<std::uint32_t>(headerText.size()));
  out += headerText;
  out += payload;
  putU32(out, crcOf(out.data() + 16, out.size() - 16));
  return out;
}

void ModelFile::save(const std::string& path) const { writeFileAtomic(path, serialise()); }

ModelFile ModelFile::load(const std::string& path, const std::string& expectedLab) {
  std::string bytes;
  try {
    bytes = readFileLimited(path, kMaxFile);
  } catch (const std::exception& e) {
    throw ModelFileError(e.what());
  }
  return parse(bytes, path, expectedLab);
}

ModelFile ModelFile::parse(const std::string& bytes, const std::string& name,
                           const std::string& expectedLab) {
  auto fail = [&](const std::string& why) { return ModelFileError(name + ": " + why); };
  if (bytes.size() < 8 || std::memcmp(bytes.data(), kMagic, 8) != 0)
    throw fail("not a GenLab model file (it does not start with the GENLABMF signature)");
  if (bytes.size() < 20) throw fail("truncated GenLab model file");
  const std::uint32_t version = getU32(bytes, 8);
  if (version == 0 || version > kVersion)
    throw fail("model file format version " + std::to_string(version) +
               " is not supported by this GenLab (it reads up to version " +
               std::to_string(kVersion) + ")");
  const std::size_t headerLen = getU32(bytes, 12);
  if (headerLen > kMaxHeader || 16 + headerLen + 4 > bytes.size())
    throw fail("truncated or corrupt: the header length runs past the end of the file");
  const std::uint32_t stored = getU32(bytes, bytes.size() - 4);
  if (crcOf(bytes.data() + 16, bytes.size() - 20) != stored)
    throw fail("corrupt: checksum mismatch (the file was truncated or modified)");
  const char* headerBegin = bytes.data() + 16;
  if (jsonDepthAtMost(headerBegin, headerBegin + headerLen, kMaxDepth) > kMaxDepth)
    throw fail("corrupt or hostile: the header nests deeper than " + std::to_string(kMaxDepth) +
               " levels (the limit for model files)");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(headerBegin, headerBegin + headerLen);
  } catch (const std::exception&) {
    throw fail("corrupt: the header is not valid JSON");
  }
  ModelFile mf;
  try {
    if (!header.is_object()) throw fail("corrupt: the header is not a JSON object");
    mf.lab = header.at("lab").get<std::string>();
    const auto& meta = header.at("meta");
    if (!meta.is_object()) throw fail("corrupt: the header's meta is not a JSON object");
    // Safe to serialise again: its depth was bounded above.
    mf.metaJson = meta.dump();
    const std::size_t payloadStart = 16 + headerLen;
    const std::size_t payloadSize = bytes.size() - 4 - payloadStart;
    const auto entries = readTensorEntries(header.at("tensors"), payloadSize, fail);
    for (const auto& e : entries) {
      TensorBlob blob;
      blob.shape = e.shape;
      blob.values.resize(e.count);
      if (e.count) std::memcpy(blob.values.data(), bytes.data() + payloadStart + e.offset, e.bytes);
      mf.tensors[e.name] = std::move(blob);
    }
  } catch (const nlohmann::json::exception& e) {
    throw fail(std::string("corrupt header: ") + e.what());
  }
  if (!expectedLab.empty() && mf.lab != expectedLab)
    throw fail("this model belongs to the '" + mf.lab + "' lab, not '" + expectedLab + "'");
  return mf;
}

}  // namespace genlab::core
