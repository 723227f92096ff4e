// Exact decision of "0 is in the convex hull of finitely many rational points".
//
// A point is selection critical when 0 lies in the convex hull of the exact gradients of its
// active selection functions; answering that with a floating-point LP would misclassify
// points whose hull misses the origin by a tiny margin. So the question is posed as the
// feasibility of { lambda >= 0, sum lambda = 1, sum lambda_i p_i = 0 } and handed to
// cddlib's LP solver in GMP rational mode, whose final status is certified in exact
// arithmetic. Every cddlib object is owned by a RAII handle so that no path leaks.
#include "selgrad/reference/convex_hull.hpp"

#include <memory>
#include <mutex>
#include <string>

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

bool zero_in_convex_hull(const std::vector<std::vector<Rational>>& points) {
  if (points.empty()) return false;
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

  // Fast path: the origin itself among the points (common at a tie of equal selections).
  for (const auto& p : points) {
    bool all_zero = true;
    for (const auto& c : p) {
      if (c != 0) {
        all_zero = false;
        break;
      }
    }
    if (all_zero) return true;
  }

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

}  // namespace selgrad::reference
