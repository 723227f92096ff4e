// Small helpers on the reference's MPFI intervals: hulls, overlap, containment, magnitude.
#pragma once

#include <mpfi.h>

#include "selgrad/reference/scalars.hpp"

namespace selgrad::properties {

using reference::Interval;
using reference::Rational;
using reference::Real;

/// The smallest interval containing a and b.
inline Interval hull(const Interval& a, const Interval& b) {
  Interval h;
  mpfi_union(h.get(), a.get(), b.get());
  return h;
}

/// The interval [min(a, b), max(a, b)] (outward rounded).
inline Interval hull(const Rational& a, const Rational& b) { return hull(Interval(a), Interval(b)); }

inline bool overlaps(const Interval& a, const Interval& b) {
  return mpfr_cmp(&a.get()->right, &b.get()->left) >= 0 && mpfr_cmp(&b.get()->right, &a.get()->left) >= 0;
}

inline bool contains(const Interval& a, const Rational& r) {
  return a.is_bounded() && a.lower().to_rational() <= r && r <= a.upper().to_rational();
}

/// Whether both ends are finite with magnitude below 2^max_exponent. Beyond that, exact rational
/// arithmetic on the ends costs more than any check is worth (an end near 2^(2^30), which MPFR
/// represents in a few words, is a 2^30-bit integer as a rational).
inline bool moderate(const Interval& a, mpfr_exp_t max_exponent = 512) {
  const auto ok = [&](mpfr_srcptr v) { return mpfr_zero_p(v) || (mpfr_number_p(v) && mpfr_get_exp(v) <= max_exponent); };
  return ok(&a.get()->left) && ok(&a.get()->right);
}

/// Upper bound of |x| over the interval, as an exact rational (the interval must be bounded).
inline Rational magnitude(const Interval& a) {
  const Rational lo = a.lower().to_rational(), hi = a.upper().to_rational();
  return std::max(lo < 0 ? Rational(-lo) : lo, hi < 0 ? Rational(-hi) : hi);
}

/// Upper bound of the width, as an exact rational.
inline Rational width(const Interval& a) { return a.upper().to_rational() - a.lower().to_rational(); }

/// The distance between two intervals (0 when they overlap), as an exact rational.
inline Rational gap(const Interval& a, const Interval& b) {
  const Rational d1 = a.lower().to_rational() - b.upper().to_rational();
  const Rational d2 = b.lower().to_rational() - a.upper().to_rational();
  return std::max({Rational(0), d1, d2});
}

}  // namespace selgrad::properties
