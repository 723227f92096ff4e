// Implicit layers in double precision (see implicit.hpp): the LU factorization shared by Newton
// and the implicit rule, F from a program or a dense callable, the two solvers, and the rule.
#include "selgrad/eigen.hpp"
#include "selgrad/fast/implicit.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <utility>

#include "selgrad/fast/evaluate.hpp"
#include "selgrad/program/error.hpp"

namespace selgrad::fast {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// A number in messages: 3 significant digits ("1.5e-17", "0.25", "inf").
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

std::string plural(std::size_t k, const char* word) {
  return std::to_string(k) + " " + word + (k == 1 ? "" : "s");
}

std::string join(const std::vector<std::string>& names) {
  std::string s;
  for (std::size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i];
  return s;
}

std::vector<std::string> default_names(Index m) {
  std::vector<std::string> names;
  for (Index i = 0; i < m; ++i) names.push_back("y" + std::to_string(i + 1));
  return names;
}

double inf_norm(const Vector& v) { return v.size() == 0 ? 0.0 : v.lpNorm<Eigen::Infinity>(); }

bool is_domain(const Error& e) { return e.kind() == ErrorKind::Domain || e.kind() == ErrorKind::Continuity; }

/// "B (the Jacobian in the unknowns s1, s2)": the reference's wording.
std::string b_name(const std::vector<std::string>& names) {
  return "B (the Jacobian in the unknowns " + join(names) + ")";
}

}  // namespace

// ---- LuFactorization ------------------------------------------------------------------------

void LuFactorization::compute(const Matrix& b) {
  if (b.rows() != b.cols())
    throw Error(ErrorKind::Usage, {}, "LU factorization: the matrix is " + std::to_string(b.rows()) + " x " +
                                          std::to_string(b.cols()) + ", not square");
  size_ = b.rows();
  rcond_ = -1;
  if (pivoting_ == Pivoting::Partial) {
    partial_.compute(b);
    const auto d = partial_.matrixLU().diagonal();
    zero_pivot_ = size_ > 0 && !((d.array() != 0.0).all() && d.allFinite());
  } else {
    full_.compute(b);
    const auto d = full_.matrixLU().diagonal();
    // FullPivLU orders pivots by magnitude and stops at the first exact zero.
    zero_pivot_ = size_ > 0 && !((d.array() != 0.0).all() && d.allFinite());
  }
}

double LuFactorization::rcond() const {
  if (rcond_ >= 0) return rcond_;
  if (size_ == 0) return rcond_ = kInf;
  if (zero_pivot_) return rcond_ = 0;
  const double r = pivoting_ == Pivoting::Partial ? partial_.rcond() : full_.rcond();
  rcond_ = std::isfinite(r) ? r : 0.0;  // NaN from an overflowing estimate: treat as singular
  return rcond_;
}

bool LuFactorization::singular() const {
  if (zero_pivot_) return true;
  if (pivoting_ == Pivoting::Full && size_ > 0 && !full_.isInvertible()) return true;
  return rcond() < kSingularRcond;
}

void LuFactorization::solve(const Matrix& r, Matrix& x) const {
  if (pivoting_ == Pivoting::Partial) x = partial_.solve(r);
  else x = full_.solve(r);
}
void LuFactorization::solve(const Vector& r, Vector& x) const {
  if (pivoting_ == Pivoting::Partial) x = partial_.solve(r);
  else x = full_.solve(r);
}
void LuFactorization::solve_transpose(const Matrix& r, Matrix& x) const {
  if (pivoting_ == Pivoting::Partial) x = partial_.transpose().solve(r);
  else x = full_.transpose().solve(r);
}
void LuFactorization::solve_transpose(const Vector& r, Vector& x) const {
  if (pivoting_ == Pivoting::Partial) x = partial_.transpose().solve(r);
  else x = full_.transpose().solve(r);
}

// ---- ImplicitFunction -----------------------------------------------------------------------

