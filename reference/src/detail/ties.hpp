// The ties of a program at a point, as the tie closure (D5) and H1 see them.
//
// A tie unit is one independent choice: a tied relu, abs, max, min or select node (any of its
// tied pieces), or a run of equal values in a sort (any permutation of the run's argument
// positions over the run's ranks). The closure is the product of the units' choices.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "selgrad/reference/convex_hull.hpp"
#include "sweep.hpp"

namespace selgrad::reference::detail {

struct TieUnit {
  /// A node's tied pieces (`run` false: `nodes` has the node, `pieces` its tied pieces with the
  /// chosen one first), or a sort run (`run` true: `nodes` are the run's rank nodes in rank
  /// order, `pieces` the argument positions the stable sort gave them, which is increasing).
  std::vector<std::uint32_t> nodes;
  std::vector<std::uint32_t> pieces;
  bool run = false;
};

/// The units of the tape's ties, in node order.
std::vector<TieUnit> tie_units(const Program& p, const Tape<Rational>& t);

/// Whether two tied nodes lie on one path from an input to an output (H1's hypothesis fails):
/// returns such a pair (upstream, downstream), or nothing when the tied nodes that lie on such
/// paths form an antichain.
std::optional<std::pair<std::uint32_t, std::uint32_t>> nested_ties(const Program& p,
                                                                   const std::vector<TieUnit>& units);

/// H1 for output `out` when the ties do not nest: the offset J_0 and one polytope per unit such
/// that the convex hull of the tie closure's gradients is J_0 + T_1 + ... + T_n. Units that
/// cannot change the gradient (off every input-output path) give no term. `check` guards the
/// size of every computed value. Precondition: nested_ties(p, units) is empty.
struct AntichainHull {
  std::vector<Rational> offset;
  std::vector<PolytopeTerm> terms;
};
template <class Check>
AntichainHull antichain_hull(const Program& p, const Tape<Rational>& t, const std::vector<TieUnit>& units,
                             std::uint32_t out, Check&& check);

/// Number of exact entries antichain_hull will hold (tangent rows and polytope points, times
/// the number of inputs), computed before any of them.
std::size_t antichain_hull_entries(const Program& p, const std::vector<TieUnit>& units);

}  // namespace selgrad::reference::detail

#include "ties_impl.hpp"
