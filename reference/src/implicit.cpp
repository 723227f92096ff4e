// The implicit and inverse rules (IMP, INV; see implicit.hpp): the shape and zero checks, the
// exact and MPFR solves of B X = -A and M X = I from a selection Jacobian, and the rules over the
// tie closure with the hypothesis checked on its hull. The linear algebra, the Sturm sequences and
// the hull test are in their own files (linear_algebra.cpp, sturm.cpp, hull_invertibility.cpp).
#include "selgrad/reference/implicit.hpp"

#include <algorithm>
#include <functional>

#include "detail/hull_invertibility.hpp"
#include "detail/linear_algebra.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/program/mutant.hpp"

namespace selgrad::reference {
namespace {

using detail::matrix_text;
using detail::solve_mpfi;
using detail::solve_mpfr;

std::string join_names(const Program& p, std::size_t from, std::size_t to) {
  std::string s;
  for (std::size_t i = from; i < to; ++i) s += (i > from ? ", " : "") + p.nodes[i].name;
  return s;
}

Matrix<Rational> negated(Matrix<Rational> m) {
  for (auto& row : m)
    for (auto& v : row) v = -v;
  return m;
}

template <class T>
Matrix<T> columns(const Matrix<T>& m, std::size_t from, std::size_t to) {
  Matrix<T> out;
  for (const auto& row : m) out.emplace_back(row.begin() + static_cast<std::ptrdiff_t>(from),
                                             row.begin() + static_cast<std::ptrdiff_t>(to));
  return out;
}

// ---- dimensions and the zero check ----------------------------------------------------------

/// Checks the shape of an implicit problem; returns m.
std::size_t check_implicit_shape(const Program& f, std::size_t n, std::size_t xs, std::size_t ys) {
  if (n == 0) throw Error(ErrorKind::Usage, {}, "the number of parameters must be at least 1");
  if (n >= f.p())
    throw Error(ErrorKind::Usage, {},
                std::to_string(n) + " parameter" + (n == 1 ? "" : "s") + " but F has " + std::to_string(f.p()) +
                    " input" + (f.p() == 1 ? "" : "s") +
                    ": the parameters must be fewer than the inputs (the rest are the unknowns)");
  const std::size_t m = f.p() - n;
  if (f.q() != m)
    throw Error(ErrorKind::Usage, {},
                "F must have as many outputs as unknowns: " + std::to_string(m) + " unknown" +
                    (m == 1 ? "" : "s") + " (" + join_names(f, n, f.p()) + ") but " + std::to_string(f.q()) +
                    " output" + (f.q() == 1 ? "" : "s"));
  if (xs != n)
    throw Error(ErrorKind::Usage, {},
                "the parameter point has " + std::to_string(xs) + " value" + (xs == 1 ? "" : "s") + ", expected " +
                    std::to_string(n) + " (" + join_names(f, 0, n) + ")");
  if (ys != m)
    throw Error(ErrorKind::Usage, {},
                "the solution has " + std::to_string(ys) + " value" + (ys == 1 ? "" : "s") + ", expected " +
                    std::to_string(m) + " (" + join_names(f, n, f.p()) + ")");
  return m;
}

void check_inverse_shape(const Program& f) {
  if (f.q() != f.p())
    throw Error(ErrorKind::Usage, {},
                "the inverse rule needs a square map: F has " + std::to_string(f.p()) + " inputs and " +
                    std::to_string(f.q()) + " outputs");
}

void check_zero_exact(const Program& f, const std::vector<Rational>& outputs) {
  bool zero = true;
  std::string values;
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    zero = zero && outputs[i] == 0;
    values += (i ? ", " : "") + f.nodes[f.outputs[i]].name + " = " + to_string(outputs[i]);
  }
  if (!zero)
    throw Error(ErrorKind::Domain, {},
                "F(x, y) != 0 at this point (" + values + "): y is not a solution for these parameters");
}

std::string enclosure_text(const Interval& v) {
  return "[" + v.lower().to_string() + ", " + v.upper().to_string() + "]";
}

void check_zero_enclosed(const Program& f, const std::vector<Interval>& enclosures, mpfr_prec_t prec) {
  bool zero = true;
  std::string values;
  for (std::size_t i = 0; i < enclosures.size(); ++i) {
    const auto s = enclosures[i].certified_sign();
    zero = zero && (!s || *s == Sign::Zero);
    values += (i ? ", " : "") + f.nodes[f.outputs[i]].name + " in " + enclosure_text(enclosures[i]);
  }
  if (!zero)
    throw Error(ErrorKind::Domain, {},
                "F(x, y) != 0 at this point (" + values + ", at " + std::to_string(prec) +
                    " bits): y is not a solution for these parameters, or not accurate to the working "
                    "precision (a lower precision accepts a less accurate y)");
}

std::vector<Rational> concat(const std::vector<Rational>& x, const std::vector<Rational>& y) {
  std::vector<Rational> xy = x;
  xy.insert(xy.end(), y.begin(), y.end());
  return xy;
}

/// The MPFR solve shared by IMP and INV: B X = R, B the column block [b0, b1) of the selection
/// Jacobian and R = -A (the columns before b0) when `negate_rest`, else R = I. Doubles the
/// precision while the MPFI elimination finds no pivot; `singular` names B in the error.
struct RealSolve {
  RealResult eval;
  Matrix<Real> x;
  Matrix<Interval> x_enclosure;
};

RealSolve real_solve(const Program& f, const std::vector<Rational>& point, const Options& o, std::size_t b0,
                     std::size_t b1, bool negate_rest, const std::string& singular) {
  Options opts = o;
  while (true) {
    RealSolve s{evaluate_real(f, point, opts), {}, {}};
    PrecisionScope scope(s.eval.precision);
    const std::size_t k = b1 - b0;
    Matrix<Real> bm = columns(s.eval.jacobian, b0, b1);
    Matrix<Interval> bi = columns(s.eval.jacobian_enclosures, b0, b1);
    Matrix<Real> rm;
    Matrix<Interval> ri;
    if (negate_rest) {  // IMP: R = -A, A the columns outside [b0, b1)
      rm = columns(s.eval.jacobian, 0, b0);
      ri = columns(s.eval.jacobian_enclosures, 0, b0);
      for (auto& row : rm)
        for (auto& v : row) v = -v;
      for (auto& row : ri)
        for (auto& v : row) v = -v;
    } else {  // INV: R = I
      rm.assign(k, std::vector<Real>(k));
      ri.assign(k, std::vector<Interval>(k));
      for (std::size_t i = 0; i < k; ++i) {
        rm[i][i] = Real(1);
        ri[i][i] = Interval(1);
      }
    }
    auto enclosure = solve_mpfi(bi, ri);
    if (enclosure) {
      auto point_solution = solve_mpfr(bm, rm);
      // A pivot enclosure excluding 0 contains the exact pivot and every nearby MPFR value, so
      // the point elimination has nonzero pivots too; guard anyway.
      if (!point_solution)
        throw Error(ErrorKind::Domain, {}, singular + " is singular at this point (MPFR elimination)");
      s.x = std::move(*point_solution);
      s.x_enclosure = std::move(*enclosure);
      return s;
    }
    if (s.eval.precision >= opts.max_precision) {
      const bool point_singular = !solve_mpfr(bm, rm);
      throw Error(ErrorKind::Domain, {},
                  singular + " is singular at this point" +
                      (point_singular ? "" : ", or too close to singular to certify") + " at " +
                      std::to_string(s.eval.precision) +
                      " bits (no pivot enclosure of the interval elimination excludes 0)");
    }
    opts.precision = std::min<mpfr_prec_t>(2 * s.eval.precision, opts.max_precision);
  }
}

std::string unknowns_text(const Program& f, std::size_t n) {
  return "B (the Jacobian in the unknowns " + join_names(f, n, f.p()) + ")";
}

std::string inverse_text(const Program& f) { return "M (the Jacobian of F in " + join_names(f, 0, f.p()) + ")"; }

}  // namespace

