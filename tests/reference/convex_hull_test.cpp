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

// ---- Gordan's alternative (zero_in_convex_hull) against the primal LP ---------------------

/// A random small point set of dimension n with m points, drawn to hit the degenerate cases:
/// duplicates, collinear points, 0 on the boundary (a point and its negation, or a combination
/// of two points placed exactly at 0), and small denominators.
Points random_set(std::mt19937_64& rng, std::size_t n, std::size_t m) {
  std::uniform_int_distribution<int> kind(0, 5);
  std::uniform_int_distribution<long> small(-3, 3);
  std::uniform_int_distribution<long> den(1, 4);
  Points pts;
  while (pts.size() < m) {
    Point p(n);
    const int k = pts.empty() ? 0 : kind(rng);
    if (k == 1) {  // a duplicate
      p = pts[std::uniform_int_distribution<std::size_t>(0, pts.size() - 1)(rng)];
    } else if (k == 2) {  // collinear with an earlier point (through 0: a positive or negative multiple)
      const Point& a = pts[std::uniform_int_distribution<std::size_t>(0, pts.size() - 1)(rng)];
      const Rational f(small(rng), den(rng));
      for (std::size_t j = 0; j < n; ++j) p[j] = a[j] * f;
    } else {
      for (auto& c : p) c = Rational(small(rng), den(rng));
    }
    pts.push_back(p);
  }
  return pts;
}

TEST(GordanDual, AgreesWithThePrimalLpOnRandomSmallPointSets) {
  std::mt19937_64 rng(20261207);
  int answers[2] = {0, 0};
  for (int trial = 0; trial < 600; ++trial) {
    const std::size_t n = 1 + static_cast<std::size_t>(trial % 4);
    const std::size_t m = 1 + static_cast<std::size_t>((trial / 4) % 7);
    Points pts = random_set(rng, n, m);
    if (trial % 5 == 0) {  // 0 on the segment from pts[0] to -2 pts[0] (an edge, or inside)
      Point b = pts[0];
      for (auto& c : b) c = -c * 2;
      pts.push_back(b);
    }
    const bool dual = zero_in_convex_hull(pts);
    ASSERT_EQ(dual, zero_in_convex_hull_primal(pts)) << "trial " << trial;
    ++answers[dual ? 1 : 0];
  }
  // Both answers occur often: the comparison is not one-sided.
  EXPECT_GT(answers[0], 100);
  EXPECT_GT(answers[1], 100);
}

TEST(GordanDual, DegenerateSetsAgreeWithThePrimalLp) {
  const std::vector<Points> sets = {
      {{q(5)}},                                           // a single point, p = 1
      {{q(0), q(0)}},                                     // the origin alone
      {{q(2), q(-4)}, {q(2), q(-4)}, {q(2), q(-4)}},      // duplicates of one point
      {{q(1), q(2)}, {q(-1, 2), q(-1)}},                  // 0 on a segment through it
      {{q(1), q(2)}, {q(1, 2), q(1)}, {q(3), q(6)}},      // collinear, 0 outside
      {{q(1), q(0)}, {q(0), q(1)}, {q(-1), q(-1)}},       // 0 interior
      {{q(1), q(0)}, {q(-1), q(0)}, {q(0), q(1)}},        // 0 on an edge
      {{q(-1), tiny()}, {q(1), tiny()}, {q(0), q(1)}},    // outside by 1e-30
      {{q(1)}, {q(-1)}, {q(1)}, {q(-1)}},                 // p = 1, duplicates across 0
  };
  for (std::size_t i = 0; i < sets.size(); ++i)
    EXPECT_EQ(zero_in_convex_hull(sets[i]), zero_in_convex_hull_primal(sets[i])) << "set " << i;
}

TEST(GordanDual, SixtyFiveThousandDistinctPointsAreDecidedByFewSmallLps) {
  // The gradients of relu(x1) + ... + relu(x16) + x1 + ... + x16 at 0: every vector of {1, 2}^16
  // (0 outside), and the same shifted by -3/2: {-1/2, 1/2}^16, 0 at the centre, not a point.
  Points pts, shifted;
  for (std::size_t i = 0; i < (std::size_t{1} << 16); ++i) {
    Point a(16), b(16);
    for (std::size_t j = 0; j < 16; ++j) {
      a[j] = q(1 + static_cast<long>((i >> j) & 1));
      b[j] = a[j] - q(3, 2);
    }
    pts.push_back(a);
    shifted.push_back(b);
  }
  EXPECT_FALSE(zero_in_convex_hull(pts));
  EXPECT_TRUE(zero_in_convex_hull(shifted));
}

// ---- H1: Minkowski sums of small polytopes ------------------------------------------------

