// Evaluation errors name the node and line; caps turn runaway growth into clear errors;
// undecidable branch decisions are escalated, then marked, never rounded silently.
#include "fixtures.hpp"

namespace selgrad::testing {
namespace {

using reference::evaluate_exact;
using reference::evaluate_real;

template <class F>
Error error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no selgrad::Error thrown";
  return Error(ErrorKind::Usage, {}, "none");
}

TEST(DomainErrors, DivisionByZeroNamesTheNodeAndLine) {
  const Program p = parse_program("input t\n\nq = div 1 t\noutput q\n");
  const Error e = error_of([&] { evaluate_exact(p, point({"0"})); });
  EXPECT_EQ(e.kind(), ErrorKind::Domain);
  EXPECT_EQ(std::string(e.what()), "div (line 3, node q): division by zero: divisor is 0");
  const Error m = error_of([&] { evaluate_real(p, point({"0"})); });
  EXPECT_EQ(m.kind(), ErrorKind::Domain);
  EXPECT_NE(std::string(m.what()).find("div (line 3, node q)"), std::string::npos);
}

TEST(DomainErrors, LogAndSqrtOfNonpositiveValues) {
  const Error l = error_of([] { evaluate_real(parse_program("input t\ny = log t\noutput y\n"), point({"-1"})); });
  EXPECT_EQ(l.kind(), ErrorKind::Domain);
  EXPECT_NE(std::string(l.what()).find("log (line 2, node y): argument is"), std::string::npos) << l.what();
  EXPECT_NE(std::string(l.what()).find("must be > 0"), std::string::npos);
  // log of an exact 0 reached through exp-free arithmetic: decided exactly, still an error.
  const Error z = error_of([] {
    evaluate_real(parse_program("input t\nu = sub t 1/3\ny = sqrt u\noutput y\n"), point({"1/3"}));
  });
  EXPECT_EQ(z.kind(), ErrorKind::Domain);
  EXPECT_NE(std::string(z.what()).find("sqrt (line 3, node y)"), std::string::npos) << z.what();
}

TEST(DomainErrors, NegativePowerOfZero) {
  const Error e = error_of([] { evaluate_exact(parse_program("input t\ny = powi t -2\noutput y\n"), point({"0"})); });
  EXPECT_EQ(e.kind(), ErrorKind::Domain);
  EXPECT_NE(std::string(e.what()).find("negative power of zero"), std::string::npos);
}

TEST(ContinuityErrors, DiscontinuousSelectNamesTheNode) {
  const Program p = parse_program("input t\ny = select le t 0 0 1\noutput y\n");
  const Error e = error_of([&] { evaluate_exact(p, point({"0"})); });
  EXPECT_EQ(e.kind(), ErrorKind::Continuity);
  EXPECT_NE(std::string(e.what()).find("select (line 2, node y): discontinuous selection"), std::string::npos);
  // Away from the boundary the same program evaluates (the jump is only checked where it is).
  EXPECT_EQ(evaluate_exact(p, point({"1"})).outputs[0], 1);
  EXPECT_EQ(error_of([&] { evaluate_real(p, point({"0"})); }).kind(), ErrorKind::Continuity);
}

TEST(ExactArithmetic, RefusesTranscendentalPrograms) {
  const Error e = error_of([] { evaluate_exact(parse_program("input t\ny = exp t\noutput y\n"), point({"0"})); });
  EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
  EXPECT_NE(std::string(e.what()).find("exp (line 2, node y)"), std::string::npos);
}

TEST(ExactArithmetic, WrongPointDimensionIsAUsageError) {
  EXPECT_EQ(error_of([] { evaluate_exact(example("relu.sgp"), point({"0", "1"})); }).kind(), ErrorKind::Usage);
}

TEST(ResourceCaps, RepeatedSquaringHitsTheOperandSizeCap) {
  // x_{k+1} = x_k^2: bits double at every node. The cap stops it with the node's name.
  std::string text = "input x0\n";
  for (int k = 1; k <= 40; ++k)
    text += "x" + std::to_string(k) + " = mul x" + std::to_string(k - 1) + " x" + std::to_string(k - 1) + "\n";
  const Program p = parse_program(text + "output x40\n");
  const Error e = error_of([&] { evaluate_exact(p, point({"3/7"})); });
  EXPECT_EQ(e.kind(), ErrorKind::Resource);
  EXPECT_NE(std::string(e.what()).find("above the operand size cap"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("node x"), std::string::npos);
}

TEST(ResourceCaps, HugePowerIsRefusedBeforeComputing) {
  const Program p = parse_program("input x\ny = powi x 1000000\noutput y\n");
  const Error e = error_of([&] { evaluate_exact(p, point({"123456789/987654321"})); });
  EXPECT_EQ(e.kind(), ErrorKind::Resource);
  EXPECT_NE(std::string(e.what()).find("powi (line 2, node y)"), std::string::npos);
  EXPECT_EQ(evaluate_exact(p, point({"1"})).outputs[0], 1);  // 1^k is small: fine
}

TEST(ResourceCaps, MpfrOverflowIsADomainErrorNamingTheNode) {
  const Program p = parse_program("input x\na = exp x\nb = exp a\nc = exp b\noutput c\n");
  const Error e = error_of([&] { evaluate_real(p, point({"100"})); });
  EXPECT_EQ(e.kind(), ErrorKind::Domain);
  EXPECT_NE(std::string(e.what()).find("overflow"), std::string::npos) << e.what();
}

TEST(CertifiedBranches, NearTieIsDecidedByRaisingThePrecision) {
  // d = exp(1e-100) - 1 - 1e-100 is about 5e-201 > 0: at 256 bits the enclosure straddles 0,
  // at 1024 bits it does not.
  const Program p = parse_program(
      "input x\ne = exp x\nd = lin -1 1 e -1 x\ny = relu d\noutput y\n");
  const auto r = evaluate_real(p, point({"1e-100"}));
  EXPECT_GT(r.precision, 256);
  ASSERT_EQ(r.branches.decisions.size(), 1u);
  EXPECT_EQ(r.branches.decisions[0].certainty, reference::Certainty::Certified);
  EXPECT_EQ(r.branches.decisions[0].choice.piece, 1u);  // d > 0: the identity piece
  EXPECT_TRUE(r.branches.all_certified());
}

TEST(CertifiedBranches, UndecidableTieTakesTheTieRuleAndIsMarked) {
  // log(exp(x)) - x is exactly 0 but not rational arithmetic: no enclosure ever decides it.
  const Program p = parse_program("input x\na = exp x\nb = log a\nc = sub b x\ny = relu c\noutput y\n");
  reference::Options o;
  o.max_precision = 1024;
  const auto r = evaluate_real(p, point({"1/3"}), o);
  EXPECT_EQ(r.precision, 1024);
  EXPECT_FALSE(r.branches.all_certified());
  EXPECT_EQ(r.branches.decisions[0].certainty, reference::Certainty::Uncertified);
  EXPECT_EQ(r.branches.decisions[0].choice.piece, 0u);  // relu's tie rule
}

TEST(CertifiedBranches, RationalTiesInsideExpLogProgramsAreDecidedExactly) {
  // max(a, b) at a = b = 1/3: 1/3 is not a binary number, the enclosures overlap, and the
  // exact rational fallback decides the tie.
  const auto r = evaluate_real(example("logsumexp.sgp"), std::vector<Rational>(example("logsumexp.sgp").p(), q("1/3")));
  bool saw_exact_tie = false;
  for (const auto& d : r.branches.decisions)
    saw_exact_tie |= d.choice.tie && d.certainty == reference::Certainty::Exact;
  EXPECT_TRUE(saw_exact_tie);
  EXPECT_TRUE(r.branches.all_certified());
}

}  // namespace
}  // namespace selgrad::testing

namespace selgrad::testing {
namespace {

TEST(CertifiedBranches, StructurallyEqualValuesTieExactly) {
  // Two separate nodes computing exp(x): no enclosure can separate or identify them, but they are
  // the same computation on the same value, hence equal (value numbering).
  const Program p = parse_program(
      "input x\na = exp x\nb = exp x\nc = add a 1\nd = add 1 b\ny = max c d\noutput y\n");
  const auto r = reference::evaluate_real(p, point({"1/3"}));
  ASSERT_EQ(r.branches.decisions.size(), 1u);
  EXPECT_TRUE(r.branches.decisions[0].choice.tie);
  EXPECT_EQ(r.branches.decisions[0].certainty, reference::Certainty::Exact);
  EXPECT_EQ(r.precision, 256);  // decided without escalation
}

}  // namespace
}  // namespace selgrad::testing
