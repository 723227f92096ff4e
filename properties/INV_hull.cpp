// The hypothesis of IMP and INV, "every matrix of conv{M_i} is invertible", decided by
// reference::hull_invertibility, against families whose answer is known by construction:
//
//  * complex numbers: M(z) = [[a, -b], [b, a]] for z = a + ib. A convex combination of such
//    matrices is the matrix of the same combination of the z_i, and det M(z) = |z|^2, so the
//    hull contains a singular matrix iff 0 is in conv{z_i}. Points with a > 0 (an open half
//    plane): Holds. Points z_1, z_2 and z_3 = -(alpha z_1 + beta z_2), alpha, beta > 0, and
//    more: 0 = (alpha z_1 + beta z_2 + z_3) / (1 + alpha + beta) is in their hull: Fails. (0
//    can lie strictly inside a triangle whose edges are all invertible.)
//  * a ball around an invertible matrix: M_i = M_0 + E_i with ||E_i||_inf < 1 / ||M_0^{-1}||_inf
//    (induced infinity norm): every matrix of the hull is within that distance of M_0, hence
//    invertible: Holds (or Undecided for 3 x 3 hulls of three or more matrices, which the
//    documented steps need not decide).
//  * a segment through a singular matrix: S singular (a row that is a multiple of another),
//    M_1 random, M_2 = 2 S - M_1: S is the midpoint: Fails, for 2 x 2 and 3 x 3.
// Every verdict must be the constructed one (k = 2: always decided), and a Fails witness, when
// given, must be convex weights w with det(sum w_i M_i) det(M_1) <= 0, checked exactly.
#include <numeric>

#include "gen/rational.hpp"
#include "selgrad/reference/implicit.hpp"
#include "suite.hpp"

