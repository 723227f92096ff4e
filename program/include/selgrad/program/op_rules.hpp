// The op rules: value, pieces, tie rule, local selection gradient and domain of every op,
// written once over a scalar type T. Both engines evaluate programs through these functions, so
// an op's semantics cannot drift between them.
//
// An engine supplies:
//  * arithmetic on T through the operators + - * / and unary -;
//  * a specialisation of `ScalarOps<T>` (below) for literals, integer powers and the
//    transcendental functions;
//  * a sign oracle for the decisions of selection nodes. Decisions are sign queries on the
//    node's argument values (`sign(i)` = sign of argument i, `sign_diff(i, j)` = sign of
//    argument i minus argument j). The exact engine answers them exactly; an interval engine
//    answers them when certified; a double engine answers them in floating point. The rules
//    below turn the answers into a piece (D3) and say whether the decision was taken at a tie.
//
// Piece numbering, per selection op (the `Choice::piece` field):
//   relu    0: the constant 0 (a <= 0)          1: a (a > 0)
//   abs     0: the constant 0 (a = 0)           1: a (a > 0)        2: -a (a < 0)
//   max/min position of the chosen argument (the first extremal one)
//   select  0: a (the comparison holds)         1: b (it does not)
//   sort    position of the argument that lands at this node's rank
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "selgrad/program/program.hpp"
#include "selgrad/program/stable_order.hpp"

