// The tie closure (D5 restricted to ties) and the selection-critical test.
#include <algorithm>

#include "fixtures.hpp"

namespace selgrad::testing {
namespace {

using reference::Matrix;
using reference::tie_closure;

std::vector<Matrix<Rational>> sorted(std::vector<Matrix<Rational>> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::vector<Matrix<Rational>> scalars(std::initializer_list<const char*> xs) {
  std::vector<Matrix<Rational>> v;
  for (const char* x : xs) v.push_back({{q(x)}});
  return sorted(v);
}

TEST(TieClosure, ReluAtZeroIsZeroAndOne) {
  const auto c = tie_closure(example("relu.sgp"), point({"0"}));
  EXPECT_EQ(sorted(c.jacobians), scalars({"0", "1"}));
  EXPECT_EQ(c.jacobians.front(), c.at_point.jacobian);  // the AD output comes first
  EXPECT_TRUE(*c.zero_in_hull);
}

TEST(TieClosure, AbsAtZeroIsMinusOneZeroOne) {
  const auto c = tie_closure(parse_program("input t\ny = abs t\noutput y\n"), point({"0"}));
  EXPECT_EQ(sorted(c.jacobians), scalars({"-1", "0", "1"}));
}

TEST(TieClosure, ZeroFunctionAtZeroIsMinusOneZeroOne) {
  // math.md T3: the conservative field of zero = relu(-x) - relu(x) + x at 0 is [-1, 1].
  const auto c = tie_closure(example("zero.sgp"), point({"0"}));
  EXPECT_EQ(sorted(c.jacobians), scalars({"-1", "0", "1"}));
  EXPECT_EQ(c.combinations, 4u);
  EXPECT_TRUE(*c.zero_in_hull);
}

TEST(TieClosure, WitnessesOfTheorem1) {
  EXPECT_EQ(sorted(tie_closure(example("relu2.sgp"), point({"0"})).jacobians), scalars({"0", "1"}));
  EXPECT_EQ(sorted(tie_closure(example("relu3.sgp"), point({"0"})).jacobians), scalars({"0", "1/2", "1"}));
  const auto id = tie_closure(example("identity_minus_zero.sgp"), point({"0"}));
  EXPECT_EQ(sorted(id.jacobians), scalars({"0", "1", "2"}));
  EXPECT_TRUE(*id.zero_in_hull);  // an artificial critical point of the identity
}

TEST(TieClosure, NoTiesMeansOnlyTheAdOutput) {
  const auto c = tie_closure(example("relu2.sgp"), point({"1/3"}));
  EXPECT_EQ(c.jacobians, std::vector<Matrix<Rational>>{matrix({{"1"}})});
  EXPECT_TRUE(c.tied_nodes.empty());
  EXPECT_FALSE(*c.zero_in_hull);
  // The zero function has derivative 0 off its kink: every such point is critical.
  EXPECT_TRUE(*tie_closure(example("zero.sgp"), point({"1/3"})).zero_in_hull);
}

TEST(TieClosure, MaxTieGivesEveryMaximalArgument) {
  const Program p = parse_program("input a b c\ny = max a b c\noutput y\n");
  const auto c = tie_closure(p, point({"2", "1", "2"}));
  EXPECT_EQ(sorted(c.jacobians), sorted({matrix({{"1", "0", "0"}}), matrix({{"0", "0", "1"}})}));
  EXPECT_FALSE(*c.zero_in_hull);
}

TEST(TieClosure, SortTiesGiveThePermutationsWithinEqualRuns) {
  const Program p = parse_program("input a b c\ny1 y2 y3 = sort a b c\noutput y1 y2 y3\n");
  // b = c < a: two orders; all equal: all 3! = 6 permutation matrices (T3: sort's Clarke Jacobian).
  EXPECT_EQ(tie_closure(p, point({"3", "1", "1"})).jacobians.size(), 2u);
  const auto all = tie_closure(p, point({"0", "0", "0"}));
  EXPECT_EQ(all.jacobians.size(), 6u);
  EXPECT_FALSE(all.zero_in_hull.has_value());  // q = 3: no hull test
  for (const auto& m : all.jacobians) {
    // Each is a permutation matrix.
    for (std::size_t r = 0; r < 3; ++r) {
      Rational row = 0, col = 0;
      for (std::size_t j = 0; j < 3; ++j) {
        row += m[r][j];
        col += m[j][r];
      }
      EXPECT_EQ(row, 1);
      EXPECT_EQ(col, 1);
    }
  }
}

TEST(TieClosure, ClarkeFAtZeroHasTheNineSignCombinations) {
  // J = [[sx, 1], [2, sy]] with sx, sy in {-1, 0, 1}: the corners and centre of
  // clarke F(0) = {[[a, 1], [2, b]] : a, b in [-1, 1]}.
  const auto c = tie_closure(example("clarke.sgp"), point({"0", "0"}));
  EXPECT_EQ(c.jacobians.size(), 9u);
  for (const char* a : {"-1", "0", "1"})
    for (const char* b : {"-1", "0", "1"})
      EXPECT_NE(std::find(c.jacobians.begin(), c.jacobians.end(), matrix({{a, "1"}, {"2", b}})), c.jacobians.end());
}

TEST(TieClosure, ContinuousSelectAtItsBoundaryHasBothBranches) {
  const Program p = parse_program("input t\nn = neg t\ny = select le t 0 n t\noutput y\n");
  EXPECT_EQ(sorted(tie_closure(p, point({"0"})).jacobians), scalars({"-1", "1"}));
}

TEST(TieClosure, TooManyCombinationsIsAClearError) {
  // 17 relu nodes tied at 0: 2^17 combinations, above the default cap of 2^16.
  std::string text = "input t\n";
  std::string sum = "y = add";
  for (int i = 0; i < 17; ++i) {
    text += "r" + std::to_string(i) + " = relu t\n";
    sum += " r" + std::to_string(i);
  }
  const Program p = parse_program(text + sum + "\noutput y\n");
  try {
    tie_closure(p, point({"0"}));
    FAIL() << "expected a Resource error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Resource);
    EXPECT_NE(std::string(e.what()).find("131072 branch combinations over 17 tied nodes"), std::string::npos)
        << e.what();
  }
  reference::Options o;
  o.max_closure_combinations = std::size_t{1} << 17;
  EXPECT_EQ(tie_closure(p, point({"0"}), o).jacobians.size(), 18u);  // k relus on: derivative k
}

}  // namespace
}  // namespace selgrad::testing
