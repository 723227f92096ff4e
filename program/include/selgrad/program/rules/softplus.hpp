// softplus a: log(1 + exp(a)). d/da = sigmoid(a).
#pragma once

#include "selgrad/program/rules/common.hpp"

namespace selgrad::rules {

struct Softplus : Smooth {
  static constexpr OpInfo info{.op = Op::Softplus, .name = "softplus", .min_args = 1, .max_args = 1, .selection = false,
                               .transcendental = true, .domain = "all", .tie_rule = "", .syntax = "softplus a",
                               .meaning = "log(1 + exp(a))", .tie_derivative = ""};
  template <class T, class A>
  static T value(const A& a, std::uint32_t = 0) {
    return ScalarOps<T>::softplus(a[0]);
  }
  template <class T, class A, class D>
  static void partials(const A& a, std::uint32_t, const T&, D& d) {
    d[0] = ScalarOps<T>::sigmoid(a[0]);
  }
};

}  // namespace selgrad::rules
