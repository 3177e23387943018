// The CLI side of the lab list (core/labs/lab_list.h): each lab's commands.
#include "core/cli/cli.h"
#include "core/labs/lab_list.h"

namespace genlab::core {

#define GENLAB_DECLARE_CLI(id, ...) \
  namespace id {                    \
  void registerCli(cli::Registry& r); \
  }
GENLAB_LABS(GENLAB_DECLARE_CLI)
#undef GENLAB_DECLARE_CLI

void cli::registerAllLabs(Registry& r) {
#define GENLAB_REGISTER_CLI(id, ...) id::registerCli(r);
  GENLAB_LABS(GENLAB_REGISTER_CLI)
#undef GENLAB_REGISTER_CLI
}

}  // namespace genlab::core
