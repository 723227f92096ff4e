// Fuzz target: the reference engine in exact rational arithmetic (evaluate_exact).
//
// Input: program text, a line "%%", then the point ("1/2,-3"); see fuzz_input.hpp. Every
// program without exp/log is evaluated in backward and forward mode; both must give the same
// outputs and *equal* Jacobians (L1: forward mode = backward mode, exactly), or throw
// selgrad::Error.
#include <cstdint>

#include "fuzz_input.hpp"
#include "selgrad/reference/evaluate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace selgrad;
  const auto in = fuzz::split_input(data, size);
  const auto p = fuzz::parse_or_refuse(in.program);
  if (!p || p->transcendental()) return 0;
  const auto lits = fuzz::point_literals(in.point, p->p());
  if (!lits) return 0;
  const std::vector<reference::Rational> x = reference::to_point(*lits);
  reference::Options o;
  std::optional<reference::ExactResult> backward;
  fuzz::expect_result_or_error([&] { backward = reference::evaluate_exact(*p, x, o); });
  if (!backward) return 0;
  o.mode = reference::Mode::Forward;
  std::optional<reference::ExactResult> forward;
  fuzz::expect_result_or_error([&] { forward = reference::evaluate_exact(*p, x, o); });
  if (!forward) return 0;  // forward mode may hit a cap backward mode did not
  if (forward->outputs != backward->outputs) fuzz::finding("forward and backward outputs differ");
  if (forward->jacobian != backward->jacobian) fuzz::finding("L1: forward and backward Jacobians differ");
  if (!(forward->branches == backward->branches)) fuzz::finding("the modes took different branches");
  return 0;
}
