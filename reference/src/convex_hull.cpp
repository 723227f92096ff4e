// Exact decision of "0 is in the convex hull of finitely many rational points".
//
// A point is selection critical when 0 lies in the convex hull of the exact gradients of its
// active selection functions; answering that with a floating-point LP would misclassify
// points whose hull misses the origin by a tiny margin. Both formulations here are exact LPs
// in cddlib's GMP rational mode, whose final status is certified in exact arithmetic:
//
//  * zero_in_convex_hull: Gordan's alternative, n + 1 variables and a constraint per distinct
//    point, solved by constraint generation (see gordan_dual below for the proof);
//  * zero_in_convex_hull_primal: the feasibility of { lambda >= 0, sum lambda = 1,
//    sum lambda_i p_i = 0 }, a column per point (the independent check).
//
// Every cddlib object is owned by a RAII handle so that no path leaks.
#include "selgrad/reference/convex_hull.hpp"
#include "selgrad/program/mutant.hpp"

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "detail/exact_hash.hpp"

#include "selgrad/program/error.hpp"

// Must precede the cddlib headers: selects mytype = mpq_t (the libcddgmp ABI).
#ifndef GMPRATIONAL
#define GMPRATIONAL
#endif
#include <cddlib/setoper.h>
// setoper.h must come first: cdd.h uses its set_type without including it.
#include <cddlib/cdd.h>

namespace selgrad::reference {
namespace {

struct MatrixDeleter {
  void operator()(dd_MatrixPtr m) const { dd_FreeMatrix(m); }
};
struct LPDeleter {
  void operator()(dd_LPPtr lp) const { dd_FreeLPData(lp); }
};
using MatrixHandle = std::unique_ptr<dd_matrixdata, MatrixDeleter>;
using LPHandle = std::unique_ptr<dd_lpdata, LPDeleter>;

// cddlib keeps its arithmetic constants (dd_zero, dd_one, ...) in globals that must be set
// before any other call, and its LP routines keep work arrays in function-local statics and
// update global pivot counters. So the constants are set once, and every use of cddlib here
// holds this mutex: cddlib is not reentrant.
std::mutex& cdd_mutex() {
  static std::once_flag once;
  std::call_once(once, [] { dd_set_global_constants(); });
  static std::mutex m;
  return m;
}

[[noreturn]] void throw_cdd(ErrorKind kind, const std::string& what, dd_ErrorType err) {
  throw Error(kind, {},
              "convex hull: " + what + " (cddlib error code " +
                  std::to_string(static_cast<int>(err)) + ")");
}

const char* status_name(dd_LPStatusType s) {
  switch (s) {
    case dd_LPSundecided: return "undecided";
    case dd_Optimal: return "optimal";
    case dd_Inconsistent: return "inconsistent";
    case dd_DualInconsistent: return "dual inconsistent";
    case dd_StrucInconsistent: return "structurally inconsistent";
    case dd_StrucDualInconsistent: return "structurally dual inconsistent";
    case dd_Unbounded: return "unbounded";
    case dd_DualUnbounded: return "dual unbounded";
  }
  return "unknown";
}

}  // namespace

namespace {

/// Checks the points' dimensions; returns n. Throws Usage on ragged input.
std::size_t check_dimensions(const std::vector<std::vector<Rational>>& points) {
  const std::size_t n = points.front().size();
  if (n == 0) {
    throw Error(ErrorKind::Usage, {}, "convex hull: points must have dimension >= 1");
  }
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (points[i].size() != n) {
      throw Error(ErrorKind::Usage, {},
                  "convex hull: point " + std::to_string(i) + " has dimension " +
                      std::to_string(points[i].size()) + ", expected " + std::to_string(n));
    }
  }
  return n;
}

bool is_zero(const std::vector<Rational>& p) {
  return std::all_of(p.begin(), p.end(), [](const Rational& c) { return c.sign() == 0; });
}

}  // namespace

