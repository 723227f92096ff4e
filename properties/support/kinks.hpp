// Where the pieces of a program change: the comparisons that decide every selection node, and,
// for piecewise-affine programs, how far a point can move before an untied comparison changes
// sign.
//
// Every piece of every selection node is decided by the signs of a few differences of its
// arguments (op_rules.hpp): relu and abs by a (against 0), max, min and sort by a_i - a_j for
// every pair, select by u - v. At a point x, a comparison is *tied* when its difference is 0 and
// *untied* otherwise.
//
// Margin radius (P3, T3): in a piecewise-affine program every node is a globally Lipschitz
// function of the inputs, with a constant L (for the infinity norm) bounded by structural
// induction: L(input) = 1, L(literal) = 0, L(add) = sum, L(sub) = L(a) + L(b), L(neg) = L(a),
// L(lin c0 c1 a1 ...) = sum |ci| L(ai), L(mul with one node argument) = |product of the
// literals| L(node), L(div a c) = L(a) / |c| for a literal c, L(relu a) = L(abs a) = L(a),
// L(max / min / sort) = max of the L(ai), and L(select u v a b) = max(L(a), L(b)) (a continuous
// function that is a or b on each of finitely many pieces of a segment varies by at most
// max(L(a), L(b)) times its length). An untied
// comparison with difference d(x) = u(x) - v(x) keeps its strict sign on the ball
// ||y - x||_inf < |d(x)| / (L(u) + L(v)). The margin radius is the smallest such bound over
// the untied comparisons: inside it, every untied node keeps its piece.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "selgrad/program/program.hpp"
#include "selgrad/reference/scalars.hpp"

namespace selgrad::properties {

using reference::Rational;

/// The difference (argument i) - (argument j) of node `node`; j absent: argument i against 0.
struct Comparison {
  std::uint32_t node = 0;
  std::uint32_t i = 0;
  std::optional<std::uint32_t> j;
};

/// Every comparison deciding the program's selection nodes (sort pairs once per group).
std::vector<Comparison> comparisons(const Program& p);

/// Value of a comparison's difference, given every node's value.
template <class T>
T difference(const Program& p, const Comparison& c, const std::vector<T>& values, const std::vector<T>& literals) {
  const auto arg = [&](std::uint32_t pos) -> const T& {
    const Arg a = p.nodes[c.node].args[pos];
    return a.is_node() ? values[a.index] : literals[a.index];
  };
  return c.j ? T(arg(c.i) - arg(*c.j)) : arg(c.i);
}

/// Global Lipschitz bounds (infinity norm) of every node of a piecewise-affine program.
std::vector<Rational> lipschitz_bounds(const Program& p);

/// L(u) + L(v) for a comparison u - v.
Rational comparison_lipschitz(const Program& p, const Comparison& c, const std::vector<Rational>& lipschitz);

/// The margin radius at a point with node values `values` (see the file comment): the
/// smallest |d(x)| / (L(u) + L(v)) over untied comparisons with L(u) + L(v) > 0, or nullopt
/// when there is none (no untied comparison can ever change sign).
std::optional<Rational> margin_radius(const Program& p, const std::vector<Rational>& values);

/// Exact values of the program's literals.
std::vector<Rational> literal_values(const Program& p);

}  // namespace selgrad::properties
