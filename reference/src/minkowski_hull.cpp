// Exact decision of "0 is in offset + T_1 + ... + T_n" for small polytopes T_u given by their
// vertices or as images of Birkhoff polytopes (H1: the hull of a tie closure whose ties do not
// nest is such a sum, whatever the number of branch combinations).
//
// The question is the feasibility of one LP over bounded weights (see build_lp), solved by
// QSopt_ex's exact rational simplex (double, then extended precision, then an exact basis
// check). QSopt_ex is only trusted to *find* an answer: the answer is then proved here, in exact
// arithmetic, by a certificate the solver returns (weights for "yes", Farkas multipliers for
// "no"). cddlib, which the explicit hull test uses, takes minutes on these LPs (hundreds of
// columns); QSopt_ex is a revised simplex with bounded variables and takes under a second.
#include "selgrad/reference/convex_hull.hpp"

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "detail/exact_hash.hpp"
#include "selgrad/program/error.hpp"

// QSopt_ex's headers are C without extern "C" guards; gmp.h (already included through
// scalars.hpp) must come first because its C++ part cannot sit inside extern "C".
extern "C" {
#include <qsopt_ex/QSopt_ex.h>
// The extended-precision tolerances QSopt_ex frees and re-creates when it raises its precision.
extern mpf_t mpf_eps, mpf_PFEAS_TOLER, mpf_BD_TOLER, mpf_DFEAS_TOLER, mpf_PIVOT_TOLER,
    mpf_SZERO_TOLER, mpf_PIVZ_TOLER, mpf_OBJBND_TOLER, mpf_ALTPIV_TOLER, mpf_PARAM_MIN_DNORM,
    mpf_PROGRESS_ZERO, mpf_PROGRESS_THRESH;
}

namespace selgrad::reference {
namespace {

// ---- QSopt_ex, once per process ---------------------------------------------------------

/// Moves an mpf number's limbs to memory from GMP's current allocator (a copy; the old limbs
/// are abandoned, never freed).
void rehome(mpf_ptr x) {
  mpf_t copy;
  mpf_init2(copy, mpf_get_prec(x));
  mpf_set(copy, x);
  std::memcpy(x, copy, sizeof(mpf_t));
}

/// QSopt_ex's start-up installs its own GMP allocator (a slab pool, not thread-safe) for the
/// whole process, which would then serve every GMP number of selgrad and MPFR. So GMP's
/// allocator is put back right after; QSopt_ex works with any allocator. Its constants made
/// during start-up stay in the pool; the few that it later frees (the extended-precision
/// tolerances, when it raises its precision) are first copied to ordinary memory. QSopt_ex
/// keeps its state in globals, so every use holds this mutex; its log goes nowhere.
std::mutex& qsopt_mutex() {
  static std::once_flag once;
  std::call_once(once, [] {
    void* (*alloc)(std::size_t) = nullptr;
    void* (*realloc)(void*, std::size_t, std::size_t) = nullptr;
    void (*free)(void*, std::size_t) = nullptr;
    mp_get_memory_functions(&alloc, &realloc, &free);
    QSexactStart();
    mp_set_memory_functions(alloc, realloc, free);
    for (mpf_ptr x : {mpf_eps, mpf_PFEAS_TOLER, mpf_BD_TOLER, mpf_DFEAS_TOLER, mpf_PIVOT_TOLER,
                      mpf_SZERO_TOLER, mpf_PIVZ_TOLER, mpf_OBJBND_TOLER, mpf_ALTPIV_TOLER,
                      mpf_PARAM_MIN_DNORM, mpf_PROGRESS_ZERO, mpf_PROGRESS_THRESH})
      rehome(x);
    QSlog_set_handler([](const char*, void*) {}, nullptr);
  });
  static std::mutex m;
  return m;
}

struct ProblemDeleter {
  void operator()(mpq_QSdata* p) const { mpq_QSfree_prob(p); }
};

/// An array of n initialised mpq_t, cleared on destruction.
class MpqArray {
 public:
  explicit MpqArray(std::size_t n) : v_(n) {
    for (auto& x : v_) mpq_init(x.q);
  }
  ~MpqArray() {
    for (auto& x : v_) mpq_clear(x.q);
  }
  MpqArray(const MpqArray&) = delete;
  MpqArray& operator=(const MpqArray&) = delete;
  mpq_t* data() { return reinterpret_cast<mpq_t*>(v_.data()); }
  Rational at(std::size_t i) const {
    Rational r;
    mpq_set(r.backend().data(), v_[i].q);
    return r;
  }

