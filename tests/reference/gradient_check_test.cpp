// The gradient check (reference/gradient_check.hpp): closure, hull, outside, undecided.
#include <gtest/gtest.h>

#include "selgrad/program/error.hpp"
#include "selgrad/program/parse.hpp"
#include "selgrad/reference/gradient_check.hpp"

namespace selgrad::reference {
namespace {

using V = GradientVerdict;

GradientCheck check(const std::string& text, const std::vector<Rational>& x, const Matrix<Rational>& g,
                    const Options& o = {}) {
  return check_gradient(parse_program(text), x, g, o);
}

const std::string kIdentity = "input x\na = relu x\nn = neg x\nb = relu n\ny = sub a b\noutput y\n";

TEST(GradientCheck, ReluMinusReluOfMinusAtZero) {
  // relu(x) - relu(-x) = x; at 0 the closure is {0, 1, 2} (relu'(0) in {0, 1} twice).
  const GradientCheck torch = check(kIdentity, {0}, {{0}});
  EXPECT_EQ(torch.verdict, V::Closure);
  EXPECT_EQ(torch.bifurcation, true);
  EXPECT_EQ(torch.tied_nodes.size(), 2u);
  EXPECT_EQ(torch.closure_size, 3u);
  EXPECT_EQ(check(kIdentity, {0}, {{1}}).verdict, V::Closure);
  EXPECT_EQ(check(kIdentity, {0}, {{Rational(1, 2)}}).verdict, V::Hull);
  EXPECT_EQ(check(kIdentity, {0}, {{3}}).verdict, V::Outside);
  EXPECT_EQ(check(kIdentity, {0}, {{-1}}).verdict, V::Outside);
}

TEST(GradientCheck, AwayFromTiesOnlyTheGradientPasses) {
  const GradientCheck c = check(kIdentity, {Rational(1, 3)}, {{1}});
  EXPECT_EQ(c.verdict, V::Closure);
  EXPECT_EQ(c.bifurcation, false);
  EXPECT_EQ(check(kIdentity, {Rational(1, 3)}, {{Rational(1, 2)}}).verdict, V::Outside);
}

TEST(GradientCheck, MaximumSplitIsInTheHullNotTheClosure) {
  const std::string max = "input x y\nm = max x y\noutput m\n";
  EXPECT_EQ(check(max, {1, 1}, {{Rational(1, 2), Rational(1, 2)}}).verdict, V::Hull);
  EXPECT_EQ(check(max, {1, 1}, {{0, 1}}).verdict, V::Closure);
  EXPECT_EQ(check(max, {1, 1}, {{Rational(1, 2), Rational(1, 3)}}).verdict, V::Outside);
}

TEST(GradientCheck, SeveralOutputsCompareWholeJacobians) {
  // F(x, y) = (max(x, y), min(x, y)) at x = y: the closure pairs the choices of the two nodes.
  const std::string f = "input x y\nm = max x y\nn = min x y\noutput m n\n";
  EXPECT_EQ(check(f, {2, 2}, {{1, 0}, {1, 0}}).verdict, V::Closure);
  EXPECT_EQ(check(f, {2, 2}, {{Rational(1, 2), Rational(1, 2)}, {Rational(1, 2), Rational(1, 2)}}).verdict, V::Hull);
  EXPECT_EQ(check(f, {2, 2}, {{1, 0}, {1, 1}}).verdict, V::Outside);
}

TEST(GradientCheck, BeyondTheCapH1DecidesOutsideAndSaysWhatItCannotDecide) {
  // 20 relus tied at 0 (2^20 combinations) do not nest: H1 decides the hull without a list.
  std::string text = "input";
  for (int i = 0; i < 20; ++i) text += " x" + std::to_string(i);
  text += "\n";
  std::string sum = "y = add";
  for (int i = 0; i < 20; ++i) {
    text += "r" + std::to_string(i) + " = relu x" + std::to_string(i) + "\n";
    sum += " r" + std::to_string(i);
  }
  text += sum + "\noutput y\n";
  Options o;
  o.max_closure_combinations = 1000;
  const std::vector<Rational> zero(20, Rational(0));
  Matrix<Rational> g(1, std::vector<Rational>(20, Rational(0)));
  EXPECT_EQ(check(text, zero, g, o).verdict, V::Closure);  // AD's own
  g[0][3] = Rational(1, 2);
  const GradientCheck half = check(text, zero, g, o);
  EXPECT_EQ(half.verdict, V::Undecided);
  EXPECT_NE(half.reason.find("in the hull"), std::string::npos) << half.reason;
  EXPECT_EQ(half.bifurcation, true);
  EXPECT_FALSE(half.closure_complete);
  g[0][3] = 2;
  EXPECT_EQ(check(text, zero, g, o).verdict, V::Outside);
}

TEST(GradientCheck, NestedTiesBeyondTheCapAreUndecidedWithTheReason) {
  // relu(relu(x_i)) nests two tied nodes on one path: no H1, and 4^10 combinations.
  std::string text = "input";
  for (int i = 0; i < 10; ++i) text += " x" + std::to_string(i);
  text += "\n";
  std::string sum = "y = add";
  for (int i = 0; i < 10; ++i) {
    const std::string s = std::to_string(i);
    text += "a" + s + " = relu x" + s + "\nb" + s + " = relu a" + s + "\nc" + s + " = sub x" + s + " b" + s + "\n";
    sum += " c" + s;
  }
  text += sum + "\noutput y\n";
  Options o;
  o.max_closure_combinations = 1000;
  const GradientCheck c = check(text, std::vector<Rational>(10, Rational(0)), Matrix<Rational>(1, std::vector<Rational>(10)), o);
  EXPECT_EQ(c.verdict, V::Undecided);
  EXPECT_NE(c.reason.find("nest"), std::string::npos) << c.reason;
  EXPECT_FALSE(c.bifurcation.has_value());
}

TEST(GradientCheck, AGradientOfTheWrongShapeIsAUsageError) {
  try {
    check(kIdentity, {0}, {{0, 1}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(std::string(e.what()).find("1 x 1"), std::string::npos) << e.what();
  }
}

TEST(GradientCheck, ProgramsWithExpLogAreUnsupported) {
  EXPECT_THROW(check("input x\ne = exp x\noutput e\n", {0}, {{1}}), Error);
}

TEST(GradientCheckWithin, ExpLogClosuresAreEnclosedAndComparedWithinTheTolerance) {
  // exp(relu(x)) at 0: the closure is {0, 1} (relu'(0) in {0, 1}, times e^0).
  const Program p = parse_program("input x\nr = relu x\ne = exp r\noutput e\n");
  const Matrix<Rational> tol{{Rational(1, 1ll << 50)}};
  const GradientCheck one = check_gradient_within(p, {0}, {{1}}, tol);
  EXPECT_EQ(one.verdict, V::Closure);
  EXPECT_EQ(one.bifurcation, true);
  EXPECT_EQ(one.closure_size, 2u);
  EXPECT_EQ(check_gradient_within(p, {0}, {{Rational(1, 4)}}, tol).verdict, V::Hull);
  EXPECT_EQ(check_gradient_within(p, {0}, {{1 + Rational(1, 1 << 20)}}, tol).verdict, V::Outside);
  EXPECT_EQ(check_gradient_within(p, {0}, {{Rational(-1, 1 << 20)}}, tol).verdict, V::Outside);
  // Within the tolerance of an element counts as that element.
  EXPECT_EQ(check_gradient_within(p, {0}, {{1 + Rational(1, 1ll << 52)}}, tol).verdict, V::Closure);
}

TEST(GradientCheckWithin, AwayFromTiesExpLogHasOneElement) {
  const Program p = parse_program("input x\ne = exp x\noutput e\n");
  const GradientCheck c = check_gradient_within(p, {0}, {{1}}, {{0}});
  EXPECT_EQ(c.verdict, V::Closure);
  EXPECT_EQ(c.bifurcation, false);
  EXPECT_EQ(check_gradient_within(p, {0}, {{2}}, {{0}}).verdict, V::Outside);
}

TEST(GradientCheckWithin, ATiedSortUnderExpIsUndecidedWithTheReason) {
  const Program p = parse_program("input x y\ns t = sort x y\ne = exp s\nz = add e t\noutput z\n");
  const GradientCheck c = check_gradient_within(p, {1, 1}, {{1, 1}}, {{0, 0}});
  EXPECT_EQ(c.verdict, V::Undecided);
  EXPECT_NE(c.reason.find("sort"), std::string::npos) << c.reason;
}

TEST(GradientCheckWithin, NearTiesAreEnumeratedOverAllTheirPieces) {
  // relu(3x - 1) at x = 1/3 + 2^-60: no tie exactly, but a float64 forward pass may round the
  // argument to 0 and take relu'(0) = 0.
  const Program p = parse_program("input x\nu = lin -1 3 x\nr = relu u\noutput r\n");
  const std::vector<Rational> x{Rational(1, 3) + Rational(1, 1ll << 60)};
  const Matrix<Rational> zero_tol{{0}};
  EXPECT_EQ(check_gradient_within(p, x, {{0}}, zero_tol).verdict, V::Outside);
  const auto r = static_cast<std::uint32_t>(p.find("r"));
  const GradientCheck near = check_gradient_within(p, x, {{0}}, zero_tol, {}, {r});
  EXPECT_EQ(near.verdict, V::Closure);
  EXPECT_NE(near.reason.find("r taken as tied"), std::string::npos) << near.reason;
  EXPECT_EQ(near.bifurcation, true);
  EXPECT_EQ(check_gradient_within(p, x, {{3}}, zero_tol, {}, {r}).verdict, V::Closure);
  EXPECT_EQ(check_gradient_within(p, x, {{4}}, zero_tol, {}, {r}).verdict, V::Outside);
  EXPECT_THROW(check_gradient_within(p, x, {{0}}, zero_tol, {}, {1}), Error);  // u is smooth
}

TEST(GradientCheckWithin, RationalProgramsWithZeroToleranceAreDecidedExactly) {
  EXPECT_EQ(check_gradient_within(parse_program(kIdentity), {0}, {{Rational(1, 2)}}, {{0}}).verdict, V::Hull);
  EXPECT_THROW(check_gradient_within(parse_program(kIdentity), {0}, {{0}}, {{-1}}), Error);
}

}  // namespace
}  // namespace selgrad::reference
