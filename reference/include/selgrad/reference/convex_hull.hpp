// Exact convex-hull membership of the origin, by exact rational LPs.
//
// D5: a point is selection critical when 0 lies in conv{grad f_i(x) : i in I(x)}. The tie
// closure produces those gradients exactly; these functions answer the membership question
// exactly, for an explicit list of points (the enumerated closure) and for a Minkowski sum of
// small polytopes (the closure's hull when ties do not nest, H1).
#pragma once

#include <cstddef>
#include <vector>

#include "selgrad/reference/scalars.hpp"

namespace selgrad::reference {

/// True iff 0 is in the convex hull of `points` (each a vector of the same dimension n >= 1).
/// Decided through Gordan's alternative (0 is outside the hull iff some w has <w, p_i> > 0 for
/// every i): the LP  max t  s.t.  <w, p_i> >= t for every distinct p_i,  -1 <= w_j <= 1,  t <= 1
/// has n + 1 variables and one constraint per distinct point, and 0 is in the hull iff its
/// optimum is 0. It is solved exactly (cddlib, GMP rationals) by constraint generation: an LP
/// over some of the points, then an exact check of every point against its solution, adding
/// the violated ones, until no point is violated (so memory is O(points x n), never quadratic
/// in the number of points). An empty set has an empty hull (false).
/// Throws Error(ErrorKind::Usage) on ragged input.
bool zero_in_convex_hull(const std::vector<std::vector<Rational>>& points);

/// The same question as the feasibility of { lambda >= 0, sum lambda = 1, sum lambda_i p_i = 0 }
/// in one dense cddlib LP with a column per point: memory and time grow with the square of the
/// number of points. Kept as an independent check of zero_in_convex_hull (tests compare them).
bool zero_in_convex_hull_primal(const std::vector<std::vector<Rational>>& points);

/// One summand of a Minkowski sum: the convex hull of `points` when `birkhoff` is 0; when
/// `birkhoff` is k > 0, `points` has k * k entries and the summand is the image of the Birkhoff
/// polytope of k x k doubly stochastic matrices P under P -> sum_{r,s} P[r][s] points[r k + s]
/// (by Birkhoff-von Neumann, the hull of the images of the k! permutation matrices).
struct PolytopeTerm {
  std::vector<std::vector<Rational>> points;
  std::size_t birkhoff = 0;
};

/// True iff 0 is in offset + T_1 + ... + T_n (H1: the hull of a tie closure whose ties do not
/// nest). One exact LP with a bounded variable per point of each term (a convex weight, or an
/// entry of a doubly stochastic matrix) and one equation per coordinate and per weight sum,
/// solved by QSopt_ex's exact rational simplex. Its answer is then checked here in exact
/// arithmetic, independently of the solver: a "yes" by its weights (they satisfy every
/// equation and bound), a "no" by a Farkas multiplier y of the equations (y . rhs lies outside
/// the range of y . (A lambda) over the box of the weights' bounds). Throws Error: Usage on
/// ragged input or a Birkhoff term of the wrong size, Resource if the solver fails or a
/// certificate does not check.
bool zero_in_minkowski_sum(const std::vector<Rational>& offset, const std::vector<PolytopeTerm>& terms);

}  // namespace selgrad::reference