ImplicitFunction::ImplicitFunction(Index params, Index unknowns, Evaluate evaluate, std::vector<std::string> unknown_names)
    : n_(params), m_(unknowns), evaluate_(std::move(evaluate)), names_(std::move(unknown_names)) {
  if (n_ < 0 || m_ < 1)
    throw Error(ErrorKind::Usage, {}, "an implicit function needs at least one unknown and no negative parameter count");
  if (!evaluate_) throw Error(ErrorKind::Usage, {}, "an implicit function needs an evaluator");
  if (names_.empty()) names_ = default_names(m_);
  if (static_cast<Index>(names_.size()) != m_)
    throw Error(ErrorKind::Usage, {}, std::to_string(names_.size()) + " unknown names for " + plural(m_, "unknown"));
}

ImplicitFunction ImplicitFunction::from_program(const Program& f, std::size_t params) {
  return from_tape(compile(f), params);
}

ImplicitFunction ImplicitFunction::from_tape(Tape tape, std::size_t params) {
  const std::size_t p = tape.p, q = tape.q();
  if (params == 0) throw Error(ErrorKind::Usage, {}, "the number of parameters must be at least 1");
  if (params >= p)
    throw Error(ErrorKind::Usage, {},
                plural(params, "parameter") + " but F has " + plural(p, "input") +
                    ": the parameters must be fewer than the inputs (the rest are the unknowns)");
  const std::size_t m = p - params;
  std::vector<std::string> names;
  for (std::size_t i = params; i < p; ++i) names.push_back(tape.name[i]);
  if (q != m)
    throw Error(ErrorKind::Usage, {},
                "F must have as many outputs as unknowns: " + plural(m, "unknown") + " (" + join(names) + ") but " +
                    plural(q, "output"));
  // The evaluator state (the PointEvaluator's rows, the input buffer and the result) is captured
  // by value, so each copy of the function owns its own.
  struct State {
    PointEvaluator eval;
    std::vector<double> xy;
    PointResult r;
  };
  const Index n = static_cast<Index>(params), mm = static_cast<Index>(m);
  Evaluate ev = [s = State{PointEvaluator(std::move(tape)), std::vector<double>(p), {}}, n, mm](
                    const Vector& x, const Vector& y, bool jacobian, Linearization& out) mutable {
    std::copy(x.data(), x.data() + n, s.xy.begin());
    std::copy(y.data(), y.data() + mm, s.xy.begin() + n);
    out.value.resize(mm);
    if (!jacobian) {
      s.eval.values(s.xy, std::span<double>(out.value.data(), static_cast<std::size_t>(mm)));
      return;
    }
    s.eval.evaluate(s.xy, s.r);
    const Index cols = n + mm;
    out.a.resize(mm, n);
    out.b.resize(mm, mm);
    // r.jacobian is q x p row-major: row i is output i; columns are the parameters, then y.
    for (Index i = 0; i < mm; ++i) {
      out.value(i) = s.r.outputs[static_cast<std::size_t>(i)];
      const double* row = s.r.jacobian.data() + i * cols;
      for (Index j = 0; j < n; ++j) out.a(i, j) = row[j];
      for (Index j = 0; j < mm; ++j) out.b(i, j) = row[n + j];
    }
    out.tied_decisions = static_cast<std::size_t>(std::count(s.r.ties.begin(), s.r.ties.end(), std::uint8_t{1}));
  };
  return ImplicitFunction(n, mm, std::move(ev), std::move(names));
}

void ImplicitFunction::evaluate(const Vector& x, const Vector& y, bool jacobian, Linearization& out) const {
  if (x.size() != n_ || y.size() != m_)
    throw Error(ErrorKind::Usage, {},
                "F takes " + plural(n_, "parameter") + " and " + plural(m_, "unknown") + ", given " +
                    std::to_string(x.size()) + " and " + std::to_string(y.size()));
  out.tied_decisions = 0;
  evaluate_(x, y, jacobian, out);
  if (out.value.size() != m_)
    throw Error(ErrorKind::Usage, {},
                "the evaluator returned " + std::to_string(out.value.size()) + " values of F, expected " + std::to_string(m_));
  if (jacobian && (out.a.rows() != m_ || out.a.cols() != n_ || out.b.rows() != m_ || out.b.cols() != m_))
    throw Error(ErrorKind::Usage, {},
                "the evaluator returned blocks A " + std::to_string(out.a.rows()) + " x " + std::to_string(out.a.cols()) +
                    " and B " + std::to_string(out.b.rows()) + " x " + std::to_string(out.b.cols()) + ", expected " +
                    std::to_string(m_) + " x " + std::to_string(n_) + " and " + std::to_string(m_) + " x " +
                    std::to_string(m_));
}

