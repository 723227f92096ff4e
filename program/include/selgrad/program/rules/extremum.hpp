// max a b ... and min a b ...: the largest (smallest) argument, an elementary selection (D3)
// whose piece i is argument i. Tie rule: the arguments are scanned in order and the current
// best is replaced only by a strictly better one, so a tie goes to the first (lowest position)
// extremal argument, whose partial is 1.
#pragma once

#include "selgrad/program/rules/common.hpp"

namespace selgrad::rules {

template <Op kOp>
struct Extremum : Selection {
  static_assert(kOp == Op::Max || kOp == Op::Min);
  static constexpr bool kMax = kOp == Op::Max;
  static constexpr OpInfo info{
      .op = kOp, .name = kMax ? "max" : "min", .min_args = 1, .max_args = -1, .selection = true,
      .transcendental = false, .domain = "all",
      .tie_rule = kMax ? "the first (lowest position) maximal argument" : "the first minimal argument",
      .syntax = kMax ? "max a b ..." : "min a b ...", .meaning = kMax ? "largest argument" : "smallest argument",
      .tie_derivative = "1 for that argument", .commutative = false};
  static constexpr TieExample tie_examples[] = {{"1 1", "1 0"}, {kMax ? "0 2 2" : "2 0 0", "0 1 0"}};

  template <class A>
  static constexpr std::uint32_t piece_count(const A& a) {
    return static_cast<std::uint32_t>(a.size());
  }
  /// Whether a candidate replaces the current best, given the sign of candidate - best.
  static constexpr bool replaces(Sign candidate_minus_best) {
    return replaces(candidate_minus_best == Sign::Positive, candidate_minus_best == Sign::Negative);
  }
  /// The same from the comparisons candidate > best and candidate < best (a form that lane loops
  /// vectorise).
  static constexpr bool replaces(bool greater, bool less) { return kMax ? greater : less; }
  template <class A, class O>
  static Choice decide(const A& a, O& o) {
    std::uint32_t best = 0;
    const auto k = static_cast<std::uint32_t>(a.size());
    for (std::uint32_t i = 1; i < k; ++i)
      if (replaces(o.sign_diff(i, best))) best = i;
    bool tie = false;
    for (std::uint32_t i = 0; i < k && !tie; ++i)
      if (i != best && o.sign_diff(i, best) == Sign::Zero) tie = true;
    return {best, tie};
  }
  /// The arguments equal to the chosen one.
  template <class A, class O>
  static void tied(const A& a, Choice c, O& o, std::vector<std::uint32_t>& out) {
    out.clear();
    for (std::uint32_t i = 0; i < a.size(); ++i)
      if (i == c.piece || o.sign_diff(i, c.piece) == Sign::Zero) out.push_back(i);
  }
  template <class T, class A>
  static T value(const A& a, std::uint32_t piece) {
    return T(a[piece]);
  }
  template <class T, class A, class D>
  static void partials(const A& a, std::uint32_t piece, const T&, D& d) {
    for (std::uint32_t i = 0; i < a.size(); ++i) d[i] = i == piece ? one<T>() : zero<T>();
  }
};

using Max = Extremum<Op::Max>;
using Min = Extremum<Op::Min>;

}  // namespace selgrad::rules
