// The implicit layer API on dense callables (fast/implicit.hpp): a random Lasso solved in double
// and differentiated in the hyperparameter by the implicit rule on the proximal-gradient fixed
// point, against the LARS slope (math.md Lasso, IMP); and a random monotone equilibrium layer,
// whose implicit Jacobian and VJP are the limits of unrolled forward and reverse propagation
// (math.md monotone equilibrium layer, unrolling).
//
// Sizes: the Lasso is 200 x 1000 in optimised builds without sanitizers (NDEBUG defined,
// __SANITIZE_ADDRESS__ not), 40 x 120 otherwise (the ASan + UBSan CI build is Debug); the
// equilibrium layer has 60 units in both. The claims and their bounds are the same at both sizes.
#include "selgrad/eigen.hpp"
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <random>
#include <vector>

#include "selgrad/fast/implicit.hpp"
#include "selgrad/program/error.hpp"

namespace {

using namespace selgrad::fast;

constexpr double u = 0x1p-53;  // unit roundoff of double

#if defined(NDEBUG) && !defined(__SANITIZE_ADDRESS__)
constexpr Index kLassoRows = 200, kLassoCols = 1000, kLassoTruth = 12;
#else
constexpr Index kLassoRows = 40, kLassoCols = 120, kLassoTruth = 5;
#endif

double gamma(double k) { return k * u / (1 - k * u); }
double norm_inf(const Matrix& m) { return m.cwiseAbs().rowwise().sum().maxCoeff(); }

std::string sci(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3e", v);
  return buf;
}

Matrix gaussian(Index rows, Index cols, std::mt19937_64& rng, double scale = 1.0) {
  std::normal_distribution<double> g(0.0, scale);
  Matrix m(rows, cols);
  for (Index k = 0; k < m.size(); ++k) m.data()[k] = g(rng);
  return m;
}

// ---- the Lasso ------------------------------------------------------------------------------

/// x(t) = argmin (1/2)||A x - b||^2 + t ||x||_1 as the fixed point of proximal gradient with step
/// s = 1/L, L = ||A||_2^2: F(t, x) = x - soft(x - s A^T (A x - b), s t) (math.md Lasso).
struct Lasso {
  Matrix a;
  Vector b;
  double s = 0;