// ---- solving --------------------------------------------------------------------------------

const char* solve_status_name(SolveStatus s) {
  switch (s) {
    case SolveStatus::Converged: return "converged";
    case SolveStatus::MaxIterations: return "max-iterations";
    case SolveStatus::Stalled: return "stalled";
    case SolveStatus::LineSearchFailed: return "line-search-failed";
    case SolveStatus::SingularJacobian: return "singular-jacobian";
    case SolveStatus::DomainError: return "domain-error";
    case SolveStatus::NonFinite: return "non-finite";
  }
  return "?";
}

namespace {

void finish(SolveResult& r, SolveStatus status, std::string reason) {
  r.status = status;
  r.converged = status == SolveStatus::Converged;
  r.reason = std::move(reason);
}

std::string converged_text(const SolveResult& r, double tol, const char* steps) {
  return "converged: ||F||_inf = " + num(r.residual) + " <= tolerance " + num(tol) + " after " +
         plural(r.iterations, steps);
}

/// Evaluates F at the starting point; false (with the status set) when it cannot.
bool evaluate_start(const ImplicitFunction& f, const Vector& x, SolveResult& r, bool jacobian) {
  try {
    f.evaluate(x, r.y, jacobian, r.at_solution);
  } catch (const Error& e) {
    if (!is_domain(e)) throw;
    r.residual = kInf;
    finish(r, SolveStatus::DomainError, std::string("F cannot be evaluated at the starting point: ") + e.what());
    return false;
  }
  ++r.evaluations;
  r.has_jacobian = jacobian;
  r.residual = inf_norm(r.at_solution.value);
  if (!r.at_solution.value.allFinite()) {
    r.residual = kInf;
    finish(r, SolveStatus::NonFinite, "F is not finite at the starting point");
    return false;
  }
  return true;
}

void newton(const ImplicitFunction& f, const Vector& x, const SolveOptions& o, SolveResult& r) {
  const std::vector<std::string>& names = f.unknown_names();
  if (!evaluate_start(f, x, r, true)) return;
  auto factored = std::make_shared<LuFactorization>(o.pivoting);
  LuFactorization& lu = *factored;
  Linearization trial;
  Vector d, yt;
  for (std::size_t k = 0;; ++k) {
    r.iterations = k;
    if (r.residual <= o.tolerance) {
      // `trial` now holds the previous iterate, whose B is the one factored last.
      if (k > 0 && trial.b.rows() == r.at_solution.b.rows() && trial.b == r.at_solution.b)
        r.factorization = std::move(factored);
      return finish(r, SolveStatus::Converged, converged_text(r, o.tolerance, "Newton step"));
    }
    if (k == o.max_iterations)
      return finish(r, SolveStatus::MaxIterations,
                    "no convergence after " + plural(k, "Newton step") + ": ||F||_inf = " + num(r.residual) +
                        " > tolerance " + num(o.tolerance));
    lu.compute(r.at_solution.b);
    if (lu.zero_pivot())
      return finish(r, SolveStatus::SingularJacobian,
                    b_name(names) + " is singular at Newton step " + std::to_string(k) +
                        " (a zero pivot): no Newton step; ||F||_inf = " + num(r.residual) +
                        " (the fixed-point method may still apply)");
    lu.solve(r.at_solution.value, d);
    d = -d;
    if (!d.allFinite())
      return finish(r, SolveStatus::SingularJacobian,
                    b_name(names) + " is numerically singular at Newton step " + std::to_string(k) + " (rcond = " +
                        num(lu.rcond()) + "): the Newton step is not finite; ||F||_inf = " + num(r.residual));
    const double ynorm = inf_norm(r.y), dnorm = inf_norm(d);
    if (o.step_tolerance > 0 && dnorm <= o.step_tolerance * (1 + ynorm))
      return finish(r, SolveStatus::Stalled,
                    "stalled at Newton step " + std::to_string(k) + ": the step ||d||_inf = " + num(dnorm) +
                        " is below step_tolerance * (1 + ||y||_inf) = " + num(o.step_tolerance * (1 + ynorm)) +
                        " while ||F||_inf = " + num(r.residual) + " > tolerance " + num(o.tolerance) +
                        " (rcond(B) = " + num(lu.rcond()) + ")");
    // Backtracking on ||F||_2: a = 1, 1/2, ...; only the first trial asks for the Jacobian.
    const double norm0 = r.at_solution.value.norm();
    double a = 1;
    bool accepted = false, with_jacobian = false;
    std::size_t domain_errors = 0;
    for (std::size_t bt = 0; bt <= o.max_backtracks; ++bt, a *= 0.5) {
      yt = r.y + a * d;
      with_jacobian = bt == 0;
      try {
        f.evaluate(x, yt, with_jacobian, trial);
      } catch (const Error& e) {
        if (!is_domain(e)) throw;
        ++domain_errors;
        continue;
      }
      ++r.evaluations;
      if (trial.value.allFinite() && trial.value.norm() <= (1 - o.sufficient_decrease * a) * norm0) {
        accepted = true;
        break;
      }
    }
    if (!accepted)
      return finish(r, SolveStatus::LineSearchFailed,
                    "line search failed at Newton step " + std::to_string(k) + ": no sufficient decrease of ||F||_2 = " +
                        num(norm0) + " along the Newton direction after " + plural(o.max_backtracks, "halving") +
                        (domain_errors ? " (" + plural(domain_errors, "trial point") + " outside F's domain)" : "") +
                        "; rcond(B) = " + num(lu.rcond()) + ", ||F||_inf = " + num(r.residual));
    r.y.swap(yt);
    if (!with_jacobian) {
      f.evaluate(x, r.y, true, trial);
      ++r.evaluations;
    }
    std::swap(r.at_solution, trial);
    r.residual = inf_norm(r.at_solution.value);
  }
}

void fixed_point(const ImplicitFunction& f, const Vector& x, const SolveOptions& o, SolveResult& r) {
  if (!evaluate_start(f, x, r, false)) return;
  Vector next;
  double previous = kInf, ratio = kInf;
  for (std::size_t k = 0;; ++k) {
    r.iterations = k;
    if (r.residual <= o.tolerance)
      return finish(r, SolveStatus::Converged, converged_text(r, o.tolerance, "fixed-point step"));
    if (k == o.max_iterations)
      return finish(r, SolveStatus::MaxIterations,
                    "no convergence after " + plural(k, "fixed-point step") + ": ||F||_inf = " + num(r.residual) +
                        " > tolerance " + num(o.tolerance) +
                        (std::isfinite(ratio) ? "; last residual ratio " + num(ratio) +
                                                    (ratio >= 1 ? " (not contracting)" : " (contracting too slowly)")
                                              : std::string()));
    if (o.map) {
      next.resize(r.y.size());
      o.map(x, r.y, next);
      if (next.size() != r.y.size())
        throw Error(ErrorKind::Usage, {}, "the fixed-point map returned " + std::to_string(next.size()) +
                                              " values, expected " + std::to_string(r.y.size()));
    } else {
      next = r.y - r.at_solution.value;
    }
    const double step = inf_norm(next - r.y), ynorm = inf_norm(r.y);
    if (!next.allFinite()) return finish(r, SolveStatus::NonFinite, "the iterate is not finite after " + plural(k + 1, "fixed-point step"));
    if (o.step_tolerance > 0 && step <= o.step_tolerance * (1 + ynorm))
      return finish(r, SolveStatus::Stalled,
                    "stalled at fixed-point step " + std::to_string(k) + ": the step " + num(step) +
                        " is below step_tolerance * (1 + ||y||_inf) while ||F||_inf = " + num(r.residual) +
                        " > tolerance " + num(o.tolerance) + " (y is a fixed point of the map but not a root of F)");
    r.y.swap(next);
    try {
      f.evaluate(x, r.y, false, r.at_solution);
    } catch (const Error& e) {
      if (!is_domain(e)) throw;
      r.residual = kInf;
      return finish(r, SolveStatus::DomainError,
                    "F cannot be evaluated after " + plural(k + 1, "fixed-point step") + ": " + e.what());
    }
    ++r.evaluations;
    previous = r.residual;
    r.residual = inf_norm(r.at_solution.value);
    if (!r.at_solution.value.allFinite()) {
      r.residual = kInf;
      r.iterations = k + 1;
      return finish(r, SolveStatus::NonFinite, "F is not finite after " + plural(k + 1, "fixed-point step"));
    }
    ratio = previous > 0 ? r.residual / previous : kInf;
  }
}

}  // namespace

