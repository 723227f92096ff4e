// Fuzz target: certification of the double engine against the reference (fast::certify).
//
// Input: program text, a line "%%", then the point; see fuzz_input.hpp (rounded to doubles).
// A certified decision must agree with the reference's exact decision unless that one is
// itself undecided at the precision cap (certify.hpp: certified means rounding cannot have
// changed it), and without underflow the double Jacobian lies within its rigorous bound.
#include <cstdint>

#include "fuzz_input.hpp"
#include "selgrad/fast/certify.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace selgrad;
  const auto in = fuzz::split_input(data, size);
  const auto p = fuzz::parse_or_refuse(in.program);
  if (!p) return 0;
  const auto lits = fuzz::point_literals(in.point, p->p());
  if (!lits) return 0;
  std::vector<double> x;
  for (const auto& l : *lits) x.push_back(fast::literal_to_double(l));
  std::optional<fast::Certificate> c;
  fuzz::expect_result_or_error([&] { c = fast::certify(*p, x); });
  if (!c) return 0;
  for (const auto& d : c->decisions)
    if (d.certified && !d.agrees && d.exact_certainty != reference::Certainty::Uncertified && !c->underflow)
      fuzz::finding("a certified decision disagrees with the exact decision");
  if (!c->underflow && !c->gradient_within_bound)
    fuzz::finding("the double gradient lies outside its rigorous bound");
  return 0;
}
