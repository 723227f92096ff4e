// Tie rules in the reference engine (program/tie_rule.hpp): Piece rules are selections taken at a
// tie, Split rules average the tied pieces' gradients; exactly, in both modes and in MPFR.
#include <gtest/gtest.h>

#include "selgrad/program/conventions.hpp"
#include "selgrad/program/parse.hpp"
#include "selgrad/reference/closure.hpp"
#include "selgrad/reference/evaluate.hpp"

namespace selgrad::reference {
namespace {

Matrix<Rational> exact_jacobian(const std::string& text, const std::vector<Rational>& x, Mode mode = Mode::Backward) {
  Options o;
  o.mode = mode;
  return evaluate_exact(parse_program(text), x, o).jacobian;
}

Rational r(const char* s) { return Rational(s); }

TEST(ReferenceTieRules, PieceRulesChooseTheirPieceAtATieOnly) {
  EXPECT_EQ(exact_jacobian("input x\ny = relu x @a\noutput y\n", {0}), Matrix<Rational>{{1}});
  EXPECT_EQ(exact_jacobian("input x\ny = relu x @a\noutput y\n", {-1}), Matrix<Rational>{{0}});
  EXPECT_EQ(exact_jacobian("input x\ny = abs x @-a\noutput y\n", {0}), Matrix<Rational>{{-1}});
  EXPECT_EQ(exact_jacobian("input x\ny = clamp x -1 2 @a\noutput y\n", {2}), Matrix<Rational>{{1}});
  EXPECT_EQ(exact_jacobian("input x\ny = clamp x -1 2 @a\noutput y\n", {3}), Matrix<Rational>{{0}});
  // The piece lo is not tied at the upper bound: the op table's rule decides there.
  EXPECT_EQ(exact_jacobian("input x\ny = clamp x -1 2 @lo\noutput y\n", {2}), Matrix<Rational>{{0}});
}

TEST(ReferenceTieRules, SplitAveragesTheTiedPiecesInBothModes) {
  const std::string three = "input x y z\nm = max x y z @split\noutput m\n";
  for (const Mode mode : {Mode::Backward, Mode::Forward}) {
    EXPECT_EQ(exact_jacobian(three, {1, 1, 1}, mode), (Matrix<Rational>{{r("1/3"), r("1/3"), r("1/3")}}));
    EXPECT_EQ(exact_jacobian(three, {1, 0, 1}, mode), (Matrix<Rational>{{r("1/2"), 0, r("1/2")}}));
    EXPECT_EQ(exact_jacobian(three, {1, 0, 2}, mode), (Matrix<Rational>{{0, 0, 1}}));
  }
  // abs at 0: the pieces 0, a, -a average to 0; relu: 1/2.
  EXPECT_EQ(exact_jacobian("input x\ny = abs x @split\noutput y\n", {0}), Matrix<Rational>{{0}});
  EXPECT_EQ(exact_jacobian("input x\ny = relu x @split\noutput y\n", {0}), Matrix<Rational>{{r("1/2")}});
}

TEST(ReferenceTieRules, WeightedRulesMixTheirPieceWithTheOpTablesChoice) {
  for (const Mode mode : {Mode::Backward, Mode::Forward}) {
    EXPECT_EQ(exact_jacobian("input x\ny = relu x @a=1/3\noutput y\n", {0}, mode), Matrix<Rational>{{r("1/3")}});
    EXPECT_EQ(exact_jacobian("input x\ny = abs x @-a=1/2\noutput y\n", {0}, mode), Matrix<Rational>{{r("-1/2")}});
    EXPECT_EQ(exact_jacobian("input x\ny = clamp x 0 1 @a=2/7\noutput y\n", {1}, mode), Matrix<Rational>{{r("2/7")}});
  }
  // Away from a tie, and where the piece is not tied (lo at the upper bound), nothing changes.
  EXPECT_EQ(exact_jacobian("input x\ny = relu x @a=1/3\noutput y\n", {r("-1/2")}), Matrix<Rational>{{0}});
  EXPECT_EQ(exact_jacobian("input x\ny = clamp x 0 1 @lo=1/2\noutput y\n", {1}), Matrix<Rational>{{0}});
}

TEST(ReferenceTieRules, MpfrEvaluationAppliesTheSameRules) {
  // e and f are the same value (equal by value numbering), so max is tied; the split gives
  // 1/2 e^x + 1/2 e^x = e^x.
  const Program p = parse_program("input x y\ne = exp x\nf = exp x\nm = max e f @split\nr = relu y @a\n"
                                  "z = add m r\noutput z\n");
  const RealResult res = evaluate_real(p, {r("1/3"), 0});
  const auto contains = [](const Interval& i, const Rational& v) {
    return i.lower().to_rational() <= v && v <= i.upper().to_rational();
  };
  EXPECT_TRUE(contains(res.jacobian_enclosures[0][1], Rational(1)));  // relu'(0) = 1 by @a
  // dz/dx = e^(1/3) = z: the two enclosures overlap, and are narrow.
  const Interval& dx = res.jacobian_enclosures[0][0];
  const Interval& z = res.output_enclosures[0];
  EXPECT_LE(dx.lower().to_rational(), z.upper().to_rational());
  EXPECT_LE(z.lower().to_rational(), dx.upper().to_rational());
  EXPECT_LT(dx.width(), 1e-60);
  EXPECT_EQ(res.branches.decisions[1].choice.piece, 1u);  // relu took `a`
}

TEST(ReferenceTieRules, TheClosureIgnoresRulesButAdUsesThem) {
  const Program p = parse_program("input x y\nm = max x y @split\noutput m\n");
  const TieClosure c = tie_closure(p, {1, 1});
  EXPECT_EQ(c.jacobians, (std::vector<Matrix<Rational>>{{{1, 0}}, {{0, 1}}}));
  EXPECT_EQ(evaluate_exact(p, {1, 1}).jacobian, (Matrix<Rational>{{r("1/2"), r("1/2")}}));
}

TEST(ReferenceTieRules, TorchProfileReproducesTorchAtTies) {
  // torch: relu'(0) = 0, maximum splits, clamp passes the gradient at its bound.
  const Program p = with_conventions(
      parse_program("input x y\nr = relu x\nm = max x y\nc = clamp y 0 1\nz = add r m c\noutput z\n"),
      Conventions::Torch);
  EXPECT_EQ(evaluate_exact(p, {0, 0}).jacobian, (Matrix<Rational>{{r("1/2"), r("3/2")}}));
}

}  // namespace
}  // namespace selgrad::reference