SolveResult solve_implicit(const ImplicitFunction& f, const Vector& x, const Vector& y0, const SolveOptions& options) {
  if (x.size() != f.params() || y0.size() != f.unknowns())
    throw Error(ErrorKind::Usage, {},
                "F takes " + plural(f.params(), "parameter") + " and " + plural(f.unknowns(), "unknown") + ", given " +
                    std::to_string(x.size()) + " and " + std::to_string(y0.size()));
  SolveResult r;
  r.y = y0;
  if (options.method == SolveMethod::Newton) newton(f, x, options, r);
  else fixed_point(f, x, options, r);
  return r;
}

// ---- ImplicitRule ---------------------------------------------------------------------------

namespace {

void check_residual(const Linearization& l, const ImplicitOptions& o, const std::vector<std::string>& names) {
  const double res = inf_norm(l.value);
  if (!(res <= o.residual_tolerance)) {
    std::string values;
    for (Index i = 0; i < l.value.size() && i < 6; ++i) values += (i ? ", " : "") + num(l.value(i));
    if (l.value.size() > 6) values += ", ...";
    throw Error(ErrorKind::Domain, {},
                "F(x, y) != 0 at this point: ||F||_inf = " + num(res) + " > residual_tolerance " +
                    num(o.residual_tolerance) + " (F = " + values + "): (" + join(names) +
                    ") is not a solution for these parameters");
  }
}

}  // namespace

