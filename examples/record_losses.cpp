// A hinge loss and a Huber loss written in C++ over selgrad::Var, recorded once each, run over
// 1e5 parameter points with the double engine, and checked exactly at a point where the kinks tie.
//
// A linear model y = w0 x0 + w1 x1 + b on four fixed samples. The hinge loss of a classifier,
// mean of max(0, 1 - label * y), has a kink wherever a margin is exactly 1; the Huber loss of a
// regression, mean of huber(target - y) with huber(r) = r^2/2 for |r| <= 1 and |r| - 1/2 beyond,
// is written with a select and abs (continuous at |r| = 1, D3) and is differentiable there. At
// (w0, w1, b) = (1, 0, 0) three hinge margins are exactly 1 and one Huber residual is exactly 1:
// the tie closure (D5) shows the hinge loss's several selection gradients and the Huber loss's one.
//
//   build/examples/record_losses
#include <cstdio>
#include <random>

#include "record_check.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/record.hpp"

namespace {

using selgrad::Var;

struct Sample {
  double x0, x1, label, target;
};
constexpr Sample kData[] = {{1, 0, 1, 1}, {0, 1, -1, -0.5}, {1, 1, 1, 1.5}, {-1, 0.5, -1, 0}};

Var prediction(std::span<const Var> theta, const Sample& s) { return theta[0] * s.x0 + theta[1] * s.x1 + theta[2]; }

Var hinge_loss(std::span<const Var> theta) {
  Var sum = 0;
  for (const Sample& s : kData) sum += max(0, 1 - s.label * prediction(theta, s));
  return sum / 4;
}

Var huber(const Var& r) {
  const Var a = abs(r);
  return select(a <= 1, r * r / 2, a - 0.5);
}

Var huber_loss(std::span<const Var> theta) {
  Var sum = 0;
  for (const Sample& s : kData) sum += huber(s.target - prediction(theta, s));
  return sum / 4;
}

}  // namespace

int main() {
  using selgrad::reference::Rational;
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> uniform(-2, 2);
  const std::vector<Rational> tie = {Rational(1), Rational(0), Rational(0)};
  bool ok = true;
  try {
    using Loss = Var (*)(std::span<const Var>);
    const std::pair<const char*, Loss> losses[] = {{"hinge", hinge_loss}, {"Huber", huber_loss}};
    for (const auto& [name, loss] : losses) {
      const selgrad::Program p = selgrad::record(loss, 3);
      std::printf("%s loss of (w0, w1, b), recorded once:\n%s", name, selgrad::print_program(p).c_str());
      selgrad::examples::run_batch(p, 100000, [&] { return uniform(rng); });
      ok = selgrad::examples::check_tie_point(p, tie) && ok;
      std::printf("\n");
    }
  } catch (const selgrad::Error& e) {
    std::fprintf(stderr, "record_losses: %s\n", e.what());
    return 1;
  }
  return ok ? 0 : 1;
}
