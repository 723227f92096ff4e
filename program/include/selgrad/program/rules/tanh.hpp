// tanh a: (exp(2a) - 1) / (exp(2a) + 1). d/da = 1 - y^2.
#pragma once

#include "selgrad/program/mutant.hpp"
#include "selgrad/program/rules/common.hpp"

namespace selgrad::rules {

struct Tanh : Smooth {
  static constexpr OpInfo info{.op = Op::Tanh, .name = "tanh", .min_args = 1, .max_args = 1, .selection = false,
                               .transcendental = true, .domain = "all", .tie_rule = "", .syntax = "tanh a",
                               .meaning = "(exp(2a) - 1) / (exp(2a) + 1)", .tie_derivative = ""};
  template <class T, class A>
  static T value(const A& a, std::uint32_t = 0) {
    return ScalarOps<T>::tanh(a[0]);
  }
  template <class T, class A, class D>
  static void partials(const A&, std::uint32_t, const T& y, D& d) {
    d[0] = T(one<T>() - T(y * y));
    if (SELGRAD_MUTANT(13)) d[0] = T(one<T>() + T(y * y));  // mutant 13: 1 + y^2
  }
};

}  // namespace selgrad::rules
