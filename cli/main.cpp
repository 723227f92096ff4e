// The `selgrad` executable: the command line of run.cpp.
#include "commands.hpp"

int main(int argc, char** argv) { return selgrad::cli::run_cli(argc, argv); }
