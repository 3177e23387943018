#pragma once
// genlab-cli: subcommands registered by the labs, argument parsing, and
// JSON-lines output. Qt-free: this is the headless face of the same core.
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace genlab::core::cli {

// Parsed `--name value` and `--flag` arguments after `<lab> <verb>`.
class Args {
 public:
  Args(std::vector<std::string> argv, std::vector<std::string> flags);
  bool has(const std::string& name) const;
  std::string str(const std::string& name, const std::string& def) const;
  int integer(const std::string& name, int def, int lo, int hi) const;
  double real(const std::string& name, double def) const;
  bool flag(const std::string& name) const;
  // Throws std::invalid_argument naming any option not in `known`.
  void rejectUnknown(const std::vector<std::string>& known) const;

 private:
  std::map<std::string, std::string> m_values;
  std::vector<std::string> m_flags;
};

struct Command {
  std::string lab;   // the lab id of core/labs/lab_list.h, e.g. "latent"
  std::string verb;  // e.g. "train"
  std::string usage;
  std::function<int(const Args&, std::ostream& out, std::ostream& err)> run;
  std::vector<std::string> flags;  // options that take no value
};

class Registry {
 public:
  void add(Command c) { m_commands.push_back(std::move(c)); }
  const std::vector<Command>& commands() const { return m_commands; }

 private:
  std::vector<Command> m_commands;
};

// Registers every lab's commands (core/labs/all_labs.cpp: one line per lab).
void registerAllLabs(Registry& r);

int main(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace genlab::core::cli