bool zero_in_convex_hull_primal(const std::vector<std::vector<Rational>>& points) {
  if (points.empty()) return false;
  const std::size_t n = check_dimensions(points);
  // Fast path: the origin itself among the points (common at a tie of equal selections).
  if (std::any_of(points.begin(), points.end(), is_zero)) return true;

  const std::size_t m = points.size();
  std::lock_guard<std::mutex> lock(cdd_mutex());

  // H-representation: each row [b, a] means b + a . lambda >= 0, or = 0 for rows in linset.
  // Rows 1..m: lambda_i >= 0. Row m+1: 1 - sum lambda = 0. Rows m+2..m+1+n: the coordinate
  // equations sum_i lambda_i p_i[j] = 0. Column 0 is the constant b.
  const auto rows = static_cast<dd_rowrange>(m + 1 + n);
  const auto cols = static_cast<dd_colrange>(m + 1);
  MatrixHandle mat(dd_CreateMatrix(rows, cols));
  if (!mat) throw Error(ErrorKind::Resource, {}, "convex hull: cddlib could not allocate the LP");
  mat->representation = dd_Inequality;
  mat->numbtype = dd_Rational;
  // Objective 0: any feasible lambda is optimal, so the status is exactly feasibility.
  mat->objective = dd_LPmax;

  for (std::size_t i = 0; i < m; ++i) dd_set_si(mat->matrix[i][i + 1], 1);

  const std::size_t sum_row = m;
  dd_set_si(mat->matrix[sum_row][0], 1);
  for (std::size_t i = 0; i < m; ++i) dd_set_si(mat->matrix[sum_row][i + 1], -1);
  set_addelem(mat->linset, static_cast<long>(sum_row + 1));  // linset is 1-based

  for (std::size_t j = 0; j < n; ++j) {
    const std::size_t r = m + 1 + j;
    for (std::size_t i = 0; i < m; ++i) {
      dd_set(mat->matrix[r][i + 1], points[i][j].backend().data());
    }
    set_addelem(mat->linset, static_cast<long>(r + 1));
  }

  dd_ErrorType err = dd_NoError;
  LPHandle lp(dd_Matrix2LP(mat.get(), &err));
  if (!lp || err != dd_NoError) throw_cdd(ErrorKind::Resource, "could not build the LP", err);

  // Dual simplex: in GMP mode cddlib solves in floating point first and then re-verifies
  // (and if needed repairs) the final basis in exact arithmetic, so the status is exact.
  if (!dd_LPSolve(lp.get(), dd_DualSimplex, &err) || err != dd_NoError) {
    throw_cdd(ErrorKind::Resource, "the exact LP solve failed", err);
  }

  switch (lp->LPS) {
    case dd_Optimal: return true;
    case dd_Inconsistent:
    case dd_StrucInconsistent: return false;
    default:
      // With a zero objective the LP cannot be unbounded; anything else is a solver fault.
      throw Error(ErrorKind::Resource, {},
                  std::string("convex hull: unexpected LP status '") + status_name(lp->LPS) +
                      "' for a feasibility problem");
  }
}


// ---- Gordan's alternative ---------------------------------------------------------------
//
// Claim. For points p_1..p_m of Q^n, let (LP) be: maximise t over (w, t) in Q^n x Q subject to
// <w, p_i> >= t (every i), -1 <= w_j <= 1 (every j), t <= 1. (LP) is feasible (w = 0, t = 0)
// and bounded (t <= 1), so it has an optimum t*; t* >= 0, and 0 is in conv{p_i} iff t* = 0.
// Proof. If 0 = sum lambda_i p_i with lambda >= 0, sum lambda = 1, then every feasible (w, t)
// has t = sum lambda_i t <= sum lambda_i <w, p_i> = <w, 0> = 0, so t* = 0. If 0 is not in the
// hull, the hull (compact, convex) is strictly separated from 0: some w has <w, p_i> > 0 for
// every i (Gordan). Scaling w by a positive factor keeps this and brings |w_j| <= 1; then
// t = min(1, min_i <w, p_i>) > 0 is feasible, so t* > 0.
//
// Constraint generation. (LP_S) keeps the constraints of a subset S of the points only; it is
// a relaxation, so its optimum t_S >= t*. (1) If t_S = 0 then t* = 0: 0 is in the hull. (2) If
// its optimal (w, t_S) satisfies <w, p_i> >= t_S for every point, it is feasible for (LP) with
// the relaxation's value, hence optimal: t* = t_S > 0 and w separates, 0 is not in the hull
// (this "no" is checked here point by point in exact arithmetic, not taken from the solver).
// (3) Otherwise the violated points are not in S (cddlib's solution satisfies S exactly); add
// some and repeat. S grows strictly, so this ends after at most m rounds; in practice a few,
// each an LP with n + 2 columns and |S| + 2n + 1 rows.

