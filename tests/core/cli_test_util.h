#pragma once
// Core tests' helper: genlab-cli run in-process.
#include <sstream>
#include <string>
#include <vector>

#include "core/cli/cli.h"

namespace genlab::test {

// Runs genlab-cli with `args`; returns the exit code, stdout's lines in
// `lines` and, when asked, stderr in `err`.
inline int runCli(std::vector<std::string> args, std::vector<std::string>& lines,
                  std::string* err = nullptr) {
  args.insert(args.begin(), "genlab-cli");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::ostringstream o, e;
  const int rc = core::cli::main(static_cast<int>(argv.size()), argv.data(), o, e);
  std::istringstream in(o.str());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  if (err) *err = e.str();
  return rc;
}

}  // namespace genlab::test
