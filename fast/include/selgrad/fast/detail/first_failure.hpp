// first_failure (declared in evaluate.hpp): the slow path that explains a failed evaluation,
// through the op rules' domain conditions and select's continuity (D3).
#pragma once

#include <cmath>
#include <utility>

#include "selgrad/program/mutant.hpp"
#include "selgrad/program/op_rules.hpp"

namespace selgrad::fast {

namespace detail {
/// A node's arguments at one point of the slow path, as the rules read them.
template <class Value>
struct FailureArgs {
  const Tape& t;
  const Instr& in;
  Value& value;
  std::size_t size() const { return in.count; }
  double operator[](std::size_t i) const { return value(t.operand[in.first + i]); }
  std::int64_t power() const { return in.power; }
  Cmp cmp() const { return in.cmp; }
  Sign sign(std::uint32_t i) const {
    const double x = (*this)[i];
    return x > 0 ? Sign::Positive : (x < 0 ? Sign::Negative : Sign::Zero);
  }
  Sign sign_diff(std::uint32_t i, std::uint32_t j) const {
    const double x = (*this)[i], y = (*this)[j];
    return x > y ? Sign::Positive : (x < y ? Sign::Negative : Sign::Zero);
  }
};
}  // namespace detail

template <class Value>
std::pair<std::uint32_t, LaneError> first_failure(const Tape& t, Value&& value, std::uint32_t last) {
  for (std::uint32_t i = 0; i < t.p; ++i)
    if (!std::isfinite(value(i))) return {i, LaneError::NanInput};
  for (std::uint32_t k = t.p; k <= last && k < t.m; ++k) {
    const Instr& in = t.code[k - t.p];
    const detail::FailureArgs<Value> a{t, in, value};
    const LaneError why = rules::visit(in.op, [&](auto r) {
      using R = decltype(r);
      // mutant 36: only div's condition is explained; another op's failure shows as an overflow
      if (const auto c = R::domain(a);
          c && !(SELGRAD_MUTANT(36) && in.op != Op::Div) && !domain_satisfied(c->need, a.sign(c->arg)))
        return domain_lane_error(in.op);
      if constexpr (requires { R::jump(a); }) {
        if (R::decide(a, a).tie && R::jump(a) != Sign::Zero) return LaneError::Discontinuous;
      }
      return LaneError::None;
    });
    if (why != LaneError::None) return {k, why};
    if (!std::isfinite(value(k))) return {k, LaneError::Overflow};
  }
  return {kNoError, LaneError::None};
}

}  // namespace selgrad::fast
