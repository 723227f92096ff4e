// add a b ...: the sum of its arguments, left to right. d/da_i = 1.
#pragma once

#include "selgrad/program/rules/common.hpp"

namespace selgrad::rules {

struct Add : Smooth {
  static constexpr OpInfo info{.op = Op::Add, .name = "add", .min_args = 1, .max_args = -1, .selection = false,
                               .transcendental = false, .domain = "all", .tie_rule = "", .syntax = "add a b ...",
                               .meaning = "sum (n-ary, n >= 1)", .tie_derivative = "", .commutative = true};
  template <class T, class A>
  static T value(const A& a, std::uint32_t = 0) {
    T y = a[0];
    for (std::size_t i = 1; i < a.size(); ++i) y += a[i];
    return y;
  }
  template <class T, class A, class D>
  static void partials(const A& a, std::uint32_t, const T&, D& d) {
    for (std::size_t i = 0; i < a.size(); ++i) d[i] = one<T>();
  }
};

}  // namespace selgrad::rules
