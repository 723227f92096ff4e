// log a: the natural logarithm, for a > 0. d/da = 1/a.
#pragma once

#include "selgrad/program/rules/common.hpp"

namespace selgrad::rules {

struct Log : Smooth {
  static constexpr OpInfo info{.op = Op::Log, .name = "log", .min_args = 1, .max_args = 1, .selection = false,
                               .transcendental = true, .domain = "a > 0", .tie_rule = "", .syntax = "log a",
                               .meaning = "natural log", .tie_derivative = ""};
  template <class A>
  static constexpr std::optional<DomainRule> domain(const A&) {
    return DomainRule{0, DomainRule::Need::Positive, "", "argument", "must be > 0"};
  }
  template <class T, class A>
  static T value(const A& a, std::uint32_t = 0) {
    return ScalarOps<T>::log(a[0]);
  }
  template <class T, class A, class D>
  static void partials(const A& a, std::uint32_t, const T&, D& d) {
    d[0] = T(one<T>() / a[0]);
  }
};

}  // namespace selgrad::rules
