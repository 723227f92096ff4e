// exp a: e^a. d/da = e^a, the value itself.
#pragma once

#include "selgrad/program/rules/common.hpp"

namespace selgrad::rules {

struct Exp : Smooth {
  static constexpr OpInfo info{.op = Op::Exp, .name = "exp", .min_args = 1, .max_args = 1, .selection = false,
                               .transcendental = true, .domain = "all", .tie_rule = "", .syntax = "exp a",
                               .meaning = "e^a", .tie_derivative = ""};
  template <class T, class A>
  static T value(const A& a, std::uint32_t = 0) {
    return ScalarOps<T>::exp(a[0]);
  }
  template <class T, class A, class D>
  static void partials(const A&, std::uint32_t, const T& y, D& d) {
    d[0] = y;
  }
};

}  // namespace selgrad::rules
