#pragma once
// The container every lab's experiment file uses:
//   "GENLAB-EXPERIMENT 1\n<header length>\n<header JSON><payload>"
// The header (a JSON object with at least "lab") says what the lab needs to
// restore; the payload is the lab's checkpoint. Read with size and depth
// limits; written atomically.
#include <string>

namespace genlab::core {

struct ExperimentParts {
  std::string header;   // JSON text, an object with "lab"
  std::string payload;  // empty unless asked for
};

void writeExperimentFile(const std::string& path, const std::string& headerJson,
                         const std::string& payload);
// Throws std::invalid_argument naming the file and what is wrong with it.
ExperimentParts readExperimentFile(const std::string& path, bool withPayload);
// The "lab" of an experiment file's header.
std::string experimentLabOf(const std::string& path);
// The "lab" of an experiment header, refusing JSON nested deeper than 64.
std::string checkedJsonLab(const std::string& headerJson, const std::string& path);

}  // namespace genlab::core
