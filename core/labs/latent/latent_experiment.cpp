#include "core/labs/latent/latent_experiment.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/data/image_data.h"
#include "core/util/atomic_file.h"
#include "core/util/experiment_file.h"
#include "core/util/sha256.h"

namespace genlab::core::latent {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {
constexpr std::size_t kMaxDataFiles = 100000;

std::string folderOf(const std::string& spec) {
  if (spec == "mnist") return mnistDirectory();
  if (spec == "digits") return "embedded";
  return fs::absolute(spec).lexically_normal().string();
}

// Hashes every regular file under `folder` (names relative to it), sorted.
std::vector<std::pair<std::string, std::string>> hashFolder(const std::string& folder,
                                                            bool mnistOnly) {
  std::vector<std::pair<std::string, std::string>> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string name = fs::relative(it->path(), folder, ec).string();
    // The MNIST folder holds the four IDX files (maybe gzipped) and notes.
    if (mnistOnly && name.find("-ubyte") == std::string::npos) continue;
    if (out.size() >= kMaxDataFiles)
      throw std::invalid_argument(folder + ": more than 100000 files; GenLab does not fingerprint that many");
    out.emplace_back(name, sha256File(it->path().string()));
  }
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

DataFingerprint fingerprintData(const std::string& spec) {
  DataFingerprint f;
  f.spec = spec;
  f.folder = folderOf(spec);
  if (spec == "digits") {
    f.files = {{"digits", "embedded in GenLab"}};
    return f;
  }
  std::error_code ec;
  if (!fs::is_directory(f.folder, ec)) throw DataMismatch("the data folder " + f.folder + " is not here");
  f.files = hashFolder(f.folder, spec == "mnist");
  return f;
}

void saveExperiment(const std::string& path, const VaeSession& session, const std::string& dataSpec,
                    const std::string& viewJson, const std::string& resultJson) {
  if (session.imported())
    throw std::invalid_argument("an imported TorchScript model is not saved into experiments: "
                                "its file is already its saved form");
  const std::string model = session.serialise();  // the checkpoint, as a model file holds it
  const DataFingerprint data = fingerprintData(dataSpec);
  json files = json::array();
  for (const auto& [name, sha] : data.files) files.push_back({name, sha});
  json header{{"lab", channel::kLab},
              {"genlab", GENLAB_VERSION},
              {"options", json::parse(session.options().toJson())},
              {"data", {{"spec", data.spec}, {"folder", data.folder}, {"files", files}}},
              {"epochs_done", session.epochsDone()},
              {"view", viewJson.empty() ? json(nullptr) : json::parse(viewJson)},
              {"result", resultJson.empty() ? json(nullptr) : json::parse(resultJson)}};
  writeExperimentFile(path, header.dump(), model);
}

std::string experimentLab(const std::string& path) { return experimentLabOf(path); }

std::shared_ptr<OpenedExperiment> openExperiment(const std::string& path,
                                                 const std::string& dataOverride) {
  const ExperimentParts p = readExperimentFile(path, true);
  const json h = json::parse(p.header);  // checked (depth, lab) by readExperimentFile
  if (h.value("lab", std::string()) != channel::kLab)
    throw std::invalid_argument(path + ": an experiment of the '" + h.value("lab", std::string()) +
                                "' lab, not of the Latent Explorer");
  const json& d = h.at("data");
  std::string spec = d.value("spec", std::string());
  if (!dataOverride.empty()) spec = dataOverride;
  // The data must be the same files, byte for byte.
  std::vector<std::pair<std::string, std::string>> recorded;
  for (const auto& f : d.at("files")) recorded.emplace_back(f.at(0).get<std::string>(), f.at(1).get<std::string>());
  DataFingerprint here;
  try {
    here = fingerprintData(spec);
  } catch (const DataMismatch& e) {
    throw DataMismatch("The experiment ran on " + d.value("spec", std::string()) + " from " +
                       d.value("folder", std::string()) + ", and " + e.what() +
                       ". Locate the data set to open it.");
  }
  for (const auto& [name, sha] : recorded) {
    const auto it = std::find_if(here.files.begin(), here.files.end(),
                                 [&](const auto& f) { return f.first == name; });
    if (it == here.files.end())
      throw DataMismatch("The experiment's data file " + name + " is missing from " + here.folder +
                         ". Locate the data set to open it.");
    if (it->second != sha)
      throw DataMismatch("The data file " + here.folder + "/" + name +
                         " differs from the one the experiment ran on (SHA-256 " + it->second.substr(0, 12) +
                         "…, recorded " + sha.substr(0, 12) + "…). Locate the original data set.");
  }
  // The checkpoint is a model file's bytes: the same checks as any model file.
  auto out = std::make_shared<OpenedExperiment>();
  auto data = std::make_shared<ImageSplit>(loadImageData(spec, unsigned(h.at("options").value("seed", 1))));
  out->session = VaeSession::loadBytes(p.payload, path, std::move(data));
  out->effective = out->session->options();
  out->effective.data = spec;
  out->session->evaluate();
  out->map = out->session->latentMap();
  out->loaded = true;
  out->description = dataSummary(spec, out->session->data());
  out->provenance = "experiment " + path + ", " + std::to_string(int(out->session->epochsDone() + 0.5)) +
                    " epochs on " + here.folder;
  out->viewJson = h.contains("view") && !h["view"].is_null() ? h["view"].dump() : "";
  out->resultJson = h.contains("result") && !h["result"].is_null() ? h["result"].dump() : "";
  out->data = here;
  return out;
}

}  // namespace genlab::core::latent