namespace selgrad::properties {
namespace {

using Matrix = std::vector<std::vector<Rational>>;
using reference::Verdict;

rc::Gen<Rational> genSmall() {
  return rc::gen::apply([](int n, int d) { return Rational(n, d); }, rc::gen::inRange(-6, 7), rc::gen::inRange(1, 4));
}
rc::Gen<Rational> genPositive() {
  return rc::gen::apply([](int n, int d) { return Rational(n, d); }, rc::gen::inRange(1, 7), rc::gen::inRange(1, 4));
}

Matrix complex_matrix(const Rational& a, const Rational& b) { return {{a, -b}, {b, a}}; }

Rational det(const Matrix& m) {
  if (m.size() == 2) return m[0][0] * m[1][1] - m[0][1] * m[1][0];
  return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
         m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

Rational inf_norm(const Matrix& m) {
  Rational best = 0;
  for (const auto& row : m) {
    Rational s = 0;
    for (const auto& v : row) s += v < 0 ? Rational(-v) : v;
    best = std::max(best, s);
  }
  return best;
}

Matrix random_matrix(std::size_t k, const char* name) {
  const auto entries = *rc::gen::container<std::vector<Rational>>(k * k, genSmall()).as(name);
  Matrix m(k, std::vector<Rational>(k));
  for (std::size_t i = 0; i < k * k; ++i) m[i / k][i % k] = entries[i];
  return m;
}

void log_matrices(const std::vector<Matrix>& ms) {
  for (std::size_t i = 0; i < ms.size(); ++i) {
    RC_LOG() << "  #" << i + 1 << " =";
    for (const auto& row : ms[i]) {
      RC_LOG() << " [";
      for (std::size_t j = 0; j < row.size(); ++j) RC_LOG() << (j ? " " : "") << row[j];
      RC_LOG() << "]";
    }
    RC_LOG() << "  det " << det(ms[i]) << "\n";
  }
}

enum class HullFamily { HalfPlane, TriangleAroundZero, Ball, SingularMidpoint };

const Register hull_invertibility(
    "INV.hull", "hull invertibility agrees with hulls invertible or not by construction", 3000, [] {
      const auto family = static_cast<HullFamily>(*rc::gen::inRange(0, 4).as("family (half plane, triangle, ball, midpoint)"));
      std::vector<Matrix> ms;
      Verdict want = Verdict::Holds;
      std::size_t k = 2;
      switch (family) {
        case HullFamily::HalfPlane: {
          const auto n = *rc::gen::inRange(1, 7).as("matrices");
          for (int i = 0; i < n; ++i)
            ms.push_back(complex_matrix(*genPositive().as("re z (> 0)"), *genSmall().as("im z")));
          break;
        }
        case HullFamily::TriangleAroundZero: {
          const Rational a1 = *genSmall().as("re z1"), b1 = *genSmall().as("im z1");
          const Rational a2 = *genSmall().as("re z2"), b2 = *genSmall().as("im z2");
          RC_PRE(a1 != 0 || b1 != 0);
          const Rational alpha = *genPositive().as("alpha"), beta = *genPositive().as("beta");
          ms = {complex_matrix(a1, b1), complex_matrix(a2, b2),
                complex_matrix(-(alpha * a1 + beta * a2), -(alpha * b1 + beta * b2))};
          const auto extra = *rc::gen::inRange(0, 3).as("more points");
          for (int i = 0; i < extra; ++i) ms.push_back(complex_matrix(*genSmall().as("re"), *genSmall().as("im")));
          want = Verdict::Fails;
          break;
        }
        case HullFamily::Ball: {
          k = *rc::gen::inRange<std::size_t>(2, 4).as("size");
          const Matrix m0 = random_matrix(k, "M0");
          const auto inv = reference::inverse(m0);
          RC_PRE(inv.has_value());
          const Rational radius = 1 / (2 * inf_norm(*inv));  // < 1 / ||M0^-1||
          const auto n = *rc::gen::inRange(1, 5).as("matrices");
          for (int i = 0; i < n; ++i) {
            Matrix e = random_matrix(k, "E (scaled to the radius)");
            const Rational norm = inf_norm(e);
            Matrix m = m0;
            for (std::size_t r = 0; r < k; ++r)
              for (std::size_t c = 0; c < k; ++c)
                if (norm != 0) m[r][c] += e[r][c] * radius / norm;
            ms.push_back(std::move(m));
          }
          break;
        }
        case HullFamily::SingularMidpoint: {
          k = *rc::gen::inRange<std::size_t>(2, 4).as("size");
          Matrix s = random_matrix(k, "S (before making it singular)");
          const Rational lambda = *genSmall().as("lambda");
          for (std::size_t c = 0; c < k; ++c) s[k - 1][c] = lambda * s[0][c];  // row k = lambda row 1
          const Matrix m1 = random_matrix(k, "M1");
          Matrix m2 = m1;
          for (std::size_t r = 0; r < k; ++r)
            for (std::size_t c = 0; c < k; ++c) m2[r][c] = 2 * s[r][c] - m1[r][c];
          ms = {m1, m2};
          want = Verdict::Fails;
          break;
        }
      }
      log_matrices(ms);
      const reference::HullInvertibility h = reference::hull_invertibility(ms);
      RC_LOG() << "verdict " << reference::verdict_name(h.verdict) << ": " << h.reason << "\n";
      RC_TAG(reference::verdict_name(h.verdict));
      if (want == Verdict::Holds && k == 3 && ms.size() >= 3) RC_ASSERT(h.verdict != Verdict::Fails);
      else RC_ASSERT(h.verdict == want);
      if (h.verdict == Verdict::Fails && !h.witness.empty()) {
        RC_ASSERT(h.witness.size() == ms.size());
        Rational sum = 0;
        Matrix combo(k, std::vector<Rational>(k, Rational(0)));
        for (std::size_t i = 0; i < ms.size(); ++i) {
          RC_ASSERT(h.witness[i] >= 0);
          sum += h.witness[i];
          for (std::size_t r = 0; r < k; ++r)
            for (std::size_t c = 0; c < k; ++c) combo[r][c] += h.witness[i] * ms[i][r][c];
        }
        RC_ASSERT(sum == 1);
        RC_ASSERT(det(combo) * det(ms[0]) <= 0);
      }
    });

}  // namespace
}  // namespace selgrad::properties
