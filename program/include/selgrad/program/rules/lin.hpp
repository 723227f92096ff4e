// lin c0 c1 a1 c2 a2 ...: the affine map c0 + c1 a1 + c2 a2 + ..., added left to right, with
// literal coefficients ci. d/dai = ci (and the coefficient positions get ai: unused, literals
// have no derivative).
#pragma once

#include "selgrad/program/mutant.hpp"
#include "selgrad/program/rules/common.hpp"

namespace selgrad::rules {

struct Lin : Smooth {
  static constexpr OpInfo info{.op = Op::Lin, .name = "lin", .min_args = 1, .max_args = -1, .selection = false,
                               .transcendental = false, .domain = "all", .tie_rule = "",
                               .syntax = "lin c0 c1 a1 c2 a2 ...", .meaning = "affine map c0 + sum ci*ai (ci literals)",
                               .tie_derivative = ""};
  /// c0 and every ci must be literals.
  static constexpr bool literal_position(std::size_t i, std::size_t) { return i == 0 || i % 2 == 1; }
  static constexpr std::string_view literal_positions_name = "lin coefficients";
  template <class T, class A>
  static T value(const A& a, std::uint32_t = 0) {
    T y = a[0];
    for (std::size_t i = 1; i + 1 < a.size(); i += 2) y += T(a[i] * a[i + 1]);
    return y;
  }
  template <class T, class A, class D>
  static void partials(const A& a, std::uint32_t, const T&, D& d) {
    d[0] = zero<T>();
    for (std::size_t i = 1; i + 1 < a.size(); i += 2) {
      d[i] = a[i + 1];
      d[i + 1] = a[i];
      if (SELGRAD_MUTANT(10) && i >= 5) d[i + 1] = a[i - 2];  // mutant 10: the previous term's coefficient
    }
  }
};

}  // namespace selgrad::rules
