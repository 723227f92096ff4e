// The implicit layer API (fast/implicit.hpp) on the example programs, against the exact reference
// (reference/implicit.hpp, math.md IMP, INV): Clarke's inverse, the monotone equilibrium layer,
// the Lasso path and its kink, the bilevel example's singular B; the solver's statuses (Newton
// and fixed point, converged or not, never silent); the LU factorization and its rcond warning.
//
// Agreement with the exact -B^{-1} A is checked against an a priori bound (implicit_bound below)
// at points where the double engine takes the exact branches; at ties the double result must be
// within that bound of one element of the exact tie closure.
#include "selgrad/eigen.hpp"
#include <cmath>
#include <optional>
#include <random>
#include <string>

#include "reference/fixtures.hpp"
#include "selgrad/fast/implicit.hpp"
#include "selgrad/reference/implicit.hpp"

namespace selgrad::testing {
namespace {

using fast::ImplicitFunction;
using fast::ImplicitRule;
using fast::SolveMethod;
using fast::SolveOptions;
using fast::SolveStatus;
using DMat = fast::Matrix;
using DVec = fast::Vector;
using QMat = reference::Matrix<Rational>;
using QVec = std::vector<Rational>;

constexpr double u = 0x1p-53;  // unit roundoff of double

DVec dvec(std::initializer_list<double> v) {
  DVec out(static_cast<Eigen::Index>(v.size()));
  Eigen::Index i = 0;
  for (double x : v) out(i++) = x;
  return out;
}

double to_double(const Rational& r) { return r.convert_to<double>(); }

DVec to_dvec(const QVec& v) {
  DVec out(static_cast<Eigen::Index>(v.size()));
  for (std::size_t i = 0; i < v.size(); ++i) out(static_cast<Eigen::Index>(i)) = to_double(v[i]);
  return out;
}

DMat to_dmat(const QMat& m) {
  DMat out(static_cast<Eigen::Index>(m.size()), m.empty() ? 0 : static_cast<Eigen::Index>(m[0].size()));
  for (Eigen::Index i = 0; i < out.rows(); ++i)
    for (Eigen::Index j = 0; j < out.cols(); ++j)
      out(i, j) = to_double(m[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)]);
  return out;
}

QVec to_qvec(const DVec& v) {  // exact: every double is a rational
  QVec out;
  for (Eigen::Index i = 0; i < v.size(); ++i) out.emplace_back(v(i));
  return out;
}

double norm_inf(const DMat& m) { return m.size() == 0 ? 0.0 : m.cwiseAbs().rowwise().sum().maxCoeff(); }
double norm_1(const DMat& m) { return norm_inf(m.transpose()); }

// ---- the error bound ------------------------------------------------------------------------

/// The exact IMP data at a point, rounded to double for the comparison.
struct ExactImplicit {
  DMat a, b, binv, j;
};

ExactImplicit exact_implicit(const Program& f, std::size_t n, const QVec& x, const QVec& y) {
  const auto r = reference::implicit_jacobian(f, n, x, y);
  return {to_dmat(r.a), to_dmat(r.b), to_dmat(*reference::inverse(r.b)), to_dmat(r.jacobian)};
}

/// A priori bound on ||J_double - J_exact|| in the infinity norm (transpose = false: the JVP
/// and jacobian(), products with J) or the 1 norm (transpose = true: the VJP, products with J^T),
/// where J = -B^{-1} A and the double engine takes the exact branches. Derivation:
///  * tape: in these programs (lin, relu, abs, max, min, sub) every entry of [A B] is a sum of
///    at most 4 path products, each of at most 3 local partials that are exact (0, +-1) or a
///    literal rounded to nearest, each product of magnitude at most c = max(1, max |entry|);
///    with one rounding per operation of the reverse sweep, |entry error| <= tau = 16 u c. So
///    ||dA|| <= n tau (inf) or m tau (1), ||dB|| <= m tau;
///  * LU with partial pivoting (Higham, Accuracy and Stability, Thm 9.4): each solve is exact for
///    B + E with |E| <= gamma_3m |L||U|, and || |L||U| || <= m 2^{m-1} ||B|| (growth factor at
///    most 2^{m-1}, |L| <= 1): ||E|| <= 3 m u m 2^{m-1} ||B|| (to first order);
///  * perturbation of J = -B^{-1} A:
///      ||dJ|| <= ||B^{-1}|| (||dA|| + ||dB + E|| ||J||) / (1 - ||B^{-1}|| ||dB + E||);
///  * VJP: the product A^T w adds at most m u ||A||_1 ||w||_inf, ||w||_inf <= ||B^{-1}||_1 for a
///    unit ybar; and rounding the exact J to double adds u ||J||.
double implicit_bound(const ExactImplicit& e, bool transpose) {
  const auto nrm = [&](const DMat& m) { return transpose ? norm_1(m) : norm_inf(m); };
  const double m = static_cast<double>(e.b.rows()), n = static_cast<double>(e.a.cols());
  const double c = std::max({1.0, e.a.cwiseAbs().maxCoeff(), e.b.cwiseAbs().maxCoeff()});
  const double tau = 16 * u * c;
  const double da = (transpose ? m : n) * tau;
  const double db = m * tau + 3 * m * u * m * std::pow(2.0, m - 1) * nrm(e.b);
  const double binv = nrm(e.binv), j = nrm(e.j);
  EXPECT_LT(binv * db, 0.5);
  double bound = binv * (da + db * j) / (1 - binv * db) + u * j;
  if (transpose) bound += m * u * nrm(e.a) * binv;
  return bound;
}

/// The JVP (all unit directions), the VJP (all unit cotangents) and jacobian() of `rule` agree
/// with the exact J within implicit_bound. Returns the largest error / bound ratio.
double expect_matches_exact(const ImplicitRule& rule, const ExactImplicit& e, const std::string& where) {
  const DMat jvp = rule.jvp_batch(DMat::Identity(e.a.cols(), e.a.cols()));
  const DMat vjp = rule.vjp_batch(DMat::Identity(e.b.rows(), e.b.rows()));
  const double bi = implicit_bound(e, false), bt = implicit_bound(e, true);
  const double ej = norm_inf(jvp - e.j), ev = norm_inf(vjp - e.j.transpose()), ejac = norm_inf(rule.jacobian() - e.j);
  EXPECT_LE(ej, bi) << where << "\nJ double:\n" << jvp << "\nJ exact:\n" << e.j;
  EXPECT_LE(ejac, bi) << where;
  EXPECT_LE(ev, bt) << where << "\nJ^T double:\n" << vjp;
  // Single directions go through the same factorization as the batched ones.
  for (Eigen::Index i = 0; i < e.a.cols(); ++i)
    EXPECT_LE((rule.jvp(DVec(DVec::Unit(e.a.cols(), i))) - e.j.col(i)).lpNorm<Eigen::Infinity>(), bi) << where;
  for (Eigen::Index i = 0; i < e.b.rows(); ++i)
    EXPECT_LE((rule.vjp(DVec(DVec::Unit(e.b.rows(), i))) - e.j.row(i).transpose()).lpNorm<Eigen::Infinity>(), bt) << where;
  return std::max({ej / bi, ev / bt, ejac / bi});
}

// ---- the LU factorization -------------------------------------------------------------------

TEST(LuFactorization, SolvesBothWaysAndEstimatesTheConditionNumber) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> g;
  DMat b(6, 6), r(6, 2);
  for (Eigen::Index k = 0; k < b.size(); ++k) b.data()[k] = g(rng);
  for (Eigen::Index k = 0; k < r.size(); ++k) r.data()[k] = g(rng);
  const DMat inv = b.inverse();
  const double true_rcond = 1 / (norm_1(b) * norm_1(inv));
  for (const auto piv : {fast::Pivoting::Partial, fast::Pivoting::Full}) {
    fast::LuFactorization lu(piv);
    lu.compute(b);
    DMat x, xt;
    lu.solve(r, x);
    lu.solve_transpose(r, xt);
    EXPECT_LT(norm_inf(b * x - r), 1e-13);
    EXPECT_LT(norm_inf(b.transpose() * xt - r), 1e-13);
    EXPECT_FALSE(lu.singular());
    // The estimate never exceeds the true value by more than rounding and is within a factor 10.
    EXPECT_LE(lu.rcond(), true_rcond * (1 + 1e-10));
    EXPECT_GE(lu.rcond(), true_rcond / 10);
  }
}

