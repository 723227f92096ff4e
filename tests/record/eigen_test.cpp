// Eigen with Var: matrices of Vars work, a constant matrix times a Var vector records one lin
// node per output entry (whatever kernel Eigen picks for the size), and Eigen-written relu
// networks evaluate exactly as the reference says.
#include "selgrad/eigen.hpp"
#include <gtest/gtest.h>

#include <random>

#include "reference/fixtures.hpp"
#include "selgrad/fast/evaluate.hpp"
#include "selgrad/record/eigen.hpp"

namespace selgrad::testing {
namespace {

/// A rows x cols matrix of nonzero dyadic weights (multiples of 1/8 in [-4, 4]).
Eigen::MatrixXd dyadic_matrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Eigen::MatrixXd w(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i)
    for (Eigen::Index j = 0; j < cols; ++j) {
      const int k = static_cast<int>(rng() % 64) - 32;
      w(i, j) = (k >= 0 ? k + 1 : k) / 8.0;
    }
  return w;
}

/// The lin nodes of p, and checks that they are all the computed nodes and have `terms` terms.
void expect_one_lin_per_output(const Program& p, Eigen::Index rows, Eigen::Index terms) {
  ASSERT_EQ(p.m(), p.p() + static_cast<std::size_t>(rows));
  for (std::size_t k = p.p(); k < p.m(); ++k) {
    EXPECT_EQ(p.nodes[k].op, Op::Lin);
    EXPECT_EQ(p.nodes[k].args.size(), 1 + 2 * static_cast<std::size_t>(terms));
  }
}

TEST(RecordEigen, AConstantMatrixTimesAVectorIsOneLinNodePerOutput) {
  // Small sizes take Eigen's coefficient-based product, large ones its blocked GEMV kernel.
  for (const auto& [rows, cols] : {std::pair{2, 3}, {7, 5}, {33, 70}, {64, 300}}) {
    SCOPED_TRACE(std::to_string(rows) + "x" + std::to_string(cols));
    const Eigen::MatrixXd w = dyadic_matrix(rows, cols, 7);
    Recorder rec;
    const VectorXvar x = to_vector(rec.inputs(cols));
    const VectorXvar y = w.cast<Var>() * x;
    rec.outputs(y);
    const Program p = rec.program();
    expect_one_lin_per_output(p, rows, cols);
    // Row i's node is c0 = 0 then w(i, j) x_j, in some order of j.
    for (Eigen::Index i = 0; i < rows; ++i) {
      const Node& n = p.nodes[p.outputs[i]];
      std::vector<bool> seen(cols, false);
      EXPECT_EQ(p.literals[n.args[0].index].as_fraction(), "0");
      for (std::size_t t = 1; t < n.args.size(); t += 2) {
        const std::uint32_t j = n.args[t + 1].index;
        ASSERT_LT(j, static_cast<std::uint32_t>(cols));
        EXPECT_FALSE(seen[j]);
        seen[j] = true;
        EXPECT_EQ(reference::to_rational(p.literals[n.args[t].index]), Rational(w(i, j)));
      }
    }
  }
}

TEST(RecordEigen, MixedDoubleTimesVarProductsRecordTheSame) {
  const Eigen::MatrixXd w = dyadic_matrix(9, 40, 3);
  Recorder rec;
  const VectorXvar x = to_vector(rec.inputs(40));
  const VectorXvar y = w * x;  // double matrix, Var vector
  rec.outputs(y);
  expect_one_lin_per_output(rec.program(), 9, 40);
}

TEST(RecordEigen, MatrixTimesMatrixAndBiasAreLinNodes) {
  const Eigen::MatrixXd a = dyadic_matrix(3, 4, 5), bias = dyadic_matrix(3, 2, 6);
  Recorder rec;
  const std::vector<Var> in = rec.inputs(8);
  const MatrixXvar x = Eigen::Map<const MatrixXvar>(in.data(), 4, 2);
  const MatrixXvar y = a.cast<Var>() * x + bias.cast<Var>();
  rec.outputs(y.reshaped());
  const Program p = rec.program();
  ASSERT_EQ(p.m(), 8u + 6u);
  for (std::size_t k = 8; k < p.m(); ++k) {
    EXPECT_EQ(p.nodes[k].op, Op::Lin);
    EXPECT_EQ(p.nodes[k].args.size(), 9u) << "c0 is the bias, 4 terms";
  }
}

TEST(RecordEigen, ReductionsAndCoefficientWiseOps) {
  Recorder rec;
  const VectorXvar x = to_vector(rec.inputs(4));
  rec.output(x.sum());
  rec.output(x.cwiseMax(Var(0)).sum());
  rec.output(x.dot(Eigen::Vector4d(1, -2, 0.5, 4).cast<Var>()));
  EXPECT_EQ(print_program(rec.program()),
            "input x0 x1 x2 x3\nv0 = add x0 x1 x2 x3\nv1 = max x0 0\nv2 = max x1 0\nv3 = max x2 0\n"
            "v4 = max x3 0\nv5 = add v1 v2 v3 v4\nv6 = lin 0 1 x0 -2 x1 1/2 x2 4 x3\noutput v0 v5 v6\n");
}

/// A 6-16-16-1 relu network written with Eigen; dyadic weights and biases.
Program eigen_mlp() {
  const Eigen::MatrixXd w1 = dyadic_matrix(16, 6, 11), w2 = dyadic_matrix(16, 16, 12), w3 = dyadic_matrix(1, 16, 13);
  const Eigen::VectorXd b1 = dyadic_matrix(16, 1, 14), b2 = dyadic_matrix(16, 1, 15);
  const auto relu_all = [](const VectorXvar& v) -> VectorXvar { return v.unaryExpr([](const Var& z) { return relu(z); }); };
  Recorder rec;
  const VectorXvar x = to_vector(rec.inputs(6));
  const VectorXvar h1 = relu_all(w1.cast<Var>() * x + b1.cast<Var>());
  const VectorXvar h2 = relu_all(w2.cast<Var>() * h1 + b2.cast<Var>());
  rec.output((w3.cast<Var>() * h2)(0));
  return rec.program();
}

TEST(RecordEigen, AnEigenReluNetworkEqualsTheExactReference) {
  const Program p = eigen_mlp();
  EXPECT_EQ(p.m(), 6u + 16 + 16 + 16 + 16 + 1) << "one lin and one relu per unit, one lin output";
  fast::PointEvaluator eval(fast::compile(p));
  fast::PointResult r;
  std::mt19937_64 rng(1);
  for (int t = 0; t < 200; ++t) {
    std::vector<Rational> x;
    std::vector<double> xd;
    for (int i = 0; i < 6; ++i) {
      xd.push_back(static_cast<double>(static_cast<int>(rng() % 17) - 8) / 4);  // ties are likely
      x.push_back(Rational(xd.back()));
    }
    const auto e = reference::evaluate_exact(p, x);
    eval.evaluate(xd, r);
    EXPECT_EQ(Rational(r.outputs[0]), e.outputs[0]);
    for (int i = 0; i < 6; ++i) EXPECT_EQ(Rational(r.jacobian[i]), e.jacobian[0][i]);
  }
}

}  // namespace
}  // namespace selgrad::testing
