// The tie closure: D5 restricted to the nodes that are tied at a point.
//
// At a point x, a selection node is tied when several of its pieces take the node's value (relu
// or abs at 0, a max with two maximal arguments, a sort with equal values, a select at u = v).
// Choosing any of those pieces leaves every value of the program unchanged, so each combination
// of choices is a valid branch signature at x, and AD along it returns a selection Jacobian.
// The tie closure is the set of distinct Jacobians over all combinations: what AD could output
// at x over all representations that differ only at ties. For one output, 0 in its convex hull
// means x is selection critical (D5).
#pragma once

#include <optional>
#include <vector>

#include "selgrad/reference/evaluate.hpp"

namespace selgrad::reference {

struct TieClosure {
  ExactResult at_point;                  ///< AD at x with the tie rules' branches
  std::vector<std::uint32_t> tied_nodes; ///< selection nodes whose choice varies
  std::size_t combinations = 0;          ///< branch combinations enumerated
  /// Distinct selection Jacobians (q x p each); the first is at_point.jacobian.
  std::vector<Matrix<Rational>> jacobians;
  /// For q = 1: whether 0 lies in the convex hull of the gradients (exact LP). Empty for q > 1.
  std::optional<bool> zero_in_hull;
};

/// Tie closure of a rational program (no exp/log) at an exact point. Throws Error: Unsupported
/// for a program with exp/log, those of evaluate_exact, and Resource when the number of combinations exceeds
/// Options::max_closure_combinations.
TieClosure tie_closure(const Program& program, const std::vector<Rational>& point,
                       const Options& options = {});

}  // namespace selgrad::reference
