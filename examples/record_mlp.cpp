// A small relu network written with Eigen over selgrad::Var, recorded once, run over 1e5 inputs
// with the double engine, and checked exactly at the origin, where units with zero bias tie.
//
// y = w3 . relu(W2 relu(W1 x + b1) + b2), 4-8-8-1, with weights that are multiples of 1/4 (so the
// double engine computes exactly at dyadic inputs). W1.cast<Var>() * x records one lin node per
// unit (affine fusion, selgrad/record/eigen.hpp), so the program has one lin and one relu node per
// hidden unit. Three first-layer biases are 0: at x = 0 those units sit on relu's kink, AD takes
// relu'(0) = 0, and the tie closure (D5) lists the gradients of every other choice.
//
//   build/examples/record_mlp
#include "selgrad/eigen.hpp"
#include <cstdio>
#include <random>

#include "record_check.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/record/eigen.hpp"

namespace {

using selgrad::Var;
using selgrad::VectorXvar;

Eigen::MatrixXd quarters(Eigen::Index rows, Eigen::Index cols, std::mt19937_64& rng) {
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i)
    for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = static_cast<double>(static_cast<int>(rng() % 9) - 4) / 4;
  return m;
}

struct Network {
  Eigen::MatrixXd w1, w2, w3;
  Eigen::VectorXd b1, b2;
};

VectorXvar relu_all(const VectorXvar& v) {
  return v.unaryExpr([](const Var& z) { return relu(z); });
}

}  // namespace

int main() {
  using selgrad::reference::Rational;
  std::mt19937_64 rng(3);
  Network net{quarters(8, 4, rng), quarters(8, 8, rng), quarters(1, 8, rng), quarters(8, 1, rng), quarters(8, 1, rng)};
  net.b1(0) = net.b1(3) = net.b1(5) = 0;
  try {
    const selgrad::Program p = selgrad::record(
        [&](std::span<const Var> x) {
          const VectorXvar h1 = relu_all(net.w1.cast<Var>() * selgrad::to_vector(x) + net.b1.cast<Var>());
          const VectorXvar h2 = relu_all(net.w2.cast<Var>() * h1 + net.b2.cast<Var>());
          return Var((net.w3.cast<Var>() * h2)(0));
        },
        4);
    std::size_t lin = 0, relu = 0;
    for (const selgrad::Node& n : p.nodes) {
      lin += n.op == selgrad::Op::Lin;
      relu += n.op == selgrad::Op::Relu;
    }
    std::printf("4-8-8-1 relu network written with Eigen, recorded once: %zu nodes (%zu lin, %zu relu)\n", p.m(), lin,
                relu);
    std::normal_distribution<double> normal;
    selgrad::examples::run_batch(p, 100000, [&] { return normal(rng); });
    return selgrad::examples::check_tie_point(p, std::vector<Rational>(4, Rational(0))) ? 0 : 1;
  } catch (const selgrad::Error& e) {
    std::fprintf(stderr, "record_mlp: %s\n", e.what());
    return 1;
  }
}
