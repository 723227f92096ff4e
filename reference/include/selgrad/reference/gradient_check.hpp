// Deciding whether a gradient someone computed at a point (a framework's autograd, a hand
// derivation) is one selgrad's theory admits there.
//
// At a point x the tie closure (closure.hpp, D5 restricted to ties) is the set of selection
// Jacobians AD returns over every representation that differs only at ties. A claimed Jacobian
// G is then exactly one of:
//   Closure   one of the closure's Jacobians: AD along some choice of tied pieces returns G;
//   Hull      in their convex hull but none of them: what a splitting convention returns
//             (torch.maximum's 1/2-1/2); a conservative-field element, not a selection's;
//   Outside   neither: no representation and no convex combination of them gives G, a finding.
// Exact programs are decided exactly (G is read as rationals: a double is a dyadic rational).
// When the closure is too large to list and the ties do not nest, the hull is the Minkowski sum
// of the ties' local hulls (H1) and one exact LP decides Hull or Outside, but not whether G is
// also one of the closure's elements: the verdict is then Undecided with the reason, unless the
// LP says Outside. Nested ties beyond the cap: Undecided.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "selgrad/reference/closure.hpp"

namespace selgrad::reference {

enum class GradientVerdict : std::uint8_t { Closure, Hull, Outside, Undecided };

/// "closure", "hull", "outside", "undecided".
std::string_view verdict_name(GradientVerdict v);

struct GradientCheck {
  GradientVerdict verdict = GradientVerdict::Undecided;
  std::string reason;                    ///< why Undecided (empty otherwise)
  /// The closure holds two or more distinct Jacobians: the gradient at x depends on the tie
  /// conventions. Decided whenever the closure was listed or H1 applied (closure.hpp,
  /// TieClosure::varies); empty when it was not.
  std::optional<bool> bifurcation;
  std::vector<std::uint32_t> tied_nodes;  ///< the closure's tied selection nodes
  std::size_t closure_size = 0;           ///< distinct Jacobians listed
  bool closure_complete = true;           ///< whether they are all of them
  /// Closure only: the index (into the listed Jacobians) of one equal to G.
  std::size_t closure_index = 0;
};

/// Classifies `jacobian` (q x p) at `point` for a program without exp/log. Throws Error as
/// tie_closure does (Unsupported for exp/log), and Usage when the matrix is not q x p.
GradientCheck check_gradient(const Program& program, const std::vector<Rational>& point,
                             const Matrix<Rational>& jacobian, const Options& options = {});

/// The same for any program, for a Jacobian computed in floating point and known to within
/// `tolerance` (q x p, entrywise, >= 0: a rounding bound of the computation that produced it).
/// With exp/log the closure's Jacobians have transcendental entries: each is enclosed in MPFI
/// (its branch combination replayed at the precision that decided the ties, every enclosure of
/// width w), and
///   Closure  some element's enclosure widened by the tolerance contains the Jacobian;
///   Hull     some convex combination of the enclosures' midpoints is within tolerance + w;
///   Outside  none is: every point of the hull is farther than the tolerance (rigorous).
/// Bifurcation is true when two elements' enclosures are disjoint, empty when they all overlap
/// (equal, or closer than the precision tells). Undecided: a tied sort (its permutations are
/// not enumerated here), a decision left uncertified at the precision cap, or more combinations
/// than Options::max_closure_combinations. A program without exp/log is decided exactly, by
/// check_gradient, when the tolerance is zero.
///
/// `near_ties`: selection nodes whose decision the computation that produced the Jacobian may
/// have taken the other way (within its rounding of the boundary: a float64 forward pass that
/// lands on relu's 0 where the exact value is 1e-17). Each is enumerated over all its pieces,
/// as if tied: the closure is then that of the nearby points where they tie (T3: D_f is
/// conservative there too), and a verdict other than Outside says so in `reason`.
GradientCheck check_gradient_within(const Program& program, const std::vector<Rational>& point,
                                    const Matrix<Rational>& jacobian, const Matrix<Rational>& tolerance,
                                    const Options& options = {},
                                    const std::vector<std::uint32_t>& near_ties = {});

}  // namespace selgrad::reference
