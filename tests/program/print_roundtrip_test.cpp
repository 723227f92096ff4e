// print_program writes the canonical text of a program; parsing it back gives an equal program
// (operator==), and printing is idempotent. Also: what operator== does and does not compare.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "selgrad/program/builder.hpp"
#include "program_text_gen.hpp"
#include "selgrad/program/parse.hpp"

namespace selgrad {
namespace {


void expect_round_trip(const Program& p) {
  const std::string text = print_program(p);
  Program back;
  ASSERT_NO_THROW(back = parse_program(text)) << text;
  EXPECT_EQ(back, p) << text;
  EXPECT_NO_THROW(validate(back));
  EXPECT_EQ(print_program(back), text) << "printing is not idempotent";
}

TEST(Print, CanonicalText) {
  const Program p = parse_program(
      "# comment\r\n"
      "input   x\ty   # inputs\r\n"
      "\r\n"
      "  a  =  lin 0.50 -2/4 x 1e-3 y\n"
      "hi mid  lo = sort a 1/3 y\n"
      "k = powi hi -2\n"
      "s = select ge x 0 k lo\n"
      "output s   lo");
  EXPECT_EQ(print_program(p),
            "input x y\n"
            "a = lin 0.50 -2/4 x 1e-3 y\n"
            "hi mid lo = sort a 1/3 y\n"
            "k = powi hi -2\n"
            "s = select ge x 0 k lo\n"
            "output s lo\n");
}

TEST(Print, PowiExponentIsPrintedAsAnInteger) {
  const Program p = parse_program("input x\na = powi x +3\nb = powi x 2e1\noutput a b\n");
  EXPECT_EQ(print_program(p), "input x\na = powi x 3\nb = powi x 20\noutput a b\n");
  expect_round_trip(p);
}

TEST(RoundTrip, BuiltProgramWithEveryOp) {
  ProgramBuilder b;
  const Arg x = b.input("x"), y = b.input("y"), z = b.input("z");
  std::vector<Arg> outs;
  outs.push_back(b.node("add1", Op::Add, {x}));
  outs.push_back(b.node("add3", Op::Add, {x, y, b.literal("0.1")}));
  outs.push_back(b.node("sub", Op::Sub, {x, y}));
  outs.push_back(b.node("neg", Op::Neg, {z}));
  outs.push_back(b.node("mul", Op::Mul, {x, y, z, b.literal("-2/7")}));
  outs.push_back(b.node("div", Op::Div, {b.literal("1"), y}));
  outs.push_back(b.node("e", Op::Exp, {x}));
  outs.push_back(b.node("l", Op::Log, {outs.back()}));
  outs.push_back(b.powi("p", x, -4));
  outs.push_back(b.node("lin", Op::Lin, {b.literal("-2.5E3"), b.literal("1/2"), x, b.literal("-3/4"), y}));
  outs.push_back(b.node("sq", Op::Sqrt, {x}));
  outs.push_back(b.node("sp", Op::Softplus, {x}));
  outs.push_back(b.node("sg", Op::Sigmoid, {x}));
  outs.push_back(b.node("th", Op::Tanh, {x}));
  outs.push_back(b.node("r", Op::Relu, {x}));
  outs.push_back(b.node("ab", Op::Abs, {x}));
  outs.push_back(b.node("mx", Op::Max, {x, y, z}));
  outs.push_back(b.node("mn", Op::Min, {x, b.literal("0")}));
  for (Arg s : b.sort({"s1", "s2", "s3", "s4"}, {x, y, z, b.literal("1e-3")})) outs.push_back(s);
  for (Cmp c : {Cmp::Lt, Cmp::Le, Cmp::Gt, Cmp::Ge})
    outs.push_back(b.select("sel_" + std::string(cmp_name(c)), c, x, b.literal("0"), y, z));
  for (Arg o : outs) b.output(o);
  b.output(x);
  const Program p = b.build();
  ASSERT_NO_THROW(validate(p));
  expect_round_trip(p);
}

TEST(RoundTrip, SharedLiteralInABuiltProgram) {
  // One literal used by several nodes: the text repeats it, so the parsed program has one
  // literal per use. operator== compares literal values, not the literal table layout.
  ProgramBuilder b;
  const Arg x = b.input("x");
  const Arg half = b.literal("1/2");
  const Arg a = b.node("a", Op::Mul, {half, x});
  const Arg c = b.node("c", Op::Lin, {half, half, a});
  b.output(c);
  const Program p = b.build();
  ASSERT_NO_THROW(validate(p));
  EXPECT_EQ(p.literals.size(), 1u);
  const Program back = parse_program(print_program(p));
  EXPECT_EQ(back.literals.size(), 3u);
  EXPECT_EQ(back, p);
  EXPECT_EQ(p, back);
}

TEST(RoundTrip, LiteralsFromInt) {
  ProgramBuilder b;
  const Arg x = b.input("x");
  const Arg a = b.node("a", Op::Add,
                       {x, b.literal(Literal::from_int(-9)),
                        b.literal(Literal::from_int(std::numeric_limits<std::int64_t>::min()))});
  b.output(a);
  expect_round_trip(b.build());
}

TEST(RoundTrip, SortOfOneAndManyOutputs) {
  std::string text = "input a b\nz = sort a\n";
  std::string names, args;
  for (int i = 0; i < 30; ++i) {
    names += "r" + std::to_string(i) + " ";
    args += (i % 2 ? " a" : " b");
  }
  text += names + "=" + " sort" + args + "\noutput r29 z r0\n";
  expect_round_trip(parse_program(text));
}

TEST(RoundTrip, GeneratedPrograms) {
  std::mt19937_64 rng(0x5e1c7ad);
  testgen::TextGenOptions opt;
  opt.max_statements = 25;
  for (int i = 0; i < 300; ++i) {
    const std::string text = testgen::random_program_text(rng, opt);
    Program p;
    ASSERT_NO_THROW(p = parse_program(text)) << text;
    expect_round_trip(p);
    // The canonical text is a fixed point.
    const std::string once = print_program(p);
    EXPECT_EQ(print_program(parse_program(once)), once);
  }
}

TEST(Equality, SeesEveryStructuralDifference) {
  const std::string base = "input x y\na = lin 1/2 3 x -1 y\nb c = sort a y\nd = powi b -2\n"
                           "e = select le x y d c\noutput e d\n";
  const Program p = parse_program(base);
  EXPECT_EQ(p, parse_program(base));
  const auto differs = [&](const std::string& from, const std::string& to) {
    std::string t = base;
    const auto at = t.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    t.replace(at, from.size(), to);
    EXPECT_FALSE(p == parse_program(t)) << from << " -> " << to;
    EXPECT_FALSE(parse_program(t) == p) << from << " -> " << to;
  };
  differs("input x y", "input y x");                     // input order
  differs("a = lin 1/2 3 x", "a = lin 1/2 3 y");         // argument
  differs("lin 1/2", "lin 0.5");                         // literal digits (1/2 vs 5/10)
  differs("3 x", "-3 x");                                // literal sign
  differs("powi b -2", "powi b 2");                      // power
  differs("select le", "select lt");                     // comparison
  differs("output e d", "output d e");                   // output order
  differs("output e d", "output e d d");                 // output count
  differs("d = powi b -2\ne = select le x y d c", "d = powi c -2\ne = select le x y d c");
  differs("b c = sort a y", "c b = sort a y");           // names
  differs("e = select le x y d c", "e = select le x y d c\nf = neg e");  // extra node
}

TEST(Equality, IgnoresLinesAndLiteralSpelling) {
  const Program a = parse_program("input x\ny = mul x 0.50\noutput y\n");
  const Program b = parse_program("# moved\n\ninput x\n\ny = mul x 050/100\noutput y\n");
  EXPECT_EQ(a, b);  // same sign/numerator/denominator digits, other text and other lines
}

}  // namespace
}  // namespace selgrad
