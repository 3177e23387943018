#pragma once
// genlab-cli style checkerboard | train-gan | mixing: parts 2 and 3 of the
// Style lab. The lab's registerCli (style_cli.cpp) calls registerGanCli.
#include "core/cli/cli.h"

namespace genlab::core::style {
void registerGanCli(cli::Registry& r);
}
