// Implicit problems with a known solution map (IMP): F(x, y) = M (y - H(x)) for a program H and
// an invertible matrix M. At y = H(x), F(x, y) = 0, and a selection Jacobian of F is
// [A B] = [-M J_H, M] for the selection Jacobian J_H that H's branches give, so the implicit
// rule returns -B^{-1} A = J_H, branch for branch.
#pragma once

#include <vector>

#include "selgrad/program/program.hpp"
#include "selgrad/reference/scalars.hpp"

namespace selgrad::properties {

using RationalMatrix = std::vector<std::vector<reference::Rational>>;

/// F(x, y) = M (y - H(x)) as a program: inputs H's inputs x1..xn then y1..ym (m = H's outputs),
/// H's nodes, d_i = y_i - h_i, f_i = lin 0 M_i1 d_1 ... M_im d_m; outputs f_1..f_m. Needs M
/// to be m x m.
Program implicit_problem(const Program& h, const RationalMatrix& m);

/// M + c I for the first c in 0, 1, -1, 2, -2, ... that makes it invertible (det(M + c I) is a
/// nonzero polynomial of degree m in c, so at most m values of c fail).
RationalMatrix make_invertible(RationalMatrix m);

}  // namespace selgrad::properties
