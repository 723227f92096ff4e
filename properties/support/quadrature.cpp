// Gauss-Legendre nodes, weights and remainder constants (see quadrature.hpp).
#include "support/quadrature.hpp"

#include <cmath>
#include <map>
#include <stdexcept>

namespace selgrad::properties {
namespace {

/// P_n(t) and P_{n-1}(t) by the three-term recurrence.
template <class T>
std::pair<T, T> legendre(int n, const T& t) {
  T p0(1L), p1 = t;
  if (n == 0) return {p0, T(0L)};
  for (int k = 1; k < n; ++k) {
    T p2 = (T(static_cast<long>(2 * k + 1)) * t * p1 - T(static_cast<long>(k)) * p0) / T(static_cast<long>(k + 1));
    p0 = p1;
    p1 = p2;
  }
  return {p1, p0};
}

/// P_n'(t) = n (t P_n - P_{n-1}) / (t^2 - 1).
template <class T>
T legendre_derivative(int n, const T& t) {
  const auto [pn, pm] = legendre(n, t);
  return T(static_cast<long>(n)) * (t * pn - pm) / (t * t - T(1L));
}

Rational factorial(int n) {
  Rational f = 1;
  for (int k = 2; k <= n; ++k) f *= k;
  return f;
}

GaussLegendre make_rule(int n) {
  if (n < 1 || n > 40) throw std::invalid_argument("gauss_legendre: 1 <= n <= 40");
  reference::PrecisionScope scope(192);
  GaussLegendre g;
  g.n = n;
  // Quadratic convergence from a double-precision start: three steps reach 192 bits; the last
  // of twelve steps measures what is left (at most the rounding at 192 bits).
  const Rational floor = Rational(1) / Rational(boost::multiprecision::mpz_int(1) << 180);
  Rational worst_step = 0;
  for (int i = 0; i < n; ++i) {
    Real t(Rational(std::cos(M_PI * (i + 0.75) / (n + 0.5))));
    Rational step = 1;
    for (int it = 0; it < 12; ++it) {
      const Real dt = legendre(n, t).first / legendre_derivative(n, t);
      t = t - dt;
      step = dt.to_rational();
      if (step < 0) step = -step;
    }
    worst_step = std::max(worst_step, step);
    g.nodes.push_back(t.to_rational());
  }
  g.node_error = 2 * std::max(worst_step, floor);
  for (const auto& t : g.nodes) {
    const Interval ti(t);
    const Interval d = legendre_derivative(n, ti);
    g.weights.push_back(Interval(2L) / ((Interval(1L) - ti * ti) * d * d));
  }
  const Rational nf = factorial(n), n2f = factorial(2 * n);
  g.remainder_factor = nf * nf * nf * nf / (n2f * n2f);
  return g;
}

}  // namespace

Rational GaussLegendre::perturbation_bound(const Rational& length, const Rational& sup_g,
                                           const Rational& sup_dg) const {
  // Weights move by at most about n^2 times the node error (|dw/dt| is O(n^2) on the nodes);
  // 2^10 of margin on top.
  const Rational dw = Rational(n * n) * node_error;
  return 1024 * length * (Rational(n) * dw * sup_g + 2 * node_error * sup_dg);
}

const GaussLegendre& gauss_legendre(int n) {
  thread_local std::map<int, GaussLegendre> cache;
  auto it = cache.find(n);
  if (it == cache.end()) it = cache.emplace(n, make_rule(n)).first;
  return it->second;
}

}  // namespace selgrad::properties
