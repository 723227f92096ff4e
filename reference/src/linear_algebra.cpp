// Exact, MPFR and MPFI linear algebra of the implicit and inverse rules (see implicit.hpp and
// detail/linear_algebra.hpp): exact elimination with small pivots, Gauss-Jordan solves, and the
// floating-point eliminations whose interval version certifies that a matrix is invertible.
#include "selgrad/program/mutant.hpp"
#include "detail/linear_algebra.hpp"

#include "selgrad/program/error.hpp"

namespace selgrad::reference {
namespace {

/// Index of the nonzero entry of column c in rows r0.. with the fewest bits (a smaller pivot
/// keeps the intermediate rationals smaller), or -1.
std::ptrdiff_t exact_pivot(const Matrix<Rational>& m, std::size_t r0, std::size_t c) {
  std::ptrdiff_t best = -1;
  std::size_t best_bits = 0;
  for (std::size_t r = r0; r < m.size(); ++r) {
    if (m[r][c] == 0) continue;
    const std::size_t bits = bit_size(m[r][c]);
    if (best < 0 || bits < best_bits) {
      best = static_cast<std::ptrdiff_t>(r);
      best_bits = bits;
    }
  }
  return best;
}

/// Row echelon form in place; returns the rank and the determinant's sign-and-pivot product
/// (the determinant when the matrix is square).
std::pair<std::size_t, Rational> echelon(Matrix<Rational>& m) {
  Rational det = 1;
  std::size_t r = 0;
  const std::size_t cols = m.empty() ? 0 : m[0].size();
  for (std::size_t c = 0; c < cols && r < m.size(); ++c) {
    const std::ptrdiff_t piv = exact_pivot(m, r, c);
    if (piv < 0) {
      det = 0;
      continue;
    }
    if (static_cast<std::size_t>(piv) != r) {
      std::swap(m[r], m[static_cast<std::size_t>(piv)]);
      det = -det;
    }
    det *= m[r][c];
    for (std::size_t i = r + 1; i < m.size(); ++i) {
      if (m[i][c] == 0) continue;
      const Rational f = m[i][c] / m[r][c];
      for (std::size_t j = c; j < cols; ++j) m[i][j] -= f * m[r][j];
    }
    ++r;
  }
  if (r < m.size()) det = 0;
  return {r, det};
}

}  // namespace

namespace detail {

void require_square(const Matrix<Rational>& m, const char* what) {
  for (const auto& row : m)
    if (row.size() != m.size())
      throw Error(ErrorKind::Usage, {}, std::string(what) + ": the matrix is not square");
}

std::string matrix_text(const Matrix<Rational>& m) {
  std::string s = "[";
  for (std::size_t i = 0; i < m.size(); ++i) {
    s += i ? ", [" : "[";
    for (std::size_t j = 0; j < m[i].size(); ++j) s += (j ? ", " : "") + to_string(m[i][j]);
    s += "]";
  }
  return s + "]";
}

Matrix<Rational> identity(std::size_t k) {
  Matrix<Rational> id(k, std::vector<Rational>(k, Rational(0)));
  for (std::size_t i = 0; i < k; ++i) id[i][i] = 1;
  return id;
}

/// X with M X = R in MPFR, Gaussian elimination with partial pivoting; nullopt on a zero pivot.
std::optional<Matrix<Real>> solve_mpfr(Matrix<Real> m, Matrix<Real> r) {
  const std::size_t k = m.size();
  for (std::size_t c = 0; c < k; ++c) {
    std::size_t piv = c;
    for (std::size_t i = c + 1; i < k; ++i)
      if (mpfr_cmpabs(m[i][c].get(), m[piv][c].get()) > 0) piv = i;
    if (m[piv][c].sign() == 0) return std::nullopt;
    std::swap(m[piv], m[c]);
    std::swap(r[piv], r[c]);
    for (std::size_t i = c + 1; i < k; ++i) {
      const Real f = m[i][c] / m[c][c];
      for (std::size_t j = c; j < k; ++j) m[i][j] -= f * m[c][j];
      for (std::size_t j = 0; j < r[i].size(); ++j) r[i][j] -= f * r[c][j];
    }
  }
  for (std::size_t c = k; c-- > 0;) {
    for (std::size_t j = 0; j < r[c].size(); ++j) {
      Real s = r[c][j];
      for (std::size_t i = c + 1; i < k; ++i) s -= m[c][i] * r[i][j];
      r[c][j] = s / m[c][c];
    }
  }
  return r;
}

/// Smallest absolute value of an interval excluding 0, as an MPFR number.
Real mignitude(const Interval& v) {
  Real lo = v.lower(), hi = v.upper();
  if (lo.sign() > 0) return lo;
  return -hi;
}

/// An enclosure of { X : M X = R, M in [M], R in [R] } by interval Gaussian elimination, the
/// pivot being the candidate enclosure excluding 0 with the largest mignitude; nullopt when no
/// candidate excludes 0 (the enclosure may contain a singular matrix).
std::optional<Matrix<Interval>> solve_mpfi(Matrix<Interval> m, Matrix<Interval> r) {
  const std::size_t k = m.size();
  for (std::size_t c = 0; c < k; ++c) {
    std::ptrdiff_t piv = -1;
    Real best;
    for (std::size_t i = c; i < k; ++i) {
      const auto s = m[i][c].certified_sign();
      if (!s || *s == Sign::Zero) continue;
      Real g = mignitude(m[i][c]);
      if (piv < 0 || mpfr_cmp(g.get(), best.get()) > 0) {
        piv = static_cast<std::ptrdiff_t>(i);
        best = g;
      }
    }
    if (piv < 0) return std::nullopt;
    std::swap(m[static_cast<std::size_t>(piv)], m[c]);
    std::swap(r[static_cast<std::size_t>(piv)], r[c]);
    for (std::size_t i = c + 1; i < k; ++i) {
      const Interval f = m[i][c] / m[c][c];
      for (std::size_t j = c; j < k; ++j) m[i][j] -= f * m[c][j];
      for (std::size_t j = 0; j < r[i].size(); ++j) r[i][j] -= f * r[c][j];
    }
  }
  for (std::size_t c = k; c-- > 0;) {
    for (std::size_t j = 0; j < r[c].size(); ++j) {
      Interval s = r[c][j];
      for (std::size_t i = c + 1; i < k; ++i) s -= m[c][i] * r[i][j];
      r[c][j] = s / m[c][c];
    }
  }
  return r;
}

}  // namespace detail

using detail::identity;
using detail::require_square;

std::size_t rank(const Matrix<Rational>& m) {
  Matrix<Rational> copy = m;
  return echelon(copy).first;
}

Rational determinant(const Matrix<Rational>& m) {
  require_square(m, "determinant");
  if (m.empty()) return 1;
  Matrix<Rational> copy = m;
  return echelon(copy).second;
}

std::optional<Matrix<Rational>> solve(const Matrix<Rational>& m, const Matrix<Rational>& r) {
  require_square(m, "solve");
  const std::size_t k = m.size();
  if (r.size() != k) throw Error(ErrorKind::Usage, {}, "solve: the right-hand side has the wrong number of rows");
  const std::size_t c = k && !r.empty() ? r[0].size() : 0;
  Matrix<Rational> a(k);  // [M R]
  for (std::size_t i = 0; i < k; ++i) {
    a[i] = m[i];
    a[i].insert(a[i].end(), r[i].begin(), r[i].end());
  }
  // Gauss-Jordan: exact pivots, every pivot column cleared above and below.
  for (std::size_t col = 0; col < k; ++col) {
    const std::ptrdiff_t piv = exact_pivot(a, col, col);
    if (piv < 0) return std::nullopt;
    std::swap(a[col], a[static_cast<std::size_t>(piv)]);
    const Rational inv = 1 / a[col][col];
    for (std::size_t j = col; j < k + c; ++j) a[col][j] *= inv;
    for (std::size_t i = 0; i < k; ++i) {
      if (i == col || a[i][col] == 0) continue;
      if (SELGRAD_MUTANT(25) && i < col) continue;  // mutant 25: rows above the pivot are not cleared
      const Rational f = a[i][col];
      for (std::size_t j = col; j < k + c; ++j) a[i][j] -= f * a[col][j];
    }
  }
  Matrix<Rational> x(k);
  for (std::size_t i = 0; i < k; ++i)
    x[i].assign(a[i].begin() + static_cast<std::ptrdiff_t>(k), a[i].end());
  return x;
}

std::optional<Matrix<Rational>> inverse(const Matrix<Rational>& m) { return solve(m, identity(m.size())); }

}  // namespace selgrad::reference
