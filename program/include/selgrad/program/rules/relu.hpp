// relu a: max(a, 0), an elementary selection (D3) of the pieces 0 (the constant 0) and 1 (a).
// Tie rule: at a = 0 the constant piece, so relu'(0) = 0 (the convention of TensorFlow and
// PyTorch, and Theorem 1's witnesses, T1).
//
//   a       piece   value   d/da
//   < 0     0       0       0
//   = 0     0       0       0     (tie: piece 1 has the same value; D5 admits both)
//   > 0     1       a       1
#pragma once

#include "selgrad/program/rules/common.hpp"

namespace selgrad::rules {

struct Relu : Selection {
  static constexpr OpInfo info{.op = Op::Relu, .name = "relu", .min_args = 1, .max_args = 1, .selection = true,
                               .transcendental = false, .domain = "all", .tie_rule = "`0` if a <= 0, else `a`",
                               .syntax = "relu a", .meaning = "max(a, 0)", .tie_derivative = "relu'(0) = 0"};
  static constexpr std::string_view piece_names[] = {"0", "a"};
  static constexpr TieExample tie_examples[] = {{"0", "0"}};

  /// The identity piece iff a > 0.
  static constexpr std::uint32_t piece_of(Sign a) { return a == Sign::Positive ? 1u : 0u; }
  template <class A, class O>
  static Choice decide(const A&, O& o) {
    const Sign s = o.sign(0);
    return {piece_of(s), s == Sign::Zero};
  }
  template <class A, class O>
  static void tied(const A&, Choice, O&, std::vector<std::uint32_t>& out) {
    out = {0, 1};
  }
  template <class T, class A>
  static T value(const A& a, std::uint32_t piece) {
    return piece == 1 ? T(a[0]) : zero<T>();
  }
  template <class T, class A, class D>
  static void partials(const A&, std::uint32_t piece, const T&, D& d) {
    d[0] = piece == 1 ? one<T>() : zero<T>();
  }
};

}  // namespace selgrad::rules
