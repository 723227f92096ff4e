// The layer engine against the exact reference (T2, L1): a network is lowered to a Program
// (fast/lowering.hpp) and the reference's exact selection Jacobian of that program
// (reference::evaluate_exact) must equal the layer engine's gradient *exactly*, compared as
// rationals. Weights and inputs are small dyadics (k/8, k/4), so every double operation of the
// engine is exact and any difference is a different branch or a wrong rule, never rounding.
// Points are built to sit on kinks (relu pre-activations exactly 0, tied maxpool windows, tied sort
// entries), so the tie rules are checked bit for bit.
#include "selgrad/eigen.hpp"
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <map>
#include <random>

#include "selgrad/fast/layers_network.hpp"
#include "selgrad/fast/lowering.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/program/parse.hpp"
#include "selgrad/reference/evaluate.hpp"

namespace {

using namespace selgrad;
using namespace selgrad::fast;
using reference::Rational;

Rational exact(double v) { return reference::to_rational(exact_literal(v)); }

std::vector<Rational> exact_point(const std::vector<Literal>& lits) {
  return reference::to_point(lits);
}

Matrix dyadic(Index rows, Index cols, std::mt19937_64& rng, int range, double denom) {
  std::uniform_int_distribution<int> k(-range, range);
  Matrix m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = k(rng) / denom;
  return m;
}

/// Gives every Dense layer weights k/8 and biases k/8 with |k| <= 8.
void dyadic_parameters(Network& net, std::mt19937_64& rng) {
  for (auto& layer : net.layers())
    if (auto* d = std::get_if<Dense>(&layer)) {
      d->W = dyadic(d->W.rows(), d->W.cols(), rng, 8, 8.0);
      d->b = dyadic(d->b.rows(), 1, rng, 8, 8.0);
    }
}

/// Sets bias `unit` of Dense layer `l` so that its pre-activation for `sample` is exactly 0.
void force_zero(Network& net, std::size_t l, const Matrix& x, Index sample, Index unit) {
  net.forward(x);
  const Matrix& in = l == 0 ? x : net.activation(l - 1);
  auto& d = std::get<Dense>(net.layers()[l]);
  d.b(unit) = -(d.W.row(unit) * in.col(sample)).value();
}

/// Number of decisions taken at a tie, per op, in a reference evaluation.
std::map<Op, int> ties_by_op(const Program& p, const reference::ExactResult& r) {
  std::map<Op, int> out;
  for (const auto& d : r.branches.decisions)
    if (d.choice.tie) ++out[p.nodes[d.node].op];
  return out;
}

/// The engine's Jacobian of the network outputs (rows: outputs in column-major order) with respect
/// to the inputs or the parameters, one backward pass per output.
reference::Matrix<Rational> engine_jacobian(Network& net, const Matrix& x, LoweringInputs wrt) {
  const Matrix y = net.forward(x);
  reference::Matrix<Rational> jac;
  for (Index r = 0; r < y.size(); ++r) {
    Matrix dy = Matrix::Zero(y.rows(), y.cols());
    dy.data()[r] = 1.0;
    Matrix dx;
    net.backward(dy, wrt == LoweringInputs::Features ? &dx : nullptr);
    const Vector g = wrt == LoweringInputs::Features ? Vector(dx.reshaped()) : net.parameter_gradient();
    jac.emplace_back();
    for (Index k = 0; k < g.size(); ++k) jac.back().push_back(exact(g(k)));
  }
  return jac;
}

/// Checks the network's outputs and Jacobian (inputs and parameters) against the reference.
/// Returns the ties the reference saw (with respect to the inputs).
std::map<Op, int> expect_outputs_match(Network& net, const Matrix& x) {
  std::map<Op, int> ties;
  for (LoweringInputs wrt : {LoweringInputs::Features, LoweringInputs::Parameters}) {
    if (wrt == LoweringInputs::Parameters && net.parameter_count() == 0) continue;
    const Program p = lower(net, x, wrt);
    const auto ref = reference::evaluate_exact(p, exact_point(lowered_point(net, x, wrt)));
    const Matrix y = net.forward(x);
    EXPECT_EQ(ref.outputs.size(), static_cast<std::size_t>(y.size()));
    for (Index k = 0; k < y.size(); ++k)
      EXPECT_EQ(ref.outputs[static_cast<std::size_t>(k)], exact(y.data()[k])) << "output " << k;
    EXPECT_EQ(ref.jacobian, engine_jacobian(net, x, wrt))
        << (wrt == LoweringInputs::Features ? "input" : "parameter") << " Jacobian";
    if (wrt == LoweringInputs::Features) ties = ties_by_op(p, ref);
  }
  return ties;
}

/// Checks the squared-loss gradient (parameters and inputs) against the reference.
std::map<Op, int> expect_loss_gradient_matches(Network& net, const Matrix& x, const Matrix& t,
                                               Reduction r) {
  Matrix dx;
  const double loss = net.gradient(x, t, r, &dx);
  const Vector dtheta = net.parameter_gradient();
  std::map<Op, int> ties;
  for (LoweringInputs wrt : {LoweringInputs::Features, LoweringInputs::Parameters}) {
    const Program p = lower_squared_loss(net, x, t, wrt, r);
    const auto ref = reference::evaluate_exact(p, exact_point(lowered_point(net, x, wrt)));
    EXPECT_EQ(ref.outputs.at(0), exact(loss));
    const Vector g = wrt == LoweringInputs::Features ? Vector(dx.reshaped()) : dtheta;
    EXPECT_EQ(ref.jacobian.at(0).size(), static_cast<std::size_t>(g.size()));
    for (Index k = 0; k < g.size(); ++k)
      EXPECT_EQ(ref.jacobian[0][static_cast<std::size_t>(k)], exact(g(k)))
          << (wrt == LoweringInputs::Features ? "dL/dx" : "dL/dtheta") << " entry " << k;
    if (wrt == LoweringInputs::Parameters) ties = ties_by_op(p, ref);
  }
  return ties;
}

// ------------------------------------------------------------------------------------------
// Exact numbers.

TEST(ExactFraction, SmallCases) {
  EXPECT_EQ(exact_fraction(0.0), "0");
  EXPECT_EQ(exact_fraction(-0.0), "0");
  EXPECT_EQ(exact_fraction(3.0), "3");
  EXPECT_EQ(exact_fraction(-1.625), "-13/8");
  EXPECT_EQ(exact_fraction(1.0 / 1024), "1/1024");
  EXPECT_EQ(exact_fraction(0.1), "3602879701896397/36028797018963968");
  EXPECT_EQ(exact_fraction(std::ldexp(1.0, 70)), "1180591620717411303424");
  EXPECT_THROW(exact_fraction(std::numeric_limits<double>::infinity()), Error);
  EXPECT_THROW(exact_fraction(std::numeric_limits<double>::quiet_NaN()), Error);
}

TEST(ExactFraction, EqualsTheDoubleExactly) {
  // GMP's mpq_set_d converts a double exactly; so must the literal text.
  std::mt19937_64 rng(11);
  std::vector<double> xs = {std::numeric_limits<double>::denorm_min(),
                            std::numeric_limits<double>::min(),
                            std::numeric_limits<double>::max(),
                            -std::numeric_limits<double>::max(),
                            1.0 + std::numeric_limits<double>::epsilon()};
  std::uniform_int_distribution<std::uint64_t> bits;
  while (xs.size() < 300) {
    const double v = std::bit_cast<double>(bits(rng));
    if (std::isfinite(v)) xs.push_back(v);
  }
  for (double v : xs) EXPECT_EQ(exact(v), Rational(v)) << v;
}

// ------------------------------------------------------------------------------------------
// Program shape.

TEST(Lowering, ProgramPrintsAndParsesBack) {
  const std::vector<Index> sizes = {2, 3, 1};
  Network net = mlp(sizes, Activation::Relu, 3);
  const Matrix x = Matrix::Ones(2, 2);
  for (LoweringInputs wrt : {LoweringInputs::Features, LoweringInputs::Parameters}) {
    const Program p = lower(net, x, wrt);
    EXPECT_EQ(parse_program(print_program(p)), p);
    EXPECT_EQ(p.q(), 2u);
    EXPECT_EQ(p.p(), wrt == LoweringInputs::Features ? 4u : 13u);
    const Program l = lower_squared_loss(net, x, Matrix::Zero(1, 2), wrt);
    EXPECT_EQ(parse_program(print_program(l)), l);
    EXPECT_EQ(l.q(), 1u);
  }
  const Program p = lower(net, x, LoweringInputs::Features);
  EXPECT_GE(p.find("x.1.0"), 0);
  EXPECT_GE(p.find("l1.s1.2"), 0);  // layer 1 (the relu), sample 1, unit 2
  EXPECT_EQ(p.nodes[static_cast<std::size_t>(p.find("l0.s0.0"))].op, Op::Lin);
  EXPECT_THROW(lower(Network(2).add(Relu{}), x, LoweringInputs::Parameters), Error);
}

TEST(Lowering, TheExampleMlpIsReproduced) {
  // examples/mlp.sgp as a network: same program up to names, same exact Jacobian at (0, 0),
  // where h1 is tied.
  Network net(2);
  Dense d1(2, 3), d2(3, 1);
  d1.W << 0.5, -0.75, -1, 0.5, 1.5, 1;
  d1.b << 0, 0.25, -0.5;
  d2.W << 1, -0.5, 0.75;
  d2.b << 0.125;
  net.add(d1).add(Relu{}).add(d2);
  const Matrix x = Matrix::Zero(2, 1);
  const auto ties = expect_outputs_match(net, x);
  EXPECT_EQ(ties.at(Op::Relu), 1);
  const Program example =
      parse_program_file(std::string(SELGRAD_SOURCE_DIR) + "/examples/mlp.sgp");
  const auto a = reference::evaluate_exact(example, {Rational(0), Rational(0)});
  const auto b = reference::evaluate_exact(lower(net, x, LoweringInputs::Features),
                                           {Rational(0), Rational(0)});
  EXPECT_EQ(a.jacobian, b.jacobian);
  EXPECT_EQ(a.outputs, b.outputs);
}

// ------------------------------------------------------------------------------------------
// Each layer alone, at points with ties.

TEST(LoweringExact, DenseLayer) {
  std::mt19937_64 rng(12);
  Network net(3);
  Dense d(3, 4);
  d.W = dyadic(4, 3, rng, 8, 8.0);
  d.b = dyadic(4, 1, rng, 8, 8.0);
  net.add(d);
  expect_outputs_match(net, dyadic(3, 2, rng, 8, 4.0));
}

TEST(LoweringExact, ReluAndAbsAtZero) {
  Matrix x(4, 2);
  x.col(0) << 0, 0.25, -0.0, -3;
  x.col(1) << -0.5, 0, 1, 0;
  for (int which = 0; which < 2; ++which) {
    Network net(4);
    if (which == 0) net.add(Relu{});
    else net.add(Abs{});
    const auto ties = expect_outputs_match(net, x);
    EXPECT_EQ(ties.at(which == 0 ? Op::Relu : Op::Abs), 4);
  }
}

TEST(LoweringExact, MaxPoolWithTiedWindows) {
  // 1-D: two channels of length 5, overlapping windows (3, stride 1), plenty of equal values.
  Matrix x(10, 2);
  x.col(0) << 1, 2, 2, 0, 2, /* channel 1 */ 0, 0, 0, -1, 0;
  x.col(1) << 3, 3, 3, 3, 3, /* channel 1 */ -1, 2, -1, 2, 2;
  Network net1(10);
  net1.add(MaxPool1d(2, 5, 3, 1));
  EXPECT_EQ(expect_outputs_match(net1, x).at(Op::Max), 11);
  // 2-D: two channels of 3 x 4, window 2 x 2, stride (1, 2).
  std::mt19937_64 rng(13);
  const Matrix img = dyadic(24, 3, rng, 1, 1.0);  // values in {-1, 0, 1}: most windows tie
  Network net2(24);
  net2.add(MaxPool2d(2, 3, 4, 2, 2, 1, 2));
  EXPECT_GE(expect_outputs_match(net2, img).at(Op::Max), 10);
}

TEST(LoweringExact, SortWithTiedEntries) {
  std::mt19937_64 rng(14);
  const Matrix x = dyadic(8, 3, rng, 2, 2.0);  // values in {-1, -1/2, 0, 1/2, 1}
  int tied = 0;
  for (Index group : {Index(2), Index(4), Index(8)}) {
    Network net(8);
    net.add(Sort(8, group));
    tied += expect_outputs_match(net, x)[Op::Sort];
  }
  EXPECT_GE(tied, 12);
  // Groups above 256 take the introsort path.
  const Matrix wide = dyadic(300, 1, rng, 3, 1.0);
  Network net(300);
  net.add(Sort(300));
  EXPECT_GE(expect_outputs_match(net, wide).at(Op::Sort), 290);
}

TEST(LoweringExact, LogSumExpAgainstTheCertifiedReference) {
  // exp/log leave the rationals: the reference evaluates in MPFR with certified branch decisions,
  // and the engine's double gradient (the softmax) must be within a few ulps.
  Matrix x(3, 2);
  x.col(0) << 0.5, -1, 0;
  x.col(1) << 2, 0.5, 2;  // a tied maximum: the shift's tie rule does not change the result
  Network net(3);
  net.add(LogSumExp{});
  const Program p = lower(net, x, LoweringInputs::Features);
  const auto ref =
      reference::evaluate_real(p, exact_point(lowered_point(net, x, LoweringInputs::Features)));
  const Matrix y = net.forward(x);
  Matrix dx;
  net.backward(Matrix::Ones(1, 2), &dx);
  for (Index s = 0; s < 2; ++s) {
    EXPECT_NEAR(ref.outputs[s].to_rational().convert_to<double>(), y(0, s), 2e-15);
    for (Index j = 0; j < 3; ++j)
      EXPECT_NEAR(ref.jacobian[s][s * 3 + j].to_rational().convert_to<double>(), dx(j, s), 1e-15);
  }
}

// ------------------------------------------------------------------------------------------
// Whole networks: MLP training gradients (weights and inputs) at points with ties.

TEST(LoweringExact, MlpSquaredLossGradientWithReluTies) {
  std::map<Op, int> ties;
  for (std::uint64_t seed = 0; seed < 12; ++seed) {
    std::mt19937_64 rng(100 + seed);
    const std::vector<Index> sizes = {4, 6, 5, 2};
    Network net = mlp(sizes, Activation::Relu, seed);
    dyadic_parameters(net, rng);
    const Matrix x = dyadic(4, 4, rng, 8, 4.0);
    const Matrix t = dyadic(2, 4, rng, 8, 4.0);
    // Pre-activations exactly 0: units of both hidden layers, for several samples.
    force_zero(net, 0, x, 0, 1);
    force_zero(net, 0, x, 1, 3);
    force_zero(net, 2, x, 2, 0);
    force_zero(net, 2, x, 3, 4);
    for (Reduction r : {Reduction::Mean, Reduction::Sum}) {
      const auto found = expect_loss_gradient_matches(net, x, t, r);
      for (const auto& [op, n] : found) ties[op] += n;
    }
    expect_outputs_match(net, x);
  }
  EXPECT_GE(ties[Op::Relu], 12 * 2 * 4);  // every forced zero is a tie, in both reductions
}

TEST(LoweringExact, AbsMlpGradient) {
  std::mt19937_64 rng(15);
  const std::vector<Index> sizes = {3, 5, 4, 1};
  Network net = mlp(sizes, Activation::Abs, 5);
  dyadic_parameters(net, rng);
  const Matrix x = dyadic(3, 4, rng, 8, 4.0), t = dyadic(1, 4, rng, 8, 4.0);
  force_zero(net, 0, x, 0, 2);
  force_zero(net, 2, x, 1, 1);
  EXPECT_GE(expect_loss_gradient_matches(net, x, t, Reduction::Mean).at(Op::Abs), 2);
}

TEST(LoweringExact, PoolingAndSortNetworkGradientWithTies) {
  // Dense(6 -> 8), relu, MaxPool1d(2 channels of 4, window 2, stride 1), Dense(6 -> 4), abs,
  // Sort(4), Dense(4 -> 2). Rows 0 and 1 of the first Dense are equal, so the window over
  // features (0, 1) is tied for every sample; rows 0 and 2 of the second Dense are equal, so the
  // sort is tied for every sample; forced zeros add relu and abs ties.
  std::map<Op, int> ties;
  for (std::uint64_t seed = 0; seed < 8; ++seed) {
    std::mt19937_64 rng(200 + seed);
    Network net(6);
    net.add(Dense(6, 8)).add(Relu{}).add(MaxPool1d(2, 4, 2, 1)).add(Dense(6, 4)).add(Abs{});
    net.add(Sort(4)).add(Dense(4, 2));
    dyadic_parameters(net, rng);
    auto& d0 = std::get<Dense>(net.layers()[0]);
    d0.W.row(1) = d0.W.row(0);
    d0.b(1) = d0.b(0);
    auto& d3 = std::get<Dense>(net.layers()[3]);
    d3.W.row(2) = d3.W.row(0);
    d3.b(2) = d3.b(0);
    const Matrix x = dyadic(6, 4, rng, 8, 4.0), t = dyadic(2, 4, rng, 8, 4.0);
    force_zero(net, 0, x, 0, 5);
    force_zero(net, 3, x, 1, 1);
    const auto found = expect_loss_gradient_matches(net, x, t, Reduction::Mean);
    for (const auto& [op, n] : found) ties[op] += n;
    expect_outputs_match(net, x);
  }
  EXPECT_GE(ties[Op::Max], 8 * 4);
  EXPECT_GE(ties[Op::Sort], 8 * 4 * 2);
  EXPECT_GE(ties[Op::Relu], 8);
  EXPECT_GE(ties[Op::Abs], 8);
}

TEST(LoweringExact, NonsmoothLayersBeforeTheFirstDense) {
  // With the parameters as inputs, layers before the first Dense act on constants: their nodes
  // take literal arguments, and the first Dense uses the constants as coefficients.
  std::mt19937_64 rng(18);
  Network net(6);
  net.add(Abs{}).add(Sort(6, 3)).add(MaxPool1d(1, 6, 2, 2)).add(Dense(3, 2)).add(Relu{});
  net.add(Dense(2, 1));
  dyadic_parameters(net, rng);
  const Matrix x = dyadic(6, 4, rng, 4, 4.0), t = dyadic(1, 4, rng, 8, 4.0);
  force_zero(net, 3, x, 2, 1);
  expect_loss_gradient_matches(net, x, t, Reduction::Sum);
  expect_outputs_match(net, x);
}

TEST(LoweringExact, ConvStyleNetworkWith2dPooling) {
  // Dense(3 -> 2 x 4 x 4), relu, MaxPool2d(2 x 2, stride 2) -> 8, Sort(8, groups of 4),
  // Dense(8 -> 1). Duplicated rows make pooled windows and sort groups tie.
  std::mt19937_64 rng(16);
  Network net(3);
  net.add(Dense(3, 32)).add(Relu{}).add(MaxPool2d(2, 4, 4, 2, 2, 2, 2)).add(Sort(8, 4));
  net.add(Dense(8, 1));
  dyadic_parameters(net, rng);
  auto& d0 = std::get<Dense>(net.layers()[0]);
  for (Index r : {1, 4, 5, 18}) {  // window (0, 0) of channel 0 all equal; channel 1 shares one
    d0.W.row(r) = d0.W.row(0);
    d0.b(r) = d0.b(0);
  }
  const Matrix x = dyadic(3, 4, rng, 8, 4.0), t = dyadic(1, 4, rng, 8, 4.0);
  const auto ties = expect_loss_gradient_matches(net, x, t, Reduction::Mean);
  EXPECT_GE(ties.at(Op::Max), 4);
  expect_outputs_match(net, x);
}

}  // namespace
