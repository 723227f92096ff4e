// Implicit and inverse differentiation (see implicit.hpp): exact rational elimination, MPFR and
// MPFI elimination, and the exact checks of invertibility on the convex hull of the closure's
// B matrices (determinants, Sturm sequences, stationary points of a quadratic form).
#include "selgrad/reference/implicit.hpp"

#include <algorithm>
#include <functional>
#include <map>

#include "selgrad/program/error.hpp"
#include "selgrad/program/mutant.hpp"

namespace selgrad::reference {
namespace {

// ---- exact elimination ----------------------------------------------------------------------

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

void require_square(const Matrix<Rational>& m, const char* what) {
  for (const auto& row : m)
    if (row.size() != m.size())
      throw Error(ErrorKind::Usage, {}, std::string(what) + ": the matrix is not square");
}

std::string join_names(const Program& p, std::size_t from, std::size_t to) {
  std::string s;
  for (std::size_t i = from; i < to; ++i) s += (i > from ? ", " : "") + p.nodes[i].name;
  return s;
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

Matrix<Rational> negated(Matrix<Rational> m) {
  for (auto& row : m)
    for (auto& v : row) v = -v;
  return m;
}

Matrix<Rational> identity(std::size_t k) {
  Matrix<Rational> id(k, std::vector<Rational>(k, Rational(0)));
  for (std::size_t i = 0; i < k; ++i) id[i][i] = 1;
  return id;
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

// ---- MPFR and MPFI elimination --------------------------------------------------------------

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

// ---- polynomials over Rational (coefficients from degree 0 up) ------------------------------

using Poly = std::vector<Rational>;

void trim(Poly& p) {
  while (!p.empty() && p.back() == 0) p.pop_back();
}

Rational eval(const Poly& p, const Rational& t) {
  Rational v = 0;
  for (std::size_t i = p.size(); i-- > 0;) v = v * t + p[i];
  return v;
}

Poly derivative(const Poly& p) {
  Poly d;
  for (std::size_t i = 1; i < p.size(); ++i) d.push_back(p[i] * static_cast<long>(i));
  return d;
}

Poly remainder(Poly a, const Poly& b) {
  trim(a);
  while (a.size() >= b.size() && !a.empty()) {
    const Rational f = a.back() / b.back();
    const std::size_t shift = a.size() - b.size();
    for (std::size_t i = 0; i < b.size(); ++i) a[shift + i] -= f * b[i];
    a.pop_back();  // the leading coefficient is now exactly 0
    trim(a);
  }
  return a;
}

std::vector<Poly> sturm_chain(Poly p) {
  trim(p);
  std::vector<Poly> chain{p};
  Poly d = derivative(p);
  trim(d);
  while (!d.empty()) {
    chain.push_back(d);
    Poly r = remainder(chain[chain.size() - 2], chain.back());
    for (auto& c : r) c = -c;
    d = std::move(r);
  }
  return chain;
}

int variations(const std::vector<Poly>& chain, const Rational& t) {
  int v = 0, last = 0;
  for (const auto& p : chain) {
    const int s = eval(p, t).sign();
    if (s == 0) continue;
    if (last != 0 && s != last) ++v;
    last = s;
  }
  return v;
}

/// The simplest rational (smallest denominator) in [lo, hi], 0 <= lo < hi.
Rational simplest_between(const Rational& lo, const Rational& hi) {
  using boost::multiprecision::mpz_int;
  const mpz_int whole = numerator(lo) / denominator(lo);  // floor, as lo >= 0
  const Rational fl(whole);
  if (fl == lo) return fl;
  if (fl + 1 <= hi) return Rational(fl + 1);
  return fl + 1 / simplest_between(1 / (hi - fl), 1 / (lo - fl));
}

/// det((1 - t) M0 + t M1) as a polynomial in t, by exact interpolation at t = 0..k.
Poly segment_det(const Matrix<Rational>& m0, const Matrix<Rational>& m1) {
  const std::size_t k = m0.size();
  Matrix<Rational> vandermonde(k + 1, std::vector<Rational>(k + 1)), values(k + 1, std::vector<Rational>(1));
  for (std::size_t s = 0; s <= k; ++s) {
    const Rational t = static_cast<long>(s);
    Matrix<Rational> m = m0;
    for (std::size_t i = 0; i < k; ++i)
      for (std::size_t j = 0; j < k; ++j) m[i][j] = (1 - t) * m0[i][j] + t * m1[i][j];
    values[s][0] = determinant(m);
    Rational power = 1;
    for (std::size_t e = 0; e <= k; ++e, power *= t) vandermonde[s][e] = power;
  }
  const auto c = solve(vandermonde, values);  // distinct nodes: never singular
  Poly p;
  for (const auto& row : *c) p.push_back(row[0]);
  trim(p);
  return p;
}

/// A root of p in (0, 1), where p(0), p(1) != 0 and V(0) > V(1): narrowed by bisection. Returns
/// the exact root when one is found (a bisection point, or the simplest rational of the final
/// interval), else the isolating interval.
struct RootLocation {
  std::optional<Rational> exact;
  Rational lo, hi;
};

RootLocation locate_root(const Poly& p) {
  const auto chain = sturm_chain(p);
  Rational lo = 0, hi = 1;
  for (int step = 0; step < 64; ++step) {
    const Rational mid = (lo + hi) / 2;
    if (eval(p, mid) == 0) return {mid, mid, mid};
    if (variations(chain, lo) > variations(chain, mid)) hi = mid;
    else lo = mid;
  }
  const Rational s = simplest_between(lo, hi);
  if (eval(p, s) == 0) return {s, s, s};
  return {std::nullopt, lo, hi};
}

std::string decimal(const Rational& r) {
  PrecisionScope scope(64);
  return Real(r).to_string(6);
}

// ---- invertibility on the hull --------------------------------------------------------------

constexpr std::size_t kBoxCap = 4096;
constexpr std::size_t kSegmentCap = 20000;
constexpr std::size_t kSimplexCap = 20000;

std::string idx(std::size_t i) { return "#" + std::to_string(i + 1); }

std::vector<Rational> unit_weights(std::size_t count, std::size_t i) {
  std::vector<Rational> w(count, Rational(0));
  w[i] = 1;
  return w;
}

std::vector<Rational> segment_weights(std::size_t count, std::size_t i, std::size_t j, const Rational& t) {
  std::vector<Rational> w(count, Rational(0));
  w[i] += 1 - t;
  w[j] += t;
  return w;
}

/// Fails on the segment [M_i, M_j] whose det has a root in (0, 1).
HullInvertibility segment_failure(const std::vector<Matrix<Rational>>& ms, std::size_t i, std::size_t j,
                                  const Poly& p, const std::string& why) {
  HullInvertibility h;
  h.verdict = Verdict::Fails;
  const RootLocation r = locate_root(p);
  const std::string seg = "det((1 - t) " + idx(i) + " + t " + idx(j) + ")";
  if (r.exact) {
    h.reason = why + seg + " = 0 at t = " + to_string(*r.exact) + ": that matrix of the hull is singular";
    h.witness = segment_weights(ms.size(), i, j, *r.exact);
  } else {
    h.reason = why + seg + " = 0 for some t in [" + to_string(r.lo) + ", " + to_string(r.hi) + "] (t ~ " +
               decimal(r.lo) + "): a matrix of the hull is singular";
  }
  return h;
}

/// Step 3: do all vertices of the box of seen rows (columns when `transpose`) have dets of
/// sign `sign`? nullopt past the cap.
std::optional<bool> box_test(const std::vector<Matrix<Rational>>& ms, bool transpose, int sign,
                             std::size_t& vertices) {
  const std::size_t k = ms[0].size();
  std::vector<std::vector<std::vector<Rational>>> seen(k);
  for (const auto& m : ms)
    for (std::size_t r = 0; r < k; ++r) {
      std::vector<Rational> line(k);
      for (std::size_t c = 0; c < k; ++c) line[c] = transpose ? m[c][r] : m[r][c];
      if (std::find(seen[r].begin(), seen[r].end(), line) == seen[r].end()) seen[r].push_back(std::move(line));
    }
  if (SELGRAD_MUTANT(27)) seen[k - 1].resize(1);  // mutant 27: the box keeps one line of the last row
  vertices = 1;
  for (const auto& s : seen) {
    if (vertices > kBoxCap / s.size()) return std::nullopt;
    vertices *= s.size();
  }
  std::vector<std::size_t> digit(k, 0);
  for (std::size_t v = 0; v < vertices; ++v) {
    Matrix<Rational> m(k);
    for (std::size_t r = 0; r < k; ++r) m[r] = seen[r][digit[r]];
    if (determinant(m).sign() != sign) return false;  // (transposing does not change det)
    for (std::size_t r = 0; r < k; ++r) {
      if (++digit[r] < seen[r].size()) break;
      digit[r] = 0;
    }
  }
  return true;
}

/// Step 6, k = 2: minimum of sign * det(sum w_i M_i) over the simplex, by the stationary points
/// of the quadratic form on the faces of every sub-simplex of at most 5 matrices.
HullInvertibility quadratic_form_test(const std::vector<Matrix<Rational>>& ms, int sign, bool& capped) {
  const std::size_t count = ms.size();
  // Q_ij = (a_i d_j + a_j d_i - b_i c_j - b_j c_i) / 2 for M_i = [[a_i, b_i], [c_i, d_i]], so
  // that det(sum w_i M_i) = w^T Q w.
  Matrix<Rational> q(count, std::vector<Rational>(count));
  for (std::size_t i = 0; i < count; ++i)
    for (std::size_t j = 0; j < count; ++j)
      q[i][j] = sign *
                (ms[i][0][0] * ms[j][1][1] + ms[j][0][0] * ms[i][1][1] - ms[i][0][1] * ms[j][1][0] -
                 ms[j][0][1] * ms[i][1][0]) /
                2;
  const std::size_t max_size = std::min<std::size_t>(count, 5);
  // Number of subsets of sizes 2..max_size, capped.
  Rational subsets = 0;
  for (std::size_t s = 2; s <= max_size; ++s) {
    Rational c = 1;  // the binomial coefficient (count choose s)
    for (std::size_t t = 0; t < s; ++t) c = c * static_cast<long>(count - t) / static_cast<long>(t + 1);
    subsets += c;
  }
  if (subsets > static_cast<long>(kSimplexCap)) {
    capped = true;
    return {};
  }
  HullInvertibility h;
  std::vector<std::size_t> subset;
  std::function<bool(std::size_t)> visit = [&](std::size_t next) -> bool {
    if (subset.size() >= 2 && !(SELGRAD_MUTANT(28) && subset.size() > 2)) {  // mutant 28: edges only
      // Stationary point of w^T Q_S w on { sum w = 1 }: [2 Q_S 1; 1^T 0] [w; mu] = [0; 1].
      const std::size_t s = subset.size();
      Matrix<Rational> kkt(s + 1, std::vector<Rational>(s + 1, Rational(0))), rhs(s + 1, std::vector<Rational>(1));
      for (std::size_t a = 0; a < s; ++a) {
        for (std::size_t b = 0; b < s; ++b) kkt[a][b] = 2 * q[subset[a]][subset[b]];
        kkt[a][s] = 1;
        kkt[s][a] = 1;
      }
      rhs[s][0] = 1;
      if (const auto sol = solve(kkt, rhs)) {
        bool interior = true;
        for (std::size_t a = 0; a < s; ++a) interior = interior && (*sol)[a][0] > 0;
        if (interior) {
          Rational value = 0;
          for (std::size_t a = 0; a < s; ++a)
            for (std::size_t b = 0; b < s; ++b) value += (*sol)[a][0] * q[subset[a]][subset[b]] * (*sol)[b][0];
          if (value <= 0) {
            h.verdict = Verdict::Fails;
            h.witness.assign(count, Rational(0));
            for (std::size_t a = 0; a < s; ++a) h.witness[subset[a]] = (*sol)[a][0];
            std::string at;
            for (std::size_t a = 0; a < s; ++a)
              at += (a ? ", " : "") + to_string((*sol)[a][0]) + " " + idx(subset[a]);
            h.reason = "det over the hull is the quadratic form w^T Q w in the convex weights w; at w = (" + at +
                       ") it is " + to_string(sign * value) +
                       (value == 0 ? ": that matrix of the hull is singular"
                                   : ", of the sign opposite to the dets of the matrices: the segment from it to "
                                     "any of them meets a singular matrix");
            return true;
          }
        }
      }
    }
    if (subset.size() == max_size) return false;
    for (std::size_t i = next; i < count; ++i) {
      subset.push_back(i);
      if (visit(i + 1)) return true;
      subset.pop_back();
    }
    return false;
  };
  if (visit(0)) return h;
  h.verdict = Verdict::Holds;
  h.reason = "det over the hull is the quadratic form w^T Q w in the convex weights w; its minimum times the "
             "dets' sign, over every face of every sub-simplex of at most 5 of the " +
             std::to_string(count) +
             " matrices (they cover the hull: Caratheodory in the 4-dimensional space of 2 x 2 matrices), is "
             "attained at a face's unique stationary point or a vertex, and is > 0 at all of them (exact linear "
             "solves)";
  return h;
}

// ---- closure helpers ------------------------------------------------------------------------

/// hull_invertibility over the distinct matrices of `ms`, the witness mapped back to indices
/// of `ms` (the weight of a distinct matrix goes to its first occurrence).
HullInvertibility distinct_hull_invertibility(const std::vector<Matrix<Rational>>& ms) {
  std::vector<Matrix<Rational>> distinct;
  std::vector<std::size_t> first;
  std::map<Matrix<Rational>, std::size_t> where;
  for (std::size_t i = 0; i < ms.size(); ++i)
    if (where.emplace(ms[i], distinct.size()).second) {
      distinct.push_back(ms[i]);
      first.push_back(i);
    }
  HullInvertibility h = hull_invertibility(distinct);
  if (!h.witness.empty()) {
    std::vector<Rational> w(ms.size(), Rational(0));
    for (std::size_t j = 0; j < distinct.size(); ++j) w[first[j]] = h.witness[j];
    h.witness = std::move(w);
  }
  if (distinct.size() != ms.size())
    h.reason += " (matrices numbered among the " + std::to_string(distinct.size()) + " distinct ones)";
  return h;
}

std::string unknowns_text(const Program& f, std::size_t n) {
  return "B (the Jacobian in the unknowns " + join_names(f, n, f.p()) + ")";
}

std::string inverse_text(const Program& f) { return "M (the Jacobian of F in " + join_names(f, 0, f.p()) + ")"; }

}  // namespace

// ---- exact linear algebra -------------------------------------------------------------------

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

// ---- IMP and INV at a point -----------------------------------------------------------------

ImplicitResult implicit_jacobian(const Program& f, std::size_t n, const std::vector<Rational>& x,
                                 const std::vector<Rational>& y, const Options& o) {
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

// ---- the hypothesis -------------------------------------------------------------------------

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Holds: return "holds";
    case Verdict::Fails: return "fails";
    case Verdict::Undecided: return "undecided";
  }
  return "?";
}

HullInvertibility hull_invertibility(const std::vector<Matrix<Rational>>& ms) {
  HullInvertibility h;
  if (ms.empty()) {
    h.verdict = Verdict::Holds;
    h.reason = "no matrices: the hull is empty";
    return h;
  }
  const std::size_t k = ms[0].size();
  for (const auto& m : ms) {
    require_square(m, "hull_invertibility");
    if (m.size() != k) throw Error(ErrorKind::Usage, {}, "hull_invertibility: matrices of different sizes");
  }
  const std::size_t count = ms.size();
  // 1. Singular matrices, and dets of both signs.
  std::vector<int> signs;
  for (std::size_t i = 0; i < count; ++i) {
    signs.push_back(determinant(ms[i]).sign());
    if (signs[i] == 0) {
      h.verdict = Verdict::Fails;
      h.reason = "matrix " + idx(i) + " = " + matrix_text(ms[i]) + " is singular";
      h.witness = unit_weights(count, i);
      return h;
    }
  }
  for (std::size_t j = 1; j < count; ++j)
    if (signs[j] != signs[0]) {
      // The segment between them has a root: its det polynomial changes sign on [0, 1].
      HullInvertibility f = segment_failure(
          ms, 0, j, segment_det(ms[0], ms[j]),
          "det " + idx(0) + " and det " + idx(j) + " have opposite signs, so ");
      if (f.witness.empty()) f.witness = unit_weights(count, j);
      return f;
    }
  const int sign = signs[0];
  const std::string dets = "every matrix is nonsingular with det of sign " + std::string(sign > 0 ? "+" : "-");
  // 2. One number, or one matrix.
  if (k == 1 || count == 1) {
    h.verdict = Verdict::Holds;
    h.reason = dets + (k == 1 ? ", and the hull is an interval of numbers of that sign" : ", and the hull is that matrix");
    return h;
  }
  // 3. Row and column boxes.
  std::string box_note;
  for (bool transpose : {false, true}) {
    std::size_t vertices = 0;
    const auto ok = box_test(ms, transpose, sign, vertices);
    const char* what = transpose ? "column" : "row";
    if (ok && *ok) {
      h.verdict = Verdict::Holds;
      h.reason = dets + "; det is affine in each " + what + ", and at all " + std::to_string(vertices) +
                 " vertices of the box of seen " + what + "s (which contains the hull) it has that sign, so it has it "
                 "on the whole box";
      return h;
    }
    box_note += std::string(box_note.empty() ? "" : "; ") + "the " + what + " box " +
                (ok ? "has vertices of the other sign or singular" : "has more than " + std::to_string(kBoxCap) + " vertices");
  }
  // 4. Segments.
  const bool segments = count * (count - 1) / 2 <= kSegmentCap;
  if (segments) {
    for (std::size_t i = 0; i < count; ++i)
      for (std::size_t j = i + 1; j < count; ++j) {
        const Poly p = segment_det(ms[i], ms[j]);
        const auto chain = sturm_chain(p);
        // mutant 26: the root count is read backwards, so no segment ever fails
        if (SELGRAD_MUTANT(26) ? variations(chain, Rational(0)) < variations(chain, Rational(1))
                               : variations(chain, Rational(0)) > variations(chain, Rational(1)))
          return segment_failure(ms, i, j, p, "");
      }
    // 5. Two matrices: the hull is the segment.
    if (count == 2) {
      h.verdict = Verdict::Holds;
      h.reason = dets + "; the hull is the segment between them, and det((1 - t) #1 + t #2) has no root in [0, 1] "
                        "(Sturm sequence)";
      return h;
    }
  }
  // 6. 2 x 2 matrices: the quadratic form.
  bool capped = false;
  if (k == 2) {
    HullInvertibility q = quadratic_form_test(ms, sign, capped);
    if (!capped) {
      if (q.verdict == Verdict::Holds) q.reason = dets + "; " + q.reason;
      return q;
    }
  }
  h.verdict = Verdict::Undecided;
  h.reason = dets + "; " + box_note + "; " +
             (segments ? "no segment between two of the " + std::to_string(count) + " matrices meets a singular matrix"
                       : "the " + std::to_string(count * (count - 1) / 2) + " segments were not checked (above " +
                             std::to_string(kSegmentCap) + ")") +
             "; " +
             (k == 2 ? "the quadratic-form test has more than " + std::to_string(kSimplexCap) + " sub-simplices"
                     : "det over the hull of " + std::to_string(count) + " matrices of size " + std::to_string(k) +
                           " is a form of degree " + std::to_string(k) +
                           " in the convex weights, and whether the interior of the hull meets det = 0 is not decided");
  return h;
}

// ---- over the tie closure -------------------------------------------------------------------

ImplicitClosure implicit_closure(const Program& f, std::size_t n, const std::vector<Rational>& x,
                                 const std::vector<Rational>& y, const Options& o) {
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
  c.hypothesis = distinct_hull_invertibility(c.b);
  return c;
}

InverseClosure inverse_closure(const Program& f, const std::vector<Rational>& x, const Options& o) {
  check_inverse_shape(f);
  InverseClosure c;
  c.closure = tie_closure(f, x, o);
  for (std::size_t i = 0; i < c.closure.jacobians.size(); ++i) {
    auto inv = inverse(c.closure.jacobians[i]);
    if (!inv) c.singular.push_back(i);
    c.inverses.push_back(std::move(inv));
  }
  c.hypothesis = distinct_hull_invertibility(c.closure.jacobians);
  return c;
}

}  // namespace selgrad::reference
