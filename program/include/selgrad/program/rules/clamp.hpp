// clamp a lo hi: a limited to [lo, hi] (lo <= hi literals), an elementary selection (D3) of the
// pieces 0 (the constant lo), 1 (a) and 2 (the constant hi). Tie rule: at a bound the constant
// piece, like relu'(0) = 0, so the derivative is 0 at a = lo and at a = hi.
//
//   a           piece   value   d/da
//   <= lo       0       lo      0     (a = lo: tie with piece 1)
//   in (lo,hi)  1       a       1
//   >= hi       2       hi      0     (a = hi: tie with piece 1)
#pragma once

#include "selgrad/program/mutant.hpp"
#include "selgrad/program/rules/common.hpp"

namespace selgrad::rules {

struct Clamp : Selection {
  static constexpr OpInfo info{.op = Op::Clamp, .name = "clamp", .min_args = 3, .max_args = 3, .selection = true,
                               .transcendental = false, .domain = "all",
                               .tie_rule = "`lo` if a <= lo, `hi` if a >= hi, else `a`",
                               .syntax = "clamp a lo hi", .meaning = "min(max(a, lo), hi), lo <= hi literals",
                               .tie_derivative = "0 at a bound"};
  static constexpr std::string_view piece_names[] = {"lo", "a", "hi"};
  static constexpr TieExample tie_examples[] = {{"0 0 1", "0 1 0"}, {"1 0 1", "0 0 1"}, {"2 2 2", "0 1 0"}};

  /// lo and hi are literals, with lo <= hi (checked when the program is validated).
  static constexpr bool literal_position(std::size_t i, std::size_t) { return i != 0; }
  static constexpr std::string_view literal_positions_name = "clamp bounds lo and hi";
  /// `compare(i, j)` is the sign of literal argument i minus literal argument j.
  template <class Compare>
  static std::optional<std::string> check_literals(Compare&& compare) {
    if (compare(1, 2) > 0) return "clamp needs lo <= hi";
    return std::nullopt;
  }

  /// The argument position whose value piece p takes: lo, a, hi.
  static constexpr std::uint32_t position_of(std::uint32_t piece) { return piece == 0 ? 1u : (piece == 1 ? 0u : 2u); }

  template <class A, class O>
  static Choice decide(const A&, O& o) {
    const Sign above_lo = o.sign_diff(0, 1);
    if (above_lo != Sign::Positive) return {0, above_lo == Sign::Zero};
    const Sign above_hi = o.sign_diff(0, 2);
    if (SELGRAD_MUTANT(11) && above_hi == Sign::Zero) return {1, true};  // mutant 11: a = hi takes a
    if (above_hi != Sign::Negative) return {2, above_hi == Sign::Zero};
    return {1, false};
  }
  /// The pieces whose value equals the chosen one's (all three when lo = a = hi).
  template <class A, class O>
  static void tied(const A&, Choice c, O& o, std::vector<std::uint32_t>& out) {
    out.clear();
    for (std::uint32_t p = 0; p < 3; ++p)
      if (p == c.piece || o.sign_diff(position_of(p), position_of(c.piece)) == Sign::Zero) out.push_back(p);
  }
  template <class T, class A>
  static T value(const A& a, std::uint32_t piece) {
    return T(a[position_of(piece)]);
  }
  template <class T, class A, class D>
  static void partials(const A&, std::uint32_t piece, const T&, D& d) {
    for (std::uint32_t i = 0; i < 3; ++i) d[i] = i == position_of(piece) ? one<T>() : zero<T>();
  }
};

}  // namespace selgrad::rules
