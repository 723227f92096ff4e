// Exact convex-hull membership of the origin, by an exact rational LP (cddlib in GMP mode).
//
// D5: a point is selection critical when 0 lies in conv{grad f_i(x) : i in I(x)}. The tie
// closure produces those gradients exactly; this answers the membership question exactly.
#pragma once

#include <vector>

#include "selgrad/reference/scalars.hpp"

namespace selgrad::reference {

/// True iff 0 is in the convex hull of `points` (each a vector of the same dimension n >= 1).
/// Decided by the feasibility of { lambda >= 0, sum lambda = 1, sum lambda_i points_i = 0 }
/// with cddlib's exact rational simplex. An empty set has an empty hull (false).
/// Throws Error(ErrorKind::Usage) on ragged input.
bool zero_in_convex_hull(const std::vector<std::vector<Rational>>& points);

}  // namespace selgrad::reference
