// Invertibility on the convex hull of a finite set of matrices, decided exactly (the IMP and INV
// hypothesis over a tie closure): determinants of the vertices, then segments (Sturm sequences),
// then interior points (stationary points of a quadratic form), each with a cap on its work.
#pragma once

#include <vector>

#include "selgrad/reference/implicit.hpp"

namespace selgrad::reference::detail {

/// hull_invertibility over the distinct matrices of `ms`, the witness mapped back to indices of
/// `ms` (the weight of a distinct matrix goes to its first occurrence).
HullInvertibility distinct_hull_invertibility(const std::vector<Matrix<Rational>>& ms);

}  // namespace selgrad::reference::detail