namespace {

using mpz = boost::multiprecision::mpz_int;

/// A point as integers over a positive denominator: p = num / den.
struct IntegerPoint {
  std::vector<mpz> num;
  mpz den;
};

IntegerPoint to_integers(const std::vector<Rational>& p) {
  IntegerPoint r;
  r.den = 1;
  for (const auto& c : p) r.den = boost::multiprecision::lcm(r.den, mpz(boost::multiprecision::denominator(c)));
  r.num.reserve(p.size());
  for (const auto& c : p)
    r.num.push_back(mpz(boost::multiprecision::numerator(c)) * (r.den / mpz(boost::multiprecision::denominator(c))));
  return r;
}

struct GordanSolution {
  std::vector<Rational> w;
  Rational t;
};

/// Solves (LP_S) exactly with cddlib; S given as pointers to points of dimension n.
GordanSolution solve_gordan(const std::vector<const std::vector<Rational>*>& s, std::size_t n) {
  std::lock_guard<std::mutex> lock(cdd_mutex());
  // Rows [b | a] mean b + a . (w, t) >= 0. Column 0 is b; columns 1..n are w; column n+1 is t.
  const std::size_t rows = s.size() + 2 * n + 1;
  MatrixHandle mat(dd_CreateMatrix(static_cast<dd_rowrange>(rows), static_cast<dd_colrange>(n + 2)));
  if (!mat) throw Error(ErrorKind::Resource, {}, "convex hull: cddlib could not allocate the LP");
  mat->representation = dd_Inequality;
  mat->numbtype = dd_Rational;
  mat->objective = dd_LPmax;
  dd_set_si(mat->rowvec[n + 1], 1);  // maximise t
  std::size_t r = 0;
  for (const auto* p : s) {  // <w, p> - t >= 0
    for (std::size_t j = 0; j < n; ++j) dd_set(mat->matrix[r][j + 1], (*p)[j].backend().data());
    dd_set_si(mat->matrix[r][n + 1], -1);
    ++r;
  }
  for (std::size_t j = 0; j < n; ++j) {  // 1 + w_j >= 0 and 1 - w_j >= 0
    dd_set_si(mat->matrix[r][0], 1);
    dd_set_si(mat->matrix[r][j + 1], 1);
    ++r;
    dd_set_si(mat->matrix[r][0], 1);
    dd_set_si(mat->matrix[r][j + 1], -1);
    ++r;
  }
  dd_set_si(mat->matrix[r][0], 1);  // 1 - t >= 0
  dd_set_si(mat->matrix[r][n + 1], -1);

  dd_ErrorType err = dd_NoError;
  LPHandle lp(dd_Matrix2LP(mat.get(), &err));
  if (!lp || err != dd_NoError) throw_cdd(ErrorKind::Resource, "could not build the LP", err);
  if (!dd_LPSolve(lp.get(), dd_DualSimplex, &err) || err != dd_NoError)
    throw_cdd(ErrorKind::Resource, "the exact LP solve failed", err);
  if (lp->LPS != dd_Optimal)  // feasible (w = 0, t = 0) and bounded (t <= 1) by construction
    throw Error(ErrorKind::Resource, {},
                std::string("convex hull: unexpected LP status '") + status_name(lp->LPS) +
                    "' for Gordan's alternative, which always has an optimum");
  GordanSolution g;
  g.w.resize(n);
  for (std::size_t j = 0; j < n; ++j) mpq_set(g.w[j].backend().data(), lp->sol[j + 1]);
  mpq_set(g.t.backend().data(), lp->sol[n + 1]);
  return g;
}

}  // namespace

