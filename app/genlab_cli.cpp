// genlab-cli: the headless face of GenLab's core (no Qt linked).
#include <iostream>

#include "core/cli/cli.h"

#include "core/engine/engine.h"

int main(int argc, char** argv) {
  genlab::core::configureProcess();
  return genlab::core::cli::main(argc, argv, std::cout, std::cerr);
}
