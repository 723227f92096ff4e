// Fuzz target: the implicit and inverse rules (reference/implicit.hpp) through their entry
// points: implicit_jacobian(_real), implicit_closure, inverse_jacobian(_real), inverse_closure.
//
// Input: program text, a line "%%", then one value per input of the program: the parameters
// come first, as many as the program has inputs beyond its outputs (n = p - q), then the
// unknowns; see fuzz_input.hpp. When p = q the inverse rule runs instead. Every call returns or
// throws selgrad::Error; a returned -B^-1 A has m rows of n entries, and the exact and MPFR
// instances agree on the shape.
#include <cstdint>

#include "fuzz_input.hpp"
#include "selgrad/reference/implicit.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace selgrad;
  using namespace selgrad::reference;
  const auto in = fuzz::split_input(data, size);
  const auto p = fuzz::parse_or_refuse(in.program);
  if (!p) return 0;
  const auto lits = fuzz::point_literals(in.point, p->p());
  if (!lits) return 0;
  const std::vector<Rational> all = to_point(*lits);
  Options o;
  o.precision = 64;
  o.max_precision = 1024;
  o.max_closure_combinations = 256;
  if (p->p() == p->q()) {
    fuzz::expect_result_or_error([&] {
      if (!p->transcendental()) {
        const InverseResult r = inverse_jacobian(*p, all, o);
        if (r.inverse.size() != p->p()) fuzz::finding("inverse of the wrong size");
        inverse_closure(*p, all, o);
      }
    });
    fuzz::expect_result_or_error([&] { inverse_jacobian_real(*p, all, o); });
    return 0;
  }
  if (p->p() < p->q()) return 0;
  const std::size_t n = p->p() - p->q(), m = p->q();
  const std::vector<Rational> x(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n));
  const std::vector<Rational> y(all.begin() + static_cast<std::ptrdiff_t>(n), all.end());
  const auto check_shape = [&](const auto& jac) {
    if (jac.size() != m) fuzz::finding("-B^-1 A has the wrong number of rows");
    for (const auto& row : jac)
      if (row.size() != n) fuzz::finding("-B^-1 A has a row of the wrong length");
  };
  if (!p->transcendental()) {
    fuzz::expect_result_or_error([&] { check_shape(implicit_jacobian(*p, n, x, y, o).jacobian); });
    fuzz::expect_result_or_error([&] {
      const ImplicitClosure c = implicit_closure(*p, n, x, y, o);
      for (const auto& j : c.jacobians)
        if (j) check_shape(*j);
    });
  }
  fuzz::expect_result_or_error([&] { check_shape(implicit_jacobian_real(*p, n, x, y, o).jacobian); });
  return 0;
}
