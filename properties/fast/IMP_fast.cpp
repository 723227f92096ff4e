// IMP.fast: the double engine's implicit rule (fast/implicit.hpp: ImplicitFunction::from_program,
// ImplicitRule: jacobian(), jvp(), vjp()) against the exact reference, within a derived bound.
//
// The family of IMP.affine (support/implicit_problem.hpp), F(x, y) = M (y - H(x)), in double:
// H piecewise affine with dyadic literals, M with dyadic entries n/d (|n| <= 3, d in {1, 2, 4};
// + c I, c an integer, when singular), x a dyadic kink-biased point and y = H(x). Cases where some
// exact value of F at (x, y) (node values, [A B]) is not a double are discarded (they are not at
// the same point in double). Then:
//  * the double engine's blocks are exact: A = -M J_H and B = M bit for bit (every operation of
//    the evaluation has a double result, FAST.exact), and the residual F(x, y) is 0;
//  * the products differ from the exact ones (-B^{-1} A = J_H; dy = J_H dx; xbar = J_H^T ybar,
//    computed by the reference: implicit_jacobian) only by the rounding of Eigen's LU with partial
//    pivoting and of the products with A, bounded entrywise as follows (u = 2^-53,
//    gamma_k = k u / (1 - k u), m unknowns, n parameters):
//      - LU solve (Higham, Accuracy and Stability of Numerical Algorithms, Thm 9.4): the computed
//        z of B z = r satisfies (B + E) z = r with |E| <= gamma_{3m} |L||U|. With partial
//        pivoting |L| <= 1 and every entry of the computed U is at most (2 (1 + u)^2)^(m-1)
//        max|B| < 2^m max|B| (m <= 3), so every entry of |L||U| is at most
//        beta = m 2^m max|B|, and |z - B^{-1} r| <= |B^{-1}| (gamma_{3m} beta ||z||_1) (a
//        posteriori, z known). The transposed solve (B^T w = r, same factors) has the same
//        backward error; there the computed w is not visible, so a priori:
//        ||w_computed - w||_inf <= kappa ||w||_inf / (1 - kappa), kappa = ||B^{-T}||_inf m gamma_{3m} beta.
//      - products: |fl(A v) - A v| <= gamma_k |A| |v| for inner products of length k.
//    So, entrywise:
//      jacobian(), column j:  |J_j - exact| <= |B^{-1}| gamma_{3m} beta ||J_j||_1;
//      jvp(dx):               |dy - exact| <= |B^{-1}| (gamma_n |A| |dx| + gamma_{3m} beta ||dy||_1);
//      vjp(ybar):             |xbar - exact| <= gamma_m |A^T| (|w| + e) + |A^T| e,  e the bound on
//                             ||w_computed - w||_inf above, w = -B^{-T} ybar exactly.
//    dx and ybar are dyadic kink-biased vectors. The bounds are evaluated in exact rationals.

#include "selgrad/eigen.hpp"
#include "gen/program.hpp"
#include "gen/rational.hpp"
#include "selgrad/fast/implicit.hpp"
#include "selgrad/reference/implicit.hpp"
#include "suite.hpp"
#include "support/engine.hpp"
#include "support/implicit_problem.hpp"

namespace selgrad::properties {
namespace {

bool representable(const Rational& v) {
  const double d = v.convert_to<double>();
  return std::isfinite(d) && Rational(d) == v;
}

Rational absq(const Rational& r) { return r < 0 ? Rational(-r) : r; }

/// gamma_k = k u / (1 - k u), u = 2^-53.
Rational gamma(std::size_t k) {
  const Rational u = Rational(1) / Rational(boost::multiprecision::mpz_int(1) << 53);
  return Rational(k) * u / (1 - Rational(k) * u);
}

/// n/d with |n| <= 3, d in {1, 2, 4}; shrinks towards 0.
rc::Gen<Rational> genDyadicEntry() {
  return rc::gen::apply([](int n, int d) { return Rational(n % 2 ? -(n + 1) / 2 : n / 2, 1L << d); },
                        rc::gen::resize(100, rc::gen::inRange(0, 7)), rc::gen::resize(100, rc::gen::inRange(0, 3)));
}

fast::Vector to_vector(const std::vector<Rational>& v) {
  fast::Vector out(static_cast<fast::Index>(v.size()));
  for (std::size_t i = 0; i < v.size(); ++i) out(static_cast<fast::Index>(i)) = v[i].convert_to<double>();
  return out;
}

const Register fast_rule(
    "IMP.fast", "double implicit rule (jacobian, JVP, VJP) within the derived LU bound of the exact -B^{-1} A", 5000,
    [] {
      auto shape = ProgramShape::of(Family::PiecewiseAffine, 3, 3);
      shape.dyadic_literals = true;
      const Program h = *genProgram(shape).as("H");
      const std::size_t n = h.p(), m = h.q();
      const auto entries =
          *rc::gen::container<std::vector<Rational>>(m * m, genDyadicEntry()).as("entries of M (row-major)");
      RationalMatrix mat(m, std::vector<Rational>(m));
      for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < m; ++j) mat[i][j] = entries[i * m + j];
      mat = make_invertible(std::move(mat));
      const Point x = *genDyadicPointNearKinks(n).as("x");
      const Point dx = *genDyadicPointNearKinks(n).as("dx");
      const Point ybar = *genDyadicPointNearKinks(m).as("ybar");
      const Program f = implicit_problem(h, mat);
      RC_LOG() << "F:\n" << print_program(f);
      const ExactResult eh = exact(h, x.x);
      const std::vector<Rational>& y = eh.outputs;
      std::vector<Rational> xy = x.x;
      xy.insert(xy.end(), y.begin(), y.end());
      const ExactResult ef = exact(f, xy);
      for (const auto& v : ef.node_values)
        if (!representable(v)) RC_DISCARD("an exact value of F at (x, H(x)) is not a double");
      for (const auto& row : ef.jacobian)
        for (const auto& v : row)
          if (!representable(v)) RC_DISCARD("an exact value of F at (x, H(x)) is not a double");
      RC_LOG() << "  selgrad implicit F.sgp --params " << n << " --at=" << point_text(x.x)
               << " --solution=" << point_text(y) << "\n";
      reference::ImplicitResult r;
      try {
        r = reference::implicit_jacobian(f, n, x.x, y);
      } catch (const Error& e) {
        RC_FAIL(std::string("implicit_jacobian threw: ") + e.what());
      }
      const auto& A = r.a;
      const auto& B = r.b;
      const auto& J = r.jacobian;
      const RationalMatrix Binv = *reference::inverse(B);

      const fast::ImplicitFunction fn = fast::ImplicitFunction::from_program(f, n);
      std::optional<fast::ImplicitRule> rule;
      try {
        rule.emplace(fn, to_vector(x.x), to_vector(y));
      } catch (const Error& e) {
        RC_FAIL(std::string("ImplicitRule threw: ") + e.what());
      }
      RC_TAG(rule->tied_decisions() > 0 ? "tie" : "no tie");
      RC_ASSERT(rule->residual() == 0.0);
      for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t j = 0; j < n; ++j) RC_ASSERT(Rational(rule->a()(i, j)) == A[i][j]);
        for (std::size_t j = 0; j < m; ++j) RC_ASSERT(Rational(rule->b()(i, j)) == B[i][j]);
      }

