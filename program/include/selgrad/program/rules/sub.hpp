// sub a b: a - b. d/da = 1, d/db = -1.
#pragma once

#include "selgrad/program/rules/common.hpp"

namespace selgrad::rules {

struct Sub : Smooth {
  static constexpr OpInfo info{.op = Op::Sub, .name = "sub", .min_args = 2, .max_args = 2, .selection = false,
                               .transcendental = false, .domain = "all", .tie_rule = "", .syntax = "sub a b",
                               .meaning = "a - b", .tie_derivative = ""};
  template <class T, class A>
  static T value(const A& a, std::uint32_t = 0) {
    return T(a[0] - a[1]);
  }
  template <class T, class A, class D>
  static void partials(const A&, std::uint32_t, const T&, D& d) {
    d[0] = one<T>();
    d[1] = ScalarOps<T>::from_int(-1);
  }
};

}  // namespace selgrad::rules
