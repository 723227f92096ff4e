// The Lasso path and its hyperparameter derivative by the implicit rule (math.md Lasso, IMP).
//
// x(t) = argmin_x (1/2)||A x - b||^2 + t ||x||_1 is the fixed point of proximal gradient,
// F(t, x) = x - soft(x - s A^T (A x - b), s t) = 0 with s = 1/L. For a few t, this program
// solves it in double (proximal gradient, which is the fixed-point method on F, then a Newton
// step), differentiates x(t) by the implicit rule, dx/dt = -B^{-1} A, and prints it next to the
// LARS slope -(A_E^T A_E)^{-1} s_E, E = {j : |A_j^T (b - A x)| = t}, s_E the sign of that
// correlation, and a finite difference of the path. First on the data of examples/lasso.sgp
// (A 4 x 3) as a dense callable, and through the program itself when the file is found, then on
// a random 100 x 300 problem.
//
//   build/examples/lasso_path [path/to/lasso.sgp]
#include "selgrad/eigen.hpp"
#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "selgrad/fast/implicit.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/program/parse.hpp"

using namespace selgrad::fast;

namespace {

/// F(t, x) = x - soft(z, s t), z = x - s A^T (A x - b). Selection Jacobian, D = diag(|z| > s t):
/// B = (I - D) + D s A^T A, A = s D sign(z).
ImplicitFunction lasso(const Matrix& a, const Vector& b, double s) {
  const Matrix gram = a.transpose() * a;
  return ImplicitFunction(1, a.cols(), [a, b, s, gram](const Vector& t, const Vector& x, bool jac, Linearization& out) {
    const Vector z = x - s * (a.transpose() * (a * x - b));
    const double tau = s * t(0);
    out.value = x - (z.array().sign() * (z.array().abs() - tau).max(0.0)).matrix();
    if (!jac) return;
    const Vector d = (z.array().abs() > tau).cast<double>();
    out.b = d.asDiagonal() * (s * gram);
    out.b.diagonal() += (1.0 - d.array()).matrix();
    out.a = (s * d.array() * z.array().sign()).matrix();
  });
}

/// Proximal gradient until ||F|| <= 1e-10, then Newton (one step on the solution's piece).
Vector solve_lasso(const ImplicitFunction& f, double t, const Vector& start) {
  SolveOptions pg;
  pg.method = SolveMethod::FixedPoint;
  pg.tolerance = 1e-10;
  pg.max_iterations = 100000;
  const Vector tv = Vector::Constant(1, t);
  const SolveResult r = solve_implicit(f, tv, start, pg);
  if (!r.converged) throw selgrad::Error(selgrad::ErrorKind::Resource, {}, "proximal gradient: " + r.reason);
  SolveOptions newton;
  newton.tolerance = 1e-14;
  const SolveResult n = solve_implicit(f, tv, r.y, newton);
  if (!n.converged) throw selgrad::Error(selgrad::ErrorKind::Resource, {}, "Newton: " + n.reason);
  return n.y;
}

/// The LARS slope on E = {j : |c_j| >= t (1 - 1e-9)}, c = A^T (b - A x), with the sign of c.
Vector lars_slope(const Matrix& a, const Vector& b, const Vector& x, double t, std::vector<Eigen::Index>& e) {
  const Vector c = a.transpose() * (b - a * x);
  e.clear();
  for (Eigen::Index j = 0; j < c.size(); ++j)
    if (std::abs(c(j)) >= t * (1 - 1e-9)) e.push_back(j);
  Vector slope = Vector::Zero(x.size());
  if (e.empty()) return slope;
  const auto k = static_cast<Eigen::Index>(e.size());
  Matrix g(k, k);
  Vector sign(k);
  for (Eigen::Index i = 0; i < k; ++i) {
    sign(i) = c(e[static_cast<std::size_t>(i)]) > 0 ? 1.0 : -1.0;
    for (Eigen::Index l = 0; l < k; ++l) g(i, l) = a.col(e[static_cast<std::size_t>(i)]).dot(a.col(e[static_cast<std::size_t>(l)]));
  }
  const Vector d = -g.llt().solve(sign);
  for (Eigen::Index i = 0; i < k; ++i) slope(e[static_cast<std::size_t>(i)]) = d(i);
  return slope;
}

void print_row(const char* label, const Vector& v) {
  std::printf("  %-24s", label);
  for (Eigen::Index i = 0; i < v.size(); ++i) std::printf(" %10.6f", v(i) + 0.0);  // + 0.0: no "-0"
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  try {
    // ---- the data of examples/lasso.sgp ---------------------------------------------------
    Matrix a(4, 3);
    a << 1, 0, 1, 0, 1, 1, 1, 1, 0, 1, -1, 1;
    const Vector b = (Vector(4) << 1, -2, 3, 2).finished();
    const double s = 0.2;  // 1/L: A^T A has eigenvalues 5, 3, 1
    const ImplicitFunction f = lasso(a, b, s);
    std::string path = argc > 1 ? argv[1] : std::string(SELGRAD_EXAMPLES_DIR) + "/lasso.sgp";
    std::optional<ImplicitFunction> program;
    if (std::ifstream(path)) program = ImplicitFunction::from_program(selgrad::parse_program_file(path), 1);

    std::printf("Lasso path of examples/lasso.sgp: A = [[1,0,1],[0,1,1],[1,1,0],[1,-1,1]], b = (1,-2,3,2)\n");
    std::printf("dx/dt by the implicit rule on the prox-gradient fixed point (s = 1/5) vs the LARS slope\n\n");
    const double h = 1e-6;
    for (double t : {0.5, 1.5, 1.8, 2.5, 4.0, 7.0}) {
      const Vector x = solve_lasso(f, t, Vector::Zero(3));
      const ImplicitRule rule(f, Vector::Constant(1, t), x);
      const Vector dxdt = rule.jvp(Vector::Ones(1));
      std::vector<Eigen::Index> e;
      const Vector lars = lars_slope(a, b, x, t, e);
      const Vector fd = (solve_lasso(f, t + h, x) - x) / h;
      std::printf("t = %g   E = {", t);
      for (std::size_t i = 0; i < e.size(); ++i) std::printf("%s%ld", i ? ", " : "", static_cast<long>(e[i] + 1));
      std::printf("}%s\n", t == 1.8 ? "   (a kink: x3 leaves the path at t = 9/5, here 1.8 rounded)" : "");
      print_row("x(t)", x);
      print_row("dx/dt (implicit rule)", dxdt);
      if (program) print_row("dx/dt (lasso.sgp)", ImplicitRule(*program, Vector::Constant(1, t), x).jvp(Vector::Ones(1)));
      print_row("LARS slope", lars);
      print_row("(x(t+h) - x(t)) / h", fd);
      std::printf("\n");
    }
    std::printf("At a kink AD picks one side (here the right derivative, relu'(0) = 0 for the\n"
                "leaving coordinate); LARS with the correlation's sign gives the slope on E,\n"
                "the left derivative. Both are elements of the conservative Jacobian (IMP).\n\n");

    // ---- a random 100 x 300 problem ------------------------------------------------------------
    std::mt19937_64 rng(7);
    std::normal_distribution<double> g;
    const Eigen::Index rows = 100, cols = 300;
    Matrix ar(rows, cols);
    for (Eigen::Index k = 0; k < ar.size(); ++k) ar.data()[k] = g(rng) / std::sqrt(double(rows));
    Vector truth = Vector::Zero(cols);
    for (int k = 0; k < 8; ++k) truth(static_cast<Eigen::Index>(rng() % cols)) = (k % 2 ? 1.0 : -1.0) * (1 + k / 4.0);
    Vector br = ar * truth;
    for (Eigen::Index i = 0; i < rows; ++i) br(i) += 0.05 * g(rng);
    const Eigen::SelfAdjointEigenSolver<Matrix> eig(ar * ar.transpose(), Eigen::EigenvaluesOnly);
    const double sr = 1 / eig.eigenvalues().maxCoeff();
    const ImplicitFunction fr = lasso(ar, br, sr);
    const double tmax = (ar.transpose() * br).lpNorm<Eigen::Infinity>();
    std::printf("Random Lasso %ld x %ld (8-sparse truth), t_max = ||A^T b||_inf = %.4f\n", static_cast<long>(rows),
                static_cast<long>(cols), tmax);
    std::printf("  %8s %4s %10s %14s %14s %12s %10s\n", "t/t_max", "|E|", "||x||_1", "d||x||_1/dt", "LARS", "max |diff|",
                "rcond(B)");
    Vector x = Vector::Zero(cols);
    for (double frac : {0.8, 0.5, 0.3, 0.2, 0.1, 0.05}) {
      const double t = frac * tmax;
      x = solve_lasso(fr, t, x);  // warm start along the path
      const ImplicitRule rule(fr, Vector::Constant(1, t), x);
      const Vector dxdt = rule.jvp(Vector::Ones(1));
      std::vector<Eigen::Index> e;
      const Vector lars = lars_slope(ar, br, x, t, e);
      // d||x||_1/dt = sign(x)^T dx/dt: a VJP with ybar = sign(x).
      const double dl1 = rule.vjp(Vector(x.array().sign()))(0);
      std::printf("  %8.2f %4zu %10.4f %14.6f %14.6f %12.2e %10.2e\n", frac, e.size(), x.lpNorm<1>(), dl1,
                  x.array().sign().matrix().dot(lars), (dxdt - lars).lpNorm<Eigen::Infinity>(), rule.rcond());
    }
  } catch (const selgrad::Error& e) {
    std::fprintf(stderr, "lasso_path: %s\n", e.what());
    return 1;
  }
  return 0;
}