      Rational max_b = 0;
      for (const auto& row : B)
        for (const auto& v : row) max_b = std::max(max_b, absq(v));
      const Rational beta = Rational(m) * Rational(1L << m) * max_b;
      const Rational g3m = gamma(3 * m);
      std::vector<Rational> binv_row(m, Rational(0));  // row sums of |B^{-1}|
      for (std::size_t i = 0; i < m; ++i)
        for (std::size_t k = 0; k < m; ++k) binv_row[i] += absq(Binv[i][k]);
      Rational largest_error = 0;  // for the classification
      const auto check = [&](const char* what, std::size_t i, double got, const Rational& want, const Rational& bound) {
        const Rational err = absq(Rational(got) - want);
        largest_error = std::max(largest_error, err);
        if (err > bound)
          RC_FAIL(std::string(what) + " entry " + std::to_string(i) + ": " + reference::to_string(Rational(got)) +
                  ", exact " + reference::to_string(want) + ", error " + std::to_string(err.convert_to<double>()) +
                  " > bound " + std::to_string(bound.convert_to<double>()));
      };

      // jacobian(): column j solves B z = -A e_j (no rounding in the right-hand side).
      const fast::Matrix Jd = rule->jacobian();
      for (std::size_t j = 0; j < n; ++j) {
        Rational norm1 = 0;
        for (std::size_t i = 0; i < m; ++i) norm1 += absq(Rational(Jd(i, j)));
        for (std::size_t i = 0; i < m; ++i) check("jacobian", i * n + j, Jd(i, j), J[i][j], binv_row[i] * g3m * beta * norm1);
      }

      // jvp(dx).
      const fast::Vector dy = rule->jvp(to_vector(dx.x));
      {
        std::vector<Rational> delta(m, Rational(0));  // gamma_n |A| |dx|
        for (std::size_t i = 0; i < m; ++i)
          for (std::size_t k = 0; k < n; ++k) delta[i] += gamma(n) * absq(A[i][k]) * absq(dx.x[k]);
        Rational norm1 = 0;
        for (std::size_t i = 0; i < m; ++i) norm1 += absq(Rational(dy(i)));
        for (std::size_t i = 0; i < m; ++i) {
          Rational want = 0, bound = 0;
          for (std::size_t k = 0; k < n; ++k) want += J[i][k] * dx.x[k];
          for (std::size_t k = 0; k < m; ++k) bound += absq(Binv[i][k]) * (delta[k] + g3m * beta * norm1);
          check("jvp", i, dy(i), want, bound);
        }
      }

      // vjp(ybar).
      const fast::Vector xbar = rule->vjp(to_vector(ybar.x));
      {
        std::vector<Rational> w(m, Rational(0));  // w = -B^{-T} ybar
        Rational w_inf = 0, binv_t_inf = 0;
        for (std::size_t i = 0; i < m; ++i) {
          Rational row = 0;
          for (std::size_t k = 0; k < m; ++k) {
            w[i] -= Binv[k][i] * ybar.x[k];
            row += absq(Binv[k][i]);
          }
          w_inf = std::max(w_inf, absq(w[i]));
          binv_t_inf = std::max(binv_t_inf, row);
        }
        const Rational kappa = binv_t_inf * Rational(m) * g3m * beta;
        RC_ASSERT(kappa < 1);
        const Rational e = kappa * w_inf / (1 - kappa);
        for (std::size_t j = 0; j < n; ++j) {
          Rational want = 0, bound = 0;
          for (std::size_t i = 0; i < m; ++i) {
            want += J[i][j] * ybar.x[i];
            bound += gamma(m) * absq(A[i][j]) * (absq(w[i]) + e) + absq(A[i][j]) * e;
          }
          check("vjp", j, xbar(static_cast<fast::Index>(j)), want, bound);
        }
      }
      RC_TAG(largest_error == 0 ? "double results exact" : "rounded, within the bound");
    });

}  // namespace
}  // namespace selgrad::properties
