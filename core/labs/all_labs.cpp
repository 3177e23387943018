// One line per lab: its command-line registration.
#include "core/cli/cli.h"

namespace genlab::core {
namespace vae { void registerCli(cli::Registry& r); }

void cli::registerAllLabs(Registry& r) {
  vae::registerCli(r);
}
}  // namespace genlab::core
