// select CMP u v a b: a if u CMP v holds, else b, an elementary selection (D3) of the pieces 0
// (a) and 1 (b): general program branching. The comparison is decided on the sign of u - v, so
// at u = v le and ge take a, lt and gt take b. The function must stay continuous: at u = v, a
// and b must have equal values (else evaluation fails with a Continuity error naming the node).
// d/du = d/dv = 0; the branch taken gets partial 1.
#pragma once

#include "selgrad/program/rules/common.hpp"

namespace selgrad::rules {

struct Select : Selection {
  static constexpr OpInfo info{.op = Op::Select, .name = "select", .min_args = 4, .max_args = 4, .selection = true,
                               .transcendental = false, .domain = "continuous: a = b where u = v",
                               .tie_rule = "CMP in `lt le gt ge`; at u = v, `le` and `ge` take `a`, `lt` and `gt` take `b`", .syntax = "select CMP u v a b",
                               .meaning = "`a` if `u CMP v` holds, else `b`",
                               .tie_derivative = "gradient of the branch taken"};
  static constexpr std::string_view piece_names[] = {"a", "b"};
  static constexpr TieExample tie_examples[] = {{"le 0 0 1 1", "0 0 1 0"}, {"ge 0 0 1 1", "0 0 1 0"},
                                                {"lt 0 0 1 1", "0 0 0 1"}, {"gt 0 0 1 1", "0 0 0 1"}};

  /// Piece 0 (a) if `u CMP v` holds, given the sign of u - v; else 1 (b).
  static constexpr std::uint32_t piece_of(Cmp c, Sign u_minus_v) {
    switch (c) {
      case Cmp::Lt: return u_minus_v == Sign::Negative ? 0u : 1u;
      case Cmp::Le: return u_minus_v != Sign::Positive ? 0u : 1u;
      case Cmp::Gt: return u_minus_v == Sign::Positive ? 0u : 1u;
      case Cmp::Ge: return u_minus_v != Sign::Negative ? 0u : 1u;
    }
    return 1u;
  }
  template <class A, class O>
  static Choice decide(const A& a, O& o) {
    const Sign s = o.sign_diff(0, 1);
    return {piece_of(a.cmp(), s), s == Sign::Zero};
  }
  /// D3 at a tie u = v: the sign of a - b (Zero when the selection is continuous there).
  template <class O>
  static Sign jump(O& o) {
    return o.sign_diff(2, 3);
  }
  template <class A, class O>
  static void tied(const A&, Choice, O&, std::vector<std::uint32_t>& out) {
    out = {0, 1};
  }
  template <class T, class A>
  static T value(const A& a, std::uint32_t piece) {
    return T(a[piece == 0 ? 2 : 3]);
  }
  template <class T, class A, class D>
  static void partials(const A&, std::uint32_t piece, const T&, D& d) {
    d[0] = zero<T>();
    d[1] = zero<T>();
    d[2] = piece == 0 ? one<T>() : zero<T>();
    d[3] = piece == 0 ? zero<T>() : one<T>();
  }
};

}  // namespace selgrad::rules
