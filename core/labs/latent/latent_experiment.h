#pragma once
// Experiment files of the Latent Explorer: one file that holds the lab, every
// option and seed, where the data came from (folder and SHA-256 of each of
// its files), the model checkpoint (with its optimizer and random-number
// state, so training resumes with identical numbers) and the GUI's view
// state. Opening one on another machine checks the data and says what is
// missing or different; nothing is silently substituted. Torch-free.
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/labs/latent/latent_requests.h"

namespace genlab::core::latent {

struct DataFingerprint {
  std::string spec;    // "mnist", "digits" or a folder
  std::string folder;  // where the files were ("embedded" for the digits)
  std::vector<std::pair<std::string, std::string>> files;  // name (relative), sha256
};
// Hashes the data set's files (worker: MNIST takes about a second).
DataFingerprint fingerprintData(const std::string& spec);

// The data an experiment names is not here, or not the same.
struct DataMismatch : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct OpenedExperiment : OpenedSession {
  std::string viewJson;    // the GUI's view state, as saved
  std::string resultJson;  // the run's result line, when it had finished
  DataFingerprint data;
};

// Worker. Writes atomically.
void saveExperiment(const std::string& path, const VaeSession& session, const std::string& dataSpec,
                    const std::string& viewJson, const std::string& resultJson);
// Worker. `dataOverride` (a folder) replaces the recorded data location; the
// files there must have the recorded hashes. Throws DataMismatch naming what
// is missing or different.
std::shared_ptr<OpenedExperiment> openExperiment(const std::string& path,
                                                 const std::string& dataOverride = "");
// The lab named by an experiment file (cheap: reads its header).
std::string experimentLab(const std::string& path);

}  // namespace genlab::core::latent