TEST(LuFactorization, ExactlySingularMatricesHaveAZeroPivotAndRcondZero) {
  for (const auto piv : {fast::Pivoting::Partial, fast::Pivoting::Full}) {
    fast::LuFactorization lu(piv);
    DMat s(3, 3);
    s << 1, 2, 3, 2, 4, 6, 0, 0, 1;
    lu.compute(s);
    EXPECT_TRUE(lu.singular());
    EXPECT_EQ(lu.rcond(), 0.0);
    lu.compute(DMat::Zero(2, 2));
    EXPECT_TRUE(lu.zero_pivot());
    EXPECT_EQ(lu.rcond(), 0.0);
  }
}

TEST(ImplicitRuleWarning, NearlySingularBIsFlaggedWithTheThreshold) {
  // rcond of [[1, 1], [1, 1 + e]] is about e / 4: flagged below 1e-8, singular below eps.
  DMat b(2, 2);
  b << 1, 1, 1, 1 + 1e-10;
  const ImplicitRule near(DMat::Identity(2, 1), b);
  EXPECT_TRUE(near.nearly_singular());
  EXPECT_LT(near.rcond(), fast::kNearlySingularRcond);
  EXPECT_NE(near.warning().find("nearly singular: rcond = "), std::string::npos) << near.warning();
  EXPECT_NE(near.warning().find("< 1e-08"), std::string::npos) << near.warning();
  b(1, 1) = 1 + 1e-3;
  const ImplicitRule fine(DMat::Identity(2, 1), b);
  EXPECT_FALSE(fine.nearly_singular());
  EXPECT_TRUE(fine.warning().empty());
  b(1, 1) = 1 + 0x1p-52;  // rcond ~ 5e-17 < eps: singular to working precision
  try {
    ImplicitRule bad(DMat::Identity(2, 1), b);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Domain);
    EXPECT_NE(std::string(e.what()).find("B (the Jacobian in the unknowns y1, y2) is singular"), std::string::npos) << e.what();
  }
}