  /// F restricted to the unknowns x_E (the other coordinates held at 0). Its selection Jacobian
  /// with D = diag(|z_E| > s t) (soft-thresholding's Jacobian: 0/1 on the diagonal):
  ///   B = I - D (I - s G_EE) = (I - D) + D s G_EE,  A = dF/dt = s D sign(z_E),
  /// with B assembled in the second form (no cancellation in 1 - (1 - s G_ii)).
  /// The Gram matrix G_EE = A_E^T A_E is formed once, when E is small enough to ask for B.
  ImplicitFunction function(const std::vector<Index>& e, Matrix* gram_out = nullptr) const {
    const Index k = static_cast<Index>(e.size());
    Matrix ae(a.rows(), k);
    for (Index i = 0; i < k; ++i) ae.col(i) = a.col(e[static_cast<std::size_t>(i)]);
    Matrix gram;
    if (k <= 400) gram = ae.transpose() * ae;
    if (gram_out) *gram_out = gram;
    const double step = s;
    const Vector rhs = b;
    return ImplicitFunction(1, k, [ae, gram, step, rhs](const Vector& t, const Vector& x, bool jac, Linearization& out) {
      const Vector z = x - step * (ae.transpose() * (ae * x - rhs));
      const double tau = step * t(0);
      out.value = x - (z.array().sign() * (z.array().abs() - tau).max(0.0)).matrix();
      if (!jac) return;
      if (gram.size() == 0) throw selgrad::Error(selgrad::ErrorKind::Usage, {}, "no Jacobian for this many unknowns");
      const Vector d = (z.array().abs() > tau).cast<double>();
      out.b = d.asDiagonal() * (step * gram);
      out.b.diagonal() += (1.0 - d.array()).matrix();
      out.a = (step * d.array() * z.array().sign()).matrix();
    });
  }
};

TEST(ImplicitDenseLasso, SlopeOnTheActiveSetMatchesTheLarsSlopeInDouble) {
  std::mt19937_64 rng(20210611);
  Lasso p;
  p.a = gaussian(kLassoRows, kLassoCols, rng, 1.0 / std::sqrt(static_cast<double>(kLassoRows)));
  Vector truth = Vector::Zero(kLassoCols);
  std::uniform_int_distribution<Index> pick(0, kLassoCols - 1);
  std::uniform_real_distribution<double> mag(1.0, 2.0);
  for (Index i = 0; i < kLassoTruth; ++i) truth(pick(rng)) = (rng() % 2 ? 1 : -1) * mag(rng);
  p.b = p.a * truth + gaussian(kLassoRows, 1, rng, 0.05);
  const Eigen::SelfAdjointEigenSolver<Matrix> aat(p.a * p.a.transpose(), Eigen::EigenvaluesOnly);
  p.s = 1.0 / aat.eigenvalues().maxCoeff();
  const double t = 0.1 * (p.a.transpose() * p.b).lpNorm<Eigen::Infinity>();

  // 1. Proximal gradient (the fixed-point method on the full problem, values only) until the
  //    support settles; prox gives exact zeros off it.
  std::vector<Index> all(static_cast<std::size_t>(kLassoCols));
  for (Index j = 0; j < kLassoCols; ++j) all[static_cast<std::size_t>(j)] = j;
  SolveOptions ista;
  ista.method = SolveMethod::FixedPoint;
  ista.tolerance = 1e-9;
  ista.max_iterations = 20000;
  const Vector tv = Vector::Constant(1, t);
  const SolveResult pg = solve_implicit(p.function(all), tv, Vector::Zero(kLassoCols), ista);
  ASSERT_TRUE(pg.converged) << pg.reason;
  std::vector<Index> e;
  for (Index j = 0; j < kLassoCols; ++j)
    if (pg.y(j) != 0) e.push_back(j);
  const Index k = static_cast<Index>(e.size());
  ASSERT_GE(k, 3);
  ASSERT_LT(k, kLassoRows / 2);

  // 2. Newton on the active set: F is affine on the solution's piece, so one step lands on it.
  Matrix gram;
  const ImplicitFunction fe = p.function(e, &gram);
  Vector x0(k);
  for (Index i = 0; i < k; ++i) x0(i) = pg.y(e[static_cast<std::size_t>(i)]);
  SolveOptions newton;
  newton.tolerance = 1e-14;
  const SolveResult sol = solve_implicit(fe, tv, x0, newton);
  ASSERT_TRUE(sol.converged) << sol.reason;
  EXPECT_LE(sol.iterations, 2u) << sol.reason;

  // 3. KKT on the full problem with margins: E is the support and the equicorrelation set
  //    {j : |A_j^T (b - A x)| = t} (no kink at this t), and sign(x_E) = sign of the correlation.
  Vector x = Vector::Zero(kLassoCols);
  for (Index i = 0; i < k; ++i) x(e[static_cast<std::size_t>(i)]) = sol.y(i);
  const Vector corr = p.a.transpose() * (p.b - p.a * x);
  Vector sign_e(k);
  double off_margin = t, on_error = 0, min_abs = 1e300;
  std::vector<bool> in_e(static_cast<std::size_t>(kLassoCols), false);
  for (Index i = 0; i < k; ++i) {
    const Index j = e[static_cast<std::size_t>(i)];
    in_e[static_cast<std::size_t>(j)] = true;
    sign_e(i) = corr(j) > 0 ? 1 : -1;
    EXPECT_EQ(sign_e(i), x(j) > 0 ? 1 : -1) << "j = " << j;
    on_error = std::max(on_error, std::abs(std::abs(corr(j)) - t));
    min_abs = std::min(min_abs, std::abs(x(j)));
  }
  for (Index j = 0; j < kLassoCols; ++j)
    if (!in_e[static_cast<std::size_t>(j)]) off_margin = std::min(off_margin, t - std::abs(corr(j)));
  EXPECT_LT(on_error, 1e-10 * t);
  EXPECT_GT(off_margin, 1e-6 * t);  // strictly inside: off E, x_j stays 0 near t
  EXPECT_GT(min_abs, 1e-6);         // on E, x_j stays nonzero near t

  // 4. dx_E/dt by the implicit rule (B = s G_EE on the active set), and the LARS slope
  //    -(A_E^T A_E)^{-1} sign_E by Cholesky, both from the same computed G_EE.
  const ImplicitRule rule(fe, tv, sol);
  EXPECT_FALSE(rule.nearly_singular()) << rule.warning();
  const Vector slope = rule.jvp(Vector::Ones(1));
  const Eigen::LLT<Matrix> llt(gram);
  ASSERT_EQ(llt.info(), Eigen::Success);
  const Vector lars = -llt.solve(sign_e);
  // The VJP with ybar = e_i is the i-th entry of the slope (n = 1).
  EXPECT_NEAR(rule.vjp(Vector::Unit(k, 0))(0), slope(0), 1e-12 * std::abs(slope(0)) + 1e-300);

  // 5. The bound, to first order in u. Both are exact solutions of perturbed systems with the same
  //    computed G (Higham, Accuracy and Stability, Thms 9.4 and 10.4 with the triangular solves):
  //      implicit: (s G + E0 + E1) d1 = -s sign_E, |E0| <= u s |G| (forming s G),
  //                |E1| <= gamma_3k |L||U| (LU with partial pivoting, L and U its computed factors);
  //      LARS:     (G + E2) d2 = -sign_E, |E2| <= gamma_{3k+1} |R^T||R| (Cholesky G = R^T R).
  //    With eps_i = ||E_i|| / ||G_i|| in the infinity norm and kappa = kappa_inf(G),
  //    ||d_i - d|| <= eta_i ||d||, eta_i = kappa eps_i / (1 - kappa eps_i), so
  //      ||d1 - d2||_inf / ||d2||_inf <= (eta_1 + eta_2) / (1 - eta_2).
  const Eigen::PartialPivLU<Matrix> lu(rule.b());  // the same factors the rule computed
  const Matrix l = lu.matrixLU().triangularView<Eigen::UnitLower>(), uu = lu.matrixLU().triangularView<Eigen::Upper>();
  const Matrix r = llt.matrixU();
  const double kd = static_cast<double>(k);
  const double eps1 = u + gamma(3 * kd) * norm_inf(l.cwiseAbs() * uu.cwiseAbs()) / norm_inf(rule.b());
  const double eps2 = gamma(3 * kd + 1) * norm_inf(r.transpose().cwiseAbs() * r.cwiseAbs()) / norm_inf(gram);
  const double kappa = 1.01 * norm_inf(gram) * norm_inf(gram.inverse());  // 1% for the computed inverse
  const double eta1 = kappa * eps1 / (1 - kappa * eps1), eta2 = kappa * eps2 / (1 - kappa * eps2);
  const double bound = (eta1 + eta2) / (1 - eta2);
  const double rel = (slope - lars).lpNorm<Eigen::Infinity>() / lars.lpNorm<Eigen::Infinity>();
  EXPECT_LE(rel, bound) << "k = " << k << ", kappa = " << kappa;
  RecordProperty("active_set", std::to_string(k));
  RecordProperty("kappa_inf", sci(kappa));
  RecordProperty("relative_error", sci(rel));
  RecordProperty("bound", sci(bound));
  RecordProperty("ista_steps", std::to_string(pg.iterations));
}

// ---- the monotone equilibrium layer and unrolling -------------------------------------------

constexpr Index kUnits = 60;
constexpr double kRho = 0.5;  // ||W||_2: I - W is strongly monotone, z(b) is unique

/// z = relu(W z + b): F(b, z) = z - relu(W z + b), A = -D, B = I - D W, D = diag(W z + b > 0).
ImplicitFunction equilibrium(const Matrix& w) {
  return ImplicitFunction(w.rows(), w.rows(), [w](const Vector& b, const Vector& z, bool jac, Linearization& out) {
    const Vector pre = w * z + b;
    out.value = z - pre.cwiseMax(0.0);
    if (!jac) return;
    const Vector d = (pre.array() > 0).cast<double>();
    out.a = -Matrix(d.asDiagonal());
    out.b = Matrix::Identity(w.rows(), w.rows()) - d.asDiagonal() * w;
  });
}

TEST(ImplicitDenseEquilibrium, ImplicitJacobianAndVjpAreTheLimitsOfUnrolling) {
  std::mt19937_64 rng(77);
  Matrix w = gaussian(kUnits, kUnits, rng);
  const Eigen::SelfAdjointEigenSolver<Matrix> wtw(w.transpose() * w, Eigen::EigenvaluesOnly);
  w *= kRho / std::sqrt(wtw.eigenvalues().maxCoeff());
  const Vector b = gaussian(kUnits, 1, rng);
  const ImplicitFunction f = equilibrium(w);

  const SolveResult newton = solve_implicit(f, b, Vector::Zero(kUnits));
  ASSERT_TRUE(newton.converged) << newton.reason;
  SolveOptions fp;
  fp.method = SolveMethod::FixedPoint;
  fp.max_iterations = 1000;
  const SolveResult fixed = solve_implicit(f, b, Vector::Zero(kUnits), fp);
  ASSERT_TRUE(fixed.converged) << fixed.reason;
  // ||z - z*|| <= ||B^{-1}|| ||F|| <= tolerance / (1 - rho) for each, in the 2 norm.
  EXPECT_LT((newton.y - fixed.y).norm(), 2 * std::sqrt(double(kUnits)) * 1e-12 / (1 - kRho));
  const Vector pre = w * newton.y + b;
  ASSERT_GT(pre.cwiseAbs().minCoeff(), 1e-6);  // no unit at its kink: the pattern is stable

  const ImplicitRule rule(f, b, newton);
  const Matrix j = rule.jacobian();
  std::normal_distribution<double> g;
  Vector ybar(kUnits);
  for (Index i = 0; i < kUnits; ++i) ybar(i) = g(rng);
  const Vector xbar = rule.vjp(ybar);
  EXPECT_LT((xbar - j.transpose() * ybar).norm(), 1e-13 * j.norm() * ybar.norm());

  // Rounding floor of the comparison (Frobenius norm): B = I - D W has ||B||_2 <= 1 + rho and
  // ||B^{-1}||_2 <= 1 / (1 - rho), so kappa_2(B) <= 3; the LU backward error is
  // gamma_3n || |L||U| || with growth factor <= 2 for this B, which is close to I, and the
  // unrolled recursion adds at most n u ||W||_2 ||D_k|| per step, summed geometrically.
  const double n = static_cast<double>(kUnits), kappa = (1 + kRho) / (1 - kRho);
  const double floor = (2 * gamma(3 * n) * kappa + 2 * n * u / (1 - kRho)) * j.norm();

  // Unrolled forward propagation: z_{k+1} = relu(W z_k + b), D_{k+1} = A_k + B_k D_k with
  // A_k = diag(m_k), B_k = diag(m_k) W the step's selection Jacobian, m_k = (W z_k + b > 0).
  // Once m_k is the final pattern, D_{k+1} - J = diag(m) W (D_k - J) (J is its fixed point):
  // the error contracts by ||diag(m) W||_2 <= rho per step.
  const Eigen::Array<bool, Eigen::Dynamic, 1> final_mask = pre.array() > 0;
  Vector z = Vector::Zero(kUnits);
  Matrix dk = Matrix::Zero(kUnits, kUnits);
  std::vector<Vector> masks;
  std::vector<double> err;
  int settled = -1;
  const int steps = 120;
  for (int it = 0; it < steps; ++it) {
    err.push_back((dk - j).norm());
    const Vector p = w * z + b;
    const Vector m = (p.array() > 0).cast<double>();
    if (settled < 0 && (p.array() > 0).matrix() == final_mask.matrix()) settled = it;
    masks.push_back(m);
    dk = m.asDiagonal() * (w * dk + Matrix::Identity(kUnits, kUnits));
    z = p.cwiseMax(0.0);
  }
  err.push_back((dk - j).norm());
  ASSERT_GE(settled, 0);
  ASSERT_LT(settled, 60);
  int geometric = 0;
  for (int it = settled; it < steps && err[static_cast<std::size_t>(it)] > 100 * floor; ++it, ++geometric)
    EXPECT_LE(err[static_cast<std::size_t>(it) + 1], kRho * err[static_cast<std::size_t>(it)] + floor) << "step " << it;
  EXPECT_GT(geometric, 10);
  EXPECT_LE(err.back(), floor);
  EXPECT_GT(err.front(), 0.1 * j.norm());

  // Unrolled reverse mode through the same steps (Algorithm 2 on the unrolled loop):
  // v_K = ybar; for k = K-1..0: xbar += diag(m_k) v, v = W^T diag(m_k) v. Converges to the VJP.
  Vector v = ybar, xb = Vector::Zero(kUnits);
  for (int it = steps - 1; it >= 0; --it) {
    const Vector mv = masks[static_cast<std::size_t>(it)].cwiseProduct(v);
    xb += mv;
    v = w.transpose() * mv;
  }
  EXPECT_LE((xb - xbar).norm(), floor * ybar.norm());
  RecordProperty("settled_at", std::to_string(settled));
  RecordProperty("final_error", sci(err.back()));
  RecordProperty("floor", sci(floor));
}

}  // namespace
