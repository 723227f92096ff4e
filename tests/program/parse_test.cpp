// Parsing every statement form of the .sgp format into the program IR (P = (p, q, m, pr, G)):
// input, single-result ops, sort with k names, select with each comparison, powi, lin, literal
// arguments, comments, blank lines, CRLF line ends and tabs.
#include <gtest/gtest.h>

#include <string>

#include "selgrad/program/error.hpp"
#include "selgrad/program/parse.hpp"

namespace selgrad {
namespace {

const Node& node(const Program& p, const std::string& name) {
  const auto i = p.find(name);
  if (i < 0) throw std::runtime_error("no node " + name);
  return p.nodes[static_cast<std::size_t>(i)];
}

std::uint32_t index_of(const Program& p, const std::string& name) {
  const auto i = p.find(name);
  if (i < 0) throw std::runtime_error("no node " + name);
  return static_cast<std::uint32_t>(i);
}

TEST(Parse, SpecExampleRelu2) {
  const Program p = parse_program(
      "# relu2(t) = relu(-t) + t : equals relu, but AD gives derivative 1 at 0\n"
      "input t\n"
      "a = neg t\n"
      "b = relu a\n"
      "y = add b t\n"
      "output y\n");
  EXPECT_EQ(p.p(), 1u);
  EXPECT_EQ(p.q(), 1u);
  EXPECT_EQ(p.m(), 4u);
  EXPECT_FALSE(p.transcendental());
  ASSERT_EQ(p.nodes.size(), 4u);
  EXPECT_EQ(p.nodes[0].name, "t");
  EXPECT_EQ(p.nodes[0].op, Op::Input);
  EXPECT_EQ(p.nodes[0].line, 2u);
  EXPECT_EQ(p.nodes[1].op, Op::Neg);
  EXPECT_EQ(p.nodes[1].args, (std::vector<Arg>{Arg::node(0)}));
  EXPECT_EQ(p.nodes[2].op, Op::Relu);
  EXPECT_EQ(p.nodes[2].args, (std::vector<Arg>{Arg::node(1)}));
  EXPECT_EQ(p.nodes[3].op, Op::Add);
  EXPECT_EQ(p.nodes[3].args, (std::vector<Arg>{Arg::node(2), Arg::node(0)}));
  EXPECT_EQ(p.nodes[3].line, 5u);
  EXPECT_EQ(p.outputs, (std::vector<std::uint32_t>{3}));
  EXPECT_NO_THROW(validate(p));
}

TEST(Parse, SpecExampleClarke) {
  const Program p = parse_program(
      "# Clarke's example F(x, y) = (|x| + y, 2x + |y|)\n"
      "input x y\n"
      "ax = abs x\n"
      "ay = abs y\n"
      "u = add ax y\n"
      "v = lin 0 2 x 1 ay\n"
      "output u v\n");
  EXPECT_EQ(p.p(), 2u);
  EXPECT_EQ(p.q(), 2u);
  const Node& v = node(p, "v");
  EXPECT_EQ(v.op, Op::Lin);
  ASSERT_EQ(v.args.size(), 5u);
  EXPECT_FALSE(v.args[0].is_node());
  EXPECT_FALSE(v.args[1].is_node());
  EXPECT_EQ(v.args[2], Arg::node(index_of(p, "x")));
  EXPECT_FALSE(v.args[3].is_node());
  EXPECT_EQ(v.args[4], Arg::node(index_of(p, "ay")));
  EXPECT_EQ(p.literals[v.args[0].index].as_fraction(), "0");
  EXPECT_EQ(p.literals[v.args[1].index].as_fraction(), "2");
  EXPECT_EQ(p.literals[v.args[3].index].as_fraction(), "1");
  EXPECT_EQ(p.outputs, (std::vector<std::uint32_t>{index_of(p, "u"), index_of(p, "v")}));
}

TEST(Parse, EverySingleResultOp) {
  const Program p = parse_program(
      "input a b c\n"
      "s1 = add a\n"
      "s2 = add a b c 1\n"
      "s3 = sub a b\n"
      "s4 = neg a\n"
      "s5 = mul a b c\n"
      "s6 = div a b\n"
      "s7 = exp a\n"
      "s8 = log a\n"
      "s9 = powi a 3\n"
      "s10 = lin 1/2\n"
      "s11 = sqrt a\n"
      "s12 = softplus a\n"
      "s13 = sigmoid a\n"
      "s14 = tanh a\n"
      "s15 = relu a\n"
      "s16 = abs a\n"
      "s17 = max a b c\n"
      "s18 = min a\n"
      "s19 = select lt a b c s1\n"
      "output s1 s2 s3 s4 s5 s6 s7 s8 s9 s10 s11 s12 s13 s14 s15 s16 s17 s18 s19\n");
  const Op expected[] = {Op::Add,  Op::Add,  Op::Sub,      Op::Neg,     Op::Mul,
                         Op::Div,  Op::Exp,  Op::Log,      Op::Powi,    Op::Lin,
                         Op::Sqrt, Op::Softplus, Op::Sigmoid, Op::Tanh, Op::Relu,
                         Op::Abs,  Op::Max,  Op::Min,      Op::Select};
  ASSERT_EQ(p.m(), 3u + std::size(expected));
  for (std::size_t i = 0; i < std::size(expected); ++i) {
    EXPECT_EQ(p.nodes[3 + i].op, expected[i]) << i;
    EXPECT_EQ(p.nodes[3 + i].name, "s" + std::to_string(i + 1));
    EXPECT_EQ(p.nodes[3 + i].line, 2u + i);
  }
  EXPECT_EQ(p.q(), 19u);
  EXPECT_TRUE(p.transcendental());
  EXPECT_EQ(node(p, "s2").args.size(), 4u);
  EXPECT_FALSE(node(p, "s2").args[3].is_node());
  EXPECT_NO_THROW(validate(p));
}

TEST(Parse, SortWithKNames) {
  const Program p = parse_program(
      "input a b c d\n"
      "y1 y2 y3 y4 = sort a b c d\n"
      "z = sort y4\n"
      "w1 w2 = sort 1/2 a\n"
      "output y1 y4 z w2\n");
  ASSERT_EQ(p.m(), 4u + 4u + 1u + 2u);
  for (std::uint32_t r = 0; r < 4; ++r) {
    const Node& n = p.nodes[4 + r];
    EXPECT_EQ(n.name, "y" + std::to_string(r + 1));
    EXPECT_EQ(n.op, Op::Sort);
    EXPECT_EQ(n.group_first, 4u);
    EXPECT_EQ(n.group_size, 4u);
    EXPECT_EQ(n.sort_rank(4 + r), r);
    EXPECT_EQ(n.args, (std::vector<Arg>{Arg::node(0), Arg::node(1), Arg::node(2), Arg::node(3)}));
  }
  const Node& z = node(p, "z");
  EXPECT_EQ(z.group_first, 8u);
  EXPECT_EQ(z.group_size, 1u);
  EXPECT_EQ(z.args, (std::vector<Arg>{Arg::node(7)}));
  const Node& w2 = node(p, "w2");
  EXPECT_EQ(w2.group_first, 9u);
  EXPECT_EQ(w2.group_size, 2u);
  EXPECT_FALSE(w2.args[0].is_node());
  EXPECT_EQ(w2.sort_rank(10), 1u);
  EXPECT_NO_THROW(validate(p));
}

TEST(Parse, SelectWithEachComparison) {
  for (const auto& [name, cmp] : {std::pair{"lt", Cmp::Lt}, std::pair{"le", Cmp::Le},
                                  std::pair{"gt", Cmp::Gt}, std::pair{"ge", Cmp::Ge}}) {
    const Program p = parse_program(std::string("input u v\n") + "y = select " + name +
                                    " u 0 v -1/2\n" + "output y\n");
    const Node& y = node(p, "y");
    EXPECT_EQ(y.op, Op::Select) << name;
    EXPECT_EQ(y.cmp, cmp) << name;
    ASSERT_EQ(y.args.size(), 4u);
    EXPECT_EQ(y.args[0], Arg::node(0));
    EXPECT_FALSE(y.args[1].is_node());
    EXPECT_EQ(y.args[2], Arg::node(1));
    EXPECT_FALSE(y.args[3].is_node());
    EXPECT_EQ(p.literals[y.args[3].index].as_fraction(), "-1/2");
  }
}

TEST(Parse, SelectComparisonNamesCanAlsoBeNodeNames) {
  const Program p = parse_program("input le gt\ny = select le le gt gt le\noutput y\n");
  const Node& y = node(p, "y");
  EXPECT_EQ(y.cmp, Cmp::Le);
  EXPECT_EQ(y.args, (std::vector<Arg>{Arg::node(0), Arg::node(1), Arg::node(1), Arg::node(0)}));
}

TEST(Parse, PowiExponentIsStoredAsPower) {
  const Program p = parse_program(
      "input x\n"
      "a = powi x -3\n"
      "b = powi x 0\n"
      "c = powi x +2\n"
      "d = powi x 2e1\n"
      "e = powi 1/2 -1\n"
      "f = powi x " + std::to_string(kMaxPowiExponent) + "\n"
      "g = powi x -" + std::to_string(kMaxPowiExponent) + "\n"
      "output a b c d e f g\n");
  const std::int64_t powers[] = {-3, 0, 2, 20, -1, kMaxPowiExponent, -kMaxPowiExponent};
  for (std::size_t i = 0; i < std::size(powers); ++i) {
    const Node& n = p.nodes[1 + i];
    EXPECT_EQ(n.op, Op::Powi);
    EXPECT_EQ(n.power, powers[i]) << n.name;
    ASSERT_EQ(n.args.size(), 1u) << "k is not an argument";
  }
  EXPECT_EQ(p.nodes[1].args[0], Arg::node(0));
  EXPECT_FALSE(node(p, "e").args[0].is_node());
  EXPECT_NO_THROW(validate(p));
}

TEST(Parse, LinCoefficientsAndPairs) {
  const Program p = parse_program(
      "input x y\n"
      "a = lin -1 1/2 x -3/4 y\n"
      "b = lin 0.5 2 3\n"  // a literal in an argument position is allowed
      "c = lin 7\n"
      "output a b c\n");
  const Node& a = node(p, "a");
  ASSERT_EQ(a.args.size(), 5u);
  EXPECT_EQ(p.literals[a.args[0].index].as_fraction(), "-1");
  EXPECT_EQ(p.literals[a.args[1].index].as_fraction(), "1/2");
  EXPECT_EQ(a.args[2], Arg::node(0));
  EXPECT_EQ(p.literals[a.args[3].index].as_fraction(), "-3/4");
  EXPECT_EQ(a.args[4], Arg::node(1));
  const Node& b = node(p, "b");
  ASSERT_EQ(b.args.size(), 3u);
  for (const Arg& x : b.args) EXPECT_FALSE(x.is_node());
  EXPECT_EQ(node(p, "c").args.size(), 1u);
  EXPECT_NO_THROW(validate(p));
}

TEST(Parse, LiteralsAsArgumentsKeepTheirTextAndExactValue) {
  const Program p = parse_program(
      "input x\n"
      "a = add x 0.1 -2.5E3 1e-3 1/3 -2/7 007\n"
      "output a\n");
  const Node& a = node(p, "a");
  ASSERT_EQ(a.args.size(), 7u);
  const char* texts[] = {"0.1", "-2.5E3", "1e-3", "1/3", "-2/7", "007"};
  const char* values[] = {"1/10", "-2500", "1/1000", "1/3", "-2/7", "7"};
  for (std::size_t i = 0; i < 6; ++i) {
    ASSERT_FALSE(a.args[1 + i].is_node());
    const Literal& l = p.literals[a.args[1 + i].index];
    EXPECT_EQ(l.text, texts[i]);
    EXPECT_EQ(l.as_fraction(), values[i]);
  }
  // Literals are kept in first-use order.
  ASSERT_EQ(p.literals.size(), 6u);
  EXPECT_EQ(p.literals[0].text, "0.1");
}

TEST(Parse, CommentsBlankLinesCrlfAndTabs) {
  const std::string plain = "input x y\na = mul x y\nb b2 = sort a x\nout = lin 0 2 b\noutput out b2\n";
  const std::string messy =
      "# header comment\r\n"
      "\r\n"
      "   \t\r\n"
      "input\tx  y   # two inputs\r\n"
      "# between statements\r\n"
      "\ta\t=\tmul\tx\ty\r\n"
      "\n"
      "b b2=  sort a x#no space before the comment\r\n"
      "  out = lin 0 2 b      \r\n"
      "output out\t b2 \r\n"
      "# trailing comment\r\n"
      "\r\n";
  // `b2=` glues two tokens: the format is whitespace separated, so this must be an error.
  EXPECT_THROW(parse_program(messy), Error);
  std::string fixed = messy;
  fixed.replace(fixed.find("b2="), 3, "b2 =");
  const Program a = parse_program(plain);
  const Program b = parse_program(fixed);
  EXPECT_EQ(a, b);
  EXPECT_EQ(b.nodes[0].line, 4u);
  EXPECT_EQ(node(b, "a").line, 6u);
  EXPECT_EQ(node(b, "b").line, 8u);
  EXPECT_EQ(node(b, "out").line, 9u);
}

TEST(Parse, NoFinalNewlineAndUtf8InComments) {
  const Program p = parse_program("# relu ∘ neg, ½·t — UTF-8 is fine in comments\ninput t # τ\ny = relu t\noutput y");
  EXPECT_EQ(p.q(), 1u);
  EXPECT_EQ(p.nodes[1].line, 3u);
}

TEST(Parse, NamesMayUseDotsUnderscoresAndOpNames) {
  const Program p = parse_program(
      "input _x x.1 X9\n"
      "add = add _x x.1\n"
      "relu = relu add\n"
      "layer.0_out = mul relu X9\n"
      "output layer.0_out\n");
  EXPECT_EQ(node(p, "relu").op, Op::Relu);
  EXPECT_EQ(node(p, "relu").args, (std::vector<Arg>{Arg::node(index_of(p, "add"))}));
  EXPECT_EQ(node(p, "add").op, Op::Add);
}

TEST(Parse, OutputsMayRepeatAndMayBeInputs) {
  const Program p = parse_program("input x y\nz = add x y\noutput z x z y\n");
  EXPECT_EQ(p.outputs, (std::vector<std::uint32_t>{2, 0, 2, 1}));
}

TEST(Parse, FindAndTranscendental) {
  const Program p = parse_program("input x\ny = exp x\noutput y\n");
  EXPECT_EQ(p.find("x"), 0);
  EXPECT_EQ(p.find("y"), 1);
  EXPECT_EQ(p.find("nope"), -1);
  EXPECT_TRUE(p.transcendental());
}

TEST(ParseFile, ReadsAFileAndReportsAMissingOne) {
  const Program p = parse_program_file(SELGRAD_SOURCE_DIR "/examples/relu2.sgp");
  EXPECT_EQ(p.p(), 1u);
  try {
    parse_program_file(SELGRAD_SOURCE_DIR "/examples/does-not-exist.sgp");
    ADD_FAILURE() << "no error for a missing file";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(e.reason().find("cannot read"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace selgrad