// ---- Clarke's inverse (INV through IMP) -----------------------------------------------------

TEST(ImplicitClarke, NewtonInvertsClarkesMapAndTheRuleMatchesTheExactInverse) {
  // G(u, v, x, y) = F(x, y) - (u, v), F(x, y) = (|x| + y, 2x + |y|): -B^{-1} A = M^{-1}.
  const Program prog = example("inverse_clarke.sgp");
  const ImplicitFunction f = ImplicitFunction::from_program(prog, 2);
  double worst = 0;
  for (const auto& [px, py] : {std::pair{1.0, 2.0}, {-1.0, 2.0}, {2.0, -1.0}, {-0.5, -3.0}, {3.0, 0.5}}) {
    const DVec uv = dvec({std::abs(px) + py, 2 * px + std::abs(py)});  // exact in double
    const auto s = fast::solve_implicit(f, uv, DVec::Zero(2));
    ASSERT_TRUE(s.converged) << s.reason;
    EXPECT_LT((s.y - dvec({px, py})).lpNorm<Eigen::Infinity>(), 1e-15) << s.reason;
    EXPECT_LE(s.iterations, 6u) << s.reason;
    const ImplicitRule rule(f, uv, s);  // reuses [A B] from the last Newton iterate
    EXPECT_EQ(rule.residual(), s.residual);
    const auto e = exact_implicit(prog, 2, to_qvec(uv), to_qvec(dvec({px, py})));
    worst = std::max(worst, expect_matches_exact(rule, e, "at (" + std::to_string(px) + ", " + std::to_string(py) + ")"));
  }
  // On the axes and at 0 (kinks of |.|): the exact points, where double arithmetic is exact and
  // takes the reference's tie rule abs'(0) = 0.
  for (const auto& [px, py] : {std::pair{0.0, 2.0}, {0.0, -2.0}, {3.0, 0.0}, {-3.0, 0.0}, {0.0, 0.0}}) {
    const DVec uv = dvec({std::abs(px) + py, 2 * px + std::abs(py)});
    const ImplicitRule rule(f, uv, dvec({px, py}));
    EXPECT_GE(rule.tied_decisions(), 1u);
    const auto e = exact_implicit(prog, 2, to_qvec(uv), to_qvec(dvec({px, py})));
    worst = std::max(worst, expect_matches_exact(rule, e, "kink (" + std::to_string(px) + ", " + std::to_string(py) + ")"));
  }
  // At 0: M = [[0, 1], [2, 0]], M^{-1} = [[0, 1/2], [1, 0]] (inverse_clarke.sgp).
  const ImplicitRule at0(f, DVec::Zero(2), DVec::Zero(2));
  EXPECT_EQ(at0.jacobian(), (DMat(2, 2) << 0, 0.5, 1, 0).finished());
  RecordProperty("worst_error_over_bound", std::to_string(worst));
}

// ---- the monotone equilibrium layer ---------------------------------------------------------

const QMat& eq_w() {
  static const QMat w = matrix({{"1/4", "-1/2", "0"}, {"1/3", "0", "1/4"}, {"-1/4", "1/4", "1/4"}});
  return w;
}

/// The exact fixed point of z = relu(W z + b) for the activity pattern `active`, if that
/// pattern is consistent with strict margins (pre-activation > 0 on it, < 0 off it).
std::optional<QVec> exact_equilibrium(const QVec& b, const std::vector<bool>& active) {
  QMat m(3, QVec(3, Rational(0))), rhs(3, QVec(1, Rational(0)));
  for (std::size_t i = 0; i < 3; ++i) {
    m[i][i] = 1;
    if (!active[i]) continue;
    for (std::size_t j = 0; j < 3; ++j) m[i][j] -= eq_w()[i][j];
    rhs[i][0] = b[i];
  }
  const auto z = reference::solve(m, rhs);
  if (!z) return std::nullopt;
  QVec out;
  for (std::size_t i = 0; i < 3; ++i) out.push_back((*z)[i][0]);
  for (std::size_t i = 0; i < 3; ++i) {
    Rational pre = b[i];
    for (std::size_t j = 0; j < 3; ++j) pre += eq_w()[i][j] * out[j];
    if (active[i] ? pre <= 0 : pre >= 0) return std::nullopt;
  }
  return out;
}

