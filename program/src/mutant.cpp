// The switch of the mutant build (see mutant.hpp); empty in the normal build.
#include "selgrad/program/mutant.hpp"

#if defined(SELGRAD_MUTANTS)
#include <cstdlib>

namespace selgrad::mutant {

int active() {
  static const int n = [] {
    const char* v = std::getenv("SELGRAD_MUTANT");
    return v ? std::atoi(v) : 0;
  }();
  return n;
}

}  // namespace selgrad::mutant
#endif
