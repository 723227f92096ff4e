// abs a: |a|, an elementary selection (D3) of the pieces 0 (the constant 0), 1 (a) and 2 (-a).
// Tie rule: at a = 0 the constant piece, so abs'(0) = 0.
//
//   a       piece   value   d/da
//   < 0     2       -a      -1
//   = 0     0       0       0     (tie: all three pieces have the value 0)
//   > 0     1       a       1
#pragma once

#include "selgrad/program/mutant.hpp"
#include "selgrad/program/rules/common.hpp"

namespace selgrad::rules {

struct Abs : Selection {
  static constexpr OpInfo info{.op = Op::Abs, .name = "abs", .min_args = 1, .max_args = 1, .selection = true,
                               .transcendental = false, .domain = "all",
                               .tie_rule = "`a` if a > 0, `-a` if a < 0, the constant `0` if a = 0",
                               .syntax = "abs a", .meaning = "abs(a)", .tie_derivative = "abs'(0) = 0"};
  static constexpr std::string_view piece_names[] = {"0", "a", "-a"};
  static constexpr TieExample tie_examples[] = {{"0", "0"}};

  static constexpr std::uint32_t piece_of(Sign a) {
    return a == Sign::Positive ? 1u : (a == Sign::Negative ? 2u : 0u);
  }
  template <class A, class O>
  static Choice decide(const A&, O& o) {
    const Sign s = o.sign(0);
    return {piece_of(s), s == Sign::Zero};
  }
  template <class A, class O>
  static void tied(const A&, Choice, O&, std::vector<std::uint32_t>& out) {
    out = {0, 1, 2};
    if (SELGRAD_MUTANT(12)) out = {1, 2};  // mutant 12: the closure misses abs'(0) = 0
  }
  template <class T, class A>
  static T value(const A& a, std::uint32_t piece) {
    return piece == 1 ? T(a[0]) : (piece == 2 ? T(-a[0]) : zero<T>());
  }
  template <class T, class A, class D>
  static void partials(const A&, std::uint32_t piece, const T&, D& d) {
    d[0] = piece == 1 ? one<T>() : (piece == 2 ? ScalarOps<T>::from_int(-1) : zero<T>());
  }
};

}  // namespace selgrad::rules
