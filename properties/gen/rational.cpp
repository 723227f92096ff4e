// Generators of exact rational points and segments (see rational.hpp).
#include "gen/rational.hpp"

#include <ostream>

namespace selgrad::properties {

void showValue(const Point& p, std::ostream& os) { os << "--at=" << point_text(p.x); }

void showValue(const Segment& s, std::ostream& os) {
  os << "from --at=" << point_text(s.from.x) << "  to --at=" << point_text(s.to.x);
}

std::string point_text(const std::vector<Rational>& x) {
  std::string out;
  for (std::size_t i = 0; i < x.size(); ++i) out += (i ? "," : "") + reference::to_string(x[i]);
  return out;
}

namespace {
/// 0, -1, 1, -2, 2, ...: shrinking the index towards 0 shrinks the value towards 0.
long zigzag(long v) { return (v % 2 == 0) ? v / 2 : -(v + 1) / 2; }
}  // namespace

rc::Gen<Rational> genKinkRational() {
  return rc::gen::apply(
      [](int d_index, int k) {
        static const long kDen[] = {1, 2, 4, 3};
        const long d = kDen[d_index];
        return Rational(zigzag(k) % (3 * d + 1), d);
      },
      rc::gen::resize(100, rc::gen::inRange(0, 4)), rc::gen::resize(100, rc::gen::inRange(0, 25)));
}

rc::Gen<Rational> genDyadicKinkRational() {
  return rc::gen::apply(
      [](int d_index, int k) {
        const long d = 1L << d_index;
        return Rational(zigzag(k) % (3 * d + 1), d);
      },
      rc::gen::resize(100, rc::gen::inRange(0, 4)), rc::gen::resize(100, rc::gen::inRange(0, 49)));
}

rc::Gen<Rational> genContinuousRational() {
  // d in [2^40, 2^41), n in [-2^42, 2^42): |n/d| < 4, on a grid far finer than any kink spacing.
  return rc::gen::noShrink(rc::gen::resize(
      100, rc::gen::apply(
               [](std::int64_t d_low, std::int64_t n) {
                 return Rational(n, (std::int64_t{1} << 40) + d_low);
               },
               rc::gen::inRange<std::int64_t>(0, std::int64_t{1} << 40),
               rc::gen::inRange<std::int64_t>(-(std::int64_t{1} << 42), std::int64_t{1} << 42))));
}

rc::Gen<Rational> genUnitFraction() {
  return rc::gen::apply([](int n, int d) { return Rational(std::max(1, d - n), d); },
                        rc::gen::resize(100, rc::gen::inRange(0, 8)), rc::gen::resize(100, rc::gen::inRange(1, 9)));
}

rc::Gen<Point> genPointNearKinks(std::size_t p) {
  return rc::gen::map(rc::gen::container<std::vector<Rational>>(p, genKinkRational()),
                      [](std::vector<Rational> x) { return Point{std::move(x)}; });
}

rc::Gen<Point> genContinuousPoint(std::size_t p) {
  return rc::gen::map(rc::gen::container<std::vector<Rational>>(p, genContinuousRational()),
                      [](std::vector<Rational> x) { return Point{std::move(x)}; });
}

rc::Gen<Point> genDyadicPointNearKinks(std::size_t p) {
  return rc::gen::map(rc::gen::container<std::vector<Rational>>(p, genDyadicKinkRational()),
                      [](std::vector<Rational> x) { return Point{std::move(x)}; });
}

rc::Gen<Segment> genSegment(std::size_t p) {
  const auto through = rc::gen::apply(
      [](const Point& z, const Point& d) {
        Segment s{z, z};
        for (std::size_t i = 0; i < z.x.size(); ++i) {
          s.from.x[i] -= d.x[i];
          s.to.x[i] += d.x[i];
        }
        return s;
      },
      genPointNearKinks(p), genPointNearKinks(p));
  const auto kinks = rc::gen::apply([](const Point& a, const Point& b) { return Segment{a, b}; },
                                    genPointNearKinks(p), genPointNearKinks(p));
  const auto continuous = rc::gen::apply([](const Point& a, const Point& b) { return Segment{a, b}; },
                                         genContinuousPoint(p), genContinuousPoint(p));
  return rc::gen::weightedOneOf<Segment>({{3, kinks}, {3, through}, {1, continuous}});
}

}  // namespace selgrad::properties