TEST(MinkowskiSum, SegmentsAroundTheOffsetDecideBothWays) {
  // offset (1, 1) + [0, (-2, 0)] + [0, (0, -2)] contains 0 ((1,1) - (1, 0) - (0, 1)).
  EXPECT_TRUE(zero_in_minkowski_sum({q(1), q(1)}, {{{{q(0), q(0)}, {q(-2), q(0)}}, 0}, {{{q(0), q(0)}, {q(0), q(-2)}}, 0}}));
  // Moving the offset by 1e-30 past the box's corner excludes it.
  EXPECT_FALSE(zero_in_minkowski_sum({q(2) + tiny(), q(1)},
                                     {{{{q(0), q(0)}, {q(-2), q(0)}}, 0}, {{{q(0), q(0)}, {q(0), q(-2)}}, 0}}));
  EXPECT_TRUE(zero_in_minkowski_sum({q(2), q(1)}, {{{{q(0), q(0)}, {q(-2), q(0)}}, 0}, {{{q(0), q(0)}, {q(0), q(-2)}}, 0}}));
}

TEST(MinkowskiSum, BirkhoffTermIsTheHullOfThePermutations) {
  // k = 3, points[r k + s] = a_r * e_s in R^3 with a = (3, 2, 1): the image of a permutation
  // matrix is a permutation of a, so the term is the permutohedron of (3, 2, 1), which contains
  // (2, 2, 2) and not (3, 3, 0).
  PolytopeTerm t;
  t.birkhoff = 3;
  const long a[3] = {3, 2, 1};
  for (int r = 0; r < 3; ++r)
    for (int s = 0; s < 3; ++s) t.points.push_back(unit(3, static_cast<std::size_t>(s), a[r]));
  EXPECT_TRUE(zero_in_minkowski_sum({q(-2), q(-2), q(-2)}, {t}));
  EXPECT_TRUE(zero_in_minkowski_sum({q(-3), q(-2), q(-1)}, {t}));
  EXPECT_FALSE(zero_in_minkowski_sum({q(-3), q(-3), q(0)}, {t}));
  // Just outside the facet x1 + x2 <= 5: (5/2 + e, 5/2, 1 - e).
  EXPECT_FALSE(zero_in_minkowski_sum({-q(5, 2) - tiny(), -q(5, 2), -q(1) + tiny()}, {t}));
}

TEST(MinkowskiSum, AgreesWithTheHullOfEveryVertexSumOnRandomTerms) {
  std::mt19937_64 rng(77);
  std::uniform_int_distribution<long> small(-3, 3);
  int answers[2] = {0, 0};
  for (int trial = 0; trial < 150; ++trial) {
    const std::size_t n = 1 + static_cast<std::size_t>(trial % 3);
    std::vector<PolytopeTerm> terms;
    std::vector<Points> vertex_sets;
    for (int u = 0; u < 1 + trial % 3; ++u) {
      PolytopeTerm t;
      const bool birkhoff = trial % 4 == 0 && u == 0;
      if (birkhoff) {
        t.birkhoff = 2;
        for (int i = 0; i < 4; ++i) {
          Point p(n);
          for (auto& c : p) c = Rational(small(rng), 2);
          t.points.push_back(p);
        }
        // The two permutation matrices of order 2: identity and swap.
        Point id(n), sw(n);
        for (std::size_t j = 0; j < n; ++j) {
          id[j] = t.points[0][j] + t.points[3][j];
          sw[j] = t.points[1][j] + t.points[2][j];
        }
        vertex_sets.push_back({id, sw});
      } else {
        for (int i = 0; i < 1 + (trial + u) % 3; ++i) {
          Point p(n);
          for (auto& c : p) c = Rational(small(rng), 2);
          t.points.push_back(p);
        }
        vertex_sets.push_back(t.points);
      }
      terms.push_back(t);
    }
    Point offset(n);
    for (auto& c : offset) c = Rational(small(rng), 3);
    // conv(A) + conv(B) = conv(A + B): the hull of every sum of one vertex per term.
    Points sums{offset};
    for (const auto& vs : vertex_sets) {
      Points next;
      for (const auto& s : sums)
        for (const auto& v : vs) {
          Point w = s;
          for (std::size_t j = 0; j < n; ++j) w[j] += v[j];
          next.push_back(w);
        }
      sums = next;
    }
    const bool lp = zero_in_minkowski_sum(offset, terms);
    ASSERT_EQ(lp, zero_in_convex_hull_primal(sums)) << "trial " << trial;
    ++answers[lp ? 1 : 0];
  }
  EXPECT_GT(answers[0], 20);
  EXPECT_GT(answers[1], 20);
}

TEST(MinkowskiSum, RaggedTermsAreUsageErrors) {
  for (const auto& bad : {std::vector<PolytopeTerm>{{{{q(1), q(2)}, {q(3)}}, 0}},
                          std::vector<PolytopeTerm>{{{{q(1), q(2)}}, 2}}}) {
    try {
      zero_in_minkowski_sum({q(0), q(0)}, bad);
      FAIL() << "expected selgrad::Error";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Usage);
    }
  }
}

}  // namespace
}  // namespace selgrad::reference
