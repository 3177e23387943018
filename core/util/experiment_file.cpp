#include "core/util/experiment_file.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "core/util/atomic_file.h"
#include "core/util/json_depth.h"

namespace genlab::core {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {
constexpr const char* kMagic = "GENLAB-EXPERIMENT 1";
constexpr std::size_t kMaxHeader = 16u << 20;
constexpr std::size_t kMaxFile = std::size_t(4) << 30;

constexpr int kMaxDepth = 64;

json parseHeader(const std::string& text, const std::string& path) {
  // Depth first (model_file.cpp does the same): a hostile header cannot make
  // the parser recurse beyond what any real one needs.
  if (jsonDepthAtMost(text.data(), text.data() + text.size(), kMaxDepth) > kMaxDepth)
    throw std::invalid_argument(path + ": not a readable GenLab experiment (its header nests "
                                "deeper than 64 levels)");
  try {
    return json::parse(text);
  } catch (const std::exception& e) {
    throw std::invalid_argument(path + ": not a readable GenLab experiment (its header: " +
                                e.what() + ")");
  }
}

}  // namespace

void writeExperimentFile(const std::string& path, const std::string& headerJson,
                         const std::string& payload) {
  writeFileAtomic(path, std::string(kMagic) + "\n" + std::to_string(headerJson.size()) + "\n" +
                            headerJson + payload);
}

std::string checkedJsonLab(const std::string& headerJson, const std::string& path) {
  const json h = parseHeader(headerJson, path);
  if (!h.is_object() || !h.contains("lab") || !h["lab"].is_string())
    throw std::invalid_argument(path + ": damaged experiment file (no lab named)");
  return h["lab"].get<std::string>();
}

ExperimentParts readExperimentFile(const std::string& path, bool withPayload) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw std::invalid_argument(path + ": not found");
  const auto size = fs::file_size(path, ec);
  if (ec || size > kMaxFile) throw std::invalid_argument(path + ": larger than 4 GiB, or unreadable");
  std::ifstream in(path, std::ios::binary);
  std::string magic, length;
  if (!std::getline(in, magic) || magic != kMagic)
    throw std::invalid_argument(path + ": not a GenLab experiment file (it does not start with \"" +
                                std::string(kMagic) + "\")");
  std::getline(in, length);
  std::size_t n = 0, used = 0;
  try {
    n = std::stoull(length, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != length.size() || n == 0 || n > kMaxHeader ||
      n > size - magic.size() - length.size() - 2)
    throw std::invalid_argument(path + ": damaged experiment file (bad header length)");
  ExperimentParts p;
  p.header.assign(n, '\0');
  if (!in.read(p.header.data(), std::streamsize(n)))
    throw std::invalid_argument(path + ": truncated experiment file");
  checkedJsonLab(p.header, path);
  if (withPayload) {
    std::ostringstream rest;
    rest << in.rdbuf();
    p.payload = rest.str();
    if (p.payload.empty()) throw std::invalid_argument(path + ": the experiment holds no model");
  }
  return p;
}

std::string experimentLabOf(const std::string& path) {
  return checkedJsonLab(readExperimentFile(path, false).header, path);
}

}  // namespace genlab::core
