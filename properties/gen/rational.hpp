// Generators of exact rational points and segments (RapidCheck, shrinking).
//
// Two distributions, because the claims need both:
//  * near kinks: small-denominator rationals (k/d, d in {1, 2, 3, 4}, |k/d| <= 3). Random
//    programs use small literals too, so relu/abs arguments vanish, max/min/sort arguments
//    coincide and select comparisons are decided at equality often: ties are hit on purpose.
//    They shrink towards 0, then towards denominator 1.
//  * continuous: n/d with d in [2^40, 2^41) and |n/d| < 4, uniform: ties are hit with
//    probability about 2^-40 (none, in practice), as for a point drawn from a density (P3).
//    They do not shrink (a shrunk value would be a kink point again).
#pragma once

#include <rapidcheck.h>

#include <iosfwd>
#include <string>
#include <vector>

#include "selgrad/reference/scalars.hpp"

namespace selgrad::properties {

using reference::Rational;

/// A point of R^p; shown as `--at=x1,x2,...`, ready for `selgrad grad FILE --at=...`.
struct Point {
  std::vector<Rational> x;
};
void showValue(const Point& p, std::ostream& os);

/// The segment from `from` to `to` (P2).
struct Segment {
  Point from, to;
};
void showValue(const Segment& s, std::ostream& os);

/// "x1,x2,..." in the command-line number format.
std::string point_text(const std::vector<Rational>& x);

/// k/d with d in {1, 2, 3, 4} and |k/d| <= 3; shrinks towards 0.
rc::Gen<Rational> genKinkRational();
/// k/d with d in {1, 2, 4, 8} and |k/d| <= 3: kink-biased and exactly a double; shrinks
/// towards 0.
rc::Gen<Rational> genDyadicKinkRational();
/// n/d with d in [2^40, 2^41), |n/d| < 4; no shrinking.
rc::Gen<Rational> genContinuousRational();
/// A rational in (0, 1] with a small denominator (step sizes, distances); shrinks towards 1.
rc::Gen<Rational> genUnitFraction();

rc::Gen<Point> genPointNearKinks(std::size_t p);
rc::Gen<Point> genContinuousPoint(std::size_t p);
/// A point of genDyadicKinkRational coordinates (every coordinate is a double).
rc::Gen<Point> genDyadicPointNearKinks(std::size_t p);

/// Segments whose endpoints are kink points, segments through a kink point z (from z - d to
/// z + d, d a kink-biased direction), and segments between continuous points.
rc::Gen<Segment> genSegment(std::size_t p);

}  // namespace selgrad::properties
