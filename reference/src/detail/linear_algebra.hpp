// The linear algebra of the implicit and inverse rules, shared inside reference/: exact
// elimination helpers, and MPFR and MPFI Gaussian elimination (the public exact operations,
// rank, determinant, solve and inverse, are in implicit.hpp).
#pragma once

#include <optional>
#include <string>

#include "selgrad/reference/implicit.hpp"

namespace selgrad::reference::detail {

/// Error (Usage) naming `what` unless m is square.
void require_square(const Matrix<Rational>& m, const char* what);
/// "[[a, b], [c, d]]".
std::string matrix_text(const Matrix<Rational>& m);
/// The k x k identity.
Matrix<Rational> identity(std::size_t k);

/// X with M X = R in MPFR, Gaussian elimination with partial pivoting; nullopt on a zero pivot.
std::optional<Matrix<Real>> solve_mpfr(Matrix<Real> m, Matrix<Real> r);
/// An enclosure of { X : M X = R, M in [M], R in [R] } by interval Gaussian elimination, the
/// pivot being the candidate enclosure excluding 0 with the largest mignitude; nullopt when no
/// candidate excludes 0 (the enclosure may contain a singular matrix).
std::optional<Matrix<Interval>> solve_mpfi(Matrix<Interval> m, Matrix<Interval> r);

}  // namespace selgrad::reference::detail