TEST(ImplicitEquilibrium, NewtonAndFixedPointAgreeAndTheRuleMatchesTheReference) {
  const Program prog = example("equilibrium.sgp");
  const ImplicitFunction f = ImplicitFunction::from_program(prog, 3);
  std::mt19937 gen(3);
  std::uniform_int_distribution<int> num(-4, 4), den(1, 4);
  int checked = 0, reused = 0;
  double worst = 0;
  for (int trial = 0; trial < 20; ++trial) {
    const QVec bq = trial == 0 ? point({"1", "-1", "1/2"})
                               : QVec{Rational(num(gen), 1 << den(gen)), Rational(num(gen), 1 << den(gen)),
                                      Rational(num(gen), 1 << den(gen))};  // dyadic: exact in double
    const DVec b = to_dvec(bq);
    const auto newton = fast::solve_implicit(f, b, DVec::Zero(3));
    ASSERT_TRUE(newton.converged) << newton.reason;
    SolveOptions fp;
    fp.method = SolveMethod::FixedPoint;
    fp.max_iterations = 500;
    const auto fixed = fast::solve_implicit(f, b, DVec::Zero(3), fp);
    ASSERT_TRUE(fixed.converged) << fixed.reason;
    // Both solutions are within ||(I - D W)^{-1}||_inf tolerance (<= 4 tolerance, ||W||_inf = 3/4)
    // of the fixed point, plus rounding.
    EXPECT_LT((newton.y - fixed.y).lpNorm<Eigen::Infinity>(), 8 * 1e-12 + 1e-15);
    // The exact fixed point, from the pattern the double solve found.
    std::vector<bool> active(3);
    for (int i = 0; i < 3; ++i) active[static_cast<std::size_t>(i)] = newton.y(i) > 0;
    const auto z = exact_equilibrium(bq, active);
    if (!z) continue;  // a unit at its kink: covered by the tie test below
    EXPECT_LT((newton.y - to_dvec(*z)).lpNorm<Eigen::Infinity>(), 4 * 1e-12 + 1e-15);
    if (trial == 0) {
      EXPECT_EQ(*z, point({"4/3", "0", "2/9"}));
    }
    const ImplicitRule rule(f, b, newton);
    // Newton's last step stayed in one piece: its factorization of B is reused, not recomputed
    // (none when the start z = 0 is already the solution).
    if (newton.iterations > 0) {
      ASSERT_TRUE(newton.factorization) << newton.reason;
      EXPECT_EQ(&rule.factorization(), newton.factorization.get());
      ++reused;
    }
    const auto e = exact_implicit(prog, 3, bq, *z);
    // The rule at the double solution and at the exact one rounded: both take the exact branches.
    worst = std::max(worst, expect_matches_exact(rule, e, "trial " + std::to_string(trial)));
    worst = std::max(worst, expect_matches_exact(ImplicitRule(f, b, to_dvec(*z)), e, "exact z, trial " + std::to_string(trial)));
    // Complete pivoting gives the same answer.
    fast::ImplicitOptions full;
    full.pivoting = fast::Pivoting::Full;
    expect_matches_exact(ImplicitRule(f, b, newton, full), e, "full pivoting");
    ++checked;
  }
  EXPECT_GE(checked, 15);
  EXPECT_GE(reused, 10);
  RecordProperty("worst_error_over_bound", std::to_string(worst));
}

TEST(ImplicitEquilibrium, AtATiedUnitTheRuleGivesAnElementOfTheTieClosure) {
  // b = (3/4, -11/24, 5/8), z = (1, 0, 1/2): unit 2 has W z + b = 0 exactly. In double, b2 and
  // 1/3 are rounded, so the engine may see either side of the kink; either way its -B^{-1} A
  // must be (within the bound) one of the closure's Jacobians (I - D W)^{-1} D.
  const Program prog = example("equilibrium.sgp");
  const ImplicitFunction f = ImplicitFunction::from_program(prog, 3);
  const QVec bq = point({"3/4", "-11/24", "5/8"}), zq = point({"1", "0", "1/2"});
  const auto closure = reference::implicit_closure(prog, 3, bq, zq);
  ASSERT_EQ(closure.jacobians.size(), 2u);
  const auto s = fast::solve_implicit(f, to_dvec(bq), DVec::Zero(3));
  ASSERT_TRUE(s.converged) << s.reason;
  const ImplicitRule rule(f, to_dvec(bq), s);
  const DMat j = rule.jacobian();
  bool matched = false;
  for (std::size_t i = 0; i < closure.jacobians.size(); ++i) {
    ExactImplicit e{to_dmat(closure.a[i]), to_dmat(closure.b[i]), to_dmat(*reference::inverse(closure.b[i])),
                    to_dmat(*closure.jacobians[i])};
    matched = matched || norm_inf(j - e.j) <= implicit_bound(e, false);
  }
  EXPECT_TRUE(matched) << j;
}

