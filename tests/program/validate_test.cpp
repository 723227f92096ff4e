// validate(): the invariants of a program P = (p, q, m, pr, G) built in code. Broken programs
// are rejected with ErrorKind::Program naming the node; parsed programs always pass.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "selgrad/program/builder.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/program/parse.hpp"

namespace selgrad {
namespace {

/// x, y inputs; s = add x y; sorted pair (hi, lo); z = powi s -2; w = select le x y hi lo;
/// v = lin 1/2 3 x -1 z; outputs w v.
Program good_program() {
  ProgramBuilder b;
  const Arg x = b.input("x"), y = b.input("y");
  const Arg s = b.node("s", Op::Add, {x, y});
  const auto hl = b.sort({"hi", "lo"}, {s, y});
  const Arg z = b.powi("z", s, -2);
  const Arg w = b.select("w", Cmp::Le, x, y, hl[0], hl[1]);
  const Arg v = b.node("v", Op::Lin, {b.literal("1/2"), b.literal("3"), x, b.literal("-1"), z});
  b.output(w);
  b.output(v);
  return b.build();
}

void expect_program_error(const Program& p, const std::string& says, const std::string& node = "") {
  try {
    validate(p);
    ADD_FAILURE() << "accepted; expected: " << says;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Program) << e.what();
    EXPECT_NE(e.reason().find(says), std::string::npos) << e.what() << " -- expected: " << says;
    EXPECT_EQ(e.where().node, node) << e.what();
    if (!node.empty()) {
      EXPECT_NE(std::string(e.what()).find("node " + node), std::string::npos);
    }
  }
}

TEST(Validate, BuiltProgramPasses) {
  const Program p = good_program();
  EXPECT_NO_THROW(validate(p));
  EXPECT_EQ(p.p(), 2u);
  EXPECT_EQ(p.q(), 2u);
  EXPECT_EQ(p.m(), 8u);
}

TEST(Validate, NoInputs) {
  Program p;
  p.nodes.push_back(Node{});
  p.nodes[0].name = "c";
  p.nodes[0].op = Op::Lin;
  p.literals.push_back(Literal::from_int(1));
  p.nodes[0].args = {Arg::literal(0)};
  p.outputs = {0};
  expect_program_error(p, "p = 0");
}

TEST(Validate, NoOutputs) {
  Program b = good_program();
  b.outputs.clear();
  expect_program_error(b, "q = 0");
}

TEST(Validate, OutputOutOfRange) {
  Program b = good_program();
  b.outputs.push_back(99);
  expect_program_error(b, "output index out of range");
}

TEST(Validate, FewerNodesThanInputs) {
  Program b = good_program();
  b.input_count = 20;
  expect_program_error(b, "fewer nodes than inputs");
}

TEST(Validate, ArgumentMustBeAnEarlierNode) {
  Program b = good_program();
  b.nodes[2].args[0] = Arg::node(2);  // s uses itself
  expect_program_error(b, "argument 1 is not an earlier node", "s");
  Program c = good_program();
  c.nodes[2].args[1] = Arg::node(6);  // s uses a later node
  expect_program_error(c, "argument 2 is not an earlier node", "s");
  Program d = good_program();
  d.nodes[7].args[0] = Arg::literal(57);  // no such literal
  expect_program_error(d, "argument 1 is not an earlier node or a literal", "v");
}

TEST(Validate, LinCoefficientsMustBeLiterals) {
  Program b = good_program();
  b.nodes[7].args[1] = Arg::node(0);
  expect_program_error(b, "lin coefficients must be literals", "v");
}

TEST(Validate, Arity) {
  Program b = good_program();
  b.nodes[2].op = Op::Neg;  // neg with two arguments
  expect_program_error(b, "neg takes 1 argument, got 2", "s");
  Program c = good_program();
  c.nodes[7].args.pop_back();  // lin with an even count
  expect_program_error(c, "odd number of arguments", "v");
  Program d = good_program();
  d.nodes[6].args.pop_back();  // select with 3 arguments
  expect_program_error(d, "select takes 4 arguments, got 3", "w");
}

TEST(Validate, PowiHoldsOneArgumentAndItsPowerInRange) {
  Program b = good_program();
  b.nodes[5].args.push_back(Arg::literal(0));  // k written as an argument
  expect_program_error(b, "powi has one argument", "z");
  Program c = good_program();
  c.nodes[5].power = kMaxPowiExponent + 1;
  expect_program_error(c, "powi exponent out of range", "z");
}

TEST(Validate, NamesAreValidAndUnique) {
  Program b = good_program();
  b.nodes[2].name = "y";
  expect_program_error(b, "name 'y' defined twice", "y");
  Program c = good_program();
  c.nodes[2].name = "2s";
  expect_program_error(c, "invalid name '2s'", "2s");
  Program d = good_program();
  d.nodes[1].name = "output";
  expect_program_error(d, "invalid name 'output'", "output");
  Program e = good_program();
  e.nodes[2].name = "";
  expect_program_error(e, "invalid name ''");
}

// Names are kept in a hash table: many names, and a repeat far from its first use, found at
// the repeat; many distinct names that differ only in the last characters all pass.
TEST(Validate, NamesAreUniqueInLargePrograms) {
  ProgramBuilder b;
  Arg last = b.input("x");
  for (int k = 0; k < 20000; ++k) last = b.node("v" + std::to_string(k), Op::Neg, {last});
  b.output(last);
  Program p = b.build();
  EXPECT_NO_THROW(validate(p));
  p.nodes[15001].name = "v17";  // node 15001 is v15000
  expect_program_error(p, "name 'v17' defined twice", "v17");
}

TEST(Validate, InputsComeFirst) {
  Program b = good_program();
  b.nodes[2].op = Op::Input;
  b.nodes[2].args.clear();
  expect_program_error(b, "an input after a computed node", "s");
  Program c = good_program();
  c.nodes[1].op = Op::Neg;
  c.nodes[1].args = {Arg::node(0)};
  expect_program_error(c, "the first p nodes must be inputs", "y");
  Program d = good_program();
  d.nodes[1].args = {Arg::node(0)};
  expect_program_error(d, "an input has no arguments", "y");
}

TEST(Validate, UnknownOpValueIsRejectedWithoutReadingPastTheTable) {
  Program b = good_program();
  b.nodes[2].op = static_cast<Op>(200);
  expect_program_error(b, "unknown op", "s");
  Program c = good_program();
  c.nodes[2].op = Op::Count_;
  expect_program_error(c, "unknown op", "s");
}

TEST(Validate, SortGroups) {
  {
    Program b = good_program();
    b.nodes[4].group_size = 3;  // size disagrees with the argument count
    expect_program_error(b, "sort group does not match its argument count", "lo");
  }
  {
    Program b = good_program();
    b.nodes[4].args[1] = Arg::node(0);  // the second rank sorts other values
    expect_program_error(b, "sort group nodes must share their arguments", "lo");
  }
  {
    Program b = good_program();
    b.nodes[4].group_first = 2;  // the second rank leaves its group
    expect_program_error(b, "sort group nodes must be consecutive", "hi");
  }
  {
    // The group's second node is not a sort node: the printer would give it two statements.
    Program b = good_program();
    Node& lo = b.nodes[4];
    lo.op = Op::Neg;
    lo.args = {Arg::node(0)};
    lo.group_first = lo.group_size = 0;
    expect_program_error(b, "sort group nodes must be consecutive", "hi");
  }
  {
    // A sort group cut short at the end of the node list.
    ProgramBuilder b;
    const Arg x = b.input("x");
    const auto s = b.sort({"s0", "s1"}, {x, x});
    b.output(s[0]);
    Program p = b.build();
    p.nodes.pop_back();
    expect_program_error(p, "sort group", "s0");
  }
}

TEST(Validate, ParsedProgramsPass) {
  for (const char* text : {
           "input x\ny = relu x\noutput y\n",
           "input x y\na b = sort x y\nz = powi a -3\nw = lin 0 1/2 z -1 b\noutput w a\n",
           "input u\nv = select ge u 0 u 0\noutput v\n",
           "input a b c\nm = max a b c\nn = min a 1\ne = exp m\nl = log e\noutput l n\n",
       }) {
    const Program p = parse_program(text);
    EXPECT_NO_THROW(validate(p)) << text;
  }
}

}  // namespace
}  // namespace selgrad
