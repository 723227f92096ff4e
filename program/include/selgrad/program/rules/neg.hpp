// neg a: -a. d/da = -1.
#pragma once

#include "selgrad/program/rules/common.hpp"

namespace selgrad::rules {

struct Neg : Smooth {
  static constexpr OpInfo info{.op = Op::Neg, .name = "neg", .min_args = 1, .max_args = 1, .selection = false,
                               .transcendental = false, .domain = "all", .tie_rule = "", .syntax = "neg a",
                               .meaning = "-a", .tie_derivative = ""};
  template <class T, class A>
  static T value(const A& a, std::uint32_t = 0) {
    return T(-a[0]);
  }
  template <class T, class A, class D>
  static void partials(const A&, std::uint32_t, const T&, D& d) {
    d[0] = ScalarOps<T>::from_int(-1);
  }
};

}  // namespace selgrad::rules
