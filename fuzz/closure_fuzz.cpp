// Fuzz target: the tie closure (reference::tie_closure, D5 restricted to ties) through its
// public API.
//
// Input: program text, a line "%%", then the point; see fuzz_input.hpp (points at ties are the
// interesting ones: "0" or equal values). The closure's first Jacobian is the AD Jacobian at the
// point, every Jacobian has the program's shape, and a closure is refused with Error (Resource)
// above its combination cap (kept small here).
#include <cstdint>

#include "fuzz_input.hpp"
#include "selgrad/reference/closure.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace selgrad;
  const auto in = fuzz::split_input(data, size);
  const auto p = fuzz::parse_or_refuse(in.program);
  if (!p) return 0;
  const auto lits = fuzz::point_literals(in.point, p->p());
  if (!lits) return 0;
  const std::vector<reference::Rational> x = reference::to_point(*lits);
  reference::Options o;
  o.max_closure_combinations = 1024;
  std::optional<reference::TieClosure> c;
  fuzz::expect_result_or_error([&] { c = reference::tie_closure(*p, x, o); });
  if (!c) return 0;
  if (c->jacobians.empty()) fuzz::finding("an empty tie closure");
  if (c->jacobians.front() != c->at_point.jacobian) fuzz::finding("the closure does not start with the AD Jacobian");
  for (const auto& j : c->jacobians) {
    if (j.size() != p->q()) fuzz::finding("a closure Jacobian has the wrong number of rows");
    for (const auto& row : j)
      if (row.size() != p->p()) fuzz::finding("a closure Jacobian row has the wrong length");
  }
  if ((p->q() == 1) != c->zero_in_hull.has_value()) fuzz::finding("zero_in_hull is set iff q = 1");
  return 0;
}
