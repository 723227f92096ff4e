// The op rules, as engines use them on a program's nodes: every function here takes a Node and
// dispatches to the node's rule (rules/, one file per op; see rules/common.hpp for how a rule is
// written). The reference engine, certification and the test oracles evaluate through these;
// the double engine calls the rules directly inside its lane loops (fast/src/kernels.hpp), with
// the same code.
//
// Piece numbering, per selection op (the `Choice::piece` field; names in the rules):
//   relu    0: the constant 0 (a <= 0)          1: a (a > 0)
//   abs     0: the constant 0 (a = 0)           1: a (a > 0)        2: -a (a < 0)
//   max/min position of the chosen argument (the first extremal one)
//   select  0: a (the comparison holds)         1: b (it does not)
//   sort    position of the argument that lands at this node's rank
//   clamp   0: the constant lo (a <= lo)        1: a                2: the constant hi (a >= hi)
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "selgrad/program/op.hpp"
#include "selgrad/program/program.hpp"
#include "selgrad/program/symbolic.hpp"
#include "selgrad/program/stable_order.hpp"

namespace selgrad {

// ------------------------------------------------------------------------------------------
// Operand views of a node (see rules/common.hpp).

/// A node's argument values, as pointers (the reference engine's layout).
template <class T>
struct NodeArgs {
  const Node& node;
  std::span<const T* const> values;
  std::size_t size() const { return values.size(); }
  const T& operator[](std::size_t i) const { return *values[i]; }
  std::int64_t power() const { return node.power; }
  Cmp cmp() const { return node.cmp; }
};

/// A node's shape only (arity and parameters): for what does not read argument values (the
/// partials of a selection's piece, domain conditions, piece counts).
struct NodeShape {
  const Node& node;
  std::size_t size() const { return node.args.size(); }
  std::int64_t power() const { return node.power; }
  Cmp cmp() const { return node.cmp; }
};

/// The same shape without a Node: an argument count, powi's exponent, select's comparison.
struct HeadShape {
  std::size_t count;
  std::int64_t exponent = 0;
  Cmp comparison = Cmp::Lt;
  std::size_t size() const { return count; }
  std::int64_t power() const { return exponent; }
  Cmp cmp() const { return comparison; }
};

namespace detail {
/// Partials sink over a span.
template <class T>
struct SpanSink {
  std::span<T> d;
  T& operator[](std::size_t i) const { return d[i]; }
};
}  // namespace detail

// ------------------------------------------------------------------------------------------
// Domain (D1: elementary functions are used inside their domain).

/// The condition node `n` needs of its arguments, if any.
inline std::optional<DomainRule> domain_condition(const Node& n) {
  return rules::visit(n.op, [&](auto r) { return decltype(r)::domain(NodeShape{n}); });
}

inline bool domain_satisfied(const DomainRule& c, Sign s) { return domain_satisfied(c.need, s); }

/// The one wording of a domain error: "division by zero: divisor is 0", "argument is -1, must be
/// > 0", with the offending value as the engine prints it; without a value, what is known of
/// it from the condition ("argument <= 0, must be > 0").
inline std::string domain_message(const DomainRule& c, const std::optional<std::string>& value = std::nullopt) {
  std::string s;
  if (!c.violation.empty()) s += std::string(c.violation) + ": ";
  s += std::string(c.argument);
  if (value) s += " is " + *value;
  else s += c.need == DomainRule::Need::Positive ? " <= 0" : " is 0";
  if (!c.requirement.empty()) s += ", " + std::string(c.requirement);
  return s;
}

// ------------------------------------------------------------------------------------------
// Values and local selection gradients (D4).

/// Value of node `n` at argument values `a`: of piece `piece` for a selection.
template <class T>
T op_value(const Node& n, std::uint32_t piece, std::span<const T* const> a) {
  return rules::visit(n.op, [&](auto r) { return decltype(r)::template value<T>(NodeArgs<T>{n, a}, piece); });
}

/// Local selection gradient of node `n` (of piece `piece` for a selection) at arguments `a` and
/// value `y`: one entry per argument position in `d` (literal positions too; engines ignore them).
template <class T>
void op_partials(const Node& n, std::uint32_t piece, std::span<const T* const> a, const T& y, std::span<T> d) {
  detail::SpanSink<T> sink{d};
  rules::visit(n.op, [&](auto r) { decltype(r)::template partials<T>(NodeArgs<T>{n, a}, piece, y, sink); });
}

/// Value of a smooth (non-selection) op.
template <class T>
T smooth_value(const Node& n, std::span<const T* const> a) {
  return op_value<T>(n, 0, a);
}
/// Partials of a smooth op at arguments `a` and value `y`.
template <class T>
void smooth_partials(const Node& n, std::span<const T* const> a, const T& y, std::span<T> d) {
  op_partials<T>(n, 0, a, y, d);
}
/// Value of the selection piece `piece` of node `n` at arguments `a`.
template <class T>
T piece_value(const Node& n, std::uint32_t piece, std::span<const T* const> a) {
  return op_value<T>(n, piece, a);
}

/// Local selection gradient of piece `piece` of selection node `n` (it does not depend on the
/// argument values).
template <class T>
void piece_partials(const Node& n, std::uint32_t piece, std::span<T> d) {
  detail::SpanSink<T> sink{d};
  const T unused{};
  rules::visit(n.op, [&](auto r) {
    using R = decltype(r);
    if constexpr (R::info.selection) R::template partials<T>(NodeShape{n}, piece, unused, sink);
  });
}

// ------------------------------------------------------------------------------------------
// Selections: decisions from sign queries. An oracle provides `Sign sign(std::uint32_t i)` and
// `Sign sign_diff(std::uint32_t i, std::uint32_t j)` on the node's arguments.

/// The tie rules as functions of the sign a decision depends on (for oracles of the tests).
constexpr std::uint32_t relu_piece(Sign a) { return rules::Relu::piece_of(a); }
constexpr std::uint32_t abs_piece(Sign a) { return rules::Abs::piece_of(a); }
constexpr std::uint32_t select_piece(Cmp c, Sign u_minus_v) { return rules::Select::piece_of(c, u_minus_v); }
constexpr bool replaces_extremum(Op op, Sign candidate_minus_best) {
  return op == Op::Max ? rules::Max::replaces(candidate_minus_best) : rules::Min::replaces(candidate_minus_best);
}
constexpr bool sort_moves_ahead(Sign later_minus_earlier) { return rules::Sort::moves_ahead(later_minus_earlier); }

/// Decides the piece of a selection node other than sort (see sort_order).
template <class Oracle>
Choice choose_piece(const Node& n, Oracle& o) {
  return rules::visit(n.op, [&](auto r) -> Choice {
    using R = decltype(r);
    if constexpr (R::info.selection && R::info.op != Op::Sort) return R::decide(NodeShape{n}, o);
    else return {};
  });
}

/// Stable decreasing order of a sort statement's k arguments (rules::Sort::order).
template <class Oracle>
void sort_order(std::uint32_t k, Oracle& o, std::vector<std::uint32_t>& order, std::vector<bool>& same_as_prev) {
  rules::Sort::order(k, o, order, same_as_prev);
}

/// Whether rank r of a sort is tied (its value equals a neighbouring rank's value).
inline bool sort_rank_tied(const std::vector<bool>& same_as_prev, std::uint32_t r) {
  return rules::Sort::rank_tied(same_as_prev, r);
}

/// D3 continuity of `select` at a tie u = v: both branches must have the same value there.
/// Returns the sign of a - b (Zero when continuous). Call only when the choice is a tie.
template <class Oracle>
Sign select_jump(Oracle& o) {
  return rules::Select::jump(o);
}

/// Every piece the index closure (D5) admits at a tie, for a selection node other than sort:
/// the pieces whose value equals the node's value at this point. For a non-tied decision this
/// is just the chosen piece.
template <class Oracle>
std::vector<std::uint32_t> tied_pieces(const Node& n, Choice c, Oracle& o) {
  std::vector<std::uint32_t> out{c.piece};
  if (!c.tie) return out;
  rules::visit(n.op, [&](auto r) {
    using R = decltype(r);
    if constexpr (R::info.selection && R::info.op != Op::Sort) R::tied(NodeShape{n}, c, o, out);
  });
  return out;
}

/// Number of pieces of a selection node (1 for a smooth op).
inline std::uint32_t piece_count(const Node& n) {
  return rules::visit(n.op, [&](auto r) -> std::uint32_t {
    using R = decltype(r);
    if constexpr (R::info.selection) return rules::piece_count<R>(NodeShape{n});
    else return 1;
  });
}

/// A piece's name: the rule's ("0", "a", "-a", "lo"), or for max, min and sort "arg i (name)"
/// with `arg_name(i)` the name of argument i.
template <class ArgName>
std::string piece_name(const Node& n, std::uint32_t piece, ArgName&& arg_name) {
  return rules::visit(n.op, [&](auto r) -> std::string {
    using R = decltype(r);
    if constexpr (requires { R::piece_names; }) {
      return piece < std::size(R::piece_names) ? std::string(R::piece_names[piece]) : std::string("?");
    } else if constexpr (R::info.selection) {
      return "arg " + std::to_string(piece + 1) + " (" + arg_name(piece) + ")";
    } else {
      return std::string();
    }
  });
}

// ------------------------------------------------------------------------------------------
// Reading the rules symbolically (symbolic.hpp).

/// What the value of piece `piece` of node `n` is: an argument, minus an argument, a constant,
/// or Other (computed).
inline Sym symbolic_value(const Node& n, std::uint32_t piece) {
  return rules::visit(n.op, [&](auto r) {
    return decltype(r)::template value<Sym>(SymArgs<NodeShape>{NodeShape{n}}, piece);
  });
}

/// What each local partial of node `n` is, whatever piece it takes: `out[i]` is the Sym of the
/// partial with respect to argument position i when every piece gives the same one, else Other.
/// `scratch` is working space (kept by the caller so that a loop over nodes does not allocate).
template <class Shape>
void partial_forms(Op op, const Shape& shape, std::vector<Sym>& out, std::vector<Sym>& scratch) {
  const std::size_t k = shape.size();
  out.assign(k, Sym::other());
  scratch.resize(k);
  detail::SpanSink<Sym> sink{scratch};
  rules::visit(op, [&](auto r) {
    using R = decltype(r);
    const SymArgs<Shape> a{shape};
    std::uint32_t pieces = 1;
    if constexpr (R::info.selection) pieces = rules::piece_count<R>(shape);
    for (std::uint32_t piece = 0; piece < pieces; ++piece) {
      R::template partials<Sym>(a, piece, Sym::value(), sink);
      for (std::size_t i = 0; i < k; ++i)
        out[i] = piece == 0 || out[i] == scratch[i] ? scratch[i] : Sym::other();
    }
  });
}
inline void partial_forms(const Node& n, std::vector<Sym>& out, std::vector<Sym>& scratch) {
  partial_forms(n.op, NodeShape{n}, out, scratch);
}
inline void partial_forms(const Node& n, std::vector<Sym>& out) {
  std::vector<Sym> scratch;
  partial_forms(n, out, scratch);
}

}  // namespace selgrad
