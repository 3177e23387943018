#include "core/cli/cli.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <stdexcept>

#include "core/data/read_limits.h"
#include "core/engine/engine.h"
#include "core/labs/lab_list.h"
#include "core/util/experiment_file.h"

namespace genlab::core::cli {

Args::Args(std::vector<std::string> argv, std::vector<std::string> flags) {
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.rfind("--", 0) != 0 || a.size() < 3)
      throw std::invalid_argument("unexpected argument '" + a + "' (options start with --)");
    std::string name = a.substr(2), value;
    const auto eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else if (std::find(flags.begin(), flags.end(), name) != flags.end()) {
      m_flags.push_back(name);
      continue;
    } else {
      if (i + 1 >= argv.size()) throw std::invalid_argument("option --" + name + " needs a value");
      value = argv[++i];
    }
    m_values[name] = value;
  }
}

bool Args::has(const std::string& name) const { return m_values.count(name) > 0; }
bool Args::flag(const std::string& name) const {
  return std::find(m_flags.begin(), m_flags.end(), name) != m_flags.end();
}
std::string Args::str(const std::string& name, const std::string& def) const {
  auto it = m_values.find(name);
  return it == m_values.end() ? def : it->second;
}

int Args::integer(const std::string& name, int def, int lo, int hi) const {
  auto it = m_values.find(name);
  if (it == m_values.end()) return def;
  std::size_t pos = 0;
  long long v = 0;
  try {
    v = std::stoll(it->second, &pos);
  } catch (const std::exception&) {
    pos = 0;
  }
  if (pos != it->second.size() || pos == 0)
    throw std::invalid_argument("--" + name + " expects an integer, got '" + it->second + "'");
  if (v < lo || v > hi)
    throw std::invalid_argument("--" + name + " must be between " + std::to_string(lo) + " and " +
                                std::to_string(hi));
  return static_cast<int>(v);
}

double Args::real(const std::string& name, double def) const {
  auto it = m_values.find(name);
  if (it == m_values.end()) return def;
  std::size_t pos = 0;
  double v = 0;
  try {
    v = std::stod(it->second, &pos);
  } catch (const std::exception&) {
    pos = 0;
  }
  if (pos != it->second.size() || pos == 0 || !std::isfinite(v))
    throw std::invalid_argument("--" + name + " expects a number, got '" + it->second + "'");
  return v;
}

void Args::rejectUnknown(const std::vector<std::string>& known) const {
  auto isKnown = [&](const std::string& n) {
    return std::find(known.begin(), known.end(), n) != known.end();
  };
  for (const auto& [k, v] : m_values)
    if (!isKnown(k)) throw std::invalid_argument("unknown option --" + k);
  for (const auto& f : m_flags)
    if (!isKnown(f)) throw std::invalid_argument("unknown option --" + f);
}

namespace {
void usage(const Registry& r, std::ostream& os) {
  os << "usage: genlab-cli <lab> <command> [options]\n       genlab-cli --version\n\n";
  for (const auto& c : r.commands()) os << "  " << c.usage << "\n";
  os << "  replay FILE [--json]   re-run an experiment file headless (its lab's replay)\n";
  for (const LabDescriptor& lab : kLabs)
    if (*lab.alias) os << "\n  '" << lab.alias << "' is an older name of '" << lab.id << "'.";
  os << "\n\nEvery command also takes limits on what an input file may make it allocate:\n"
     << "  " << kMaxPixelsOption << " N (pixels per image), " << kMaxVoxelsOption
     << " N (voxels per volume),\n  " << kMaxExpansionOption
     << " N (decoded bytes per compressed byte), " << kMaxTrainPixelsOption
     << " N (pixels per training image)\n";
}

// The read limits (core/data/read_limits.h) are options of every command:
// taken out of `a` here, before the command sees its own options.
ReadLimits takeLimitOptions(std::vector<std::string>& a) {
  ReadLimits limits = readLimits();
  const std::pair<const char*, std::uint64_t*> options[] = {
      {kMaxPixelsOption, &limits.maxPixels},
      {kMaxVoxelsOption, &limits.maxVoxels},
      {kMaxExpansionOption, &limits.maxExpansion},
      {kMaxTrainPixelsOption, &limits.maxTrainPixels}};
  for (std::size_t i = 2; i < a.size();) {
    const auto* match = std::find_if(std::begin(options), std::end(options),
                                      [&](const auto& o) { return a[i] == o.first; });
    if (match == std::end(options)) {
      ++i;
      continue;
    }
    if (i + 1 >= a.size()) throw std::invalid_argument(a[i] + " needs a number");
    std::uint64_t v = 0;
    const std::string& text = a[i + 1];
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v == 0)
      throw std::invalid_argument(a[i] + " expects a positive whole number, got '" + text + "'");
    *match->second = v;
    a.erase(a.begin() + static_cast<std::ptrdiff_t>(i), a.begin() + static_cast<std::ptrdiff_t>(i) + 2);
  }
  return limits;
}
}  // namespace

int main(int argc, char** argv, std::ostream& out, std::ostream& err) {
  Registry reg;
  registerAllLabs(reg);
  std::vector<std::string> a(argv + 1, argv + argc);
  if (a.empty() || a[0] == "--help" || a[0] == "-h") {
    usage(reg, a.empty() ? err : out);
    return a.empty() ? 2 : 0;
  }
  if (a[0] == "--version") {
    out << "genlab-cli " << GENLAB_VERSION << " (device: " << Engine::deviceName() << ")\n";
    return 0;
  }
  if (a.size() < 2) {
    usage(reg, err);
    return 2;
  }
  // `replay FILE ...`: the experiment's own lab replays it.
  if (a[0] == "replay") {
    try {
      const std::string lab = experimentLabOf(a[1]);
      std::vector<std::string> rest(a.begin() + 2, a.end());
      a = {lab, "replay", "--file", a[1]};
      a.insert(a.end(), rest.begin(), rest.end());
    } catch (const std::exception& e) {
      err << "genlab-cli: " << e.what() << "\n";
      return 1;
    }
  }
  for (const LabDescriptor& lab : kLabs)
    if (*lab.alias && a[0] == lab.alias) a[0] = lab.id;
  for (const auto& c : reg.commands()) {
    if (c.lab != a[0] || c.verb != a[1]) continue;
    try {
      const ScopedReadLimits limits(takeLimitOptions(a));
      Args args(std::vector<std::string>(a.begin() + 2, a.end()), c.flags);
      return c.run(args, out, err);
    } catch (const std::exception& e) {
      err << "genlab-cli: " << e.what() << "\n";
      return 1;
    }
  }
  err << "genlab-cli: unknown command '" << a[0] << " " << a[1] << "'\n";
  usage(reg, err);
  return 2;
}

}  // namespace genlab::core::cli