ImplicitRule::ImplicitRule(const ImplicitFunction& f, const Vector& x, const Vector& y, const ImplicitOptions& options) {
  Linearization l;
  f.evaluate(x, y, true, l);
  init(f, std::move(l), nullptr, options);
}

ImplicitRule::ImplicitRule(const ImplicitFunction& f, const Vector& x, const SolveResult& solved,
                           const ImplicitOptions& options) {
  if (solved.y.size() != f.unknowns()) throw Error(ErrorKind::Usage, {}, "the solve result does not belong to this function");
  Linearization l;
  if (solved.has_jacobian) l = solved.at_solution;
  else f.evaluate(x, solved.y, true, l);
  init(f, std::move(l), solved.has_jacobian ? solved.factorization : nullptr, options);
}

ImplicitRule::ImplicitRule(const ImplicitFunction& f, const Vector& x, SolveResult&& solved, const ImplicitOptions& options) {
  if (solved.y.size() != f.unknowns()) throw Error(ErrorKind::Usage, {}, "the solve result does not belong to this function");
  if (!solved.has_jacobian) f.evaluate(x, solved.y, true, solved.at_solution);
  init(f, std::move(solved.at_solution), solved.has_jacobian ? std::move(solved.factorization) : nullptr, options);
}

void ImplicitRule::init(const ImplicitFunction& f, Linearization l, std::shared_ptr<const LuFactorization> lu,
                        const ImplicitOptions& options) {
  if (l.a.rows() != f.unknowns() || l.a.cols() != f.params() || l.b.rows() != f.unknowns() || l.b.cols() != f.unknowns())
    throw Error(ErrorKind::Usage, {}, "the blocks [A B] do not belong to this function");
  check_residual(l, options, f.unknown_names());
  residual_ = inf_norm(l.value);
  tied_ = l.tied_decisions;
  a_ = std::move(l.a);
  b_ = std::move(l.b);
  if (lu && lu->pivoting() == options.pivoting && lu->size() == b_.rows()) {
    lu_ = std::move(lu);
    check(options, f.unknown_names());
  } else {
    factor(options, f.unknown_names());
  }
}

