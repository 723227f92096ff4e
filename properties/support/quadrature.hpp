// Gauss-Legendre quadrature with a rigorous remainder bound (P2 in MPFR).
//
// The n-point rule on [a, b]: integral_a^b g ~ (b - a)/2 sum_i w_i g(a + (b - a)(1 + t_i)/2).
// Remainder (Abramowitz-Stegun 25.4.30):
//   |E| = (b - a)^(2n+1) (n!)^4 / ((2n+1) ((2n)!)^3) |g^(2n)(xi)|.
// With g = F' and F's Taylor coefficients F_k = F^(k)/k! (support/taylor.hpp),
// g^(2n) = (2n+1)! F_(2n+1), so |E| <= (b - a)^(2n+1) (n!)^4 / ((2n)!)^2 max |F_(2n+1)|.
//
// Nodes are the roots of P_n by Newton's method in MPFR at 192 bits, stored as exact dyadic
// rationals t~_i with |t~_i - t_i| below node_error (the last Newton step, which bounds the
// error of a simple root once Newton converges quadratically, times 2); weights are MPFI
// enclosures of 2 / ((1 - t^2) P_n'(t)^2) at t~_i. Using the rule at t~_i instead of t_i
// changes the result by at most (b - a) (n |dw| sup|g| + 2 node_error sup|g'|), dw the
// weights' sensitivity: perturbation_bound() returns a bound with a factor 2^10 of margin.
#pragma once

#include <vector>

#include "support/interval.hpp"

namespace selgrad::properties {

struct GaussLegendre {
  int n = 0;
  std::vector<Rational> nodes;    ///< t~_i in (-1, 1)
  std::vector<Interval> weights;  ///< enclosures of the weights at t~_i
  Rational node_error;            ///< bound on |t~_i - t_i|
  Rational remainder_factor;      ///< (n!)^4 / ((2n)!)^2

  /// Bound on the change of the rule's value on [a, b] from using t~_i (see the file comment),
  /// given bounds on sup |g| and sup |g'| over [a, b].
  Rational perturbation_bound(const Rational& length, const Rational& sup_g, const Rational& sup_dg) const;
};

/// The n-point rule (cached per n; thread-local).
const GaussLegendre& gauss_legendre(int n);

}  // namespace selgrad::properties
