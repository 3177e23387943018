// genlab-cli: the headless face of GenLab's core (no Qt linked).
#include <iostream>

#include "core/cli/cli.h"

int main(int argc, char** argv) { return genlab::core::cli::main(argc, argv, std::cout, std::cerr); }