namespace selgrad {

enum class Sign : std::int8_t { Negative = -1, Zero = 0, Positive = 1 };

/// What a selection node chose: the piece, and whether the decision was taken at a tie (some
/// other piece has the same value at this point, so the index closure D5 has more than one
/// element here).
struct Choice {
  std::uint32_t piece = 0;
  bool tie = false;
  friend bool operator==(const Choice&, const Choice&) = default;
};

/// Scalar hooks an engine specialises for its scalar type:
///   static T from_literal(const Literal&);  static T from_int(std::int64_t);
///   static T powi(const T&, std::int64_t);  (a^k, k may be negative; a != 0 then)
///   static T exp(const T&), log, sqrt, softplus, sigmoid, tanh;
/// An instance without exp/log (exact rationals) throws from those.
template <class T>
struct ScalarOps;

// ------------------------------------------------------------------------------------------
// Domain (D1: elementary functions are used inside their domain).

struct DomainCondition {
  enum class Need : std::uint8_t { NonZero, Positive };
  std::uint32_t arg;  ///< argument position the condition is on
  Need need;
};

/// The condition node `n` needs of its arguments, if any.
inline std::optional<DomainCondition> domain_condition(const Node& n) {
  using N = DomainCondition::Need;
  switch (n.op) {
    case Op::Div: return DomainCondition{1, N::NonZero};
    case Op::Log:
    case Op::Sqrt: return DomainCondition{0, N::Positive};
    case Op::Powi:
      if (n.power < 0) return DomainCondition{0, N::NonZero};
      return std::nullopt;
    default: return std::nullopt;
  }
}

inline bool domain_satisfied(DomainCondition c, Sign s) {
  return c.need == DomainCondition::Need::Positive ? s == Sign::Positive : s != Sign::Zero;
}

inline const char* domain_requirement_text(DomainCondition c) {
  return c.need == DomainCondition::Need::Positive ? "must be > 0" : "must be != 0";
}

// ------------------------------------------------------------------------------------------
// Smooth ops: value and partial derivatives with respect to each argument position.

/// Value of a smooth (non-selection) op at argument values `a`.
template <class T>
T smooth_value(const Node& n, std::span<const T* const> a) {
  using S = ScalarOps<T>;
  switch (n.op) {
    case Op::Add: {
      T y = *a[0];
      for (std::size_t i = 1; i < a.size(); ++i) y += *a[i];
      return y;
    }
    case Op::Sub: return T(*a[0] - *a[1]);
    case Op::Neg: return T(-*a[0]);
    case Op::Mul: {
      T y = *a[0];
      for (std::size_t i = 1; i < a.size(); ++i) y *= *a[i];
      return y;
    }
    case Op::Div: return T(*a[0] / *a[1]);
    case Op::Exp: return S::exp(*a[0]);
    case Op::Log: return S::log(*a[0]);
    case Op::Powi: return S::powi(*a[0], n.power);
    case Op::Lin: {  // c0 + c1*a1 + c2*a2 + ...
      T y = *a[0];
      for (std::size_t i = 1; i + 1 < a.size(); i += 2) y += T(*a[i] * *a[i + 1]);
      return y;
    }
    case Op::Sqrt: return S::sqrt(*a[0]);
    case Op::Softplus: return S::softplus(*a[0]);
    case Op::Sigmoid: return S::sigmoid(*a[0]);
    case Op::Tanh: return S::tanh(*a[0]);
    default: return S::from_int(0);  // selections and inputs are not smooth ops
  }
}

/// Partial derivatives of a smooth op with respect to each argument position, given the
/// arguments `a` and the op's value `y` at them. `d` has one entry per argument; entries at
/// literal positions are written too (engines ignore them).
template <class T>
void smooth_partials(const Node& n, std::span<const T* const> a, const T& y, std::span<T> d) {
  using S = ScalarOps<T>;
  const T one = S::from_int(1);
  switch (n.op) {
    case Op::Add:
      for (auto& di : d) di = one;
      return;
    case Op::Sub:
      d[0] = one;
      d[1] = S::from_int(-1);
      return;
    case Op::Neg: d[0] = S::from_int(-1); return;
    case Op::Mul: {
      // d_i = product of the other factors, by prefix and suffix products (no division, so a
      // zero factor is handled exactly).
      const std::size_t k = a.size();
      T prefix = one;
      for (std::size_t i = 0; i < k; ++i) {
        d[i] = prefix;
        prefix *= *a[i];
      }
      T suffix = one;
      for (std::size_t i = k; i-- > 0;) {
        d[i] *= suffix;
        suffix *= *a[i];
      }
      return;
    }
    case Op::Div:  // y = a / b: dy/da = 1/b, dy/db = -y/b = -y (1/b), one division for both
      d[0] = T(one / *a[1]);
      d[1] = T(-(y * d[0]));
      return;
    case Op::Exp: d[0] = y; return;
    case Op::Log: d[0] = T(one / *a[0]); return;
    case Op::Powi:  // k a^(k-1); 0 for k = 0
      d[0] = n.power == 0 ? S::from_int(0)
                          : T(S::from_int(n.power) * S::powi(*a[0], n.power - 1));
      return;
    case Op::Lin:
      d[0] = S::from_int(0);
      for (std::size_t i = 1; i + 1 < a.size(); i += 2) {
        d[i] = *a[i + 1];  // with respect to the coefficient position (a literal: unused)
        d[i + 1] = *a[i];
      }
      return;
    case Op::Sqrt: d[0] = T(one / T(S::from_int(2) * y)); return;
    case Op::Softplus: d[0] = S::sigmoid(*a[0]); return;
    case Op::Sigmoid: d[0] = T(y * T(one - y)); return;
    case Op::Tanh: d[0] = T(one - T(y * y)); return;
    default: return;
  }
}

// ------------------------------------------------------------------------------------------
// Selections: decisions from sign queries, then value and gradient of the chosen piece.

/// The tie rules, as functions of the sign the decision depends on. Every engine decides
/// through these (the reference via choose_piece below, the double engine in its lane loops).

/// relu: the identity piece (1) iff a > 0; at a = 0 the constant piece, so relu'(0) = 0.
constexpr std::uint32_t relu_piece(Sign a) { return a == Sign::Positive ? 1u : 0u; }

/// abs: a (1) if a > 0, -a (2) if a < 0, the constant 0 (0) at a = 0, so abs'(0) = 0.
constexpr std::uint32_t abs_piece(Sign a) {
  return a == Sign::Positive ? 1u : (a == Sign::Negative ? 2u : 0u);
}

/// select CMP u v a b: piece 0 (a) if `u CMP v` holds, given the sign of u - v; else 1 (b).
constexpr std::uint32_t select_piece(Cmp c, Sign u_minus_v) {
  switch (c) {
    case Cmp::Lt: return u_minus_v == Sign::Negative ? 0u : 1u;
    case Cmp::Le: return u_minus_v != Sign::Positive ? 0u : 1u;
    case Cmp::Gt: return u_minus_v == Sign::Positive ? 0u : 1u;
    case Cmp::Ge: return u_minus_v != Sign::Negative ? 0u : 1u;
  }
  return 1u;
}

/// max/min scan the arguments in order and replace the current best only when strictly better,
/// so ties go to the first (lowest position) extremal argument.
constexpr bool replaces_extremum(Op op, Sign candidate_minus_best) {
  return candidate_minus_best == (op == Op::Max ? Sign::Positive : Sign::Negative);
}

/// sort (stable, decreasing): a later position moves ahead of an earlier one only when strictly
/// larger.
constexpr bool sort_moves_ahead(Sign later_minus_earlier) { return later_minus_earlier == Sign::Positive; }

/// Decides the piece of a relu, abs, max, min or select node (not sort: see sort_order).
/// Oracle provides `Sign sign(std::uint32_t i)` and `Sign sign_diff(std::uint32_t i, std::uint32_t j)`.
template <class Oracle>
Choice choose_piece(const Node& n, Oracle& o) {
  switch (n.op) {
    case Op::Relu: {
      const Sign s = o.sign(0);
      return {relu_piece(s), s == Sign::Zero};
    }
    case Op::Abs: {
      const Sign s = o.sign(0);
      return {abs_piece(s), s == Sign::Zero};
    }
    case Op::Max:
    case Op::Min: {  // tie rule: the first (lowest position) extremal argument
      std::uint32_t best = 0;
      const auto k = static_cast<std::uint32_t>(n.args.size());
      for (std::uint32_t i = 1; i < k; ++i)
        if (replaces_extremum(n.op, o.sign_diff(i, best))) best = i;
      bool tie = false;
      for (std::uint32_t i = 0; i < k && !tie; ++i)
        if (i != best && o.sign_diff(i, best) == Sign::Zero) tie = true;
      return {best, tie};
    }
    case Op::Select: {  // a if u CMP v holds, else b; the tie is u = v
      const Sign s = o.sign_diff(0, 1);
      return {select_piece(n.cmp, s), s == Sign::Zero};
    }
    default: return {};
  }
}

/// Stable decreasing order of a sort statement's k arguments: order[r] is the position of the
/// argument at rank r; among equal values the lower position comes first. `same_as_prev[r]`
/// (r >= 1) is set when rank r's value equals rank r-1's: maximal runs of set flags are the
/// groups of tied values, within which the index closure (D5) admits every permutation.
/// A merge sort (stable_order.hpp): O(k log k) comparisons, and any answers of the oracle (even
/// inconsistent ones from an uncertified comparison) give a permutation, never undefined
/// behaviour.
template <class Oracle>
void sort_order(std::uint32_t k, Oracle& o, std::vector<std::uint32_t>& order,
                std::vector<bool>& same_as_prev) {
  std::vector<std::uint32_t> scratch;
#if defined(SELGRAD_MUTANT) && SELGRAD_MUTANT == 3  // mutant 3 (properties/): ties go the other way
  stable_merge_order(k, [&](std::uint32_t j, std::uint32_t i) { return o.sign_diff(j, i) != Sign::Negative; }, order,
                     scratch);
#else
  stable_merge_order(k, [&](std::uint32_t j, std::uint32_t i) { return sort_moves_ahead(o.sign_diff(j, i)); }, order,
                     scratch);
#endif
  same_as_prev.assign(k, false);
  for (std::uint32_t r = 1; r < k; ++r)
    same_as_prev[r] = o.sign_diff(order[r], order[r - 1]) == Sign::Zero;
}

/// Whether rank r of a sort is tied (its value equals a neighbouring rank's value).
inline bool sort_rank_tied(const std::vector<bool>& same_as_prev, std::uint32_t r) {
  return same_as_prev[r] || (r + 1 < same_as_prev.size() && same_as_prev[r + 1]);
}

/// D3 continuity of `select` at a tie u = v: both branches must have the same value there.
/// Returns the sign of a - b (Zero when continuous). Call only when the choice is a tie.
template <class Oracle>
Sign select_jump(Oracle& o) {
  return o.sign_diff(2, 3);
}

/// Every piece the index closure (D5) admits at a tie, for a relu, abs, max, min or select
/// node: the pieces whose value equals the node's value at this point. For a non-tied decision
/// this is just the chosen piece.
template <class Oracle>
std::vector<std::uint32_t> tied_pieces(const Node& n, Choice c, Oracle& o) {
  if (!c.tie) return {c.piece};
  switch (n.op) {
    case Op::Relu: return {0, 1};
    case Op::Abs: return {0, 1, 2};
    case Op::Select: return {0, 1};
    case Op::Max:
    case Op::Min: {
      std::vector<std::uint32_t> out;
      for (std::uint32_t i = 0; i < n.args.size(); ++i)
        if (i == c.piece || o.sign_diff(i, c.piece) == Sign::Zero) out.push_back(i);
      return out;
    }
    default: return {c.piece};
  }
}

/// Value of the selection piece `piece` of node `n` at arguments `a`.
template <class T>
T piece_value(const Node& n, std::uint32_t piece, std::span<const T* const> a) {
  using S = ScalarOps<T>;
  switch (n.op) {
    case Op::Relu: return piece == 1 ? *a[0] : S::from_int(0);
    case Op::Abs: return piece == 1 ? *a[0] : (piece == 2 ? T(-*a[0]) : S::from_int(0));
    case Op::Select: return piece == 0 ? *a[2] : *a[3];
    case Op::Max:
    case Op::Min:
    case Op::Sort: return *a[piece];
    default: return S::from_int(0);
  }
}

/// Local selection gradient (D4) of piece `piece` of node `n`: one entry per argument position.
template <class T>
void piece_partials(const Node& n, std::uint32_t piece, std::span<T> d) {
  using S = ScalarOps<T>;
  for (auto& di : d) di = S::from_int(0);
  switch (n.op) {
    case Op::Relu:
      if (piece == 1) d[0] = S::from_int(1);
      return;
    case Op::Abs:
      if (piece == 1) d[0] = S::from_int(1);
      if (piece == 2) d[0] = S::from_int(-1);
      return;
    case Op::Select: d[piece == 0 ? 2 : 3] = S::from_int(1); return;
    case Op::Max:
    case Op::Min:
    case Op::Sort: d[piece] = S::from_int(1); return;
    default: return;
  }
}

}  // namespace selgrad
