// The `selgrad` commands; each returns the exit status (or throws UsageError / selgrad::Error).
#pragma once

#include "args.hpp"

namespace selgrad::cli {

int cmd_grad(const Args& a);     ///< grad: outputs, selection Jacobian, branches (both engines)
int cmd_closure(const Args& a);  ///< closure: the tie closure and 0 in its hull
int cmd_implicit(const Args& a); ///< implicit: -B^-1 A and the hypothesis of the implicit rule
int cmd_check(const Args& a);    ///< check: a given gradient in the tie closure, its hull, or outside

/// The whole command line: parses argv, runs the command, prints its result on stdout or the
/// error on stderr, and returns the exit status (0 success, 1 program or domain error, 2 bad
/// usage). Never throws.
int run_cli(int argc, char** argv);

}  // namespace selgrad::cli
