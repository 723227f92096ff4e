// Real roots of polynomials over the rationals by Sturm sequences, exactly: what the check of
// invertibility on a segment of matrices needs (det((1 - t) M0 + t M1) has a root in [0, 1]?).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "selgrad/reference/implicit.hpp"

namespace selgrad::reference::detail {

using Poly = std::vector<Rational>;  ///< coefficients from degree 0 up

Rational eval(const Poly& p, const Rational& t);
/// The Sturm chain of p (p, p', then negated remainders).
std::vector<Poly> sturm_chain(Poly p);
/// Sign variations of the chain at t.
int variations(const std::vector<Poly>& chain, const Rational& t);
/// det((1 - t) M0 + t M1) as a polynomial in t, by exact interpolation at t = 0..k.
Poly segment_det(const Matrix<Rational>& m0, const Matrix<Rational>& m1);

/// A root of p in (0, 1), where p(0), p(1) != 0 and V(0) > V(1): narrowed by bisection. Returns
/// the exact root when one is found (a bisection point, or the simplest rational of the final
/// interval), else the isolating interval.
struct RootLocation {
  std::optional<Rational> exact;
  Rational lo, hi;
};
RootLocation locate_root(const Poly& p);

/// Six significant digits, for messages.
std::string decimal(const Rational& r);

}  // namespace selgrad::reference::detail
