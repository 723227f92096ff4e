// y1 ... yk = sort a1 ... ak: the arguments in decreasing order, an elementary selection (D3):
// node r of the statement (rank r) takes the argument at position piece = order[r]. Tie rule:
// stable, so among equal values the lower position comes first, and the local gradient of each
// rank is the unit vector of its position: together a permutation matrix (T3: the Clarke
// Jacobian of sort is the hull of the permutations that sort x).
#pragma once

#include <utility>

#include "selgrad/program/mutant.hpp"
#include "selgrad/program/rules/common.hpp"
#include "selgrad/program/stable_order.hpp"

namespace selgrad::rules {

struct Sort : Selection {
  static constexpr OpInfo info{.op = Op::Sort, .name = "sort", .min_args = 1, .max_args = -1, .selection = true,
                               .transcendental = false, .domain = "all",
                               .tie_rule = "stable: among equal values the lower position comes first",
                               .syntax = "y1 ... yk = sort a1 ... ak", .meaning = "values in decreasing order",
                               .tie_derivative = "a permutation matrix"};
  /// `at`: the arguments; `derivative`: the Jacobian of the ranks, row by row.
  static constexpr TieExample tie_examples[] = {{"1 1", "1 0 0 1"}, {"0 3 3", "0 1 0 0 0 1 1 0 0"}};

  template <class A>
  static constexpr std::uint32_t piece_count(const A& a) {
    return static_cast<std::uint32_t>(a.size());
  }
  /// Whether a later position moves ahead of an earlier one: only when strictly larger.
  static constexpr bool moves_ahead(Sign later_minus_earlier) { return later_minus_earlier == Sign::Positive; }
  /// Whether the argument at position i ranks before the one at position j (i != j), given the
  /// sign of a_i - a_j and whether i is the earlier position: the stable decreasing order. A later
  /// one moves ahead only when strictly larger (moves_ahead), so an earlier one stays ahead
  /// unless it is strictly smaller.
  static constexpr bool ranks_before(Sign i_minus_j, bool i_earlier) {
    return ranks_before(i_minus_j == Sign::Positive, i_minus_j == Sign::Negative, i_earlier);
  }
  /// The same from the two comparisons a_i > a_j and a_i < a_j (a form that lane loops vectorise).
  static constexpr bool ranks_before(bool greater, bool less, bool i_earlier) { return i_earlier ? !less : greater; }

  /// The stable decreasing order of k arguments: order[r] is the position of the argument at
  /// rank r. same_as_prev[r] (r >= 1) is set when rank r's value equals rank r-1's: maximal runs
  /// of set flags are the groups of tied values, within which the index closure (D5) admits
  /// every permutation. A merge sort (stable_order.hpp): O(k log k) comparisons, and any answers
  /// of the oracle (even inconsistent ones from an uncertified comparison) give a permutation,
  /// never undefined behaviour. `scratch` is working space.
  template <class O, class Order, class Same>
  static void order(std::uint32_t k, O& o, Order& order, Same& same_as_prev, std::vector<std::uint32_t>& scratch) {
    stable_merge_order(
        k,
        [&](std::uint32_t later, std::uint32_t earlier) {
          const Sign s = o.sign_diff(later, earlier);
          return SELGRAD_MUTANT(3) ? s != Sign::Negative : moves_ahead(s);  // mutant 3: ties go the other way
        },
        order, scratch);
    same_as_prev.assign(k, false);
    for (std::uint32_t r = 1; r < k; ++r) same_as_prev[r] = o.sign_diff(order[r], order[r - 1]) == Sign::Zero;
  }
  template <class O, class Order, class Same>
  static void order(std::uint32_t k, O& o, Order& order, Same& same_as_prev) {
    std::vector<std::uint32_t> scratch;
    Sort::order(k, o, order, same_as_prev, scratch);
  }
  /// Whether rank r is tied (its value equals a neighbouring rank's).
  template <class Same>
  static bool rank_tied(const Same& same_as_prev, std::uint32_t r) {
    return same_as_prev[r] || (r + 1 < same_as_prev.size() && same_as_prev[r + 1]);
  }
  template <class T, class A>
  static T value(const A& a, std::uint32_t piece) {
    return T(a[piece]);
  }
  /// The local gradient of a rank is one-hot: 1 at the argument its rank takes (`piece`), 0
  /// elsewhere. Engines may keep that one entry (a k-way sort then costs O(k), not O(k^2)).
  static constexpr std::uint32_t one_hot_at(std::uint32_t piece) { return piece; }
  template <class T, class A, class D>
  static void partials(const A& a, std::uint32_t piece, const T&, D& d) {
    for (std::uint32_t i = 0; i < a.size(); ++i) d[i] = i == one_hot_at(piece) ? one<T>() : zero<T>();
  }
};

}  // namespace selgrad::rules
