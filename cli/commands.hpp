// The `selgrad` commands; each returns the exit status (or throws UsageError / selgrad::Error).
#pragma once

#include "args.hpp"

namespace selgrad::cli {

int cmd_grad(const Args& a);     ///< grad: outputs, selection Jacobian, branches (both engines)
int cmd_closure(const Args& a);  ///< closure: the tie closure and 0 in its hull
int cmd_implicit(const Args& a); ///< implicit: -B^-1 A and the hypothesis of the implicit rule

}  // namespace selgrad::cli
