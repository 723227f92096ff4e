// The sum of the k largest of n values through sort, written in C++ over selgrad::Var, recorded
// once, run over 1e5 points with the double engine, and checked exactly where the k-th and the
// (k+1)-th largest values tie.
//
// top3(x) = s0 + s1 + s2 with s = sort(x) (decreasing; equal values keep their order: the stable
// tie rule of the op table). At x = (3, 1, 2, 1, 0, -1) the third and fourth largest are both 1
// (x1 and x3): AD takes x1 (the lower position) and returns e0 + e1 + e2; the tie closure (D5)
// also contains e0 + e2 + e3, the gradient of the same function when x3 counts instead.
//
//   build/examples/record_topk
#include <cstdio>
#include <random>

#include "record_check.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/record.hpp"

namespace {

using selgrad::Var;

Var top3(std::span<const Var> x) {
  const std::vector<Var> s = sort(x);
  return s[0] + s[1] + s[2];
}

}  // namespace

int main() {
  using selgrad::reference::Rational;
  try {
    const selgrad::Program p = selgrad::record(top3, 6);
    std::printf("sum of the 3 largest of 6 values, recorded once:\n%s", selgrad::print_program(p).c_str());
    std::mt19937_64 rng(2);
    std::uniform_int_distribution<int> small(-4, 4);  // small integers: ties are frequent
    selgrad::examples::run_batch(p, 100000, [&] { return static_cast<double>(small(rng)); });
    const std::vector<Rational> x = {Rational(3), Rational(1), Rational(2), Rational(1), Rational(0), Rational(-1)};
    return selgrad::examples::check_tie_point(p, x) ? 0 : 1;
  } catch (const selgrad::Error& e) {
    std::fprintf(stderr, "record_topk: %s\n", e.what());
    return 1;
  }
}