ImplicitRule::ImplicitRule(Matrix a, Matrix b, const ImplicitOptions& options, std::vector<std::string> unknown_names)
    : a_(std::move(a)), b_(std::move(b)) {
  if (b_.rows() != b_.cols() || a_.rows() != b_.rows() || b_.rows() == 0)
    throw Error(ErrorKind::Usage, {},
                "the implicit rule needs A (m x n) and a square B (m x m) with m >= 1: given A " +
                    std::to_string(a_.rows()) + " x " + std::to_string(a_.cols()) + " and B " +
                    std::to_string(b_.rows()) + " x " + std::to_string(b_.cols()));
  if (unknown_names.empty()) unknown_names = default_names(b_.rows());
  factor(options, unknown_names);
}

void ImplicitRule::factor(const ImplicitOptions& options, const std::vector<std::string>& names) {
  auto lu = std::make_shared<LuFactorization>(options.pivoting);
  lu->compute(b_);
  lu_ = std::move(lu);
  check(options, names);
}

void ImplicitRule::check(const ImplicitOptions& options, const std::vector<std::string>& names) {
  const LuFactorization& lu = *lu_;
  if (lu.singular())
    throw Error(ErrorKind::Domain, {},
                b_name(names) + " is singular at this point (" +
                    (lu.zero_pivot() ? std::string("a zero pivot") : "rcond = " + num(lu.rcond()) + " < " + num(kSingularRcond)) +
                    "): the implicit rule does not apply");
  if (lu.rcond() < options.warn_rcond)
    warning_ = b_name(names) + " is nearly singular: rcond = " + num(lu.rcond()) + " < " + num(options.warn_rcond) +
               "; expect about " + num(std::log10(1 / lu.rcond())) + " of the 16 digits to be lost";
}

Vector ImplicitRule::jvp(const Vector& dx) const {
  if (dx.size() != params())
    throw Error(ErrorKind::Usage, {}, "jvp: dx has " + std::to_string(dx.size()) + " entries, expected " + std::to_string(params()));
  const Vector r = -(a_ * dx);
  Vector dy;
  lu_->solve(r, dy);
  return dy;
}

Matrix ImplicitRule::jvp_batch(const Matrix& dx) const {
  if (dx.rows() != params())
    throw Error(ErrorKind::Usage, {}, "jvp: dx has " + std::to_string(dx.rows()) + " rows, expected " + std::to_string(params()));
  const Matrix r = -(a_ * dx);
  Matrix dy;
  lu_->solve(r, dy);
  return dy;
}

Vector ImplicitRule::vjp(const Vector& ybar) const {
  if (ybar.size() != unknowns())
    throw Error(ErrorKind::Usage, {}, "vjp: ybar has " + std::to_string(ybar.size()) + " entries, expected " + std::to_string(unknowns()));
  const Vector r = -ybar;
  Vector w;
  lu_->solve_transpose(r, w);
  return a_.transpose() * w;
}

Matrix ImplicitRule::vjp_batch(const Matrix& ybar) const {
  if (ybar.rows() != unknowns())
    throw Error(ErrorKind::Usage, {}, "vjp: ybar has " + std::to_string(ybar.rows()) + " rows, expected " + std::to_string(unknowns()));
  const Matrix r = -ybar;
  Matrix w;
  lu_->solve_transpose(r, w);
  return a_.transpose() * w;
}

Matrix ImplicitRule::jacobian() const {
  Matrix j;
  lu_->solve(Matrix(-a_), j);
  return j;
}

}  // namespace selgrad::fast
