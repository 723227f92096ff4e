// Implicit layers in double precision (math.md IMP): solve F(x, y) = 0 for y, then differentiate
// the solution map y(x) by the implicit rule, on Eigen.
//
// F has n parameters x and m unknowns y and returns m values. It is given either as a compiled
// program with n + m inputs (parameters first) and m outputs, evaluated by the double engine's
// PointEvaluator, or as a C++ callable returning F and its Jacobian blocks as dense matrices, so
// that large problems need no program of millions of nodes. Both give an ImplicitFunction, and
// everything below works on that one type. At a point, the blocks are a selection Jacobian
// [A B] of F (math.md D4): A = dF/dx is m x n, B = dF/dy is m x m.
//
//  * solve_implicit: Newton's method with selection Jacobians (B factored by LU, a backtracking
//    line search on ||F||_2), or fixed-point iteration y <- y - F(x, y) (or y <- G(x, y) for a
//    given map G) for contractions. The outcome is always a SolveResult with a status and a
//    reason: a solve that does not converge is a reported status, never an exception.
//  * ImplicitRule: at a solution, IMP says that -B^{-1} A is an element of a conservative
//    Jacobian of y(x) when every B of a convex-valued conservative Jacobian of F is invertible.
//    The rule factors B once and reuses the factorization for every product:
//      JVP  dy = -B^{-1} (A dx),
//      VJP  solve B^T w = -ybar, return xbar = A^T w.
//    It estimates rcond(B) from the factorization and flags a nearly singular B.
//
// What is not checked here: the hypothesis of IMP is about every B of the conservative Jacobian,
// while the double engine sees the one B that AD's tie rules select. At a point where some branch
// decision is a tie (ImplicitRule::tied_decisions() > 0) that B is one of several; the exact
// check over the tie closure is reference::implicit_closure.
//
// Both Newton and the rule use LuFactorization, so the two paths share the linear algebra.
// Matrices are Eigen's column-major doubles; A and B are dense even when structured (for the
// equilibrium layer A = -D is diagonal), so a product with A costs m n.
//
//   ImplicitFunction f = ImplicitFunction::from_program(parse_program_file("examples/equilibrium.sgp"), 3);
//   SolveResult s = solve_implicit(f, b, Vector::Zero(3));  // s.converged, s.status, s.reason
//   ImplicitRule rule(f, b, s);                              // [A B] and Newton's LU reused
//   Vector db = rule.vjp(dloss_dz);                          // dL/db, O(m^2) per call
#pragma once

#include "selgrad/eigen.hpp"
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "selgrad/fast/layers.hpp"  // Index, Matrix, Vector
#include "selgrad/fast/tape.hpp"
#include "selgrad/program/program.hpp"

namespace selgrad::fast {

// ------------------------------------------------------------------------------------------
// The linear algebra: one factorization of a square matrix, solves with it and its transpose.

/// Partial pivoting (Eigen::PartialPivLU, blocked, the fast default) or complete pivoting
/// (Eigen::FullPivLU: rank revealing, unblocked, several times slower on large matrices).
enum class Pivoting : std::uint8_t { Partial, Full };

/// rcond below this (the double epsilon, 2.2e-16) makes a matrix singular to working precision:
/// a solve with it has no correct digit in general.
inline constexpr double kSingularRcond = 2.220446049250313e-16;

/// An LU factorization of a square k x k matrix B, computed once and used for any number of
/// solves B X = R and B^T X = R (each O(k^2) per right-hand side). The const members may not be
/// called from two threads at once (rcond() fills a cache).
class LuFactorization {
 public:
  explicit LuFactorization(Pivoting pivoting = Pivoting::Partial) : pivoting_(pivoting) {}

  /// Factors b (O(k^3)). Storage is reused when the size does not change.
  void compute(const Matrix& b);

