// Training a small relu MLP with the layer engine, then checking its gradient against the exact
// reference.
//
// The network (4-32-32-1, relu) learns a piecewise-linear function of synthetic data by minibatch
// SGD on the mean squared loss. At the end the weights are rounded to multiples of 1/16 and a
// minibatch to multiples of 1/4: every double operation of the engine is then exact, so its
// gradient (with respect to the weights and to the inputs) must equal, as rationals, the selection
// gradient the exact reference computes on the lowered program (math.md T2, L1), including at
// relu units whose pre-activation is exactly 0, where both take relu'(0) = 0.
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "selgrad/fast/layers_network.hpp"
#include "selgrad/fast/lowering.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/reference/evaluate.hpp"

namespace {

using namespace selgrad;
using namespace selgrad::fast;
using reference::Rational;

/// The target: |x0 - x1| + max(x2, x3) - 1/2.
double target(const Matrix& x, Index s) {
  return std::abs(x(0, s) - x(1, s)) + std::max(x(2, s), x(3, s)) - 0.5;
}

double round_to(double v, double step) { return std::round(v / step) * step; }

/// Compares the engine's loss gradient with the exact reference; returns true if equal.
bool exact_gradient_check(Network net, const Matrix& data) {
  // Rounded weights and samples: small dyadic rationals, exact in double arithmetic.
  Vector theta = net.parameters();
  for (Index k = 0; k < theta.size(); ++k) theta(k) = round_to(theta(k), 1.0 / 16);
  net.set_parameters(theta);
  const Index batch = 8;
  Matrix x(data.rows(), batch), t(1, batch);
  for (Index s = 0; s < batch; ++s) {
    for (Index j = 0; j < x.rows(); ++j) x(j, s) = round_to(data(j, s), 1.0 / 4);
    t(0, s) = target(x, s);
  }
  // Make one pre-activation exactly 0, so the check covers a kink: unit 0 of the first layer,
  // sample 0 (its bias absorbs the rest).
  auto& first = std::get<Dense>(net.layers()[0]);
  first.b(0) = -(first.W.row(0) * x.col(0)).value();

  Matrix dx;
  net.gradient(x, t, Reduction::Mean, &dx);
  const Vector dtheta = net.parameter_gradient();

  bool equal = true;
  std::size_t ties = 0;
  for (LoweringInputs wrt : {LoweringInputs::Parameters, LoweringInputs::Features}) {
    const Program program = lower_squared_loss(net, x, t, wrt);
    const auto exact =
        reference::evaluate_exact(program, reference::to_point(lowered_point(net, x, wrt)));
    const Vector engine = wrt == LoweringInputs::Parameters ? dtheta : Vector(dx.reshaped());
    for (Index k = 0; k < engine.size(); ++k)
      equal = equal && exact.jacobian[0][static_cast<std::size_t>(k)] == Rational(engine(k));
    if (wrt == LoweringInputs::Parameters) {
      ties = exact.branches.tie_count();
      std::printf("  lowered program: %zu nodes, %zu inputs (the weights); ", program.m(),
                  program.p());
    }
  }
  std::printf("%zu relu decisions at a tie\n", ties);
  std::printf("  compared %lld weight-gradient and %lld input-gradient entries as exact rationals\n",
              static_cast<long long>(dtheta.size()), static_cast<long long>(dx.size()));
  return equal;
}

}  // namespace

int main() {
  try {
    std::mt19937_64 rng(2020);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    const Index n = 512, features = 4, batch = 32;
    Matrix data(features, n), labels(1, n);
    for (Index s = 0; s < n; ++s) {
      for (Index j = 0; j < features; ++j) data(j, s) = u(rng);
      labels(0, s) = target(data, s);
    }

    const std::vector<Index> sizes = {features, 32, 32, 1};
    Network net = mlp(sizes, Activation::Relu, 7);
    std::printf("selgrad: training a %lld-32-32-1 relu MLP by SGD (minibatch %lld, squared loss)\n",
                static_cast<long long>(features), static_cast<long long>(batch));
    Matrix xb(features, batch), tb(1, batch), dummy;
    Network eval = net;
    const double rate = 0.05;
    for (int step = 0; step <= 600; ++step) {
      if (step % 100 == 0) {
        eval.set_parameters(net.parameters());
        const double loss = squared_loss(eval.forward(data), labels, dummy);
        std::printf("  step %4d  loss on all %lld samples %.5f\n", step, static_cast<long long>(n), loss);
      }
      const Index first = (step * batch) % n;
      xb = data.middleCols(first, batch);
      tb = labels.middleCols(first, batch);
      net.sgd_step(xb, tb, rate);
    }

    std::printf("gradient check at the trained weights rounded to multiples of 1/16, on 8 samples\n"
                "rounded to multiples of 1/4 (so double arithmetic is exact):\n");
    const bool ok = exact_gradient_check(net, data);
    std::printf("gradient matches the exact reference: %s\n", ok ? "yes" : "no");
    return ok ? 0 : 1;
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
