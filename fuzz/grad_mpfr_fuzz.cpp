// Fuzz target: the reference engine in MPFR with certified branch decisions (evaluate_real).
//
// Input: program text, a line "%%", then the point; see fuzz_input.hpp. Any program (with or
// without exp/log) is evaluated at 64 bits with escalation up to 1024; the result must be
// enclosed: every output's point value lies in its enclosure. For rational programs whose
// decisions are all certified or exact, the exact outputs lie in the enclosures too.
#include <cstdint>

#include "fuzz_input.hpp"
#include "selgrad/reference/evaluate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace selgrad;
  const auto in = fuzz::split_input(data, size);
  const auto p = fuzz::parse_or_refuse(in.program);
  if (!p) return 0;
  const auto lits = fuzz::point_literals(in.point, p->p());
  if (!lits) return 0;
  const std::vector<reference::Rational> x = reference::to_point(*lits);
  reference::Options o;
  o.precision = 64;
  o.max_precision = 1024;
  std::optional<reference::RealResult> r;
  fuzz::expect_result_or_error([&] { r = reference::evaluate_real(*p, x, o); });
  if (!r) return 0;
  for (std::size_t j = 0; j < r->outputs.size(); ++j) {
    const reference::Interval& e = r->output_enclosures[j];
    const reference::Rational v = r->outputs[j].to_rational();
    if (!(e.lower().to_rational() <= v && v <= e.upper().to_rational()))
      fuzz::finding("an output's MPFR value lies outside its enclosure");
  }
  if (!p->transcendental() && r->branches.all_certified()) {
    std::optional<reference::ExactResult> ex;
    fuzz::expect_result_or_error([&] { ex = reference::evaluate_exact(*p, x); });
    if (ex) {
      if (!(ex->branches.decisions.size() == r->branches.decisions.size())) fuzz::finding("signature sizes differ");
      for (std::size_t s = 0; s < ex->branches.decisions.size(); ++s)
        if (!(ex->branches.decisions[s].choice == r->branches.decisions[s].choice))
          fuzz::finding("a certified MPFR decision differs from the exact one");
      for (std::size_t j = 0; j < ex->outputs.size(); ++j) {
        const reference::Interval& e = r->output_enclosures[j];
        if (!(e.lower().to_rational() <= ex->outputs[j] && ex->outputs[j] <= e.upper().to_rational()))
          fuzz::finding("an exact output lies outside its certified enclosure");
      }
    }
  }
  return 0;
}
