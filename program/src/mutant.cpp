// The switch of the mutant build (see mutant.hpp); empty in the normal build.
#include "selgrad/program/mutant.hpp"

#if defined(SELGRAD_MUTANTS)
#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace selgrad::mutant {
namespace {
std::atomic<bool> g_reached{false};
}  // namespace

int active() {
  static const int n = [] {
    const char* v = std::getenv("SELGRAD_MUTANT");
    return v ? std::atoi(v) : 0;
  }();
  return n;
}

bool hit(int n) {
  if (n == 0 || active() != n) return false;
  if (!g_reached.exchange(true)) {
    // The first time only: leave the mark for a harness in another process.
    if (const char* path = std::getenv("SELGRAD_MUTANT_REACHED"))
      if (std::FILE* f = std::fopen(path, "w")) {
        std::fprintf(f, "%d\n", n);
        std::fclose(f);
      }
  }
  return true;
}

bool reached() { return g_reached.load(); }

}  // namespace selgrad::mutant
#endif