  Index size() const { return size_; }
  Pivoting pivoting() const { return pivoting_; }
  /// Singular to working precision: a zero or non-finite pivot (partial pivoting), rank below k
  /// (complete pivoting, Eigen's default rank threshold), or rcond() < kSingularRcond.
  bool singular() const;
  /// True when some pivot is exactly zero or not finite (no solve is possible at all). Cheaper
  /// than singular(): no condition estimate.
  bool zero_pivot() const { return zero_pivot_; }
  /// Estimate of the reciprocal condition number 1 / (||B||_1 ||B^{-1}||_1) from the factors
  /// (Hager-Higham estimator, a few O(k^2) solves; computed at the first call, then cached).
  /// Within a small factor of the true value; 0 when a pivot is zero. k = 0 gives +inf.
  double rcond() const;

  /// X with B X = R (R is k x c). `x` may not alias `r`.
  void solve(const Matrix& r, Matrix& x) const;
  void solve(const Vector& r, Vector& x) const;
  /// X with B^T X = R.
  void solve_transpose(const Matrix& r, Matrix& x) const;
  void solve_transpose(const Vector& r, Vector& x) const;

 private:
  Pivoting pivoting_;
  Index size_ = 0;
  bool zero_pivot_ = false;
  mutable double rcond_ = -1;  // < 0: not computed yet
  Eigen::PartialPivLU<Matrix> partial_;
  Eigen::FullPivLU<Matrix> full_;
};

// ------------------------------------------------------------------------------------------
// F: a program or a dense callable.

/// F at one point (x, y): its value and, when asked for, a selection Jacobian [A B].
struct Linearization {
  Vector value;  ///< F(x, y), m
  Matrix a;      ///< m x n: dF/dx (filled only when the Jacobian was asked for)
  Matrix b;      ///< m x m: dF/dy (idem)
  /// Branch decisions taken at a tie (program path: counted by the double engine; a dense
  /// callable may set it). With a tie, [A B] is one element of the conservative Jacobian.
  std::size_t tied_decisions = 0;
};

/// The function F(x, y) of an implicit problem, with n parameters and m unknowns.
///
/// Copies are independent (each owns its evaluator state); one object must not be evaluated
/// from two threads at once.
class ImplicitFunction {
 public:
  /// evaluate(x, y, jacobian, out) writes F(x, y) into out.value (size m) and, when `jacobian`
  /// is true, the blocks out.a (m x n) and out.b (m x m). It may keep and reuse out's storage.
  /// It may throw selgrad::Error of kind Domain (or Continuity) at points outside F's domain:
  /// the solver then backtracks or reports it.
  using Evaluate = std::function<void(const Vector& x, const Vector& y, bool jacobian, Linearization& out)>;

  /// A dense callable. Unknown names (for messages) default to y1, ..., ym.
  ImplicitFunction(Index params, Index unknowns, Evaluate evaluate, std::vector<std::string> unknown_names = {});

  /// A program with n + m inputs (the n parameters first) and m outputs, compiled for the double
  /// engine. Evaluation with the Jacobian costs one forward pass and m reverse sweeps. Throws
  /// Error(Usage) unless 1 <= params < p and q = p - params (the reference's conditions).
  static ImplicitFunction from_program(const Program& f, std::size_t params);
  static ImplicitFunction from_tape(Tape tape, std::size_t params);

  Index params() const { return n_; }
  Index unknowns() const { return m_; }
  const std::vector<std::string>& unknown_names() const { return names_; }

  /// Calls the evaluator and checks the sizes it returned (Error(Usage) if they are wrong).
  void evaluate(const Vector& x, const Vector& y, bool jacobian, Linearization& out) const;