TEST(ImplicitEquilibrium, DenseCallableAndProgramAgree) {
  // The same F written as a dense callable: A = -D, B = I - D W with D = diag(W z + b > 0).
  const DMat w = to_dmat(eq_w());
  const ImplicitFunction dense(3, 3, [&](const DVec& b, const DVec& z, bool jac, fast::Linearization& out) {
    const DVec pre = w * z + b;
    out.value = z - pre.cwiseMax(0.0);
    if (!jac) return;
    const DVec d = (pre.array() > 0).cast<double>();
    out.a = -DMat(d.asDiagonal());
    out.b = DMat::Identity(3, 3) - d.asDiagonal() * w;
  });
  const ImplicitFunction prog = ImplicitFunction::from_program(example("equilibrium.sgp"), 3);
  const DVec b = dvec({1, -1, 0.5});
  const auto sd = fast::solve_implicit(dense, b, DVec::Zero(3));
  const auto sp = fast::solve_implicit(prog, b, DVec::Zero(3));
  ASSERT_TRUE(sd.converged && sp.converged) << sd.reason << " / " << sp.reason;
  EXPECT_LT((sd.y - sp.y).lpNorm<Eigen::Infinity>(), 1e-15);
  const DMat jd = ImplicitRule(dense, b, sd).jacobian();
  EXPECT_LT(norm_inf(jd - ImplicitRule(prog, b, sp).jacobian()), 1e-15);
  // Taking the solve result over gives the same rule, with Newton's factorization.
  const auto* lu = sd.factorization.get();
  ASSERT_NE(lu, nullptr);
  const ImplicitRule moved(dense, b, fast::SolveResult(sd));
  EXPECT_EQ(moved.jacobian(), jd);
  EXPECT_EQ(&moved.factorization(), lu);
}

// ---- the Lasso path -------------------------------------------------------------------------

// The data of examples/lasso.sgp: A (4 x 3), b, step s = 1/5.
const QMat& lasso_a() {
  static const QMat a = matrix({{"1", "0", "1"}, {"0", "1", "1"}, {"1", "1", "0"}, {"1", "-1", "1"}});
  return a;
}
const QVec& lasso_b() {
  static const QVec b = point({"1", "-2", "3", "2"});
  return b;
}

QMat lasso_gram() {
  QMat g(3, QVec(3, Rational(0)));
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 3; ++j)
      for (std::size_t r = 0; r < 4; ++r) g[i][j] += lasso_a()[r][i] * lasso_a()[r][j];
  return g;
}

/// A^T (b - A x), exactly.
QVec lasso_correlation(const QVec& x) {
  QVec c(3, Rational(0));
  for (std::size_t r = 0; r < 4; ++r) {
    Rational res = lasso_b()[r];
    for (std::size_t j = 0; j < 3; ++j) res -= lasso_a()[r][j] * x[j];
    for (std::size_t j = 0; j < 3; ++j) c[j] += lasso_a()[r][j] * res;
  }
  return c;
}

/// The exact Lasso solution at t > 0: the sign pattern whose KKT conditions hold.
QVec lasso_solution(const Rational& t) {
  const QMat g = lasso_gram();
  const QVec atb = lasso_correlation(QVec(3, Rational(0)));
  for (int code = 0; code < 27; ++code) {
    int sign[3];
    std::vector<std::size_t> s;
    for (int j = 0, c = code; j < 3; ++j, c /= 3)
      if ((sign[j] = c % 3 - 1) != 0) s.push_back(static_cast<std::size_t>(j));
    QVec x(3, Rational(0));
    if (!s.empty()) {
      QMat gs(s.size(), QVec(s.size())), rhs(s.size(), QVec(1));
      for (std::size_t i = 0; i < s.size(); ++i) {
        for (std::size_t k = 0; k < s.size(); ++k) gs[i][k] = g[s[i]][s[k]];
        rhs[i][0] = atb[s[i]] - t * sign[s[i]];
      }
      const auto xs = reference::solve(gs, rhs);
      if (!xs) continue;
      bool ok = true;
      for (std::size_t i = 0; i < s.size(); ++i) ok = ok && (*xs)[i][0].sign() == sign[s[i]];
      if (!ok) continue;
      for (std::size_t i = 0; i < s.size(); ++i) x[s[i]] = (*xs)[i][0];
    }
    const QVec c = lasso_correlation(x);
    bool kkt = true;
    for (std::size_t j = 0; j < 3; ++j)
      if (sign[j] == 0) kkt = kkt && abs(c[j]) <= t;
    if (kkt) return x;
  }
  ADD_FAILURE() << "no Lasso solution";
  return {};
}

/// The exact LARS slope -(A_E^T A_E)^{-1} s_E on E = {j : |c_j| = t}, with s_E the sign of the
/// correlation c = A^T (b - A x) (equal to sign(x_j) where x_j != 0, and the right sign at a kink
/// where x_j = 0 is about to become nonzero); 0 off E.
QVec lars_slope(const QVec& x, const Rational& t) {
  const QVec c = lasso_correlation(x);
  const QMat g = lasso_gram();
  std::vector<std::size_t> e;
  for (std::size_t j = 0; j < 3; ++j)
    if (abs(c[j]) == t) e.push_back(j);
  QVec slope(3, Rational(0));
  if (e.empty()) return slope;
  QMat ge(e.size(), QVec(e.size())), rhs(e.size(), QVec(1));
  for (std::size_t i = 0; i < e.size(); ++i) {
    for (std::size_t k = 0; k < e.size(); ++k) ge[i][k] = g[e[i]][e[k]];
    rhs[i][0] = -Rational(c[e[i]].sign());
  }
  const auto d = reference::solve(ge, rhs);
  for (std::size_t i = 0; i < e.size(); ++i) slope[e[i]] = (*d)[i][0];
  return slope;
}

