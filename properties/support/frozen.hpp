// The smooth program f_sigma: a program with every selection node frozen at a given piece
// (T2: "freeze every branch at the ones taken"). Evaluated over any scalar type through the op
// table's smooth_value and piece_value only: never through smooth_partials / piece_partials, and
// never through the engines' branch decisions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "selgrad/program/op_rules.hpp"
#include "selgrad/program/program.hpp"
#include "selgrad/reference/evaluate.hpp"

namespace selgrad::properties {

/// One piece per node (0 for non-selection nodes), from an engine's branch signature.
inline std::vector<std::uint32_t> pieces_of(const Program& p, const reference::BranchSignature& s) {
  std::vector<std::uint32_t> pieces(p.m(), 0);
  for (const auto& d : s.decisions) pieces[d.node] = d.choice.piece;
  return pieces;
}

/// Values of every node of f_sigma at x, sigma = `pieces` (one per node).
template <class T>
std::vector<T> eval_frozen(const Program& p, const std::vector<T>& x, const std::vector<std::uint32_t>& pieces) {
  std::vector<T> lits;
  lits.reserve(p.literals.size());
  for (const auto& l : p.literals) lits.push_back(ScalarOps<T>::from_literal(l));
  std::vector<T> values;
  values.reserve(p.m());
  for (std::size_t i = 0; i < p.p(); ++i) values.push_back(x[i]);
  std::vector<const T*> args;
  for (std::size_t k = p.p(); k < p.m(); ++k) {
    const Node& n = p.nodes[k];
    args.clear();
    for (Arg a : n.args) args.push_back(a.is_node() ? &values[a.index] : &lits[a.index]);
    const std::span<const T* const> a(args);
    if (op_info(n.op).selection)
      values.push_back(piece_value<T>(n, pieces[k], a));
    else
      values.push_back(smooth_value<T>(n, a));
  }
  return values;
}

/// The argument values of node k, given all node values (literals converted on the fly).
template <class T>
std::vector<T> arg_values(const Program& p, std::uint32_t k, const std::vector<T>& values) {
  std::vector<T> out;
  for (Arg a : p.nodes[k].args)
    out.push_back(a.is_node() ? values[a.index] : ScalarOps<T>::from_literal(p.literals[a.index]));
  return out;
}

}  // namespace selgrad::properties
