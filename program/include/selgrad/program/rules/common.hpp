// What every op rule is written against.
//
// An op rule (one struct per op, one file each in this folder) is the whole definition of an
// op: its table row (`info`), its value, its local selection gradient (D4), its domain condition
// and, for a selection (D3), its pieces and tie rule. It is written once, generic over
//
//  * the scalar type T: exact rationals, MPFR points and MPFI intervals (reference/), doubles
//    and SIMD packs of doubles (fast/), and the symbolic scalar of symbolic.hpp that lets the
//    double engine see which partials are just an argument or a constant. Arithmetic goes
//    through + - * / and unary -, the rest through ScalarOps<T> (below);
//  * the operand view A, how a rule sees its node's arguments:
//      a.size()   the number of arguments (a compile-time constant in fixed-arity kernels),
//      a[i]       the value of argument i (a T, or a reference to one),
//      a.power()  powi's exponent k,   a.cmp()  select's comparison;
//  * the sign oracle O of a branch decision: o.sign(i) is the sign of argument i, and
//    o.sign_diff(i, j) the sign of argument i minus argument j. The exact engine answers
//    exactly, an interval engine when certified, the double engine in floating point;
//  * the partials sink D: d[i] is where the partial derivative with respect to argument
//    position i goes (assignable, and readable after it was written).
//
// A rule's functions (all static):
//   value<T>(a, piece)                 the value of the op (of `piece` for a selection);
//   partials<T>(a, piece, y, d)        the local selection gradient at value y, one entry per
//                                      argument position (literal positions too: unused);
//   domain(a)                          the DomainRule the op needs, if any;
//   selections also: decide(a, o) -> Choice, tied(a, choice, o, out) (the pieces tied at a
//   tie: D5), and its pieces: `piece_names` (relu: "0", "a"), or for pieces that are the
//   arguments (max, min, sort) `piece_count(a)`.
// Engines reach them through op_rules.hpp, which dispatches on a node's Op.
#pragma once

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "selgrad/program/op_enum.hpp"

namespace selgrad {

/// Scalar hooks an engine specialises for its scalar type:
///   static T from_int(std::int64_t);
///   static T powi(const T&, std::int64_t);  (a^k, k may be negative; a != 0 then)
///   static T exp(const T&), log, sqrt, softplus, sigmoid, tanh;
/// (and `static T from_literal(const Literal&)` where the engine reads literals through it).
/// An instance without exp/log (exact rationals) throws from those.
template <class T>
struct ScalarOps;

namespace rules {

template <class T>
T zero() {
  return ScalarOps<T>::from_int(0);
}
template <class T>
T one() {
  return ScalarOps<T>::from_int(1);
}

/// No domain condition: the op is defined everywhere.
inline constexpr std::optional<DomainRule> kEverywhere = std::nullopt;

/// The common part of the smooth ops' rules: one piece, never a decision; defined everywhere
/// unless the rule says otherwise.
struct Smooth {
  template <class A>
  static constexpr std::optional<DomainRule> domain(const A&) {
    return kEverywhere;
  }
};

/// The common part of the selections' rules: defined everywhere (a selection only chooses among
/// its pieces).
struct Selection {
  template <class A>
  static constexpr std::optional<DomainRule> domain(const A&) {
    return kEverywhere;
  }
};

/// The number of pieces of a selection rule at a node of shape `a`: its named pieces, or as many
/// as the rule says (one per argument for max, min and sort).
template <class R, class A>
constexpr std::uint32_t piece_count(const A& a) {
  if constexpr (requires { R::piece_names; }) return static_cast<std::uint32_t>(std::size(R::piece_names));
  else return R::piece_count(a);
}

}  // namespace rules
}  // namespace selgrad
