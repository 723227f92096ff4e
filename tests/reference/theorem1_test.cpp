// T1 (Theorem 1, no operator contains all AD outputs), T2 and L1 on the paper's programs, exactly.
#include "fixtures.hpp"

namespace selgrad::testing {
namespace {

using reference::evaluate_exact;

Rational derivative_at(const Program& p, const Rational& t) {
  return exact_both_modes(p, {t}).jacobian[0][0];
}

TEST(Theorem1, WitnessesHaveTheirExactDerivativesAtZero) {
  EXPECT_EQ(derivative_at(example("relu.sgp"), 0), q("0"));
  EXPECT_EQ(derivative_at(example("relu2.sgp"), 0), q("1"));
  EXPECT_EQ(derivative_at(example("relu3.sgp"), 0), q("1/2"));
  EXPECT_EQ(derivative_at(example("zero.sgp"), 0), q("1"));
  EXPECT_EQ(derivative_at(example("identity_minus_zero.sgp"), 0), q("0"));
}

TEST(Theorem1, WitnessesComputeTheSameFunctionsAwayFromZero) {
  for (const char* t : {"-3", "-1/7", "1/1000", "5/2"}) {
    const Rational x = q(t);
    const Rational relu = x > 0 ? x : Rational(0);
    EXPECT_EQ(evaluate_exact(example("relu.sgp"), {x}).outputs[0], relu);
    EXPECT_EQ(evaluate_exact(example("relu2.sgp"), {x}).outputs[0], relu);
    EXPECT_EQ(evaluate_exact(example("relu3.sgp"), {x}).outputs[0], relu);
    EXPECT_EQ(evaluate_exact(example("zero.sgp"), {x}).outputs[0], 0);
    EXPECT_EQ(evaluate_exact(example("identity_minus_zero.sgp"), {x}).outputs[0], x);
    // Off the kink every representation has the true derivative (P3).
    const Rational slope = x > 0 ? 1 : 0;
    EXPECT_EQ(derivative_at(example("relu2.sgp"), x), slope);
    EXPECT_EQ(derivative_at(example("zero.sgp"), x), 0);
    EXPECT_EQ(derivative_at(example("identity_minus_zero.sgp"), x), 1);
  }
}

/// f + r * zero(. - s), written as a program of t around the program text of f (a node `f`).
Program shifted(const std::string& f_body, const std::string& r, const std::string& s) {
  return parse_program("input t\n" + f_body +
                       "\nu = sub t " + s + "\n"
                       "a = neg u\nb = relu a\nc = add b u\nd = relu u\nz = sub c d\n"
                       "y = lin 0 1 f " + r + " z\noutput y\n");
}

TEST(Theorem1, AddingRTimesZeroShiftsTheDerivativeAtSByExactlyR) {
  // f(t) = t^3 - relu(2t - 1) + |t| / 3, a program of one input with kinks of its own.
  const std::string f_body = "c3 = powi t 3\nh = lin -1 2 t\nr1 = relu h\nat = abs t\n"
                             "f = lin 0 1 c3 -1 r1 1/3 at";
  const Program f = parse_program("input t\n" + f_body + "\noutput f\n");
  for (const char* r : {"1", "-1", "5/2", "-7/3", "1/1000000"})
    for (const char* s : {"0", "1/2", "-3/4", "2"}) {
      SCOPED_TRACE(std::string("r = ") + r + ", s = " + s);
      const Program g = shifted(f_body, r, s);
      const Rational at = q(s);
      EXPECT_EQ(derivative_at(g, at), derivative_at(f, at) + q(r));
      // The function itself is unchanged: zero(. - s) is identically 0.
      EXPECT_EQ(evaluate_exact(g, {at}).outputs[0], evaluate_exact(f, {at}).outputs[0]);
    }
}

TEST(Lemma1, ForwardEqualsBackwardExactlyOnEveryRationalExample) {
  for (const char* name : {"relu.sgp", "relu2.sgp", "relu3.sgp", "zero.sgp", "identity_minus_zero.sgp",
                           "clarke.sgp", "mlp.sgp", "sort_layer.sgp", "selection.sgp"}) {
    SCOPED_TRACE(name);
    const Program p = example(name);
    ASSERT_FALSE(p.transcendental());
    for (const char* v : {"0", "1", "-1/2", "3/7"}) {
      std::vector<Rational> x(p.p(), q(v));
      for (std::size_t i = 0; i < x.size(); ++i) x[i] += Rational(static_cast<long>(i % 3) - 1, 2);
      exact_both_modes(p, x);  // asserts forward == backward
    }
  }
}

TEST(Theorem2, AdEqualsTheGradientOfTheProgramWithBranchesFrozen) {
  // Freeze every selection node at the piece taken: relu -> 0 or identity, abs -> 0/a/-a,
  // max -> the argument. The frozen program is smooth (E); its gradient, computed here by hand
  // as a polynomial, equals AD's output. Example: the MLP at a point with a tie.
  const Program p = parse_program(
      "input x y\n"
      "h1 = lin 0 1 x -1 y\n"
      "r1 = relu h1\n"   // tie at x = y
      "h2 = mul x y\n"
      "r2 = abs h2\n"
      "o = lin 0 3 r1 1 r2\n"
      "output o\n");
  // At (2, 2): r1 frozen at 0 (tie rule), r2 frozen at +h2 (h2 = 4 > 0): o = x*y, grad = (y, x).
  EXPECT_EQ(exact_both_modes(p, point({"2", "2"})).jacobian, matrix({{"2", "2"}}));
  // At (3, 1): r1 = h1, r2 = h2: o = 3(x - y) + xy, grad = (3 + y, -3 + x).
  EXPECT_EQ(exact_both_modes(p, point({"3", "1"})).jacobian, matrix({{"4", "0"}}));
  // At (-1, 2): r1 = 0, r2 = -h2: o = -xy, grad = (-y, -x).
  EXPECT_EQ(exact_both_modes(p, point({"-1", "2"})).jacobian, matrix({{"-2", "1"}}));
}

TEST(Examples, ClarkeFHasTheJacobianOfItsSignRegion) {
  const Program p = example("clarke.sgp");
  // F(x, y) = (|x| + y, 2x + |y|): J = [[sign x, 1], [2, sign y]] off the axes.
  EXPECT_EQ(exact_both_modes(p, point({"1", "1"})).jacobian, matrix({{"1", "1"}, {"2", "1"}}));
  EXPECT_EQ(exact_both_modes(p, point({"-1", "1"})).jacobian, matrix({{"-1", "1"}, {"2", "1"}}));
  EXPECT_EQ(exact_both_modes(p, point({"1", "-1"})).jacobian, matrix({{"1", "1"}, {"2", "-1"}}));
  EXPECT_EQ(exact_both_modes(p, point({"-1", "-1"})).jacobian, matrix({{"-1", "1"}, {"2", "-1"}}));
  // At 0 the tie rule abs'(0) = 0 applies to both.
  EXPECT_EQ(exact_both_modes(p, point({"0", "0"})).jacobian, matrix({{"0", "1"}, {"2", "0"}}));
}

TEST(MpfrPath, AgreesWithTheRationalPathOnRationalPrograms) {
  for (const char* name : {"relu3.sgp", "zero.sgp", "clarke.sgp", "mlp.sgp", "sort_layer.sgp", "selection.sgp"}) {
    SCOPED_TRACE(name);
    const Program p = example(name);
    for (const char* v : {"0", "1/3", "-5/7"}) {
      std::vector<Rational> x(p.p(), q(v));
      for (std::size_t i = 0; i < x.size(); ++i) x[i] += Rational(static_cast<long>(i), 3);
      const auto e = reference::evaluate_exact(p, x);
      const auto m = reference::evaluate_real(p, x);
      ASSERT_EQ(e.branches.decisions.size(), m.branches.decisions.size());
      for (std::size_t i = 0; i < e.branches.decisions.size(); ++i)
        EXPECT_EQ(e.branches.decisions[i].choice, m.branches.decisions[i].choice);
      EXPECT_TRUE(m.branches.all_certified());
      for (std::size_t i = 0; i < p.q(); ++i) {
        EXPECT_TRUE(encloses(m.output_enclosures[i], e.outputs[i]));
        for (std::size_t j = 0; j < p.p(); ++j) EXPECT_TRUE(encloses(m.jacobian_enclosures[i][j], e.jacobian[i][j]));
      }
    }
  }
}

}  // namespace
}  // namespace selgrad::testing
