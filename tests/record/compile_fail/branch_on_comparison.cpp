// Compiled by ctest, not built: with SELGRAD_BRANCH_ON_COMPARISON defined this must NOT compile
// (a comparison of Vars is not a bool: a C++ branch would fix one branch into the program for
// every point), and without it, the select that replaces the branch must compile.
#include "selgrad/record.hpp"

selgrad::Var square_of_positive_part(const selgrad::Var& x) {
#ifdef SELGRAD_BRANCH_ON_COMPARISON
  if (x > 0) return x * x;
  return 0;
#else
  return select(x > 0, x * x, 0);
#endif
}

int main() {}