TEST(ImplicitLasso, ProxGradientThenTheRuleGivesTheExactLarsSlope) {
  // y - F(t, y) is one proximal-gradient step (lasso.sgp), so the fixed-point method is ISTA.
  // With s = 1/5 = 1/L it contracts by max |1 - s lambda| <= 4/5 on the active set.
  const Program prog = example("lasso.sgp");
  const ImplicitFunction f = ImplicitFunction::from_program(prog, 1);
  SolveOptions ista;
  ista.method = SolveMethod::FixedPoint;
  ista.tolerance = 1e-14;
  ista.max_iterations = 5000;
  double worst = 0;
  for (const char* ts : {"1/8", "1/4", "1/2", "3/2", "2", "5/2", "4", "11/2", "7", "10"}) {
    const Rational tq = q(ts);
    const DVec t = dvec({to_double(tq)});  // dyadic: exact
    const auto s = fast::solve_implicit(f, t, DVec::Zero(3), ista);
    ASSERT_TRUE(s.converged) << ts << ": " << s.reason;
    const QVec x = lasso_solution(tq);
    // On the solution's piece F is affine with B = s A_E^T A_E (smallest eigenvalue >= 1/5 here):
    // |y - x| <= ||B^{-1}|| ||F|| <= 5 * 3 * tolerance, plus rounding.
    EXPECT_LT((s.y - to_dvec(x)).lpNorm<Eigen::Infinity>(), 15 * ista.tolerance + 1e-15) << ts;
    const ImplicitRule rule(f, t, s);
    EXPECT_FALSE(rule.nearly_singular()) << rule.warning();
    const auto e = exact_implicit(prog, 1, {tq}, x);
    worst = std::max(worst, expect_matches_exact(rule, e, std::string("t = ") + ts));
    // ... and the exact Jacobian is the LARS slope.
    EXPECT_EQ(e.j, to_dmat(QMat{lars_slope(x, tq)}).transpose()) << ts;
  }
  RecordProperty("worst_error_over_bound", std::to_string(worst));
}

TEST(ImplicitLasso, AtTheKinkTheRuleGivesOneOneSidedSlopeAndLarsNeedsTheCorrelationSign) {
  // t = 9/5: x = (7/5, 0, 0) and x3 leaves the support (E = {1, 3}). 9/5 is not a double, so
  // the double problem sits just beside the kink, on either side: the rule's answer must be one
  // of the two one-sided slopes, the elements of the tie closure at the exact kink.
  const Program prog = example("lasso.sgp");
  const ImplicitFunction f = ImplicitFunction::from_program(prog, 1);
  const Rational tq = q("9/5");
  const QVec x = lasso_solution(tq);
  ASSERT_EQ(x, point({"7/5", "0", "0"}));
  const auto closure = reference::implicit_closure(prog, 1, {tq}, x);
  SolveOptions ista;
  ista.method = SolveMethod::FixedPoint;
  ista.tolerance = 1e-14;
  ista.max_iterations = 5000;
  const DVec t = dvec({1.8});
  const auto s = fast::solve_implicit(f, t, DVec::Zero(3), ista);
  ASSERT_TRUE(s.converged) << s.reason;
  const DMat j = ImplicitRule(f, t, s).jacobian();
  bool matched = false;
  for (std::size_t i = 0; i < closure.jacobians.size(); ++i) {
    if (!closure.jacobians[i]) continue;
    ExactImplicit e{to_dmat(closure.a[i]), to_dmat(closure.b[i]), to_dmat(*reference::inverse(closure.b[i])),
                    to_dmat(*closure.jacobians[i])};
    matched = matched || norm_inf(j - e.j) <= implicit_bound(e, false);
  }
  EXPECT_TRUE(matched) << j.transpose();
  // The LARS slope at the exact kink: with the correlation's sign on E = {1, 3} it is the left
  // derivative (-1, 0, 1); with sign(x_E) taken literally (sign(x3) = 0) it would be
  // -(A_E^T A_E)^{-1} (1, 0) = (-3/5, 0, 2/5), neither one-sided slope.
  EXPECT_EQ(lars_slope(x, tq), point({"-1", "0", "1"}));
  const DMat lhs = (DMat(2, 2) << 3, 2, 2, 3).finished();
  EXPECT_LT((lhs.partialPivLu().solve(dvec({-1, 0})) - dvec({-0.6, 0.4})).norm(), 1e-15);
  EXPECT_GT((j.col(0) - dvec({-0.6, 0, 0.4})).norm(), 0.1);
}

// ---- the bilevel example: singular B --------------------------------------------------------

