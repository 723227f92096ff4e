// Golden table of every op: value and local selection gradient on both sides of its kink and at
// the tie, in exact rationals (both modes) and in certified MPFR. The tie rules are the spec's
// (program-format.md, "Selections"); a comment is not enough to pin them (cf. Stan's fmax).
#include "fixtures.hpp"

namespace selgrad::testing {
namespace {

using reference::evaluate_exact;
using reference::evaluate_real;

struct Golden {
  const char* body;  // program text between the input and output statements
  const char* inputs;
  const char* outputs;
  std::vector<Rational> at;
  std::vector<Rational> value;
  reference::Matrix<Rational> jacobian;
  bool tie;  // some selection node decided at a tie
};

std::string text_of(const Golden& g) {
  return std::string("input ") + g.inputs + "\n" + g.body + "\noutput " + g.outputs + "\n";
}

void check_exact_and_mpfr(const Golden& g) {
  SCOPED_TRACE(text_of(g));
  const Program p = parse_program(text_of(g));
  const auto r = exact_both_modes(p, g.at);
  EXPECT_EQ(r.outputs, g.value);
  EXPECT_EQ(r.jacobian, g.jacobian);
  EXPECT_EQ(r.branches.tie_count() > 0, g.tie);
  // The MPFR instance takes the same branches, certified, and encloses the exact results.
  for (auto mode : {reference::Mode::Backward, reference::Mode::Forward}) {
    reference::Options o;
    o.mode = mode;
    const auto m = evaluate_real(p, g.at, o);
    EXPECT_TRUE(m.branches.all_certified());
    ASSERT_EQ(m.branches.decisions.size(), r.branches.decisions.size());
    for (std::size_t i = 0; i < r.branches.decisions.size(); ++i)
      EXPECT_EQ(m.branches.decisions[i].choice, r.branches.decisions[i].choice);
    for (std::size_t i = 0; i < g.value.size(); ++i) {
      EXPECT_TRUE(encloses(m.output_enclosures[i], g.value[i]));
      for (std::size_t j = 0; j < g.at.size(); ++j) {
        EXPECT_TRUE(encloses(m.jacobian_enclosures[i][j], g.jacobian[i][j]));
        // Dyadic inputs and small literals: the MPFR point values are exact here.
        EXPECT_EQ(m.jacobian[i][j].to_rational(), g.jacobian[i][j]);
      }
    }
  }
}

TEST(OpGolden, ReluTakesTheConstantPieceAtZero) {
  const char* b = "y = relu t";
  check_exact_and_mpfr({b, "t", "y", point({"-1"}), point({"0"}), matrix({{"0"}}), false});
  check_exact_and_mpfr({b, "t", "y", point({"0"}), point({"0"}), matrix({{"0"}}), true});
  check_exact_and_mpfr({b, "t", "y", point({"3/2"}), point({"3/2"}), matrix({{"1"}}), false});
}

TEST(OpGolden, AbsTakesTheConstantPieceAtZero) {
  const char* b = "y = abs t";
  check_exact_and_mpfr({b, "t", "y", point({"-2"}), point({"2"}), matrix({{"-1"}}), false});
  check_exact_and_mpfr({b, "t", "y", point({"0"}), point({"0"}), matrix({{"0"}}), true});
  check_exact_and_mpfr({b, "t", "y", point({"1/4"}), point({"1/4"}), matrix({{"1"}}), false});
}

TEST(OpGolden, MaxTakesTheFirstMaximalArgument) {
  const char* b = "y = max a b c";
  check_exact_and_mpfr({b, "a b c", "y", point({"1", "2", "0"}), point({"2"}), matrix({{"0", "1", "0"}}), false});
  check_exact_and_mpfr({b, "a b c", "y", point({"1", "2", "2"}), point({"2"}), matrix({{"0", "1", "0"}}), true});
  check_exact_and_mpfr({b, "a b c", "y", point({"5", "5", "5"}), point({"5"}), matrix({{"1", "0", "0"}}), true});
  check_exact_and_mpfr({b, "a b c", "y", point({"0", "-1", "1/2"}), point({"1/2"}), matrix({{"0", "0", "1"}}), false});
}

TEST(OpGolden, MinTakesTheFirstMinimalArgument) {
  const char* b = "y = min a b";
  check_exact_and_mpfr({b, "a b", "y", point({"1", "2"}), point({"1"}), matrix({{"1", "0"}}), false});
  check_exact_and_mpfr({b, "a b", "y", point({"2", "1"}), point({"1"}), matrix({{"0", "1"}}), false});
  check_exact_and_mpfr({b, "a b", "y", point({"-1", "-1"}), point({"-1"}), matrix({{"1", "0"}}), true});
}

TEST(OpGolden, SortIsStableDecreasing) {
  const char* b = "y1 y2 y3 = sort a b c";
  check_exact_and_mpfr({b, "a b c", "y1 y2 y3", point({"1", "3", "2"}), point({"3", "2", "1"}),
                        matrix({{"0", "1", "0"}, {"0", "0", "1"}, {"1", "0", "0"}}), false});
  // a = c: the lower position (a) comes first among equals.
  check_exact_and_mpfr({b, "a b c", "y1 y2 y3", point({"2", "1", "2"}), point({"2", "2", "1"}),
                        matrix({{"1", "0", "0"}, {"0", "0", "1"}, {"0", "1", "0"}}), true});
  check_exact_and_mpfr({b, "a b c", "y1 y2 y3", point({"0", "0", "0"}), point({"0", "0", "0"}),
                        matrix({{"1", "0", "0"}, {"0", "1", "0"}, {"0", "0", "1"}}), true});
}

TEST(OpGolden, SelectTakesTheBranchTheComparisonPicksAtEquality) {
  // Each select is continuous at t = 0: the branches are -t and t.
  const char* le = "n = neg t\ny = select le t 0 n t";
  check_exact_and_mpfr({le, "t", "y", point({"0"}), point({"0"}), matrix({{"-1"}}), true});
  check_exact_and_mpfr({le, "t", "y", point({"-1"}), point({"1"}), matrix({{"-1"}}), false});
  check_exact_and_mpfr({le, "t", "y", point({"1"}), point({"1"}), matrix({{"1"}}), false});
  const char* lt = "n = neg t\ny = select lt t 0 n t";
  check_exact_and_mpfr({lt, "t", "y", point({"0"}), point({"0"}), matrix({{"1"}}), true});
  const char* gt = "n = neg t\ny = select gt t 0 t n";
  check_exact_and_mpfr({gt, "t", "y", point({"0"}), point({"0"}), matrix({{"-1"}}), true});
  const char* ge = "n = neg t\ny = select ge t 0 t n";
  check_exact_and_mpfr({ge, "t", "y", point({"0"}), point({"0"}), matrix({{"1"}}), true});
}

TEST(OpGolden, SmoothRationalOps) {
  check_exact_and_mpfr({"y = add a b 1/2", "a b", "y", point({"1", "2"}), point({"7/2"}), matrix({{"1", "1"}}), false});
  check_exact_and_mpfr({"y = sub a b", "a b", "y", point({"1", "2"}), point({"-1"}), matrix({{"1", "-1"}}), false});
  check_exact_and_mpfr({"y = neg a", "a", "y", point({"3"}), point({"-3"}), matrix({{"-1"}}), false});
  check_exact_and_mpfr({"y = mul a b a", "a b", "y", point({"2", "3"}), point({"12"}), matrix({{"12", "4"}}), false});
  // A zero factor: the partials are products of the other factors, no division.
  check_exact_and_mpfr({"y = mul a b", "a b", "y", point({"0", "3"}), point({"0"}), matrix({{"3", "0"}}), false});
  check_exact_and_mpfr({"y = div a b", "a b", "y", point({"1", "4"}), point({"1/4"}), matrix({{"1/4", "-1/16"}}), false});
  check_exact_and_mpfr({"y = powi a 3", "a", "y", point({"-2"}), point({"-8"}), matrix({{"12"}}), false});
  check_exact_and_mpfr({"y = powi a -2", "a", "y", point({"2"}), point({"1/4"}), matrix({{"-1/4"}}), false});
  check_exact_and_mpfr({"y = powi a 0", "a", "y", point({"0"}), point({"1"}), matrix({{"0"}}), false});
  check_exact_and_mpfr({"y = lin 1 2 a -1/2 b", "a b", "y", point({"1", "4"}), point({"1"}), matrix({{"2", "-1/2"}}), false});
}

/// Transcendental ops: no exact instance, so check the certified enclosures against known
/// closed forms at points where value and derivative are rational.
TEST(OpGolden, TranscendentalOpsAreEnclosedAtRationalPoints) {
  struct Case {
    const char* body;
    const char* at;
    const char* value;
    const char* slope;
  };
  const Case cases[] = {
      {"y = exp t", "0", "1", "1"},          {"y = log t", "1", "0", "1"},
      {"y = sqrt t", "4", "2", "1/4"},       {"y = sigmoid t", "0", "1/2", "1/4"},
      {"y = tanh t", "0", "0", "1"},         {"y = softplus t", "-1000000", "0", "0"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    const Program p = parse_program(std::string("input t\n") + c.body + "\noutput y\n");
    const auto r = evaluate_real(p, {q(c.at)});
    if (std::string(c.at) == "-1000000") {
      // softplus(-1e6) = log1p(e^-1e6) and its slope sigmoid(-1e6) are in (0, e^-1e6]: positive
      // and far below 2^-1000000.
      EXPECT_EQ(r.output_enclosures[0].certified_sign(), Sign::Positive);
      EXPECT_LT(r.outputs[0].to_rational(), Rational(1) / ScalarOps<Rational>::powi(Rational(2), 1000));
      continue;
    }
    EXPECT_TRUE(encloses(r.output_enclosures[0], q(c.value)));
    EXPECT_TRUE(encloses(r.jacobian_enclosures[0][0], q(c.slope)));
    EXPECT_LT(r.jacobian_enclosures[0][0].width(), 1e-70);  // 256 bits: a few ulps of 2^-256
  }
  // softplus(0) = log 2, softplus'(0) = 1/2.
  const auto sp = evaluate_real(parse_program("input t\ny = softplus t\noutput y\n"), {q("0")});
  EXPECT_TRUE(encloses(sp.jacobian_enclosures[0][0], q("1/2")));
  EXPECT_EQ(sp.outputs[0].to_string().substr(0, 20), "6.931471805599453094");
}

}  // namespace
}  // namespace selgrad::testing