 private:
  Index n_, m_;
  Evaluate evaluate_;
  std::vector<std::string> names_;
};

// ------------------------------------------------------------------------------------------
// Solving F(x, y) = 0.

enum class SolveMethod : std::uint8_t {
  Newton,     ///< y <- y + a d, B d = -F, a from a backtracking line search on ||F||_2
  FixedPoint  ///< y <- y - F(x, y), or y <- map(x, y) (SolveOptions::map)
};

enum class SolveStatus : std::uint8_t {
  Converged,         ///< ||F(x, y)||_inf <= tolerance
  MaxIterations,     ///< max_iterations steps without reaching the tolerance
  Stalled,           ///< the step fell below step_tolerance while ||F|| is above tolerance
  LineSearchFailed,  ///< no step length along the Newton direction decreased ||F||_2 enough
  SingularJacobian,  ///< B has a zero pivot (Newton cannot form a step)
  DomainError,       ///< F could not be evaluated at the starting point (the reason says why)
  NonFinite          ///< F or the iterate became infinite or NaN
};

/// "converged", "max-iterations", "stalled", "line-search-failed", "singular-jacobian",
/// "domain-error", "non-finite".
const char* solve_status_name(SolveStatus s);

/// A fixed-point map y <- G(x, y), written into `next` (size m).
using FixedPointMap = std::function<void(const Vector& x, const Vector& y, Vector& next)>;

struct SolveOptions {
  SolveMethod method = SolveMethod::Newton;
  /// Converged when ||F(x, y)||_inf <= tolerance (absolute: scale F accordingly).
  double tolerance = 1e-12;
  /// Stalled when a step s (the full Newton step, or y_{k+1} - y_k) has
  /// ||s||_inf <= step_tolerance * (1 + ||y||_inf) while ||F||_inf > tolerance. 0 disables.
  double step_tolerance = 1e-15;
  /// Newton steps, or fixed-point steps.
  std::size_t max_iterations = 100;
  // Newton.
  Pivoting pivoting = Pivoting::Partial;
  /// Armijo constant c: a step a d is accepted when ||F(y + a d)||_2 <= (1 - c a) ||F(y)||_2.
  double sufficient_decrease = 1e-4;
  /// Halvings of a (from a = 1) before the line search gives up. A trial point where F throws a
  /// Domain error counts as no decrease.
  std::size_t max_backtracks = 30;
  // Fixed point.
  /// The map G for SolveMethod::FixedPoint; empty means G(x, y) = y - F(x, y). With a map, F is
  /// still evaluated once per step (values only) for the stopping rule.
  FixedPointMap map;
};

struct SolveResult {
  Vector y;                        ///< the last iterate (the solution when converged)
  bool converged = false;          ///< status == Converged
  SolveStatus status = SolveStatus::MaxIterations;
  std::size_t iterations = 0;      ///< steps taken (Newton or fixed-point)
  std::size_t evaluations = 0;     ///< evaluations of F (with or without the Jacobian)
  double residual = 0;             ///< ||F(x, y)||_inf at y (+inf if F could not be evaluated)
  std::string reason;              ///< one sentence with the numbers: why the solve stopped
  /// F at y; with Newton also [A B] at y (has_jacobian), which ImplicitRule reuses.
  Linearization at_solution;
  bool has_jacobian = false;
  /// With Newton: the factorization of B at y, when the last step left B bitwise unchanged (as
  /// on a piecewise affine F once the step stays in one piece: the Lasso, equilibrium and bilevel
  /// examples), so the factorization Newton computed is that of B at the solution. ImplicitRule
  /// then reuses it and costs O(m^2) instead of O(m^3). Null otherwise.
  std::shared_ptr<const LuFactorization> factorization;
};

/// Solves F(x, y) = 0 for y from y0. Never throws for a failed solve (see SolveStatus); throws
/// Error(Usage) when x or y0 has the wrong size, and lets through exceptions other than
/// selgrad::Error of kind Domain / Continuity raised by a dense callable.
///
/// Newton with selection Jacobians: at every iterate F and [A B] are evaluated, B is factored and
/// d = -B^{-1} F; trial points y + a d, a = 1, 1/2, 1/4, ..., are evaluated (values only after
/// the first) until ||F||_2 decreases sufficiently. On a piecewise affine F (relu, abs, max,
/// clip: the Lasso, equilibrium and bilevel examples) Newton started in the right piece ends in
/// one step. Fixed-point iteration converges for contractions, linearly.
SolveResult solve_implicit(const ImplicitFunction& f, const Vector& x, const Vector& y0,
                           const SolveOptions& options = {});

// ------------------------------------------------------------------------------------------
// The implicit rule at a solution.

/// Below this rcond(B), ImplicitRule::nearly_singular() is set: a solve then loses about
/// log10(1 / rcond) digits, so with rcond < 1e-8 fewer than 8 of the 16 digits are reliable.
inline constexpr double kNearlySingularRcond = 1e-8;

struct ImplicitOptions {
  Pivoting pivoting = Pivoting::Partial;
  /// (x, y) must satisfy ||F(x, y)||_inf <= residual_tolerance, else Error(Domain): the rule
  /// holds at solutions only. +inf disables the check.
  double residual_tolerance = 1e-8;
  /// nearly_singular() when rcond(B) < warn_rcond.
  double warn_rcond = kNearlySingularRcond;
};

/// IMP at one solution (x, y): the blocks A, B, the factorization of B (computed once), and the
/// products with -B^{-1} A. Construction costs one evaluation of [A B] and one O(m^3)
/// factorization, both skipped when a Newton SolveResult provides them (then O(m^2) for copying
/// the blocks and estimating rcond); each JVP or VJP then costs O(m^2 + m n) per direction.
/// Copies share the factorization; a rule may not be used from two threads at once.
class ImplicitRule {
 public:
  /// Evaluates [A B] at (x, y). Throws Error: Usage for wrong sizes; Domain when
  /// ||F(x, y)||_inf > residual_tolerance ("F(x, y) != 0: ...") or when B is singular to working
  /// precision ("B (the Jacobian in the unknowns y1, y2) is singular at this point
  /// (rcond = ...)"); those of the evaluator.
  ImplicitRule(const ImplicitFunction& f, const Vector& x, const Vector& y, const ImplicitOptions& options = {});
  /// At the point a solve returned, reusing its [A B] when it has them and its factorization of B
  /// when it has one with the same pivoting.
  ImplicitRule(const ImplicitFunction& f, const Vector& x, const SolveResult& solved,
               const ImplicitOptions& options = {});
  /// The same, taking the blocks over instead of copying them (2 m (n + m) doubles fewer to move).
  ImplicitRule(const ImplicitFunction& f, const Vector& x, SolveResult&& solved, const ImplicitOptions& options = {});
  /// From the blocks directly (F(x, y) = 0 is the caller's responsibility). Names for messages
  /// default to y1, ..., ym.
  ImplicitRule(Matrix a, Matrix b, const ImplicitOptions& options = {}, std::vector<std::string> unknown_names = {});

