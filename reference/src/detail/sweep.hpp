// Algorithm 1 and Algorithm 2 of math.md, once, over a scalar type T.
//
// run_forward evaluates a program node by node (Algorithm 1) through the op rules of
// program/op_rules.hpp, recording for every node its value, its local selection gradient d_k
// (one partial per argument position) and, for selection nodes, the piece chosen. How a branch
// is decided is the Policy's business: exact signs, certified interval signs, or a replay of
// given choices. backward_jacobian and forward_jacobian then run Algorithm 2 on the recorded
// local gradients.
#pragma once

#include <algorithm>
#include <map>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "selgrad/program/error.hpp"
#include "selgrad/program/mutant.hpp"
#include "selgrad/program/op_rules.hpp"
#include "selgrad/program/program.hpp"
#include "selgrad/reference/evaluate.hpp"

namespace selgrad::reference::detail {

/// What Algorithm 1 leaves behind: values and local gradients of every node.
template <class T>
struct Tape {
  std::vector<T> literal_values;     ///< one per program literal
  std::vector<T> values;             ///< x_k, one per node
  std::vector<std::uint32_t> offset; ///< partials of node k are partials[offset[k] .. offset[k+1])
  std::vector<T> partials;           ///< d_k, one entry per argument position of node k
  std::vector<Choice> choices;       ///< piece taken, for selection nodes (unused otherwise)
  std::vector<Certainty> certainty;  ///< how each selection node's choice was decided
  std::vector<bool> same_as_prev;    ///< sort nodes: value equals the previous rank's (ties)
  /// Nodes whose tie rule acted (tie_rule.hpp): the pieces tied there, for replays.
  std::map<std::uint32_t, std::vector<std::uint32_t>> ruled_ties;
};

inline Location node_location(const Program& p, std::uint32_t k) {
  const Node& n = p.nodes[k];
  Location where;
  where.line = n.line;
  where.node = n.name;
  where.op = std::string(op_name(n.op));
  return where;
}

/// Whether node n's local gradient is one-hot at its piece's argument (rules with one_hot_at:
/// a sort rank): the tape keeps that one entry, so a k-way sort costs O(k) partials, not O(k^2).
inline bool one_hot_partials(const Node& n) { return n.op == Op::Sort; }
static_assert(requires { rules::Sort::one_hot_at(0u); }, "sort's rule says its partials are one-hot");

/// How many partials node n keeps on the tape: one per argument position, or one (see
/// one_hot_partials).
inline std::uint32_t partial_count(const Node& n) {
  return one_hot_partials(n) ? 1u : static_cast<std::uint32_t>(n.args.size());
}

/// The argument that partial i of node k multiplies in Algorithm 2: argument i, or for a
/// one-hot node the argument its piece takes.
template <class T>
Arg partial_arg(const Node& n, const Tape<T>& t, std::uint32_t k, std::size_t i) {
  return one_hot_partials(n) ? n.args[rules::Sort::one_hot_at(t.choices[k].piece)] : n.args[i];
}

/// Sets node k's local gradient to that of selection piece `piece` (the rule's partials; for a
/// one-hot node its one entry, 1).
template <class T>
void set_piece_partials(const Node& n, std::span<const T* const> a, Tape<T>& t, std::uint32_t k,
                        std::uint32_t piece) {
  std::span<T> d(t.partials.data() + t.offset[k], partial_count(n));
  if (one_hot_partials(n))
    d[0] = ScalarOps<T>::from_int(1);
  else
    op_partials<T>(n, piece, a, t.values[k], d);
}
/// The same without the argument values (a selection's partials do not read them).
template <class T>
void set_piece_partials(const Node& n, Tape<T>& t, std::uint32_t k, std::uint32_t piece) {
  std::span<T> d(t.partials.data() + t.offset[k], partial_count(n));
  if (one_hot_partials(n))
    d[0] = ScalarOps<T>::from_int(1);
  else
    piece_partials<T>(n, piece, d);
}

/// Applies node k's tie rule (tie_rule.hpp) to a decision taken at a tie: a Piece rule moves the
/// choice to its piece when that piece is tied; a Split rule keeps the choice (the value is the
/// same for every tied piece) and sets the local gradient to the mean of the tied pieces'
/// gradients; a Weight rule mixes its piece's gradient (weight w) with the choice's. `tied` is the policy's list of tied pieces (op_rules.hpp, tied_pieces).
template <class T>
void apply_tie_rule(const Node& n, std::span<const T* const> a, Tape<T>& t, std::uint32_t k,
                    const std::vector<std::uint32_t>& tied) {
  Choice& c = t.choices[k];
  if (n.tie.kind == TieRule::Kind::Piece) {
    if (std::find(tied.begin(), tied.end(), n.tie.piece) == tied.end()) return;
    c.piece = n.tie.piece;
    t.values[k] = op_value<T>(n, c.piece, a);
    set_piece_partials(n, a, t, k, c.piece);
    return;
  }
  using S = ScalarOps<T>;
  std::span<T> d(t.partials.data() + t.offset[k], partial_count(n));
  if (n.tie.kind == TieRule::Kind::Weight) {
    // w of the rule's piece and 1 - w of the op table's choice: a convex combination (T3).
    if (std::find(tied.begin(), tied.end(), n.tie.piece) == tied.end() || n.tie.piece == c.piece) return;
    const T& w = t.literal_values[n.tie.weight];
    std::vector<T> other(d.size(), S::from_int(0));
    op_partials<T>(n, n.tie.piece, a, t.values[k], std::span<T>(other));
    for (std::size_t e = 0; e < d.size(); ++e) d[e] = w * other[e] + (S::from_int(1) - w) * d[e];
    return;
  }
  // Split: a convex combination of the tied pieces' gradients (in their hull: T3).
  std::vector<T> sum(d.size(), S::from_int(0)), piece(d.size(), S::from_int(0));
  for (std::uint32_t i : tied) {
    op_partials<T>(n, i, a, t.values[k], std::span<T>(piece));
    for (std::size_t e = 0; e < d.size(); ++e) sum[e] = sum[e] + piece[e];
  }
  const T count = S::from_int(static_cast<std::int64_t>(tied.size()));
  for (std::size_t e = 0; e < d.size(); ++e) d[e] = SELGRAD_MUTANT(65) ? sum[e] : sum[e] / count;  // mutant 65: the sum
}

/// Exact sweeps guard the size of an update acc + x * y before computing it: `check` may take
/// (node, acc, x, y) for that, besides (node, value) after each update.
template <class Check, class T>
void check_before_update(Check& check, std::uint32_t k, const T& acc, const T& x, const T& y) {
  if constexpr (std::is_invocable_v<Check&, std::uint32_t, const T&, const T&, const T&>) check(k, acc, x, y);
}

template <class T>
void init_tape(const Program& p, Tape<T>& t) {
  using S = ScalarOps<T>;
  t.literal_values.clear();
  t.literal_values.reserve(p.literals.size());
  for (const auto& l : p.literals) t.literal_values.push_back(S::from_literal(l));
  t.values.assign(p.m(), S::from_int(0));
  t.offset.assign(p.m() + 1, 0);
  for (std::size_t k = 0; k < p.m(); ++k) t.offset[k + 1] = t.offset[k] + partial_count(p.nodes[k]);
  t.partials.assign(t.offset.back(), S::from_int(0));
  t.choices.assign(p.m(), Choice{});
  t.certainty.assign(p.m(), Certainty::Exact);
  t.same_as_prev.assign(p.m(), false);
}

template <class T>
const T& arg_value(const Tape<T>& t, Arg a) {
  return a.is_node() ? t.values[a.index] : t.literal_values[a.index];
}

template <class T>
void gather_args(const Tape<T>& t, const Node& n, std::vector<const T*>& out) {
  out.clear();
  for (Arg a : n.args) out.push_back(&arg_value(t, a));
}

/// Evaluates node k (k >= p) into the tape. Policy provides:
///   Choice choose(k, args)                         piece of a relu/abs/max/min/select node,
///                                                  with its continuity check done;
///   void order(k, args, order, same_as_prev)       stable order of a sort group;
///   void precheck(k, args)                         domain condition (and any size
///                                                  precheck) before a smooth op; throws;
///   void check(k, const T& value)                  size / overflow guard on a new value;
///   Certainty last_certainty()                     how the last choose/order was decided;
///   void tied(k, args, choice, out)                the pieces tied at a tie (for tie rules).
/// `order` holds the current sort group's order between its nodes, and `args` its gathered
/// arguments: the ranks of a group are evaluated right after their lead, which gathers once.
template <class T, class Policy>
void eval_node(const Program& p, std::uint32_t k, Tape<T>& t, Policy& pol,
               std::vector<const T*>& args, std::vector<std::uint32_t>& order,
               std::vector<bool>& same_as_prev) {
  const Node& n = p.nodes[k];
  if (n.op != Op::Sort || k == n.group_first || args.size() != n.args.size()) gather_args(t, n, args);
  const std::span<const T* const> a(args);
  std::span<T> d(t.partials.data() + t.offset[k], partial_count(n));
  if (!op_info(n.op).selection) {
    pol.precheck(k, a);
    t.values[k] = op_value<T>(n, 0, a);
    pol.check(k, t.values[k]);
    op_partials<T>(n, 0, a, t.values[k], d);
  } else {
    Choice c;
    if (n.op == Op::Sort) {
      if (k == n.group_first) {
        pol.order(k, a, order, same_as_prev);
        t.certainty[k] = pol.last_certainty();
      } else {
        t.certainty[k] = t.certainty[n.group_first];
      }
      const std::uint32_t r = n.sort_rank(k);
      c = {order[r], sort_rank_tied(same_as_prev, r)};
      t.same_as_prev[k] = same_as_prev[r];
    } else {
      c = pol.choose(k, a);
      t.certainty[k] = pol.last_certainty();
    }
    t.choices[k] = c;
    t.values[k] = op_value<T>(n, c.piece, a);
    set_piece_partials(n, a, t, k, c.piece);
    if (c.tie && n.tie.changes_ties()) {
      std::vector<std::uint32_t>& tied = t.ruled_ties[k];
      pol.tied(k, a, c, tied);
      apply_tie_rule(n, a, t, k, tied);
    }
  }
  for (auto& di : d) pol.check(k, di);
}

/// Algorithm 1 over the whole program.
template <class T, class Policy>
void run_forward(const Program& p, const std::vector<T>& x, Policy& pol, Tape<T>& t) {
  init_tape(p, t);
  for (std::size_t i = 0; i < p.p(); ++i) t.values[i] = x[i];
  std::vector<const T*> args;
  std::vector<std::uint32_t> order;
  std::vector<bool> same_as_prev;
  for (auto k = static_cast<std::uint32_t>(p.p()); k < p.m(); ++k)
    eval_node(p, k, t, pol, args, order, same_as_prev);
}

/// Algorithm 2, backward mode, one sweep per output:
/// v = e_out; for t = m..p+1, for j in pr(t): v[j] += v[t] * d_t[j]; return v[1..p].
/// `check(node, value)` guards adjoint growth.
template <class T, class Check>
Matrix<T> backward_jacobian(const Program& p, const Tape<T>& t, Check&& check) {
  using S = ScalarOps<T>;
  const T zero = S::from_int(0);
  Matrix<T> jac;
  std::vector<T> v(p.m(), zero);
  std::vector<bool> nonzero(p.m(), false);
  for (std::uint32_t out : p.outputs) {
    std::fill(v.begin(), v.end(), zero);
    std::fill(nonzero.begin(), nonzero.end(), false);
    v[out] = S::from_int(1);
    nonzero[out] = true;
    // L1: v[t] is never reset; its final value is read for the inputs only.
    for (auto k = static_cast<std::uint32_t>(p.m()); k-- > p.p();) {
      if (!nonzero[k]) continue;  // a zero adjoint contributes nothing
      const Node& n = p.nodes[k];
      const std::uint32_t count = partial_count(n);
      for (std::size_t i = 0; i < count; ++i) {
        const Arg a = partial_arg(n, t, k, i);
        if (!a.is_node()) continue;
        if (SELGRAD_MUTANT(2) && i > 0 && i + 1 == count) continue;  // drops the last term
        check_before_update(check, k, v[a.index], v[k], t.partials[t.offset[k] + i]);
        if (SELGRAD_MUTANT(6))  // overwrites instead of accumulating
          v[a.index] = T(v[k] * t.partials[t.offset[k] + i]);
        else
          v[a.index] += T(v[k] * t.partials[t.offset[k] + i]);
        nonzero[a.index] = true;
        check(k, v[a.index]);
      }
      if (SELGRAD_MUTANT(1)) v[k] = zero;  // resets v[t] after using it (equivalent: L1)
    }
    jac.emplace_back(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(p.p()));
  }
  return jac;
}

/// Algorithm 2, forward mode: dx_k/dx = e_k for inputs, sum_j d_k[j] dx_j/dx after.
template <class T, class Check>
Matrix<T> forward_jacobian(const Program& p, const Tape<T>& t, Check&& check) {
  using S = ScalarOps<T>;
  const T zero = S::from_int(0);
  const std::size_t np = p.p();
  std::vector<T> rows(p.m() * np, zero);  // row k = dx_k/dx
  for (std::size_t i = 0; i < np; ++i) rows[i * np + i] = S::from_int(1);
  for (auto k = static_cast<std::uint32_t>(np); k < p.m(); ++k) {
    const Node& n = p.nodes[k];
    T* row = rows.data() + std::size_t{k} * np;
    const std::uint32_t count = partial_count(n);
    for (std::size_t i = 0; i < count; ++i) {
      const Arg a = partial_arg(n, t, k, i);
      if (!a.is_node()) continue;
      if (SELGRAD_MUTANT(2) && i > 0 && i + 1 == count) continue;  // drops the last term
      if (SELGRAD_MUTANT(8) && i == 0 && count > 1) continue;  // forward mode drops the first term
      const T& di = t.partials[t.offset[k] + i];
      const T* src = rows.data() + std::size_t{a.index} * np;
      for (std::size_t c = 0; c < np; ++c) {
        check_before_update(check, k, row[c], di, src[c]);
        row[c] += T(di * src[c]);
      }
    }
    for (std::size_t c = 0; c < np; ++c) check(k, row[c]);
  }
  Matrix<T> jac;
  for (std::uint32_t out : p.outputs) {
    const T* src = rows.data() + std::size_t{out} * np;
    jac.emplace_back(src, src + np);
  }
  return jac;
}

template <class T, class Check>
Matrix<T> jacobian(const Program& p, const Tape<T>& t, Mode mode, Check&& check) {
  return uses_forward_sweeps(mode, p.p(), p.q()) ? forward_jacobian(p, t, check) : backward_jacobian(p, t, check);
}

}  // namespace selgrad::reference::detail