TEST(ImplicitBilevel, SingularBIsReportedByTheRuleAndByNewton) {
  const Program prog = example("bilevel.sgp");
  const ImplicitFunction f = ImplicitFunction::from_program(prog, 2);
  // Off the line y = 2x - 2: c = -2x + y + 2 = 2 > 0, the solution is the corner (3, 5). In the
  // interior of the box, F(s) = s - (s + c) = -c is constant: B = 0, Newton has no step.
  const DVec x = dvec({0, 0});
  const auto newton = fast::solve_implicit(f, x, dvec({0.5, 0.5}));
  EXPECT_FALSE(newton.converged);
  EXPECT_EQ(newton.status, SolveStatus::SingularJacobian);
  EXPECT_NE(newton.reason.find("B (the Jacobian in the unknowns s1, s2) is singular at Newton step 0"), std::string::npos)
      << newton.reason;
  // Projected gradient (the fixed-point method) gets there, and there B = I, ds/dx = 0.
  SolveOptions fp;
  fp.method = SolveMethod::FixedPoint;
  const auto fixed = fast::solve_implicit(f, x, dvec({0.5, 0.5}), fp);
  ASSERT_TRUE(fixed.converged) << fixed.reason;
  EXPECT_EQ(fixed.y, dvec({3, 5}));
  const ImplicitRule corner(f, x, fixed);
  EXPECT_EQ(corner.b(), DMat::Identity(2, 2));
  EXPECT_EQ(corner.jacobian(), DMat::Zero(2, 2));
  // On the line (x, y) = (1, 0) every s of the box solves F = 0: the solve succeeds at once, and
  // the rule refuses, naming the unknowns, like the reference.
  const DVec on = dvec({1, 0});
  const auto interior = fast::solve_implicit(f, on, dvec({1, 2}));
  ASSERT_TRUE(interior.converged) << interior.reason;
  EXPECT_EQ(interior.iterations, 0u);
  for (const DVec& s : {dvec({1, 2}), dvec({3, 5}), dvec({0, 0})}) {
    try {
      ImplicitRule rule(f, on, s);
      ADD_FAILURE() << "no error at s = " << s.transpose();
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Domain);
      EXPECT_NE(std::string(e.what()).find("B (the Jacobian in the unknowns s1, s2) is singular at this point"),
                std::string::npos)
          << e.what();
    }
  }
}

// ---- solver statuses ------------------------------------------------------------------------

TEST(ImplicitSolve, NewtonWithoutARootReportsFailure) {
  // F(x, y) = y^2 + x has no root for x = 1.
  const ImplicitFunction f =
      ImplicitFunction::from_program(parse_program("input x y\nq = mul y y\nf = add q x\noutput f\n"), 1);
  for (double y0 : {1.0, 0.3, -2.0}) {
    const auto s = fast::solve_implicit(f, dvec({1}), dvec({y0}));
    EXPECT_FALSE(s.converged);
    EXPECT_NE(s.status, SolveStatus::Converged);
    EXPECT_GE(s.residual, 1.0);
    EXPECT_FALSE(s.reason.empty());
    EXPECT_EQ(s.reason.find("converged"), std::string::npos) << s.reason;
  }
}

TEST(ImplicitSolve, MaxIterationsIsReportedForNewtonAndFixedPoint) {
  const ImplicitFunction f = ImplicitFunction::from_program(example("equilibrium.sgp"), 3);
  SolveOptions one;
  one.max_iterations = 0;
  const auto s = fast::solve_implicit(f, dvec({1, -1, 0.5}), DVec::Zero(3), one);
  EXPECT_EQ(s.status, SolveStatus::MaxIterations);
  EXPECT_NE(s.reason.find("no convergence after 0 Newton steps"), std::string::npos) << s.reason;
  // y <- y - F = 2 y + x does not contract: reported with the observed residual ratio.
  const ImplicitFunction g = ImplicitFunction::from_program(parse_program("input x y\nf = lin 0 -1 y -1 x\noutput f\n"), 1);
  SolveOptions fp;
  fp.method = SolveMethod::FixedPoint;
  fp.max_iterations = 40;
  const auto d = fast::solve_implicit(g, dvec({1}), dvec({1}), fp);
  EXPECT_EQ(d.status, SolveStatus::MaxIterations);
  EXPECT_EQ(d.iterations, 40u);
  EXPECT_NE(d.reason.find("last residual ratio 2 (not contracting)"), std::string::npos) << d.reason;
  // Newton solves that linear problem in one step.
  EXPECT_EQ(fast::solve_implicit(g, dvec({1}), dvec({1})).iterations, 1u);
  // Divergence to infinity is reported as non-finite.
  fp.max_iterations = 5000;
  EXPECT_EQ(fast::solve_implicit(g, dvec({1}), dvec({1}), fp).status, SolveStatus::NonFinite);
}

TEST(ImplicitSolve, DomainErrorsStopAtTheStartAndAreBacktrackedOverInTheLineSearch) {
  const ImplicitFunction f = ImplicitFunction::from_program(parse_program("input x y\nl = log y\nf = sub l x\noutput f\n"), 1);
  const auto bad = fast::solve_implicit(f, dvec({0}), dvec({-1}));
  EXPECT_EQ(bad.status, SolveStatus::DomainError);
  EXPECT_NE(bad.reason.find("log (line 2, node l)"), std::string::npos) << bad.reason;
  // From y = 3 the full Newton step lands at 3 - 3 log 3 < 0, outside log's domain: halved.
  const auto s = fast::solve_implicit(f, dvec({0}), dvec({3}));
  ASSERT_TRUE(s.converged) << s.reason;
  EXPECT_NEAR(s.y(0), 1.0, 2 * SolveOptions{}.tolerance);  // |y - 1| ~ |log y| near the root
}

