// One line per lab: its command-line registration.
#include "core/cli/cli.h"

namespace genlab::core {
namespace vae { void registerCli(cli::Registry& r); }
namespace toy2d { void registerCli(cli::Registry& r); }
namespace ct { void registerCli(cli::Registry& r); }

void cli::registerAllLabs(Registry& r) {
  vae::registerCli(r);
  toy2d::registerCli(r);
  ct::registerCli(r);
}
}  // namespace genlab::core
