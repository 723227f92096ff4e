// The double engine against the exact reference: bit-identical where double arithmetic is
// exact (dyadic inputs and literals, no div/exp/log), the same branches and tie flags, per-lane
// domain errors that leave the other lanes alone, and the single-point path equal to the batch.
#include <cfenv>
#include <cmath>
#include <cstring>
#include <random>

#include "program/program_text_gen.hpp"
#include "reference/fixtures.hpp"
#include "selgrad/fast/evaluate.hpp"

namespace selgrad::testing {
namespace {

using fast::BatchEvaluator;
using fast::BatchResult;
using fast::PointEvaluator;

/// The exact value of a double.
Rational exact(double d) { return Rational(d); }

/// True if every node value of the exact evaluation and every Jacobian entry is a double: then
/// each double operation is exact and the engines must agree bit for bit.
bool double_exact(const reference::ExactResult& r) {
  const auto representable = [](const Rational& v) {
    const double d = v.convert_to<double>();
    return std::isfinite(d) && Rational(d) == v;
  };
  for (const auto& v : r.node_values)
    if (!representable(v)) return false;
  for (const auto& row : r.jacobian)
    for (const auto& v : row)
      if (!representable(v)) return false;
  return true;
}

/// Checks lane l of a batch result against the exact reference at the same point.
void expect_bit_identical(const Program& p, const BatchResult& b, std::size_t l,
                          const reference::ExactResult& e, const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_TRUE(b.ok(l)) << fast::lane_error_text(b.error[l]);
  for (std::size_t j = 0; j < p.q(); ++j) {
    EXPECT_EQ(exact(b.outputs[l * p.q() + j]), e.outputs[j]) << "output " << j;
    for (std::size_t i = 0; i < p.p(); ++i)
      EXPECT_EQ(exact(b.jacobian[(l * p.q() + j) * p.p() + i]), e.jacobian[j][i]) << "J(" << j << "," << i << ")";
  }
  ASSERT_EQ(b.selections, e.branches.decisions.size());
  for (std::size_t s = 0; s < b.selections; ++s) {
    EXPECT_EQ(b.pieces[l * b.selections + s], e.branches.decisions[s].choice.piece) << "selection " << s;
    EXPECT_EQ(b.ties[l * b.selections + s] != 0, e.branches.decisions[s].choice.tie) << "selection " << s;
  }
}

std::vector<double> to_doubles(const std::vector<Rational>& x) {
  std::vector<double> d;
  for (const auto& v : x) d.push_back(v.convert_to<double>());
  return d;
}

class FastEngineModes : public ::testing::TestWithParam<fast::JacobianMode> {};

// L1 in the double engine: reverse mode (q backward sweeps) and forward mode (p tangent sweeps)
// both reproduce the exact Jacobian bit for bit where double arithmetic is exact.
TEST_P(FastEngineModes, ExamplesAreBitIdenticalToTheReferenceAtKinks) {
  for (const char* name : {"relu.sgp", "relu2.sgp", "relu3.sgp", "zero.sgp", "identity_minus_zero.sgp",
                           "clarke.sgp", "mlp.sgp", "sort_layer.sgp", "selection.sgp"}) {
    const Program p = example(name);
    fast::BatchOptions bo;
    bo.mode = GetParam();
    BatchEvaluator batch(fast::compile(p), bo);
    PointEvaluator point(fast::compile(p), GetParam());
    // Every combination of a few dyadic values, ties included.
    const std::vector<const char*> vals = {"0", "1", "-1", "1/2", "-3/4"};
    std::vector<Rational> xs;
    std::size_t n = 1;
    for (std::size_t i = 0; i < p.p(); ++i) n *= vals.size();
    for (std::size_t c = 0; c < n; ++c) {
      std::size_t code = c;
      for (std::size_t i = 0; i < p.p(); ++i, code /= vals.size()) xs.push_back(q(vals[code % vals.size()]));
    }
    const std::vector<double> xd = to_doubles(xs);
    BatchResult b;
    batch.evaluate(xd, n, b);
    for (std::size_t l = 0; l < n; ++l) {
      const std::vector<Rational> x(xs.begin() + static_cast<std::ptrdiff_t>(l * p.p()),
                                    xs.begin() + static_cast<std::ptrdiff_t>((l + 1) * p.p()));
      const auto e = reference::evaluate_exact(p, x);
      ASSERT_TRUE(double_exact(e));
      expect_bit_identical(p, b, l, e, std::string(name) + " lane " + std::to_string(l));
      fast::PointResult r;
      point.evaluate(std::span<const double>(xd).subspan(l * p.p(), p.p()), r);
      for (std::size_t j = 0; j < p.q(); ++j) EXPECT_EQ(r.outputs[j], b.outputs[l * p.q() + j]);
      for (std::size_t i = 0; i < r.jacobian.size(); ++i) EXPECT_EQ(r.jacobian[i], b.jacobian[l * p.q() * p.p() + i]);
    }
  }
}

bool uses_only_exact_ops(const Program& p) {
  for (const auto& n : p.nodes)
    switch (n.op) {
      case Op::Div: case Op::Exp: case Op::Log: case Op::Powi: case Op::Sqrt:
      case Op::Softplus: case Op::Sigmoid: case Op::Tanh: return false;
      default: break;
    }
  for (const auto& l : p.literals) {
    const Rational v = reference::to_rational(l);
    if (Rational(v.convert_to<double>()) != v) return false;  // not dyadic
  }
  return true;
}

INSTANTIATE_TEST_SUITE_P(JacobianModes, FastEngineModes,
                         ::testing::Values(fast::JacobianMode::Reverse, fast::JacobianMode::Forward));

// The batch path gathers each adjoint's terms into one pass and folds copies (a single term
// with partial 1) into the row they copy; inputs and outputs reached only through copies, in
// either mode, still get the exact Jacobian.
TEST_P(FastEngineModes, CopiesFoldedOutOfTheGatheredSweepsKeepTheExactJacobian) {
  const Program p = parse_program(
      "input x y z\n"
      "a = add x y\n"       // copies into x and y
      "b = sub a z\n"       // a copy into a; -1 into z
      "c = add b 1\n"       // a copy into b (the literal is no node)
      "d = add c c\n"       // two terms: not a copy
      "e = relu d\n"
      "output c a e x\n");  // outputs that are copies, and an input itself
  const fast::Tape tape = fast::compile(p);
  const fast::GatheredSweep backward = fast::gather_sweep(tape, true, 0);
  EXPECT_LT(backward.dst.size(), tape.reverse[0].size());  // something was folded
  fast::BatchOptions o;
  o.mode = GetParam();
  BatchEvaluator batch(tape, o);
  const std::vector<double> xs = {1, 2, 3, -4, 0.5, 0.25, 1, 1, 3};  // d > 0, d < 0, d = 0 (a tie)
  BatchResult b;
  batch.evaluate(xs, 3, b);
  for (std::size_t l = 0; l < 3; ++l) {
    const std::vector<Rational> x = {Rational(xs[3 * l]), Rational(xs[3 * l + 1]), Rational(xs[3 * l + 2])};
    expect_bit_identical(p, b, l, reference::evaluate_exact(p, x), "lane " + std::to_string(l));
  }
}

/// tied_lanes[s], counted from the per-lane tie flags of the lanes without an error.
std::vector<std::uint64_t> tied_lanes_of(const BatchResult& b) {
  std::vector<std::uint64_t> count(b.selections, 0);
  for (std::size_t l = 0; l < b.lanes; ++l)
    for (std::size_t s = 0; s < b.selections; ++s) count[s] += b.ok(l) && b.ties[l * b.selections + s];
  return count;
}

TEST(FastEngine, RandomPiecewiseAffineProgramsAreBitIdenticalWithBranches) {
  std::mt19937_64 rng(20261122);
  testgen::TextGenOptions gen;
  gen.transcendental = false;
  gen.max_statements = 14;
  std::size_t compared = 0, ties = 0;
  const char* vals[] = {"0", "0", "1", "-1", "1/2", "-1/4", "3", "5/8", "-7/2"};
  for (int i = 0; i < 3000 && compared < 600; ++i) {
    const Program p = parse_program(testgen::random_program_text(rng, gen));
    if (!uses_only_exact_ops(p)) continue;
    const std::size_t n = 16;  // lanes: distinct kink-biased points
    std::vector<Rational> xs;
    for (std::size_t k = 0; k < n * p.p(); ++k) xs.push_back(q(vals[rng() % std::size(vals)]));
    fast::BatchOptions bo;
    bo.mode = i % 2 ? fast::JacobianMode::Forward : fast::JacobianMode::Reverse;
    BatchEvaluator batch(fast::compile(p), bo);
    BatchResult b;
    batch.evaluate(to_doubles(xs), n, b);
    EXPECT_EQ(b.tied_lanes, tied_lanes_of(b)) << "tie telemetry";
    for (std::size_t l = 0; l < n; ++l) {
      const std::vector<Rational> x(xs.begin() + static_cast<std::ptrdiff_t>(l * p.p()),
                                    xs.begin() + static_cast<std::ptrdiff_t>((l + 1) * p.p()));
      reference::ExactResult e;
      try {
        e = reference::evaluate_exact(p, x);
      } catch (const Error& err) {
        // The reference refuses the point (a discontinuous select): the lane must be flagged.
        EXPECT_FALSE(b.ok(l)) << err.what() << "\n" << print_program(p);
        continue;
      }
      if (!double_exact(e)) continue;
      expect_bit_identical(p, b, l, e, print_program(p));
      ++compared;
      ties += e.branches.tie_count();
    }
  }
  EXPECT_GT(compared, 500u);
  EXPECT_GT(ties, 100u);  // the points hit ties often
}

TEST(FastEngine, TieTelemetryCountsEachSelectionsTiedLanesWithoutAnError) {
  const Program p = parse_program(
      "input x y z\n"
      "r = relu x\n"
      "m = max x y\n"
      "a = abs y\n"
      "l = log z\n"  // z <= 0: the lane fails, its ties are not counted
      "s = add r m a l\n"
      "output s\n");
  // Many tiles of 8 lanes: x = 0 every 3rd lane, y = x every 5th, y = 0 every 7th, z <= 0 every 11th.
  std::vector<double> xs;
  std::uint64_t expect_r = 0, expect_m = 0, expect_a = 0;
  const std::size_t n = 1000;
  for (std::size_t l = 0; l < n; ++l) {
    const double x = l % 3 == 0 ? 0.0 : 0.5 + static_cast<double>(l % 4);
    const double y = l % 5 == 0 ? x : (l % 7 == 0 ? 0.0 : -1.5);
    const double z = l % 11 == 0 ? -1.0 : 2.0;
    xs.insert(xs.end(), {x, y, z});
    if (z <= 0) continue;
    expect_r += x == 0;
    expect_m += x == y;
    expect_a += y == 0;
  }
  fast::BatchOptions o;
  o.tile_bytes = 1;  // the smallest tile: 8 lanes, so the counts add up over 125 tiles
  BatchEvaluator batch(fast::compile(p), o);
  BatchResult b;
  batch.evaluate(xs, n, b);
  ASSERT_EQ(batch.tile_lanes(), 8u);
  ASSERT_EQ(b.selections, 3u);
  EXPECT_EQ(b.tied_lanes, (std::vector<std::uint64_t>{expect_r, expect_m, expect_a}));
  EXPECT_EQ(b.tied_lanes, tied_lanes_of(b));
  EXPECT_GT(b.failed_lanes(), 0u);
  // Without the per-lane branches the kernels count the ties of full tiles themselves (the tiles
  // with a failing lane and the partial last tile record flags): the same counts.
  for (std::size_t lanes : {n, n - 3}) {
    fast::BatchOptions counts_only = o;
    counts_only.record_branches = false;
    BatchEvaluator counting(fast::compile(p), counts_only);
    BatchResult c;
    counting.evaluate(std::span<const double>(xs).first(3 * lanes), lanes, c);
    BatchResult with_flags;
    batch.evaluate(std::span<const double>(xs).first(3 * lanes), lanes, with_flags);
    EXPECT_EQ(c.tied_lanes, with_flags.tied_lanes) << lanes << " lanes";
    EXPECT_TRUE(c.ties.empty());
  }
  // A second batch starts from zero; switched off, nothing is counted.
  batch.evaluate(std::span<const double>(xs).first(30), 10, b);
  EXPECT_EQ(b.tied_lanes, tied_lanes_of(b));
  o.count_ties = false;
  BatchEvaluator quiet(fast::compile(p), o);
  quiet.evaluate(xs, n, b);
  EXPECT_TRUE(b.tied_lanes.empty());
}

TEST(FastEngine, DomainErrorsInOneLaneLeaveTheOthersUnchanged) {
  const Program p = parse_program(
      "input x y\n"
      "q = div x y\n"       // line 2: y = 0 fails
      "l = log x\n"         // line 3: x <= 0 fails
      "s = add q l\n"
      "r = relu s\n"
      "output r\n");
  BatchEvaluator batch(fast::compile(p));
  PointEvaluator point(fast::compile(p));
  const std::vector<double> xs = {1, 2, 3, 0, -1, 4, 2, 1, NAN, 1, 5, 5, 1e300, 1e-300};
  const std::size_t n = xs.size() / 2;
  BatchResult b;
  batch.evaluate(xs, n, b);
  const std::vector<std::pair<std::uint32_t, fast::LaneError>> expected = {
      {fast::kNoError, fast::LaneError::None}, {2, fast::LaneError::DivisionByZero},
      {3, fast::LaneError::LogDomain},         {fast::kNoError, fast::LaneError::None},
      {0, fast::LaneError::NanInput},          {fast::kNoError, fast::LaneError::None},
      {2, fast::LaneError::Overflow}};
  for (std::size_t l = 0; l < n; ++l) {
    SCOPED_TRACE("lane " + std::to_string(l));
    EXPECT_EQ(b.error_node[l], expected[l].first);
    EXPECT_EQ(b.error[l], expected[l].second);
    if (!b.ok(l)) {
      std::vector<double> g(2);
      EXPECT_THROW(point.value_and_gradient(std::span<const double>(xs).subspan(2 * l, 2), g), Error);
      continue;
    }
    // A good lane: the same as evaluating it alone.
    std::vector<double> g(2);
    const double v = point.value_and_gradient(std::span<const double>(xs).subspan(2 * l, 2), g);
    EXPECT_EQ(b.outputs[l], v);
    EXPECT_EQ(b.jacobian[2 * l], g[0]);
    EXPECT_EQ(b.jacobian[2 * l + 1], g[1]);
  }
  EXPECT_EQ(fast::describe_lane_error(batch.tape(), 2, fast::LaneError::DivisionByZero),
            "div (line 2, node q): division by zero: divisor is 0");
}

// The batch path tests arithmetic results through the IEEE flags of a whole tile, and the
// results of exp / log / pow / softplus / sigmoid / tanh directly (SLEEF makes its special values
// by selection, without raising a flag): every way out of the domain is still found, at its node.
TEST(FastEngine, EveryOpLeavingTheFiniteRangeIsFoundAtItsNode) {
  struct Case {
    const char* program;
    double bad;
    fast::LaneError error;
    std::uint32_t node;  // x is node 0, y node 1, z node 2
  };
  const Case cases[] = {
      {"input x\ny = mul x x\nz = relu y\noutput z\n", 1e200, fast::LaneError::Overflow, 1},
      {"input x\ny = add x x\nz = abs y\noutput z\n", 1.5e308, fast::LaneError::Overflow, 1},
      {"input x\ny = lin 0 1e300 x\nz = max y 0\noutput z\n", 1e10, fast::LaneError::Overflow, 1},
      {"input x\ny = mul x x x\nz = min y 0\noutput z\n", 1e120, fast::LaneError::Overflow, 1},
      {"input x\ny = exp x\nz = relu y\noutput z\n", 800, fast::LaneError::Overflow, 1},
      {"input x\ny = powi x 3\nz = relu y\noutput z\n", 1e120, fast::LaneError::Overflow, 1},
      {"input x\ny = log x\nz = relu y\noutput z\n", 0, fast::LaneError::LogDomain, 1},
      {"input x\ny = sub x 1\nz = div 1 y\noutput z\n", 1, fast::LaneError::DivisionByZero, 2},
      {"input x\ny = sqrt x\nz = relu y\noutput z\n", 0, fast::LaneError::SqrtDomain, 1},
      {"input x\ny = sub x 0.25\nz = log y\noutput z\n", 0.25, fast::LaneError::LogDomain, 2},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.program);
    BatchEvaluator batch(fast::compile(parse_program(c.program)));
    std::vector<double> xs(20, 0.5);
    xs[13] = c.bad;
    BatchResult b;
    batch.evaluate(xs, xs.size(), b);
    EXPECT_EQ(b.failed_lanes(), 1u);
    EXPECT_EQ(b.error[13], c.error);
    EXPECT_EQ(b.error_node[13], c.node);
  }
}

TEST(FastEngine, EvaluationLeavesTheCallersFloatingPointFlagsAlone) {
  BatchEvaluator batch(fast::compile(parse_program("input x\ny = div 1 x\noutput y\n")));
  const std::vector<double> xs = {1, 0, 2};
  BatchResult b;
  std::feclearexcept(FE_ALL_EXCEPT);
  batch.evaluate(xs, 3, b);  // a division by zero in lane 1
  EXPECT_EQ(b.error[1], fast::LaneError::DivisionByZero);
  EXPECT_EQ(std::fetestexcept(FE_DIVBYZERO | FE_OVERFLOW | FE_INVALID), 0);
  std::feraiseexcept(FE_OVERFLOW);
  batch.evaluate(std::span<const double>(xs).subspan(0, 1), 1, b);
  EXPECT_EQ(std::fetestexcept(FE_DIVBYZERO | FE_OVERFLOW | FE_INVALID), FE_OVERFLOW);
  std::feclearexcept(FE_ALL_EXCEPT);
}

TEST(FastEngine, GradientOverflowIsAnErrorInBothPaths) {
  // d = e^x / w at x = 707, w = 1/8: the value 8 e^707 (about 8e307) is finite, but the partial
  // d(d)/dw = -d / w (about -6.4e308) is not. Both paths report it, at the output.
  const Program q = parse_program("input x w\nv = exp x\nd = div v w\noutput d\n");
  const std::vector<double> xs = {707.0, 0.125, 1.0, 2.0};
  BatchEvaluator batch(fast::compile(q));
  BatchResult b;
  batch.evaluate(xs, 2, b);
  EXPECT_EQ(b.error[0], fast::LaneError::GradientOverflow);
  EXPECT_TRUE(std::isfinite(b.outputs[0]));
  EXPECT_TRUE(b.ok(1));
  PointEvaluator point(fast::compile(q));
  fast::PointResult r;
  EXPECT_THROW(point.evaluate(std::span<const double>(xs).subspan(0, 2), r), Error);
  EXPECT_NO_THROW(point.evaluate(std::span<const double>(xs).subspan(2, 2), r));
}

TEST(FastEngine, ManyTilesGiveTheSameResultsAsOnePointAtATime) {
  const Program p = example("logsumexp.sgp");
  fast::BatchOptions small;
  small.tile_bytes = 1;  // the smallest tile (8 lanes): many tiles, a ragged last one
  BatchEvaluator batch(fast::compile(p), small);
  EXPECT_EQ(batch.tile_lanes(), 8u);
  PointEvaluator point(fast::compile(p));
  std::vector<double> xs;
  for (int i = 0; i < 2 * 37; ++i) xs.push_back(std::sin(i * 0.7) * 3);
  BatchResult b;
  batch.evaluate(xs, 37, b);
  for (std::size_t l = 0; l < 37; ++l) {
    std::vector<double> g(2);
    const double v = point.value_and_gradient(std::span<const double>(xs).subspan(2 * l, 2), g);
    // Both paths take exp and log from the same SLEEF vector functions: the same bits.
    EXPECT_EQ(b.outputs[l], v);
    EXPECT_EQ(b.jacobian[2 * l], g[0]);
    EXPECT_EQ(b.jacobian[2 * l + 1], g[1]);
  }
}

/// Every field of two batch results, bit for bit.
void expect_same_bits(const BatchResult& a, const BatchResult& b) {
  const auto bits = [](const std::vector<double>& v) {
    std::vector<std::uint64_t> out(v.size());
    std::memcpy(out.data(), v.data(), v.size() * sizeof(double));
    return out;
  };
  EXPECT_EQ(bits(a.outputs), bits(b.outputs));
  EXPECT_EQ(bits(a.jacobian), bits(b.jacobian));
  EXPECT_EQ(a.pieces, b.pieces);
  EXPECT_EQ(a.ties, b.ties);
  EXPECT_EQ(a.tied_lanes, b.tied_lanes);
  EXPECT_EQ(a.error_node, b.error_node);
  EXPECT_EQ(a.error, b.error);
}

TEST(FastEngine, AnyNumberOfThreadsComputesTheSameBitsAsOne) {
  std::mt19937_64 rng(20261207);
  testgen::TextGenOptions gen;
  gen.max_statements = 12;
  const double vals[] = {0, 0, 1, -1, 0.5, -0.25, 3, 1e-3, 2.5, NAN, -7};
  std::size_t failed = 0, tied = 0;
  for (int i = 0; i < 60; ++i) {
    const Program p = parse_program(testgen::random_program_text(rng, gen));
    SCOPED_TRACE(print_program(p));
    const std::size_t n = 8 * 40 + 5;  // 41 tiles of 8 lanes, the last one ragged
    std::vector<double> xs;
    for (std::size_t k = 0; k < n * p.p(); ++k) xs.push_back(vals[rng() % std::size(vals)] * (1 + (rng() % 4) / 8.0));
    fast::BatchOptions o;
    o.tile_bytes = 1;
    o.mode = i % 2 ? fast::JacobianMode::Forward : fast::JacobianMode::Reverse;
    o.record_branches = i % 3 != 0;  // tie telemetry counted in the kernels, or from the flags
    o.threads = 1;
    BatchEvaluator one(fast::compile(p), o);
    BatchResult a;
    one.evaluate(xs, n, a);
    for (std::size_t threads : {2, 3, 8}) {
      o.threads = threads;
      BatchEvaluator many(fast::compile(p), o);
      EXPECT_EQ(many.threads(), threads);
      BatchResult b;
      for (int again = 0; again < 2; ++again) {  // the workers are kept between batches
        many.evaluate(xs, n, b);
        expect_same_bits(a, b);
      }
    }
    failed += a.failed_lanes();
    for (std::uint64_t t : a.tied_lanes) tied += t;
  }
  EXPECT_GT(failed, 100u) << "lanes with errors were compared";
  EXPECT_GT(tied, 100u) << "lanes at ties were compared";
  fast::BatchOptions defaults;
  EXPECT_GE(BatchEvaluator(fast::compile(parse_program("input x\ny = relu x\noutput y\n")), defaults).threads(), 1u);
}

}  // namespace
}  // namespace selgrad::testing