// ---- IMP and INV at a point -----------------------------------------------------------------

ImplicitResult implicit_jacobian(const Program& f, std::size_t n, const std::vector<Rational>& x,
                                 const std::vector<Rational>& y, const Options& o) {
  validate(f);  // before the shape checks read its inputs and outputs
  check_implicit_shape(f, n, x.size(), y.size());
  ExactResult e = evaluate_exact(f, concat(x, y), o);
  check_zero_exact(f, e.outputs);
  ImplicitResult r;
  r.a = columns(e.jacobian, 0, n);
  r.b = columns(e.jacobian, n, f.p());
  const auto sol = solve(r.b, r.a);
  if (!sol)
    throw Error(ErrorKind::Domain, {},
                unknowns_text(f, n) + " is singular at this point: B = " + matrix_text(r.b) +
                    "; the implicit rule does not apply");
  r.jacobian = SELGRAD_MUTANT(24) ? *sol : negated(*sol);  // mutant 24: B^{-1} A, not its negation
  r.outputs = std::move(e.outputs);
  r.branches = std::move(e.branches);
  return r;
}

RealImplicitResult implicit_jacobian_real(const Program& f, std::size_t n, const std::vector<Rational>& x,
                                          const std::vector<Rational>& y, const Options& o) {
  validate(f);  // before the shape checks read its inputs and outputs
  check_implicit_shape(f, n, x.size(), y.size());
  const std::vector<Rational> xy = concat(x, y);
  // F(x, y) = 0 within the enclosures at the starting precision (a raised precision for the
  // elimination would only narrow them around an approximate y).
  RealResult first = evaluate_real(f, xy, o);
  check_zero_enclosed(f, first.output_enclosures, first.precision);
  RealSolve s = real_solve(f, xy, o, n, f.p(), true, unknowns_text(f, n));
  RealImplicitResult r;
  r.precision = s.eval.precision;
  r.outputs = std::move(first.outputs);
  r.output_enclosures = std::move(first.output_enclosures);
  r.a = columns(s.eval.jacobian, 0, n);
  r.b = columns(s.eval.jacobian, n, f.p());
  r.jacobian = std::move(s.x);
  r.jacobian_enclosures = std::move(s.x_enclosure);
  r.branches = std::move(s.eval.branches);
  return r;
}

