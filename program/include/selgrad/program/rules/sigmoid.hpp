// sigmoid a: 1 / (1 + exp(-a)). d/da = y (1 - y).
#pragma once

#include "selgrad/program/rules/common.hpp"

namespace selgrad::rules {

struct Sigmoid : Smooth {
  static constexpr OpInfo info{.op = Op::Sigmoid, .name = "sigmoid", .min_args = 1, .max_args = 1, .selection = false,
                               .transcendental = true, .domain = "all", .tie_rule = "", .syntax = "sigmoid a",
                               .meaning = "1 / (1 + exp(-a))", .tie_derivative = ""};
  template <class T, class A>
  static T value(const A& a, std::uint32_t = 0) {
    return ScalarOps<T>::sigmoid(a[0]);
  }
  template <class T, class A, class D>
  static void partials(const A&, std::uint32_t, const T& y, D& d) {
    d[0] = T(y * T(one<T>() - y));
  }
};

}  // namespace selgrad::rules