 private:
  struct Cell {
    mpq_t q;
  };
  std::vector<Cell> v_;
};

// ---- The LP -------------------------------------------------------------------------------

/// { A lambda = rhs, 0 <= lambda <= 1 }, A by sparse columns. Rows 0..n-1 are the coordinates;
/// later rows are sums of weights equal to 1.
struct BoxLp {
  std::vector<Rational> rhs;
  std::vector<std::vector<std::pair<std::uint32_t, Rational>>> columns;
};

void add_to(std::vector<Rational>& acc, const std::vector<Rational>& v) {
  for (std::size_t j = 0; j < acc.size(); ++j) acc[j] += v[j];
}

/// A column with the point's nonzero coordinates, plus a 1 in each of `sum_rows`.
std::vector<std::pair<std::uint32_t, Rational>> column(const std::vector<Rational>& point,
                                                       std::initializer_list<std::size_t> sum_rows) {
  std::vector<std::pair<std::uint32_t, Rational>> c;
  for (std::size_t j = 0; j < point.size(); ++j)
    if (point[j].sign() != 0) c.emplace_back(static_cast<std::uint32_t>(j), point[j]);
  for (std::size_t r : sum_rows) c.emplace_back(static_cast<std::uint32_t>(r), Rational(1));
  return c;
}

/// 0 is in offset + sum T_u iff BoxLp is feasible:
///  * a hull of one distinct point moves the offset;
///  * a hull of two distinct points a, b is a + lambda (b - a), lambda in [0, 1]: the offset
///    takes a, one column b - a, no sum row (every relu, select and two-way tie);
///  * a hull of k >= 3 points is sum lambda_i p_i with lambda_i in [0, 1] and a sum row;
///  * a Birkhoff term is sum P[r][s] p_{rs} with P in [0, 1]^{k x k} and 2k sum rows (every
///    row and every column of P sums to 1).
/// The weights are in [0, 1] in every case, so the box [0, 1]^N contains every feasible lambda.
BoxLp build_lp(const std::vector<Rational>& offset, const std::vector<PolytopeTerm>& terms) {
  const std::size_t n = offset.size();
  BoxLp lp;
  std::vector<Rational> shift = offset;
  auto check_dim = [&](const std::vector<Rational>& p, std::size_t u) {
    if (p.size() != n)
      throw Error(ErrorKind::Usage, {},
                  "Minkowski sum: a point of term " + std::to_string(u) + " has dimension " +
                      std::to_string(p.size()) + ", expected " + std::to_string(n));
  };
  auto new_sum_row = [&]() {
    lp.rhs.emplace_back(1);
    return lp.rhs.size() - 1;
  };
  lp.rhs.assign(n, Rational(0));
  for (std::size_t u = 0; u < terms.size(); ++u) {
    const PolytopeTerm& t = terms[u];
    for (const auto& p : t.points) check_dim(p, u);
    if (t.birkhoff > 0) {
      const std::size_t k = t.birkhoff;
      if (t.points.size() != k * k)
        throw Error(ErrorKind::Usage, {},
                    "Minkowski sum: Birkhoff term " + std::to_string(u) + " of order " + std::to_string(k) +
                        " has " + std::to_string(t.points.size()) + " points, expected " + std::to_string(k * k));
      if (k == 1) {
        add_to(shift, t.points[0]);
        continue;
      }
      const std::size_t first = lp.rhs.size();
      for (std::size_t i = 0; i < 2 * k; ++i) new_sum_row();
      for (std::size_t r = 0; r < k; ++r)
        for (std::size_t s = 0; s < k; ++s) lp.columns.push_back(column(t.points[r * k + s], {first + r, first + k + s}));
      continue;
    }
    if (t.points.empty()) throw Error(ErrorKind::Usage, {}, "Minkowski sum: term " + std::to_string(u) + " is empty");
    std::vector<std::size_t> distinct;
    detail::DistinctIndex<std::vector<Rational>> index(t.points);
    for (std::size_t i = 0; i < t.points.size(); ++i)
      if (index.insert(i)) distinct.push_back(i);
    const auto& a = t.points[distinct[0]];
    if (distinct.size() == 1) {
      add_to(shift, a);
    } else if (distinct.size() == 2) {
      add_to(shift, a);
      std::vector<Rational> d = t.points[distinct[1]];
      for (std::size_t j = 0; j < n; ++j) d[j] -= a[j];
      lp.columns.push_back(column(d, {}));
    } else {
      const std::size_t row = new_sum_row();
      for (std::size_t i : distinct) lp.columns.push_back(column(t.points[i], {row}));
    }
  }
  for (std::size_t j = 0; j < n; ++j) lp.rhs[j] = -shift[j];
  return lp;
}

/// "Yes" certificate: lambda in [0, 1]^N with A lambda = rhs, checked exactly.
bool weights_check(const BoxLp& lp, const MpqArray& x) {
  std::vector<Rational> row(lp.rhs.size(), Rational(0));
  for (std::size_t c = 0; c < lp.columns.size(); ++c) {
    const Rational l = x.at(c);
    if (l.sign() < 0 || l > 1) return false;
    if (l.sign() == 0) continue;
    for (const auto& [r, v] : lp.columns[c]) row[r] += v * l;
  }
  return row == lp.rhs;
}

/// "No" certificate: y with y . rhs outside [min, max] of y . (A lambda) over lambda in
/// [0, 1]^N; then no lambda of the box solves A lambda = rhs. Checked exactly.
bool farkas_check(const BoxLp& lp, const MpqArray& y) {
  std::vector<Rational> yv(lp.rhs.size());
  Rational yb = 0;
  for (std::size_t r = 0; r < lp.rhs.size(); ++r) {
    yv[r] = y.at(r);
    yb += yv[r] * lp.rhs[r];
  }
  Rational lo = 0, hi = 0, c;
  for (const auto& col : lp.columns) {
    c = 0;
    for (const auto& [r, v] : col) c += yv[r] * v;
    if (c.sign() > 0) hi += c;
    else lo += c;
  }
  return yb > hi || yb < lo;
}

}  // namespace

bool zero_in_minkowski_sum(const std::vector<Rational>& offset, const std::vector<PolytopeTerm>& terms) {
  if (offset.empty()) throw Error(ErrorKind::Usage, {}, "Minkowski sum: points must have dimension >= 1");
  const BoxLp lp = build_lp(offset, terms);
  if (lp.columns.empty())
    return std::all_of(lp.rhs.begin(), lp.rhs.end(), [](const Rational& v) { return v.sign() == 0; });

  std::lock_guard<std::mutex> lock(qsopt_mutex());
  std::unique_ptr<mpq_QSdata, ProblemDeleter> prob(mpq_QScreate_prob("selgrad_hull", QS_MIN));
  if (!prob) throw Error(ErrorKind::Resource, {}, "Minkowski sum: QSopt_ex could not create the LP");
  mpq_QSset_param(prob.get(), QS_PARAM_SIMPLEX_DISPLAY, 0);
  int rc = 0;
  for (const auto& r : lp.rhs) {
    Rational v = r;
    rc |= mpq_QSnew_row(prob.get(), v.backend().data(), 'E', nullptr);
  }
  Rational zero = 0, one = 1;
  std::vector<int> ind;
  for (const auto& col : lp.columns) {
    MpqArray val(col.size());
    ind.clear();
    for (std::size_t i = 0; i < col.size(); ++i) {
      ind.push_back(static_cast<int>(col[i].first));
      mpq_set(val.data()[i], col[i].second.backend().data());
    }
    rc |= mpq_QSadd_col(prob.get(), static_cast<int>(col.size()), ind.data(), val.data(), zero.backend().data(),
                        zero.backend().data(), one.backend().data(), nullptr);
  }
  if (rc) throw Error(ErrorKind::Resource, {}, "Minkowski sum: QSopt_ex could not build the LP");

  const std::size_t size = lp.columns.size() + lp.rhs.size();
  MpqArray x(size), y(size);
  int status = 0;
  if (QSexact_solver(prob.get(), x.data(), y.data(), nullptr, DUAL_SIMPLEX, &status))
    throw Error(ErrorKind::Resource, {}, "Minkowski sum: QSopt_ex's exact solve failed");
  if (status == QS_LP_OPTIMAL) {
    if (!weights_check(lp, x))
      throw Error(ErrorKind::Resource, {}, "Minkowski sum: the exact LP's feasible point does not check");
    return true;
  }
  if (status == QS_LP_INFEASIBLE) {
    if (!farkas_check(lp, y))
      throw Error(ErrorKind::Resource, {}, "Minkowski sum: the exact LP's infeasibility certificate does not check");
    return false;
  }
  throw Error(ErrorKind::Resource, {},
              "Minkowski sum: QSopt_ex left the LP undecided (status " + std::to_string(status) + ")");
}

}  // namespace selgrad::reference
