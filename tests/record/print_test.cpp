// Recorded programs are the programs one would write by hand: each test records C++ code and
// compares print_program of the result with the .sgp text, and checks that the text parses back
// to the same program.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "selgrad/program/error.hpp"
#include "selgrad/program/parse.hpp"
#include "selgrad/record.hpp"

namespace selgrad {
namespace {

/// The program's text, after checking that it parses back to the same program.
std::string text_of(const Program& p) {
  const std::string text = print_program(p);
  EXPECT_EQ(parse_program(text), p) << text;
  return text;
}

TEST(RecordPrint, TheHeaderExample) {
  Recorder rec;
  std::vector<Var> x = rec.inputs(3);
  const Var p = x[0] * x[1];
  Var y = max(p, relu(x[2] - 1.5));
  y += abs(x[0]) / 2;
  rec.outputs({y});
  EXPECT_EQ(text_of(rec.program()),
            "input x0 x1 x2\n"
            "v0 = mul x0 x1\n"
            "v1 = sub x2 3/2\n"
            "v2 = relu v1\n"
            "v3 = max v0 v2\n"
            "v4 = abs x0\n"
            "v5 = lin 0 1 v3 1/2 v4\n"
            "output v5\n");
}

TEST(RecordPrint, OperationsThatAbsorbNothingAreWrittenAsRecorded) {
  Recorder rec;
  auto x = rec.inputs({"a", "b"});
  const Var s = x[0] + x[1], d = x[0] - 2, m = 3 * x[1], q = x[0] / 4, n = -x[1];
  rec.outputs({relu(s), relu(d), relu(m), relu(q), relu(n)});
  EXPECT_EQ(text_of(rec.program()),
            "input a b\n"
            "v0 = add a b\nv1 = sub a 2\nv2 = mul 3 b\nv3 = div a 4\nv4 = neg b\n"
            "v5 = relu v0\nv6 = relu v1\nv7 = relu v2\nv8 = relu v3\nv9 = relu v4\n"
            "output v5 v6 v7 v8 v9\n");
}

TEST(RecordPrint, ASumOfRecordedValuesIsOneAddNode) {
  Recorder rec;
  auto x = rec.inputs(4);
  Var s = 0;
  for (const Var& v : x) s += v;
  rec.output(s + 1);
  EXPECT_EQ(text_of(rec.program()), "input x0 x1 x2 x3\nv0 = add x0 x1 x2 x3 1\noutput v0\n");
}

TEST(RecordPrint, AnAffineCombinationIsOneLinNode) {
  Recorder rec;
  auto x = rec.inputs({"x", "y", "z"});
  rec.output(2 * x[0] + 3 * x[1] - x[2] - 0.5);
  EXPECT_EQ(text_of(rec.program()), "input x y z\nv0 = lin -1/2 2 x 3 y -1 z\noutput v0\n");
}

TEST(RecordPrint, ScalingASumDistributesExactly) {
  Recorder rec;
  auto x = rec.inputs({"x", "y"});
  rec.output(-((x[0] - x[1]) * 0.25 + 1) / 2);
  EXPECT_EQ(text_of(rec.program()), "input x y\nv0 = lin -1/2 -1/8 x 1/8 y\noutput v0\n");
}

TEST(RecordPrint, TermsOverOneValueMergeAndCancel) {
  Recorder rec;
  auto x = rec.inputs({"x", "y"});
  rec.output(relu((x[0] + x[1]) - x[1]));  // the sum is x itself: relu x
  rec.output(3 * x[0] - x[0] + x[1] - x[0]);
  EXPECT_EQ(text_of(rec.program()), "input x y\nv0 = relu x\nv1 = add x y\noutput v0 v1\n");
}

TEST(RecordPrint, AValueUsedTwiceIsANodeNotACopy) {
  Recorder rec;
  auto x = rec.inputs({"x", "y"});
  const Var s = x[0] + x[1];  // used by two sums: a node, referenced by both
  rec.outputs({s - 1, 2 * s + x[0]});
  EXPECT_EQ(text_of(rec.program()),
            "input x y\nv0 = add x y\nv1 = sub v0 1\nv2 = lin 0 2 v0 1 x\noutput v1 v2\n");
}

TEST(RecordPrint, AnOutputIsANodeEvenWhenAnotherSumUsesIt) {
  Recorder rec;
  auto x = rec.inputs({"x", "y"});
  const Var s = x[0] + x[1];
  rec.outputs({s, s + x[0]});
  EXPECT_EQ(text_of(rec.program()), "input x y\nv0 = add x y\nv1 = add v0 x\noutput v0 v1\n");
}

TEST(RecordPrint, WithoutFusionEveryOperationIsANode) {
  RecorderOptions o;
  o.fuse_affine = false;
  Recorder rec(o);
  auto x = rec.inputs({"x", "y"});
  const Var a = 2 * x[0];
  rec.output(a + x[1] / 4 - 1);
  EXPECT_EQ(text_of(rec.program()),
            "input x y\nv0 = mul 2 x\nv1 = div y 4\nv2 = add v0 v1\nv3 = sub v2 1\noutput v3\n");
}

TEST(RecordPrint, IdentitiesWithZeroAndOneRecordNothing) {
  Recorder rec;
  auto x = rec.inputs(1);
  rec.output(relu(((x[0] + 0) * 1 - 0) / 1));
  EXPECT_EQ(text_of(rec.program()), "input x0\nv0 = relu x0\noutput v0\n");
}

TEST(RecordPrint, OnlyWhatTheOutputsNeedIsWritten) {
  Recorder rec;
  auto x = rec.inputs(3);
  const Var unused = log(x[1]);  // no output depends on it: not in the program
  (void)unused;
  rec.output(exp(x[0]));
  EXPECT_EQ(text_of(rec.program()), "input x0 x1 x2\nv0 = exp x0\noutput v0\n");
}

TEST(RecordPrint, NamedValuesKeepTheirNamesAndStayNodes) {
  Recorder rec;
  auto x = rec.inputs({"w", "b"});
  const Var z = x[0] * 3 + x[1];
  rec.name(z, "z");
  const Var h = relu(z);
  rec.name(h, "h");
  rec.output(h + z);
  EXPECT_EQ(text_of(rec.program()), "input w b\nz = lin 0 3 w 1 b\nh = relu z\nv0 = add h z\noutput v0\n");
}

TEST(RecordPrint, SortSelectPowiAndNaryExtrema) {
  Recorder rec;
  auto x = rec.inputs(3);
  const std::vector<Var> s = sort(x);
  rec.output(s[0] + s[1]);
  const Var d = x[0] - x[1];
  const Var p = powi(x[2], -2);
  rec.output(select(x[0] >= x[1], d, p));
  rec.output(max({x[0], x[1], 0}));
  rec.output(min(std::span<const Var>(x)));
  EXPECT_EQ(text_of(rec.program()),
            "input x0 x1 x2\n"
            "v0 v1 v2 = sort x0 x1 x2\n"
            "v3 = add v0 v1\n"
            "v4 = sub x0 x1\n"
            "v5 = powi x2 -2\n"
            "v6 = select ge x0 x1 v4 v5\n"
            "v7 = max x0 x1 0\n"
            "v8 = min x0 x1 x2\n"
            "output v3 v6 v7 v8\n");
}

TEST(RecordPrint, SmoothFunctions) {
  Recorder rec;
  auto x = rec.inputs(1);
  rec.outputs({exp(x[0]), log(x[0]), sqrt(x[0]), softplus(x[0]), sigmoid(x[0]), tanh(x[0])});
  EXPECT_EQ(text_of(rec.program()),
            "input x0\nv0 = exp x0\nv1 = log x0\nv2 = sqrt x0\nv3 = softplus x0\nv4 = sigmoid x0\n"
            "v5 = tanh x0\noutput v0 v1 v2 v3 v4 v5\n");
}

TEST(RecordPrint, LinAndSum) {
  Recorder rec;
  auto x = rec.inputs(3);
  const double c[] = {0.5, -2, 3};
  rec.output(relu(lin(1, c, x)));
  rec.output(exp(sum(x)));
  EXPECT_EQ(text_of(rec.program()),
            "input x0 x1 x2\nv0 = lin 1 1/2 x0 -2 x1 3 x2\nv1 = relu v0\nv2 = add x0 x1 x2\nv3 = exp v2\n"
            "output v1 v3\n");
}

TEST(RecordPrint, RecordFunctionTakesACallable) {
  const Program p = record([](std::span<const Var> x) { return relu(x[0] - x[1]); }, 2);
  EXPECT_EQ(text_of(p), "input x0 x1\nv0 = sub x0 x1\nv1 = relu v0\noutput v1\n");
  const Program q = record([](std::span<const Var> x) { return std::vector<Var>{x[1], abs(x[0])}; }, 2);
  EXPECT_EQ(text_of(q), "input x0 x1\nv0 = abs x0\noutput x1 v0\n");
}

TEST(RecordPrint, InputsMayBeCreatedLateAndAreListedFirst) {
  Recorder rec;
  const Var a = rec.input("a");
  const Var y = relu(a);
  const Var b = rec.input();  // the second input: x1
  rec.output(y * b);
  EXPECT_EQ(text_of(rec.program()), "input a x1\nv0 = relu a\nv1 = mul v0 x1\noutput v1\n");
}

}  // namespace
}  // namespace selgrad

namespace selgrad {
namespace {

TEST(RecordPrint, ClampIsOneNodeWithLiteralBounds) {
  Recorder rec;
  auto x = rec.inputs({"a"});
  rec.output(clamp(x[0], -1, constant("3/2")));
  EXPECT_EQ(text_of(rec.program()), "input a\nv0 = clamp a -1 3/2\noutput v0\n");
}

TEST(RecordPrint, ClampOfConstantsFoldsByTheTieRuleAndBadBoundsAreErrors) {
  EXPECT_EQ(clamp(Var(5.0), 0, 2).as_double(), 2.0);
  EXPECT_EQ(clamp(Var(-5.0), 0, 2).as_double(), 0.0);
  EXPECT_EQ(clamp(Var(0.5), 0, 2).as_double(), 0.5);
  Recorder rec;
  auto x = rec.inputs(1);
  EXPECT_THROW(clamp(x[0], 2, 1), Error) << "lo > hi";
  EXPECT_THROW(clamp(x[0], x[0], 1), Error) << "a recorded bound";
  EXPECT_THROW(clamp(x[0], Var(0.1) * 3, 1), Error) << "a constant expression as a bound";
}

}  // namespace
}  // namespace selgrad
