// ProgramBuilder: programs built in code equal the parsed text, literals are exact and shared,
// fresh names never collide, and misuse is an Error naming the node.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "selgrad/program/builder.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/program/parse.hpp"

namespace selgrad {
namespace {

TEST(ProgramBuilder, BuildsTheProgramTheTextDescribes) {
  ProgramBuilder b;
  const Arg x = b.input("x"), y = b.input("y");
  const Arg d = b.node("d", Op::Sub, {x, b.literal("3/2")});
  const Arg r = b.node("r", Op::Relu, {d});
  const Arg s = b.select("s", Cmp::Le, x, y, r, r);
  const auto ranks = b.sort({"hi", "lo"}, {s, y});
  const Arg p = b.powi("p", ranks[1], -2);
  b.output(ranks[0]);
  b.output(p);
  const Program built = b.build();
  const Program parsed = parse_program(
      "input x y\nd = sub x 3/2\nr = relu d\ns = select le x y r r\nhi lo = sort s y\np = powi lo -2\n"
      "output hi p\n");
  EXPECT_EQ(built, parsed);
  EXPECT_EQ(parse_program(print_program(built)), built);
}

TEST(ProgramBuilder, LiteralsAreExactAndShared) {
  ProgramBuilder b;
  const Arg x = b.input("x");
  const Arg a = b.literal(0.1);
  EXPECT_EQ(b.program().literals[a.index].as_fraction(), "3602879701896397/36028797018963968");
  EXPECT_EQ(b.literal(0.1), a);
  EXPECT_EQ(b.literal(std::int64_t{-3}), b.literal("-3"));
  EXPECT_EQ(b.literal(0.5), b.literal("1/2"));
  EXPECT_EQ(b.program().literals[b.literal(-0.0).index].as_fraction(), "0");
  EXPECT_EQ(b.program().literals[b.literal(std::ldexp(1.0, 70)).index].as_fraction(), "1180591620717411303424");
  EXPECT_THROW(b.literal(std::numeric_limits<double>::infinity()), Error);
  EXPECT_THROW(b.literal(std::numeric_limits<double>::quiet_NaN()), Error);
  EXPECT_THROW(b.literal("1/0"), Error);
  b.output(b.node("y", Op::Mul, {x, a}));
  EXPECT_NO_THROW(b.build());
}

TEST(ProgramBuilder, FreshNamesSkipNamesTaken) {
  ProgramBuilder b;
  const Arg v0 = b.input("v0");
  const Arg y = b.node("", Op::Neg, {v0});
  EXPECT_EQ(b.program().nodes[y.index].name, "v1");
  const Arg z = b.node("", Op::Neg, {y});
  b.output(z);
  const Program p = b.build();
  EXPECT_EQ(p.nodes[z.index].name, "v2");
  EXPECT_EQ(b.size(), 0u) << "build() leaves the builder empty";
}

TEST(ProgramBuilder, AGivenNameCannotTakeAFreshNameHandedOutAndViceVersa) {
  ProgramBuilder b;
  const Arg x = b.input("x");
  const Arg v0 = b.node("", Op::Neg, {x});  // v0
  EXPECT_TRUE(b.has_name("v0"));
  EXPECT_FALSE(b.has_name("v1"));
  EXPECT_THROW(b.node("v0", Op::Neg, {x}), Error) << "v0 was handed out";
  const Arg v3 = b.node("v3", Op::Neg, {v0});  // given before the counter gets there
  EXPECT_TRUE(b.has_name("v3"));
  const Arg v05 = b.node("v05", Op::Neg, {v3});  // not a fresh-form name: an ordinary one
  EXPECT_FALSE(b.has_name("v5"));
  std::vector<std::string> fresh;
  Arg last = v05;
  for (int i = 0; i < 4; ++i) {
    last = b.node("", Op::Neg, {last});
    fresh.push_back(b.program().nodes[last.index].name);
  }
  EXPECT_EQ(fresh, (std::vector<std::string>{"v1", "v2", "v4", "v5"})) << "v3 is skipped";
  EXPECT_THROW(b.node("v4", Op::Neg, {x}), Error);
  EXPECT_NO_THROW(b.node("v6x", Op::Neg, {x}));
  b.output(last);
  EXPECT_NO_THROW(b.build());
}

TEST(ProgramBuilder, AppendsAPartWithItsInputsBound) {
  const Program f = parse_program("input t\na = neg t\nb = relu a\ny = add b t\noutput y\n");
  ProgramBuilder b;
  const Arg x = b.input("x");
  const Arg two = b.node("two", Op::Mul, {x, b.literal(2)});
  const Arg inputs[] = {two};
  const auto outs = b.append(f, inputs, "f.");
  ASSERT_EQ(outs.size(), 1u);
  b.output(outs[0]);
  const Program p = b.build();
  EXPECT_EQ(p, parse_program("input x\ntwo = mul x 2\nf.a = neg two\nf.b = relu f.a\nf.y = add f.b two\noutput f.y\n"));
}

TEST(ProgramBuilder, MisuseIsAnErrorNamingTheNode) {
  ProgramBuilder b;
  const Arg x = b.input("x");
  EXPECT_THROW(b.input("x"), Error) << "name defined twice";
  b.node("y", Op::Neg, {x});
  try {
    b.input("z");
    FAIL() << "an input after a computed node";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Program);
    EXPECT_EQ(e.where().node, "z");
  }
  EXPECT_THROW(b.node("w", Op::Sub, {x}), Error) << "arity";
  EXPECT_THROW(b.node("w", Op::Neg, {Arg::node(99)}), Error) << "unknown node";
  EXPECT_THROW(b.node("w", Op::Neg, {Arg::literal(5)}), Error) << "unknown literal";
  EXPECT_THROW(b.node("bad name", Op::Neg, {x}), Error);
  EXPECT_THROW(b.sort({"a"}, {x, x}), Error);
  EXPECT_THROW(b.output(b.literal(1)), Error);
  ProgramBuilder empty;
  empty.input("x");
  EXPECT_THROW(empty.build(), Error) << "no outputs";
}

}  // namespace
}  // namespace selgrad
