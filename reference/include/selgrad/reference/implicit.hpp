// Implicit and inverse differentiation (math.md IMP, INV), exactly.
//
// A program F with n + m inputs (the n parameters x first, then the m unknowns y) and m outputs
// defines y = G(x) implicitly by F(x, G(x)) = 0. At a solution (x, y), AD of F returns a
// selection Jacobian [A B] (A: m x n, in the parameters; B: m x m, in the unknowns), and IMP says
// that -B^{-1} A is an element of a conservative Jacobian of G at x, provided every B of a
// convex-valued conservative Jacobian of F at (x, y) is invertible. INV is the square case
// without parameters: M^{-1} for the selection Jacobian M of F at x, an element of a
// conservative Jacobian of F^{-1} at F(x).
//
//  * implicit_jacobian / inverse_jacobian: rational programs. F(x, y) = 0 is checked exactly,
//    and -B^{-1} A (M^{-1}) is computed by exact rational Gauss-Jordan elimination.
//  * implicit_jacobian_real / inverse_jacobian_real: any program (exp/log too), in MPFR.
//    F(x, y) = 0 is checked within the MPFI output enclosures: each must contain 0, which
//    certifies |F_i(x, y)| <= the enclosure's width, not F(x, y) = 0. The point value of
//    -B^{-1} A comes from MPFR elimination with partial pivoting; an MPFI elimination on the
//    Jacobian enclosures gives an enclosure of the exact -B^{-1} A for the branches taken.
//  * implicit_closure / inverse_closure: the same rules applied to every Jacobian of the tie
//    closure of F (closure.hpp), and a check of the hypothesis of IMP / INV for the convex-valued
//    conservative Jacobian J_F = conv(tie closure) that the program's representation defines:
//    is every matrix of conv{B_i} invertible? (hull_invertibility says what is decided exactly.)
//    The verdict is about this representation: another program for the same F may pass or
//    fail differently, as the AD outputs themselves do (T1).
//
// Every failure is a selgrad::Error: Usage for inconsistent dimensions, Domain when F(x, y) != 0
// (with the values) or when B (M) is singular at the point, plus those of the evaluators.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "selgrad/reference/closure.hpp"
#include "selgrad/reference/evaluate.hpp"

