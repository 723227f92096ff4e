// The reference engine's bounds before work: programs built in code are validated at every entry
// point; exact results are refused from their operands' sizes before they are computed; the
// evaluation's size budget bounds tapes and sweeps; a 30,000-way sort and a million-node chain
// evaluate in O(k) and without recursion.
#include <gtest/gtest.h>

#include <string>

#include "fixtures.hpp"
#include "selgrad/program/builder.hpp"
#include "selgrad/reference/closure.hpp"
#include "selgrad/reference/implicit.hpp"

namespace selgrad::testing {
namespace {

template <class F>
Error error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return Error(ErrorKind::Usage, {}, "none");
}

/// A program built in code that breaks an invariant: an argument after its node.
Program broken_program() {
  Program p;
  Node x, y;
  x.name = "x";
  y.name = "y";
  y.op = Op::Neg;
  y.args = {Arg::node(5)};  // no node 5
  p.nodes = {x, y};
  p.input_count = 1;
  p.outputs = {1};
  return p;
}

TEST(CodeBuiltPrograms, EveryEntryPointValidatesBeforeReadingTheProgram) {
  const Program p = broken_program();
  const auto x = point({"1"});
  for (const auto& call : std::vector<std::function<void()>>{
           [&] { reference::evaluate_exact(p, x); },
           [&] { reference::evaluate_real(p, x); },
           [&] { reference::enclose_with_pieces(p, x, {}, 64); },
           [&] { reference::tie_closure(p, x); },
           [&] { reference::implicit_jacobian(p, 1, x, x); },
           [&] { reference::implicit_jacobian_real(p, 1, x, x); },
           [&] { reference::implicit_closure(p, 1, x, x); },
           [&] { reference::inverse_jacobian(p, x); },
           [&] { reference::inverse_jacobian_real(p, x); },
           [&] { reference::inverse_closure(p, x); }}) {
    const Error e = error_of(call);
    EXPECT_EQ(e.kind(), ErrorKind::Program) << e.what();
    EXPECT_EQ(e.where().node, "y") << e.what();
  }
}

TEST(SizeBounds, AProductIsRefusedFromItsOperandsSizesBeforeItIsComputed) {
  // a = 3^600000 has 950,978 bits; the product of 100,000 copies would have 9.5e10 bits
  // (12 GB): refused from the bound, so this test would run out of memory if it were computed.
  std::string text = "input x\na = powi x 600000\nb = mul";
  for (int i = 0; i < 100000; ++i) text += " a";
  text += "\noutput b\n";
  const Program p = parse_program(text);
  reference::Options o;
  o.max_operand_bits = std::size_t{1} << 36;
  o.max_total_bits = std::size_t{1} << 40;
  const Error e = error_of([&] { reference::evaluate_exact(p, point({"3"}), o); });
  EXPECT_EQ(e.kind(), ErrorKind::Resource);
  EXPECT_EQ(e.where().node, "b") << e.what();
  EXPECT_NE(std::string(e.what()).find("Options::max_operand_bits"), std::string::npos) << e.what();
}

TEST(SizeBounds, BoundsHoldForEveryExactOp) {
  // Values under the bound are computed; the bound is an upper bound of the actual size.
  const Program p = parse_program(
      "input x y\na = add x y 1/3\nb = sub a y\nc = mul a b x\nd = div c a\ne = powi d -3\nf = lin 1/7 2 e -5/3 c\n"
      "g = neg f\noutput g\n");
  const auto r = reference::evaluate_exact(p, point({"-12345/678", "91/1011"}));
  reference::Options tight;
  tight.max_operand_bits = 64;  // far below: refused at some node, never computed past it
  const Error e = error_of([&] { reference::evaluate_exact(p, point({"-12345/678", "91/1011"}), tight); });
  EXPECT_EQ(e.kind(), ErrorKind::Resource);
  EXPECT_FALSE(e.where().node.empty());
  EXPECT_EQ(r.outputs.size(), 1u);
}

TEST(SizeBudget, ManyValuesUnderTheOperandCapAreBoundedTogether) {
  // 2,000 values of about 10^5 bits each: every one is under the operand cap, together 2e8 bits.
  std::string text = "input x\na0 = powi x 60000\n";
  for (int i = 1; i <= 2000; ++i) text += "a" + std::to_string(i) + " = add a" + std::to_string(i - 1) + " x\n";
  text += "output a2000\n";
  const Program p = parse_program(text);
  reference::Options o;
  o.max_total_bits = 100000000;
  const Error e = error_of([&] { reference::evaluate_exact(p, point({"3/7"}), o); });
  EXPECT_EQ(e.kind(), ErrorKind::Resource);
  EXPECT_NE(std::string(e.what()).find("Options::max_total_bits"), std::string::npos) << e.what();
  EXPECT_FALSE(e.where().node.empty()) << e.what();
  EXPECT_NO_THROW(reference::evaluate_exact(p, point({"3/7"})));  // the default budget: 2^33
}

TEST(SizeBudget, TapesAndSweepsAreBoundedBeforeAllocation) {
  // A chain of 2,000 nodes with 10,000 outputs: 2e7 steps of backward sweeps, refused before
  // the first under a budget of 1.5e7 (the tapes themselves would fit).
  std::string text = "input x y z\nn0 = add x y z\n";
  for (int i = 1; i < 2000; ++i) text += "n" + std::to_string(i) + " = neg n" + std::to_string(i - 1) + "\n";
  text += "output";
  for (int i = 0; i < 10000; ++i) text += " n1999";
  text += "\n";
  const Program p = parse_program(text);
  reference::Options o;
  o.max_total_bits = 15000000;
  const Error e = error_of([&] { reference::evaluate_exact(p, point({"1", "2", "3"}), o); });
  EXPECT_EQ(e.kind(), ErrorKind::Resource) << e.what();
  EXPECT_NE(std::string(e.what()).find("--max-total-bits"), std::string::npos) << e.what();
  EXPECT_NO_THROW(reference::evaluate_exact(p, point({"1", "2", "3"})));
  reference::Options mpfr;
  mpfr.precision = 1 << 20;
  mpfr.max_precision = 1 << 20;
  const Program small = parse_program("input x\ny = exp x\nz = add y y y y\noutput z z z z\n");
  mpfr.max_total_bits = 1 << 20;
  const Error m = error_of([&] { reference::evaluate_real(small, point({"1"}), mpfr); });
  EXPECT_EQ(m.kind(), ErrorKind::Resource) << m.what();
  EXPECT_NE(std::string(m.what()).find("lower the precision"), std::string::npos) << m.what();
}

TEST(LargeSorts, AThirtyThousandWaySortEvaluatesExactlyInBothModes) {
  ProgramBuilder b;
  const Arg x = b.input("x");
  const Arg y = b.input("y");
  std::vector<Arg> args;
  const int k = 30000;
  for (int i = 0; i < k; ++i) args.push_back(i % 3 == 0 ? x : (i % 3 == 1 ? y : b.literal(i)));
  const std::vector<Arg> ranks = b.sort({}, args);
  b.output(b.node("s", Op::Sub, {ranks.front(), ranks.back()}));
  b.output(ranks[5]);
  const Program p = b.build();
  // x = 1/2, y = -3: the largest value is 29999 (a literal), the smallest y; rank 5 is 29990.
  const auto r = exact_both_modes(p, point({"1/2", "-3"}));
  EXPECT_EQ(r.outputs[0], q("29999") - q("-3"));
  EXPECT_EQ(r.jacobian, matrix({{"0", "-1"}, {"0", "0"}}));
  EXPECT_EQ(r.branches.decisions.size(), static_cast<std::size_t>(k));
  // Ties everywhere: x = y = 0 ties 20,000 arguments; the stable order puts x's positions first.
  const auto t = exact_both_modes(p, point({"0", "0"}));
  EXPECT_EQ(t.jacobian[0], (std::vector<Rational>{q("0"), q("-1")}));
  const auto real = reference::evaluate_real(p, point({"1/2", "-3"}));
  ASSERT_EQ(real.branches.decisions.size(), r.branches.decisions.size());
  for (std::size_t s = 0; s < r.branches.decisions.size(); ++s)
    ASSERT_EQ(real.branches.decisions[s].choice, r.branches.decisions[s].choice) << s;
}

TEST(DeepPrograms, AMillionNodeChainEvaluatesWithoutRecursion) {
  ProgramBuilder b;
  Arg v = b.input("x");
  // abs and neg alternate: x -> |x| -> -|x| -> ...; at 3 the value ends at -3, derivative -1.
  for (int i = 0; i < 1000000; ++i) v = b.node("", i % 2 ? Op::Neg : Op::Abs, {v});
  b.output(v);
  const Program p = b.build();
  const auto r = exact_both_modes(p, point({"3"}));
  EXPECT_EQ(r.outputs[0], q("-3"));
  EXPECT_EQ(r.jacobian, matrix({{"-1"}}));
}

}  // namespace
}  // namespace selgrad::testing