  Index params() const { return a_.cols(); }
  Index unknowns() const { return a_.rows(); }

  /// dy = -B^{-1} A dx (dx of length n).
  Vector jvp(const Vector& dx) const;
  /// k directions at once: dx is n x k, one direction per column; returns m x k.
  Matrix jvp_batch(const Matrix& dx) const;
  /// xbar = A^T w with B^T w = -ybar (ybar of length m).
  Vector vjp(const Vector& ybar) const;
  /// k cotangents at once: ybar is m x k; returns n x k.
  Matrix vjp_batch(const Matrix& ybar) const;
  /// The m x n Jacobian -B^{-1} A (n solves).
  Matrix jacobian() const;

  const Matrix& a() const { return a_; }
  const Matrix& b() const { return b_; }
  const LuFactorization& factorization() const { return *lu_; }
  /// ||F(x, y)||_inf at the point (0 for the blocks constructor).
  double residual() const { return residual_; }
  /// rcond(B), see LuFactorization::rcond().
  double rcond() const { return lu_->rcond(); }
  /// rcond(B) < warn_rcond; warning() then says so with the numbers, else it is empty.
  bool nearly_singular() const { return !warning_.empty(); }
  const std::string& warning() const { return warning_; }
  /// Branch decisions of F at (x, y) taken at a tie (see the file comment).
  std::size_t tied_decisions() const { return tied_; }

 private:
  void init(const ImplicitFunction& f, Linearization l, std::shared_ptr<const LuFactorization> lu,
            const ImplicitOptions& options);
  void factor(const ImplicitOptions& options, const std::vector<std::string>& names);
  void check(const ImplicitOptions& options, const std::vector<std::string>& names);
  Matrix a_, b_;
  std::shared_ptr<const LuFactorization> lu_;  // shared with a SolveResult when reused
  double residual_ = 0;
  std::size_t tied_ = 0;
  std::string warning_;
};

}  // namespace selgrad::fast
