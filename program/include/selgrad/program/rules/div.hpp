// div a b: a / b, for b != 0. d/da = 1/b, d/db = -y/b computed as -(y * (1/b)): one division
// for both partials, the same formula in every engine (certification encloses exactly it).
#pragma once

#include "selgrad/program/mutant.hpp"
#include "selgrad/program/rules/common.hpp"

namespace selgrad::rules {

struct Div : Smooth {
  static constexpr OpInfo info{.op = Op::Div, .name = "div", .min_args = 2, .max_args = 2, .selection = false,
                               .transcendental = false, .domain = "b != 0", .tie_rule = "", .syntax = "div a b",
                               .meaning = "a / b", .tie_derivative = ""};
  template <class A>
  static constexpr std::optional<DomainRule> domain(const A&) {
    return DomainRule{1, DomainRule::Need::NonZero, "division by zero", "divisor", ""};
  }
  template <class T, class A>
  static T value(const A& a, std::uint32_t = 0) {
    return T(a[0] / a[1]);
  }
  template <class T, class A, class D>
  static void partials(const A& a, std::uint32_t, const T& y, D& d) {
    const T r = T(one<T>() / a[1]);
    d[0] = r;
    d[1] = T(-T(y * r));
    if (SELGRAD_MUTANT(9)) d[1] = T(y * r);  // mutant 9: d/db = +y/b
  }
};

}  // namespace selgrad::rules
