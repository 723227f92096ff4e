// Tests for the exact decision "0 is in the convex hull of these rational points".
//
// Several cases put the origin outside the hull by a margin far below double precision, where
// a floating-point LP would answer wrongly; the random cases compare against oracles that do
// not use an LP (interval endpoints in 1-D, Caratheodory with exact orientations in 2-D).
#include "selgrad/reference/convex_hull.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <random>
#include <thread>
#include <vector>

#include "selgrad/program/error.hpp"

namespace selgrad::reference {
namespace {

using Point = std::vector<Rational>;
using Points = std::vector<Point>;

Rational q(long num, long den = 1) { return Rational(num, den); }

// 1 / 10^30: far below the tolerance of any double-precision LP.
Rational tiny() {
  Rational r(1);
  for (int i = 0; i < 30; ++i) r /= 10;
  return r;
}

Point unit(std::size_t n, std::size_t k, long sign = 1) {
  Point p(n, q(0));
  p[k] = q(sign);
  return p;
}

TEST(ZeroInConvexHull, EmptySetHasEmptyHull) { EXPECT_FALSE(zero_in_convex_hull({})); }

TEST(ZeroInConvexHull, SingleZeroPointIsInItsHull) {
  EXPECT_TRUE(zero_in_convex_hull({{q(0)}}));
  EXPECT_TRUE(zero_in_convex_hull({{q(0), q(0), q(0)}}));
}

TEST(ZeroInConvexHull, SingleNonzeroPointExcludesZero) {
  EXPECT_FALSE(zero_in_convex_hull({{q(3, 7)}}));
  EXPECT_FALSE(zero_in_convex_hull({{q(0), q(-1), q(0)}}));
  EXPECT_FALSE(zero_in_convex_hull({{tiny(), q(0)}}));
}

TEST(ZeroInConvexHull, OneDimensionalSegmentAcrossZeroContainsIt) {
  EXPECT_TRUE(zero_in_convex_hull({{q(-1)}, {q(1)}}));
  EXPECT_TRUE(zero_in_convex_hull({{q(-1)}, {q(0)}, {q(1)}}));
  EXPECT_TRUE(zero_in_convex_hull({{-tiny()}, {q(5)}}));
}

TEST(ZeroInConvexHull, OneDimensionalSegmentOnOneSideExcludesZero) {
  EXPECT_FALSE(zero_in_convex_hull({{q(1)}, {q(2)}}));
  EXPECT_FALSE(zero_in_convex_hull({{-q(2)}, {-tiny()}}));
}

TEST(ZeroInConvexHull, ZeroOnASegmentIn2DIsInTheHull) {
  // The second coordinate is zero for all points: a degenerate (dependent) equality row.
  EXPECT_TRUE(zero_in_convex_hull({{q(1), q(0)}, {q(-1), q(0)}}));
  EXPECT_TRUE(zero_in_convex_hull({{q(2), q(-4)}, {q(-1, 3), q(2, 3)}}));
}

TEST(ZeroInConvexHull, SegmentOnALineThroughZeroButNotReachingItExcludesZero) {
  EXPECT_FALSE(zero_in_convex_hull({{q(1), q(0)}, {q(2), q(0)}}));
  EXPECT_FALSE(zero_in_convex_hull({{q(1), q(2)}, {q(3), q(6)}}));
}

TEST(ZeroInConvexHull, TriangleStrictlyAroundZeroContainsIt) {
  EXPECT_TRUE(zero_in_convex_hull({{q(1), q(0)}, {q(-1), q(1)}, {q(-1), q(-1)}}));
}

TEST(ZeroInConvexHull, ZeroAtAVertexIsInTheHull) {
  EXPECT_TRUE(zero_in_convex_hull({{q(0), q(0)}, {q(1), q(0)}, {q(0), q(1)}}));
}

TEST(ZeroInConvexHull, TriangleMissingZeroByATinyExactMarginExcludesIt) {
  // Edge y = e through (-1, e) and (1, e); the apex is (0, 1). Zero is outside iff e > 0.
  const Rational e = tiny();
  EXPECT_FALSE(zero_in_convex_hull({{q(-1), e}, {q(1), e}, {q(0), q(1)}}));
  EXPECT_TRUE(zero_in_convex_hull({{q(-1), q(0)}, {q(1), q(0)}, {q(0), q(1)}}));
  EXPECT_TRUE(zero_in_convex_hull({{q(-1), -e}, {q(1), -e}, {q(0), q(1)}}));
}

TEST(ZeroInConvexHull, HugeAndTinyMagnitudesAreHandledExactly) {
  Rational big(1);
  for (int i = 0; i < 50; ++i) big *= 10;
  // (-1/big, -1/big^2) is exactly -(1/big^2) (big, 1), so zero lies on the segment between
  // them; moving the second point by 1/big^3 makes the segment miss zero.
  const Point a{big, q(1)};
  EXPECT_TRUE(zero_in_convex_hull({a, {-1 / big, -1 / (big * big)}}));
  EXPECT_FALSE(zero_in_convex_hull({a, {-1 / big, -1 / (big * big) + 1 / (big * big * big)}}));
}

TEST(ZeroInConvexHull, SignedUnitVectorsIn6DContainZero) {
  Points pts;
  for (std::size_t k = 0; k < 6; ++k) {
    pts.push_back(unit(6, k, 1));
    pts.push_back(unit(6, k, -1));
  }
  EXPECT_TRUE(zero_in_convex_hull(pts));
  // Without -e1 zero is still the midpoint of +e2 and -e2.
  pts.erase(pts.begin() + 1);
  EXPECT_TRUE(zero_in_convex_hull(pts));
}

TEST(ZeroInConvexHull, PositiveUnitVectorsIn6DExcludeZero) {
  Points pts;
  for (std::size_t k = 0; k < 6; ++k) pts.push_back(unit(6, k));
  EXPECT_FALSE(zero_in_convex_hull(pts));
}

TEST(ZeroInConvexHull, SimplexIn6DContainsZeroOnlyWhenTheFacetReachesIt) {
  // e1..e6 and p = -(1,1,1,1,1,c). For c < 0 or c = 0 zero is in the hull (interior or on a
  // facet); for c > 0 every combination has a positive last coordinate unless all weight sits
  // on e1..e5 and p, which cannot cancel.
  auto simplex = [](const Rational& c) {
    Points pts;
    for (std::size_t k = 0; k < 6; ++k) pts.push_back(unit(6, k));
    Point p(6, q(-1));
    p[5] = c;
    pts.push_back(p);
    return pts;
  };
  EXPECT_TRUE(zero_in_convex_hull(simplex(q(-1))));
  EXPECT_TRUE(zero_in_convex_hull(simplex(q(0))));
  EXPECT_FALSE(zero_in_convex_hull(simplex(tiny())));
}

TEST(ZeroInConvexHull, DuplicatePointsDoNotChangeTheAnswer) {
  EXPECT_FALSE(zero_in_convex_hull({{q(1), q(1)}, {q(1), q(1)}, {q(2), q(1)}, {q(2), q(1)}}));
  EXPECT_TRUE(zero_in_convex_hull({{q(1), q(1)}, {q(1), q(1)}, {q(-2), q(-2)}, {q(-2), q(-2)}}));
}

Rational small_rational(std::mt19937_64& rng) {
  std::uniform_int_distribution<long> num(-9, 9);
  std::uniform_int_distribution<long> den(1, 7);
  return Rational(num(rng), den(rng));
}

TEST(ZeroInConvexHull, ManyPointsInAnOpenHalfSpaceExcludeZero) {
  std::mt19937_64 rng(20240611);
  std::uniform_int_distribution<long> pos(1, 9);
  Points pts;
  for (int i = 0; i < 200; ++i) {
    Point p;
    p.push_back(Rational(pos(rng), 1000));  // first coordinate > 0
    for (int k = 1; k < 5; ++k) p.push_back(small_rational(rng));
    pts.push_back(p);
  }
  EXPECT_FALSE(zero_in_convex_hull(pts));
}

TEST(ZeroInConvexHull, ManyPointsTogetherWithTheirNegationsContainZero) {
  std::mt19937_64 rng(7);
  Points pts;
  for (int i = 0; i < 100; ++i) {
    Point p;
    for (int k = 0; k < 5; ++k) p.push_back(small_rational(rng));
    p[0] = Rational(1 + i, 3);  // never the zero point, so the fast path cannot decide
    Point neg = p;
    for (auto& c : neg) c = -c;
    pts.push_back(p);
    pts.push_back(neg);
  }
  std::shuffle(pts.begin(), pts.end(), rng);
  EXPECT_TRUE(zero_in_convex_hull(pts));
}

TEST(ZeroInConvexHull, RandomOneDimensionalSetsAgreeWithTheirRange) {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int> count(1, 6);
  for (int trial = 0; trial < 300; ++trial) {
    Points pts;
    const int n = count(rng);
    Rational lo, hi;
    for (int i = 0; i < n; ++i) {
      Rational x = small_rational(rng);
      if (i == 0 || x < lo) lo = x;
      if (i == 0 || x > hi) hi = x;
      pts.push_back({x});
    }
    EXPECT_EQ(zero_in_convex_hull(pts), lo <= 0 && 0 <= hi) << "trial " << trial;
  }
}

// 2-D oracle by Caratheodory: zero is in the hull iff it is one of the points, on a segment
// between two of them, or in a non-degenerate triangle of three of them (closed).
Rational cross(const Point& a, const Point& b) { return a[0] * b[1] - a[1] * b[0]; }
Rational dot(const Point& a, const Point& b) { return a[0] * b[0] + a[1] * b[1]; }
int sgn(const Rational& r) { return r > 0 ? 1 : (r < 0 ? -1 : 0); }

bool oracle_2d(const Points& pts) {
  const std::size_t n = pts.size();
  for (const auto& a : pts) {
    if (a[0] == 0 && a[1] == 0) return true;
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      if (cross(pts[i], pts[j]) == 0 && dot(pts[i], pts[j]) <= 0) return true;
      for (std::size_t k = j + 1; k < n; ++k) {
        const Point &a = pts[i], &b = pts[j], &c = pts[k];
        const Point ab{b[0] - a[0], b[1] - a[1]}, ac{c[0] - a[0], c[1] - a[1]};
        if (cross(ab, ac) == 0) continue;  // degenerate: covered by the segment case
        const int s1 = sgn(cross(a, b)), s2 = sgn(cross(b, c)), s3 = sgn(cross(c, a));
        if ((s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0)) return true;
      }
    }
  }
  return false;
}

TEST(ZeroInConvexHull, RandomPlanarSetsAgreeWithACaratheodoryOracle) {
  std::mt19937_64 rng(12345);
  std::uniform_int_distribution<int> count(1, 8);
  std::uniform_int_distribution<long> coord(-3, 3);
  std::uniform_int_distribution<long> den(1, 2);
  int inside = 0;
  for (int trial = 0; trial < 400; ++trial) {
    Points pts;
    const int n = count(rng);
    for (int i = 0; i < n; ++i) {
      pts.push_back({Rational(coord(rng), den(rng)), Rational(coord(rng), den(rng))});
    }
    const bool expected = oracle_2d(pts);
    inside += expected ? 1 : 0;
    EXPECT_EQ(zero_in_convex_hull(pts), expected) << "trial " << trial;
  }
  // Both answers must be exercised for the comparison to mean anything.
  EXPECT_GT(inside, 40);
  EXPECT_LT(inside, 360);
}

TEST(ZeroInConvexHull, ConcurrentCallersGetConsistentAnswers) {
  const Points in{{q(1), q(0)}, {q(-1), q(1)}, {q(-1), q(-1)}};
  const Points out{{q(-1), tiny()}, {q(1), tiny()}, {q(0), q(1)}};
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        if (!zero_in_convex_hull(in)) ++wrong[t];
        if (zero_in_convex_hull(out)) ++wrong[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(wrong[t], 0) << "thread " << t;
}

TEST(ZeroInConvexHull, RaggedInputIsAUsageError) {
  try {
    zero_in_convex_hull({{q(1), q(2)}, {q(3)}});
    FAIL() << "expected selgrad::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
  }
}

TEST(ZeroInConvexHull, DimensionZeroIsAUsageError) {
  try {
    zero_in_convex_hull({{}, {}});
    FAIL() << "expected selgrad::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
  }
}

}  // namespace
}  // namespace selgrad::reference