TEST(ImplicitSolve, StagnationBelowTheStepToleranceIsReported) {
  // y^2 = 2 has no double root: at fl(sqrt 2), F = 4.4e-16 and the Newton step is below an ulp.
  const ImplicitFunction f =
      ImplicitFunction::from_program(parse_program("input x y\nq = mul y y\nf = sub q x\noutput f\n"), 1);
  SolveOptions o;
  o.tolerance = 0;
  const auto s = fast::solve_implicit(f, dvec({2}), dvec({1}), o);
  EXPECT_EQ(s.status, SolveStatus::Stalled) << s.reason;
  EXPECT_NEAR(s.y(0), std::sqrt(2.0), 1e-15);
  EXPECT_NE(s.reason.find("stalled at Newton step"), std::string::npos) << s.reason;
  o.tolerance = 1e-15;
  EXPECT_TRUE(fast::solve_implicit(f, dvec({2}), dvec({1}), o).converged);
}

TEST(ImplicitSolve, UserFixedPointMapIsIteratedAndFChecked) {
  // F(x, y) = (3/4) y - x / 2 (root y = 2x/3), solved with the damped map
  // G(x, y) = y - F(x, y) / 2 (rate 5/8) given explicitly; F is evaluated for the stopping rule.
  const ImplicitFunction f(1, 1, [](const DVec& x, const DVec& y, bool jac, fast::Linearization& out) {
    out.value = 0.75 * y - 0.5 * x;
    if (!jac) return;
    out.a = DMat::Constant(1, 1, -0.5);
    out.b = DMat::Constant(1, 1, 0.75);
  });
  SolveOptions fp;
  fp.method = SolveMethod::FixedPoint;
  fp.max_iterations = 200;
  fp.map = [&](const DVec& x, const DVec& y, DVec& next) { next = y - 0.5 * (0.75 * y - 0.5 * x); };
  const auto s = fast::solve_implicit(f, dvec({3}), dvec({0}), fp);
  ASSERT_TRUE(s.converged) << s.reason;
  EXPECT_NEAR(s.y(0), 2.0, 1e-11);
  EXPECT_EQ(s.evaluations, s.iterations + 1);
  EXPECT_NEAR(ImplicitRule(f, dvec({3}), s).jacobian()(0, 0), 2.0 / 3.0, 1e-15);
}

TEST(ImplicitErrors, WrongSizesAreUsageAndNonSolutionsAreDomainErrors) {
  const Program prog = example("inverse_clarke.sgp");
  const auto kind = [](auto&& fn) {
    try {
      fn();
    } catch (const Error& e) {
      return e.kind();
    }
    ADD_FAILURE() << "no error";
    return ErrorKind::Program;
  };
  EXPECT_EQ(kind([&] { ImplicitFunction::from_program(prog, 0); }), ErrorKind::Usage);
  EXPECT_EQ(kind([&] { ImplicitFunction::from_program(prog, 4); }), ErrorKind::Usage);
  EXPECT_EQ(kind([&] { ImplicitFunction::from_program(prog, 1); }), ErrorKind::Usage);  // 3 unknowns, 2 outputs
  const ImplicitFunction f = ImplicitFunction::from_program(prog, 2);
  EXPECT_EQ(kind([&] { fast::solve_implicit(f, dvec({1}), dvec({0, 0})); }), ErrorKind::Usage);
  EXPECT_EQ(kind([&] { ImplicitRule(f, dvec({1, 0}), dvec({0})); }), ErrorKind::Usage);
  std::string what;
  try {
    ImplicitRule(f, dvec({1, 0}), dvec({0, 0}));
  } catch (const Error& e) {
    what = e.what();
    EXPECT_EQ(e.kind(), ErrorKind::Domain);
  }
  EXPECT_NE(what.find("F(x, y) != 0 at this point: ||F||_inf = 1 > residual_tolerance 1e-08"), std::string::npos) << what;
  const ImplicitRule rule(f, DVec::Zero(2), DVec::Zero(2));
  EXPECT_EQ(kind([&] { rule.jvp(DVec(DVec::Zero(3))); }), ErrorKind::Usage);
  EXPECT_EQ(kind([&] { rule.vjp_batch(DMat::Zero(1, 2)); }), ErrorKind::Usage);
  // A dense callable returning the wrong sizes is caught.
  const ImplicitFunction wrong(1, 2, [](const DVec&, const DVec&, bool, fast::Linearization& out) { out.value = DVec::Zero(3); });
  EXPECT_EQ(kind([&] { fast::solve_implicit(wrong, dvec({0}), DVec::Zero(2)); }), ErrorKind::Usage);
}

}  // namespace
}  // namespace selgrad::testing
