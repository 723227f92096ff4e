// sqrt a: exp(log(a)/2), for a > 0 (the elementary function's domain: at 0 its derivative is
// infinite). d/da = 1 / (2 y).
#pragma once

#include "selgrad/program/rules/common.hpp"

namespace selgrad::rules {

struct Sqrt : Smooth {
  static constexpr OpInfo info{.op = Op::Sqrt, .name = "sqrt", .min_args = 1, .max_args = 1, .selection = false,
                               .transcendental = true, .domain = "a > 0", .tie_rule = "", .syntax = "sqrt a",
                               .meaning = "exp(log(a)/2)", .tie_derivative = ""};
  template <class A>
  static constexpr std::optional<DomainRule> domain(const A&) {
    return DomainRule{0, DomainRule::Need::Positive, "", "argument", "must be > 0"};
  }
  template <class T, class A>
  static T value(const A& a, std::uint32_t = 0) {
    return ScalarOps<T>::sqrt(a[0]);
  }
  template <class T, class A, class D>
  static void partials(const A&, std::uint32_t, const T& y, D& d) {
    d[0] = T(one<T>() / T(ScalarOps<T>::from_int(2) * y));
  }
};

}  // namespace selgrad::rules