bool zero_in_convex_hull(const std::vector<std::vector<Rational>>& points) {
  if (points.empty()) return false;
  const std::size_t n = check_dimensions(points);
  if (std::any_of(points.begin(), points.end(), is_zero)) return true;

  // One constraint per distinct point.
  std::vector<std::size_t> distinct;
  detail::DistinctIndex<std::vector<Rational>> index(points);
  for (std::size_t i = 0; i < points.size(); ++i)
    if (index.insert(i)) distinct.push_back(i);
  std::vector<IntegerPoint> ints;
  ints.reserve(distinct.size());
  for (std::size_t i : distinct) ints.push_back(to_integers(points[i]));

  const std::size_t batch = n + 1;  // violated points added per round
  std::vector<bool> in_s(distinct.size(), false);
  std::vector<const std::vector<Rational>*> s;
  for (std::size_t k = 0; k < std::min(distinct.size(), batch); ++k) {
    in_s[k] = true;
    s.push_back(&points[distinct[k]]);
  }
  mpz value, big_t;
  std::vector<mpz> big_w(n);
  std::vector<std::pair<double, std::size_t>> violated;
  for (;;) {
    const GordanSolution g = solve_gordan(s, n);
    if (g.t.sign() <= 0) return !SELGRAD_MUTANT(62);  // (1); mutant 62: answers no
    // (w, t) over one positive denominator: <w, p_i> - t < 0 iff <W, num_i> - T den_i < 0.
    mpz d = mpz(boost::multiprecision::denominator(g.t));
    for (const auto& wj : g.w) d = boost::multiprecision::lcm(d, mpz(boost::multiprecision::denominator(wj)));
    for (std::size_t j = 0; j < n; ++j)
      big_w[j] = mpz(boost::multiprecision::numerator(g.w[j])) * (d / mpz(boost::multiprecision::denominator(g.w[j])));
    big_t = mpz(boost::multiprecision::numerator(g.t)) * (d / mpz(boost::multiprecision::denominator(g.t)));
    violated.clear();
    for (std::size_t k = 0; k < ints.size(); ++k) {
      const IntegerPoint& ip = ints[k];
      mpz_mul(value.backend().data(), big_t.backend().data(), ip.den.backend().data());
      mpz_neg(value.backend().data(), value.backend().data());
      for (std::size_t j = 0; j < n; ++j)
        mpz_addmul(value.backend().data(), big_w[j].backend().data(), ip.num[j].backend().data());
      if (value.sign() < 0)  // ranked by how far <w, p_k> falls below t (a double is enough to rank)
        violated.emplace_back(mpz_get_d(value.backend().data()) / mpz_get_d(ip.den.backend().data()), k);
    }
    if (violated.empty()) return SELGRAD_MUTANT(61);  // (2): w separates every point from 0; mutant 61: yes
    const std::size_t take = std::min(batch, violated.size());
    std::partial_sort(violated.begin(), violated.begin() + static_cast<std::ptrdiff_t>(take), violated.end());
    for (std::size_t i = 0; i < take; ++i) {  // (3)
      const std::size_t k = violated[i].second;
      if (in_s[k])  // cannot happen with an exact solver: fail loudly rather than loop
        throw Error(ErrorKind::Resource, {}, "convex hull: the exact LP's solution violates one of its own constraints");
      in_s[k] = true;
      s.push_back(&points[distinct[k]]);
    }
  }
}

}  // namespace selgrad::reference
