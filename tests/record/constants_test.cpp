// Constants are exact: a Var made from a number needs no recorder, arithmetic among constants
// folds only when the exact result is a double and otherwise stays symbolic, and a recorded
// program's literals carry the exact values (checked through the exact reference).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "reference/fixtures.hpp"
#include "selgrad/record.hpp"

namespace selgrad::testing {
namespace {

/// The exact value of the program y(x) = f(x) at x = 0, with f recording one output.
template <class F>
Rational value_at_zero(F f, std::string* text = nullptr) {
  const Program p = record([&](std::span<const Var> x) { return f(x[0]); }, 1);
  if (text) *text = print_program(p);
  return reference::evaluate_exact(p, {Rational(0)}).outputs[0];
}

TEST(RecordConstants, ConstantsNeedNoRecorder) {
  const Var a = 1.5, b = 3, c;
  EXPECT_TRUE(a.is_constant() && b.is_constant() && c.is_constant());
  EXPECT_EQ(a.recorder(), nullptr);
  EXPECT_TRUE(c.is_double());
  EXPECT_EQ(c.as_double(), 0.0);
  Recorder rec;
  const Var x = rec.input();
  EXPECT_FALSE(x.is_constant());
  EXPECT_EQ(x.recorder(), &rec);
  EXPECT_FALSE((x + a).is_constant());
}

TEST(RecordConstants, ArithmeticFoldsWhenTheExactResultIsADouble) {
  EXPECT_EQ((Var(1.5) * 2).as_double(), 3.0);
  EXPECT_EQ((Var(1) / 4 - 0.5).as_double(), -0.25);
  EXPECT_EQ((-Var(2.5)).as_double(), -2.5);
  EXPECT_EQ(powi(Var(0.5), -3).as_double(), 8.0);
  EXPECT_EQ(relu(Var(-2)).as_double(), 0.0);
  EXPECT_EQ(abs(Var(-2)).as_double(), 2.0);
  EXPECT_EQ(max({Var(1), 3, -2}).as_double(), 3.0);
  EXPECT_EQ(min(Var(1), -0.5).as_double(), -0.5);
  EXPECT_EQ(select(Var(1) < 2, 5, 6).as_double(), 5.0);
  const auto s = sort({1, 3, 2});
  EXPECT_EQ(s[0].as_double(), 3.0);
  EXPECT_EQ(s[2].as_double(), 1.0);
  const double c[] = {2, -1};
  const Var xs[] = {0.25, 4};
  EXPECT_EQ(lin(1, c, xs).as_double(), -2.5);
  EXPECT_TRUE((Var(1) + 2).is_double());
}

TEST(RecordConstants, ArithmeticWhoseExactResultIsNoDoubleStaysSymbolic) {
  // 0.1 is the double 3602879701896397 / 2^55; three times it is no double (54 significant bits).
  const Var tenth = 0.1;
  const Var v = tenth * 3;
  EXPECT_FALSE(v.is_double());
  EXPECT_TRUE(v.is_constant());
  std::string text;
  const Rational exact = Rational(0.1) * 3;
  EXPECT_EQ(value_at_zero([&](const Var& x) { return x + v; }, &text), exact) << text;
  EXPECT_NE(Rational(0.1 * 3), exact) << "the double product rounds";
  // Overflow and underflow do not round either.
  EXPECT_FALSE((Var(1e308) * 10).is_double());
  EXPECT_EQ(value_at_zero([](const Var& x) { return x + Var(1e308) * 10; }), Rational(1e308) * 10);
  const double tiny = 0x1.0000000000001p-1000;  // times 2^-70: below the subnormal resolution
  EXPECT_FALSE((Var(tiny) * 0x1p-70).is_double());
  EXPECT_EQ(value_at_zero([&](const Var& x) { return x + Var(tiny) * 0x1p-70; }), Rational(tiny) * Rational(0x1p-70));
  EXPECT_NE(Rational(tiny * 0x1p-70), Rational(tiny) * Rational(0x1p-70)) << "the double product rounds";
  EXPECT_FALSE((Var(1) / 3).is_double());
  EXPECT_EQ(value_at_zero([](const Var& x) { return x + Var(1) / 3; }), q("1/3"));
}

TEST(RecordConstants, LiteralsKeepTheirTextAndValue) {
  std::string text;
  EXPECT_EQ(value_at_zero([](const Var& x) { return x * constant("1/3") + constant("0.1"); }, &text), q("1/10"));
  EXPECT_EQ(text, "input x0\nv0 = lin 0.1 1/3 x0\noutput v0\n");
  const Var third = constant("1/3");
  EXPECT_EQ(value_at_zero([&](const Var& x) { return x + (third + 1) * 3; }), 4);
  EXPECT_EQ(value_at_zero([&](const Var& x) { return x - third; }, &text), q("-1/3"));
  EXPECT_EQ(text, "input x0\nv0 = sub x0 1/3\noutput v0\n");
  EXPECT_TRUE(constant("42").is_double()) << "an integer literal within 2^53 is a double";
}

TEST(RecordConstants, IntegersConvertExactly) {
  const std::int64_t big = (std::int64_t{1} << 53) + 1;  // no double
  EXPECT_FALSE(Var(big).is_double());
  EXPECT_EQ(value_at_zero([&](const Var& x) { return x + big; }), Rational(big));
  const std::uint64_t huge = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(value_at_zero([&](const Var& x) { return x - huge; }), -Rational(huge));
  const std::int64_t low = std::numeric_limits<std::int64_t>::min();
  EXPECT_EQ(value_at_zero([&](const Var& x) { return x + low; }), Rational(low));
  EXPECT_TRUE(Var(std::int64_t{1} << 53).is_double());
  EXPECT_TRUE(Var(std::numeric_limits<int>::min()).is_double());
}

TEST(RecordConstants, SymbolicConstantsOfEveryKindBecomeNodesOverLiterals) {
  const Var e = exp(Var(1));
  EXPECT_TRUE(e.is_constant());
  Recorder with_exp;
  const Var t = with_exp.input();
  with_exp.output(t * e);
  EXPECT_EQ(print_program(with_exp.program()), "input x0\nv0 = exp 1\nv1 = mul x0 v0\noutput v1\n");

  Recorder rec;
  const Var x = rec.input();
  const std::vector<Var> s = sort({constant("1/3"), 0.25, constant("1/2")});
  rec.outputs({x + s[0], x + powi(constant("2/3"), 2), x + select(constant("1/3") > 0.25, 1, 2)});
  const Program p = rec.program();
  EXPECT_EQ(print_program(p),
            "input x0\nv0 v1 v2 = sort 1/3 1/4 1/2\nv3 = add x0 v0\nv4 = powi 2/3 2\nv5 = add x0 v4\n"
            "v6 = select gt 1/3 1/4 1 2\nv7 = add x0 v6\noutput v3 v5 v7\n");
  const auto r = reference::evaluate_exact(p, {Rational(1)});
  EXPECT_EQ(r.outputs, point({"3/2", "13/9", "2"}));
}

TEST(RecordConstants, AConstantOutputIsALinNode) {
  Recorder rec;
  (void)rec.input();
  rec.output(Var(2.5));
  rec.output(constant("1/3"));
  EXPECT_EQ(print_program(rec.program()), "input x0\nv0 = lin 5/2\nv1 = lin 1/3\noutput v0 v1\n");
}

}  // namespace
}  // namespace selgrad::testing
