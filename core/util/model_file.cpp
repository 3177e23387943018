#include "core/util/model_file.h"

#include <zlib.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "core/util/atomic_file.h"

namespace genlab::core {

namespace {
constexpr char kMagic[8] = {'G', 'E', 'N', 'L', 'A', 'B', 'M', 'F'};
constexpr std::size_t kMaxFile = std::size_t(4) << 30;  // 4 GiB
constexpr std::size_t kMaxHeader = 64u << 20;

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
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + 16, bytes.begin() + 16 + headerLen);
  } catch (const std::exception&) {
    throw fail("corrupt: the header is not valid JSON");
  }
  ModelFile mf;
  try {
    mf.lab = header.at("lab").get<std::string>();
    mf.metaJson = header.at("meta").dump();
    const std::size_t payloadStart = 16 + headerLen;
    const std::size_t payloadSize = bytes.size() - 4 - payloadStart;
    for (const auto& t : header.at("tensors")) {
      const auto tname = t.at("name").get<std::string>();
      if (t.at("dtype").get<std::string>() != "f32") throw fail("tensor " + tname + ": unsupported dtype");
      TensorBlob blob;
      blob.shape = t.at("shape").get<std::vector<std::int64_t>>();
      std::uint64_t count = 1;
      for (auto d : blob.shape) {
        if (d < 0 || d > (std::int64_t(1) << 32)) throw fail("tensor " + tname + ": bad shape");
        count *= static_cast<std::uint64_t>(d);
        if (count > payloadSize) throw fail("tensor " + tname + ": larger than the file");
      }
      const auto offset = t.at("offset").get<std::uint64_t>();
      const auto nbytes = t.at("bytes").get<std::uint64_t>();
      if (nbytes != count * 4 || offset > payloadSize || nbytes > payloadSize - offset)
        throw fail("tensor " + tname + ": data lies outside the file");
      blob.values.resize(count);
      if (count) std::memcpy(blob.values.data(), bytes.data() + payloadStart + offset, nbytes);
      mf.tensors[tname] = std::move(blob);
    }
  } catch (const nlohmann::json::exception& e) {
    throw fail(std::string("corrupt header: ") + e.what());
  }
  if (!expectedLab.empty() && mf.lab != expectedLab)
    throw fail("this model belongs to the '" + mf.lab + "' lab, not '" + expectedLab + "'");
  return mf;
}

}  // namespace genlab::core
