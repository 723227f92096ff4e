// The double engine's bounds: spans of the wrong size are usage errors, literals round once,
// a 30,000-way sort costs O(k) and agrees with the reference, a million-node chain runs
// without recursion.
#include <gtest/gtest.h>
#include <gmp.h>
#include <mpfr.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <string>

#include "selgrad/fast/evaluate.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/program/builder.hpp"
#include "selgrad/program/parse.hpp"
#include "selgrad/reference/evaluate.hpp"

namespace selgrad::fast {
namespace {

template <class F>
Error error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return Error(ErrorKind::Domain, {}, "none");
}

TEST(PointSpans, WrongSizesAreUsageErrors) {
  PointEvaluator pe(compile(parse_program("input x y\nz = mul x y\nw = add x y\noutput z w\n")));
  std::vector<double> x2{1, 2}, x1{1}, x3{1, 2, 3}, out2(2), out1(1), g2(2), g3(3);
  PointResult r;
  for (const auto& call : std::vector<std::function<void()>>{
           [&] { pe.values(x1, out2); }, [&] { pe.values(x2, out1); }, [&] { pe.values(x3, out2); },
           [&] { pe.value_and_gradient(x1, g2); }, [&] { pe.value_and_gradient(x2, g3); },
           [&] { pe.evaluate(x1, r); }, [&] { pe.evaluate(x3, r); }}) {
    const Error e = error_of(call);
    EXPECT_EQ(e.kind(), ErrorKind::Usage) << e.what();
    EXPECT_NE(std::string(e.what()).find("PointEvaluator::"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(pe.values(x2, out2));
  EXPECT_NO_THROW(pe.value_and_gradient(x2, g2));
  EXPECT_NO_THROW(pe.evaluate(x2, r));
  EXPECT_EQ(r.outputs, (std::vector<double>{2, 3}));
}

/// The nearest double to n/d by MPFR (the reference rounding), independent of the engine's.
double nearest(const std::string& fraction) {
  mpq_t q;
  mpq_init(q);
  mpq_set_str(q, fraction.c_str(), 10);
  mpq_canonicalize(q);
  const mpfr_exp_t emin = mpfr_get_emin(), emax = mpfr_get_emax();
  mpfr_set_emin(-1073);
  mpfr_set_emax(1024);
  mpfr_t r;
  mpfr_init2(r, 53);
  const int t = mpfr_set_q(r, q, MPFR_RNDN);
  mpfr_subnormalize(r, t, MPFR_RNDN);
  const double d = mpfr_get_d(r, MPFR_RNDN);
  mpfr_clear(r);
  mpfr_set_emin(emin);
  mpfr_set_emax(emax);
  mpq_clear(q);
  return d;
}

TEST(LiteralRounding, AFractionRoundsOnceToTheNearestDouble) {
  // 9007199254740993 = 2^53 + 1 is not a double: rounding it first gives 2^53 / 3, half an ulp
  // below the nearest double of the exact quotient 3002399751580331.
  EXPECT_EQ(literal_to_double(*parse_literal("9007199254740993/3")), 3002399751580331.0);
  EXPECT_EQ(literal_to_double(*parse_literal("-9007199254740993/3")), -3002399751580331.0);
  EXPECT_EQ(literal_to_double(*parse_literal("1/3")), 1.0 / 3.0);
  EXPECT_EQ(literal_to_double(*parse_literal("0.1")), 0.1);
  EXPECT_EQ(literal_to_double(*parse_literal("1e309")), std::numeric_limits<double>::infinity());
  EXPECT_EQ(literal_to_double(*parse_literal("-1e309")), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(literal_to_double(*parse_literal("1e-400")), 0.0);
  EXPECT_EQ(literal_to_double(*parse_literal("4.9406564584124654e-324")), std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(literal_to_double(*parse_literal("2.4703282292062328e-324")), std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(literal_to_double(*parse_literal("2.4703282292062327e-324")), 0.0);  // below half: to 0
  EXPECT_EQ(literal_to_double(*parse_literal("179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791")), std::numeric_limits<double>::max());
}

TEST(LiteralRounding, RandomFractionsAgreeWithMpfr) {
  std::mt19937_64 rng(0x11753);
  const auto digits = [&](int n) {
    std::string s(1, static_cast<char>('1' + rng() % 9));
    for (int i = 1; i < n; ++i) s += static_cast<char>('0' + rng() % 10);
    return s;
  };
  for (int i = 0; i < 20000; ++i) {
    // Numerators and denominators from 1 to 400 digits: normal, subnormal, huge and tiny values,
    // and many whose parts are not doubles.
    const std::string n = digits(1 + static_cast<int>(rng() % (i % 4 == 0 ? 400 : 40)));
    const std::string d = digits(1 + static_cast<int>(rng() % (i % 4 == 1 ? 400 : 40)));
    const std::string text = (rng() % 2 ? "-" : "") + n + "/" + d;
    const auto lit = parse_literal(text);
    ASSERT_TRUE(lit) << text;
    const double got = literal_to_double(*lit), want = nearest(lit->as_fraction());
    ASSERT_EQ(got, want) << text;
    ASSERT_EQ(std::signbit(got), std::signbit(want)) << text;
  }
}

TEST(LargeSorts, AThirtyThousandWaySortAgreesWithTheReference) {
  ProgramBuilder b;
  const Arg x = b.input("x");
  const Arg y = b.input("y");
  std::vector<Arg> args;
  const int k = 30000;
  for (int i = 0; i < k; ++i) args.push_back(i % 3 == 0 ? x : (i % 3 == 1 ? y : b.literal(i)));
  const std::vector<Arg> ranks = b.sort({}, args);
  b.output(b.node("s", Op::Lin, {b.literal(0), b.literal(1), ranks.front(), b.literal(-1), ranks.back(),
                                 b.literal(2), ranks[k / 2]}));
  b.output(ranks[5]);
  const Program p = b.build();
  const Tape tape = compile(p);
  EXPECT_LE(tape.operands(), 2u * k + 10) << "one operand slice for the whole group";
  EXPECT_LE(tape.rows, 3u * k + 20);
  for (const auto& pt : std::vector<std::vector<double>>{{0.5, -3}, {0, 0}, {20000.5, 7}}) {
    const auto exact = reference::evaluate_exact(p, {reference::Rational(pt[0]), reference::Rational(pt[1])});
    for (const JacobianMode mode : {JacobianMode::Reverse, JacobianMode::Forward}) {
      PointEvaluator pe(tape, mode);
      PointResult r;
      pe.evaluate(pt, r);
      BatchOptions bo;
      bo.mode = mode;
      BatchEvaluator be(tape, bo);
      BatchResult br;
      std::vector<double> xs;
      for (int l = 0; l < 9; ++l) xs.insert(xs.end(), pt.begin(), pt.end());
      be.evaluate(xs, 9, br);
      for (std::size_t j = 0; j < 2; ++j) {
        EXPECT_EQ(r.outputs[j], exact.outputs[j].convert_to<double>());
        for (std::size_t i = 0; i < 2; ++i) {
          EXPECT_EQ(r.jacobian[j * 2 + i], exact.jacobian[j][i].convert_to<double>()) << j << i;
          for (int l = 0; l < 9; ++l) EXPECT_EQ(br.jacobian[(l * 2 + j) * 2 + i], r.jacobian[j * 2 + i]);
        }
      }
      for (std::size_t s = 0; s < r.pieces.size(); ++s) ASSERT_EQ(r.pieces[s], exact.branches.decisions[s].choice.piece);
    }
  }
}

TEST(LargeSorts, NestedSortsWithLiteralsAndSharedArgumentsMatchTheReference) {
  // A sort of a sort's ranks, literal arguments, an argument used twice, outputs that are ranks
  // and outputs that skip ranks: the permutation steps of both sweeps, in both paths.
  const Program p = parse_program(
      "input x y z\n"
      "a b c d = sort x 1/2 y x\n"
      "e = mul a z\n"
      "f g h = sort e c -1\n"
      "u = lin 0 1 f 2 h 3 d\n"
      "output u g b\n");
  const std::vector<std::vector<double>> points = {
      {1, -2, 3}, {0.5, 0.5, 0.5}, {-1, 4, -0.25}, {2, 2, -3}, {0, 0, 0}, {0.75, -8, 1}};
  for (const auto& pt : points) {
    std::vector<reference::Rational> xq;
    for (double v : pt) xq.emplace_back(v);
    const auto exact = reference::evaluate_exact(p, xq);
    for (const JacobianMode mode : {JacobianMode::Reverse, JacobianMode::Forward}) {
      PointEvaluator pe(compile(p), mode);
      PointResult r;
      pe.evaluate(pt, r);
      BatchOptions bo;
      bo.mode = mode;
      BatchEvaluator be(compile(p), bo);
      BatchResult br;
      std::vector<double> xs;
      for (const auto& q : points) xs.insert(xs.end(), q.begin(), q.end());
      be.evaluate(xs, points.size(), br);
      const std::size_t lane = static_cast<std::size_t>(&pt - points.data());
      for (std::size_t j = 0; j < 3; ++j)
        for (std::size_t i = 0; i < 3; ++i) {
          EXPECT_EQ(r.jacobian[j * 3 + i], exact.jacobian[j][i].convert_to<double>())
              << "point " << lane << " entry " << j << "," << i << " mode " << static_cast<int>(mode);
          EXPECT_EQ(br.jacobian[(lane * 3 + j) * 3 + i], r.jacobian[j * 3 + i]);
        }
    }
  }
}

TEST(LiteralRounding, ALiteralBeyondDoubleRangeIsRefusedAtTheNodeUsingIt) {
  // Found by fuzz/fast_fuzz: 1e8101 rounded to an infinite constant, the batch's IEEE flags saw
  // nothing (inf + x raises none) and its lane reported an infinite output where the point path
  // failed. The literal has no double value: compile() refuses it, naming the node.
  const Program p = parse_program("input x\ny = add x 1e8101 0.1 -7/226666666666666663 0.1 -7/22\noutput y\n");
  const Error e = error_of([&] { compile(p); });
  EXPECT_EQ(e.kind(), ErrorKind::Domain) << e.what();
  EXPECT_EQ(e.where().node, "y");
  EXPECT_EQ(e.where().line, 2u);
  EXPECT_NE(std::string(e.what()).find("1e8101"), std::string::npos) << e.what();
  EXPECT_NO_THROW(compile(parse_program("input x\ny = add x 1e-8101 1e308\noutput y\n")));  // 0 and finite
}

TEST(CompileLimitsTest, ManyOutputsOfADeepProgramAreRefusedBeforeTheirSweepsAreBuilt) {
  // 2,000 outputs at the end of a 100,000-node chain: 2e8 edges (3.2 GB), refused at the cap.
  ProgramBuilder b;
  Arg v = b.input("x");
  for (int i = 0; i < 100000; ++i) v = b.node("", Op::Neg, {v});
  for (int i = 0; i < 2000; ++i) b.output(v);
  const Program p = b.build();
  const Error e = error_of([&] { compile(p); });
  EXPECT_EQ(e.kind(), ErrorKind::Resource) << e.what();
  EXPECT_FALSE(e.where().node.empty());
  EXPECT_NE(std::string(e.what()).find("CompileLimits::max_sweep_edges"), std::string::npos) << e.what();
  CompileLimits few;
  few.max_sweep_edges = 100;
  EXPECT_NO_THROW(compile(parse_program("input x\ny = neg x\nz = neg y\noutput z z\n"), few));  // 4 edges
}

TEST(DeepPrograms, AMillionNodeChainCompilesAndRunsWithoutRecursion) {
  ProgramBuilder b;
  Arg v = b.input("x");
  for (int i = 0; i < 1000000; ++i) v = b.node("", i % 2 ? Op::Neg : Op::Abs, {v});
  b.output(v);
  PointEvaluator pe(compile(b.build()));
  std::vector<double> g(1);
  EXPECT_EQ(pe.value_and_gradient(std::vector<double>{3.0}, g), -3.0);
  EXPECT_EQ(g[0], -1.0);
}

}  // namespace
}  // namespace selgrad::fast
