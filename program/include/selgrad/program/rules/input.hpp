// input: a program input (the first p nodes). Not an op a statement can write; it has a row in
// the op table so that every node's op has one.
#pragma once

#include "selgrad/program/rules/common.hpp"

namespace selgrad::rules {

struct Input : Smooth {
  static constexpr OpInfo info{.op = Op::Input, .name = "input", .min_args = 0, .max_args = 0, .selection = false,
                               .transcendental = false, .domain = "all", .tie_rule = "", .syntax = "input",
                               .meaning = "a program input", .tie_derivative = ""};
  template <class T, class A>
  static T value(const A&, std::uint32_t = 0) {
    return zero<T>();  // inputs are given, never computed
  }
  template <class T, class A, class D>
  static void partials(const A&, std::uint32_t, const T&, D&) {}
};

}  // namespace selgrad::rules