InverseResult inverse_jacobian(const Program& f, const std::vector<Rational>& x, const Options& o) {
  validate(f);  // before the shape checks read its inputs and outputs
  check_inverse_shape(f);
  ExactResult e = evaluate_exact(f, x, o);
  const auto inv = inverse(e.jacobian);
  if (!inv)
    throw Error(ErrorKind::Domain, {},
                inverse_text(f) + " is singular at this point: M = " + matrix_text(e.jacobian) +
                    "; the inverse rule does not apply");
  InverseResult r;
  r.outputs = std::move(e.outputs);
  r.jacobian = std::move(e.jacobian);
  r.inverse = std::move(*inv);
  r.branches = std::move(e.branches);
  return r;
}

RealInverseResult inverse_jacobian_real(const Program& f, const std::vector<Rational>& x, const Options& o) {
  validate(f);  // before the shape checks read its inputs and outputs
  check_inverse_shape(f);
  RealSolve s = real_solve(f, x, o, 0, f.p(), false, inverse_text(f));
  RealInverseResult r;
  r.precision = s.eval.precision;
  r.outputs = std::move(s.eval.outputs);
  r.output_enclosures = std::move(s.eval.output_enclosures);
  r.jacobian = std::move(s.eval.jacobian);
  r.inverse = std::move(s.x);
  r.inverse_enclosures = std::move(s.x_enclosure);
  r.branches = std::move(s.eval.branches);
  return r;
}

// ---- over the tie closure -------------------------------------------------------------------

ImplicitClosure implicit_closure(const Program& f, std::size_t n, const std::vector<Rational>& x,
                                 const std::vector<Rational>& y, const Options& o) {
  validate(f);  // before the shape checks read its inputs and outputs
  check_implicit_shape(f, n, x.size(), y.size());
  ImplicitClosure c;
  c.closure = tie_closure(f, concat(x, y), o);
  check_zero_exact(f, c.closure.at_point.outputs);
  for (std::size_t i = 0; i < c.closure.jacobians.size(); ++i) {
    const auto& j = c.closure.jacobians[i];
    c.a.push_back(columns(j, 0, n));
    c.b.push_back(columns(j, n, f.p()));
    auto sol = solve(c.b.back(), c.a.back());
    if (!sol) c.singular.push_back(i);
    c.jacobians.push_back(sol ? std::optional<Matrix<Rational>>(negated(std::move(*sol))) : std::nullopt);
  }
  c.hypothesis = detail::distinct_hull_invertibility(c.b);
  return c;
}

InverseClosure inverse_closure(const Program& f, const std::vector<Rational>& x, const Options& o) {
  validate(f);  // before the shape checks read its inputs and outputs
  check_inverse_shape(f);
  InverseClosure c;
  c.closure = tie_closure(f, x, o);
  for (std::size_t i = 0; i < c.closure.jacobians.size(); ++i) {
    auto inv = inverse(c.closure.jacobians[i]);
    if (!inv) c.singular.push_back(i);
    c.inverses.push_back(std::move(inv));
  }
  c.hypothesis = detail::distinct_hull_invertibility(c.closure.jacobians);
  return c;
}

}  // namespace selgrad::reference