namespace selgrad::reference {

// ---- exact linear algebra over Rational -----------------------------------------------------

/// Rank, by exact Gaussian elimination.
std::size_t rank(const Matrix<Rational>& m);
/// Determinant of a square matrix, by exact Gaussian elimination.
Rational determinant(const Matrix<Rational>& m);
/// The X with M X = R (M square k x k, R k x c), by exact Gauss-Jordan elimination; nullopt
/// when M is singular.
std::optional<Matrix<Rational>> solve(const Matrix<Rational>& m, const Matrix<Rational>& r);
/// M^{-1}, or nullopt when M is singular.
std::optional<Matrix<Rational>> inverse(const Matrix<Rational>& m);

// ---- one selection Jacobian -----------------------------------------------------------------

struct ImplicitResult {
  std::vector<Rational> outputs;  ///< F(x, y): all zero (checked)
  Matrix<Rational> a;             ///< m x n: the selection Jacobian of F in the parameters
  Matrix<Rational> b;             ///< m x m: the selection Jacobian of F in the unknowns
  Matrix<Rational> jacobian;      ///< m x n: -B^{-1} A (IMP), one row per unknown
  BranchSignature branches;       ///< of F at (x, y)
};

/// IMP at (x, y) for a rational program F: checks F(x, y) = 0 exactly and returns -B^{-1} A.
/// Throws Error: Usage when n_params is not in [1, p - 1], q != p - n_params, or x / y have the
/// wrong length; Domain when F(x, y) != 0 (naming the values) or when B is singular ("B (the
/// Jacobian in the unknowns y1, y2) is singular at this point"); those of evaluate_exact.
ImplicitResult implicit_jacobian(const Program& f, std::size_t n_params, const std::vector<Rational>& x,
                                 const std::vector<Rational>& y, const Options& options = {});

struct RealImplicitResult {
  mpfr_prec_t precision = 0;                ///< bits of the final evaluation and elimination
  std::vector<Real> outputs;                ///< F(x, y) in MPFR
  std::vector<Interval> output_enclosures;  ///< enclosures of F(x, y); each contains 0 (checked)
  Matrix<Real> a, b;                        ///< the selection Jacobian blocks, MPFR point values
  Matrix<Real> jacobian;                    ///< -B^{-1} A, MPFR elimination with partial pivoting
  /// Contains the exact -B^{-1} A for the branches taken: an MPFI elimination on the enclosures
  /// of A and B. Also bounds the error of `jacobian`.
  Matrix<Interval> jacobian_enclosures;
  BranchSignature branches;
};

/// IMP at (x, y) for any program, in MPFR (see the file comment). F(x, y) = 0 is checked at
/// Options::precision: every output enclosure must contain 0, so y must be accurate to about
/// that precision. When the MPFI elimination cannot find a pivot excluding 0, the precision is
/// doubled up to Options::max_precision. Throws Error: as implicit_jacobian, and Domain when B
/// cannot be certified nonsingular at the precision cap.
RealImplicitResult implicit_jacobian_real(const Program& f, std::size_t n_params,
                                          const std::vector<Rational>& x, const std::vector<Rational>& y,
                                          const Options& options = {});

struct InverseResult {
  std::vector<Rational> outputs;  ///< F(x)
  Matrix<Rational> jacobian;      ///< n x n: the selection Jacobian M of F at x
  Matrix<Rational> inverse;       ///< M^{-1}: a Jacobian of F^{-1} at F(x) (INV)
  BranchSignature branches;
};

/// INV at x for a rational program F with n inputs and n outputs. Throws Error: Usage when
/// q != p; Domain when M is singular ("M (the Jacobian of F in x, y) is singular at this
/// point"); those of evaluate_exact.
InverseResult inverse_jacobian(const Program& f, const std::vector<Rational>& x, const Options& options = {});

struct RealInverseResult {
  mpfr_prec_t precision = 0;
  std::vector<Real> outputs;
  std::vector<Interval> output_enclosures;
  Matrix<Real> jacobian;
  Matrix<Real> inverse;                      ///< MPFR elimination with partial pivoting
  Matrix<Interval> inverse_enclosures;       ///< contain the exact M^{-1} for the branches taken
  BranchSignature branches;
};

/// INV at x for any program, in MPFR (as implicit_jacobian_real).
RealInverseResult inverse_jacobian_real(const Program& f, const std::vector<Rational>& x,
                                        const Options& options = {});

// ---- the hypothesis: invertibility on a convex hull -----------------------------------------

enum class Verdict : std::uint8_t { Holds, Fails, Undecided };

struct HullInvertibility {
  Verdict verdict = Verdict::Undecided;
  /// What was checked and how the verdict follows; for Fails, where the singular matrix is.
  std::string reason;
  /// For Fails, when one is known exactly: convex weights w (one per matrix) of a point of the
  /// hull with det(sum w_i M_i) * det(M_1) <= 0: a singular matrix, or one whose det has the
  /// sign opposite to det(M_1), so that a singular matrix lies on the segment between them.
  /// Otherwise empty (the reason then locates the singular matrix).
  std::vector<Rational> witness;
};

/// Is every matrix of conv{matrices} (square, k x k, all the same size) invertible? Decided
/// exactly in these cases, checked in this order:
///  1. some matrix is singular, or two dets have opposite signs (then the segment between
///     them meets det = 0): Fails. From here on all dets have one strict sign;
///  2. k = 1, or a single matrix: Holds (for k = 1 the hull is an interval of numbers of one sign);
///  3. the row box: det is affine in each row, so on the product of the convex hulls of the
///     rows seen in row r (r = 1..k), which contains the hull, det lies between its values at
///     the box's vertices (every combination of seen rows). All of one strict sign: Holds.
///     The same with columns. (When the matrices differ in one row or column only, or form the
///     full product of their rows, as for Clarke-like structures, this decides the case.);
///  4. every segment between two matrices: det((1-t) M_i + t M_j) is a polynomial of degree
///     <= k in t whose roots in [0, 1] are counted exactly (Sturm sequences): a root: Fails;
///  5. two matrices: the hull is that segment: Holds;
///  6. k = 2 (any number of matrices): det(sum w_i M_i) is a quadratic form in the weights w.
///     Its minimum over the simplex (times the common sign of the dets) is attained at the
///     unique stationary point of some face of some sub-simplex of at most 5 matrices
///     (Caratheodory in the 4-dimensional space of 2 x 2 matrices), found by exact linear
///     solves: minimum > 0: Holds, <= 0: Fails with that point as witness.
/// Left Undecided: k >= 3 with three or more matrices not decided by 3-4 (det over the hull is
/// a form of degree k in the weights; whether the interior of the hull meets det = 0 is not
/// checked), and cases past the work caps (row boxes above 4096 vertices, more than 20000
/// segments, more than 20000 sub-simplices). An empty list Holds vacuously.
HullInvertibility hull_invertibility(const std::vector<Matrix<Rational>>& matrices);

std::string_view verdict_name(Verdict v);  ///< "holds", "fails", "undecided"

// ---- over the tie closure -------------------------------------------------------------------

struct ImplicitClosure {
  TieClosure closure;  ///< the tie closure of F at (x, y): the Jacobians [A B]
  std::vector<Matrix<Rational>> a, b;  ///< the blocks of closure.jacobians[i]
  /// -B_i^{-1} A_i, or nullopt where B_i is singular. The first is the AD output.
  std::vector<std::optional<Matrix<Rational>>> jacobians;
  std::vector<std::size_t> singular;  ///< indices i with B_i singular
  /// The hypothesis of IMP for J_F = conv(closure): every matrix of conv{B_i} invertible.
  HullInvertibility hypothesis;
};

/// IMP over the tie closure of a rational program F at (x, y): checks F(x, y) = 0, enumerates
/// the closure, inverts every B_i and checks the hypothesis. Singular B_i are reported, not
/// thrown. Throws Error: as implicit_jacobian for the dimensions and F(x, y) != 0, and those of
/// tie_closure (Resource above Options::max_closure_combinations).
ImplicitClosure implicit_closure(const Program& f, std::size_t n_params, const std::vector<Rational>& x,
                                 const std::vector<Rational>& y, const Options& options = {});

struct InverseClosure {
  TieClosure closure;  ///< the Jacobians M_i of F at x
  std::vector<std::optional<Matrix<Rational>>> inverses;  ///< M_i^{-1}, nullopt where singular
  std::vector<std::size_t> singular;
  HullInvertibility hypothesis;  ///< of INV for J_F = conv(closure)
};

/// INV over the tie closure of a rational program F at x.
InverseClosure inverse_closure(const Program& f, const std::vector<Rational>& x, const Options& options = {});

}  // namespace selgrad::reference
