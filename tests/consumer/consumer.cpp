// A downstream program: records a function in plain C++ and one with Eigen, evaluates them with
// the double engine over a grid of dyadic points (ties included) and checks every output and
// gradient against the exact reference; and Recorder::compile's tape against the Program's.
// Exit status 0 when all agree.
#include <cstdio>
#include <selgrad/fast/evaluate.hpp>
#include <selgrad/record.hpp>
#include <selgrad/record/eigen.hpp>
#include <selgrad/reference/evaluate.hpp>
#include <vector>

namespace {

using selgrad::Var;

Var hinge(std::span<const Var> x) { return max(1 - x[0] * x[1], 0) + abs(x[0] - x[1]) / 4; }

std::vector<Var> layer(std::span<const Var> x) {
  Eigen::Matrix2d w;
  w << 1, -0.5, 0.25, 2;
  const selgrad::VectorXvar z = w.cast<Var>() * selgrad::to_vector(x) + Eigen::Vector2d(0.5, -1).cast<Var>();
  return {relu(z(0)), relu(z(1)), max(z(0), z(1))};
}

int check(const selgrad::Program& p, const char* what) {
  const double values[] = {0, 1, -1, 0.5, -0.75, 2};
  std::vector<double> points;
  std::vector<std::vector<selgrad::reference::Rational>> exact;
  for (double a : values)
    for (double b : values) {
      points.insert(points.end(), {a, b});
      exact.push_back({selgrad::reference::Rational(a), selgrad::reference::Rational(b)});
    }
  selgrad::fast::BatchEvaluator batch(selgrad::fast::compile(p));
  selgrad::fast::BatchResult r;
  batch.evaluate(points, exact.size(), r);
  int bad = 0;
  for (std::size_t l = 0; l < exact.size(); ++l) {
    const auto e = selgrad::reference::evaluate_exact(p, exact[l]);
    for (std::size_t j = 0; j < p.q(); ++j) {
      bad += selgrad::reference::Rational(r.outputs[l * p.q() + j]) != e.outputs[j];
      for (std::size_t i = 0; i < p.p(); ++i)
        bad += selgrad::reference::Rational(r.jacobian[(l * p.q() + j) * p.p() + i]) != e.jacobian[j][i];
    }
  }
  std::printf("%s: %zu nodes, %zu points, %d mismatches\n", what, p.m(), exact.size(), bad);
  return bad;
}

/// Recorder::compile (the recording compiled without a Program) evaluates as the Program's tape.
int check_direct() {
  const auto tape_of = [](bool direct) {
    selgrad::Recorder rec;
    const std::vector<Var> x = rec.inputs(2);
    rec.output(hinge(x));
    return direct ? rec.compile() : selgrad::fast::compile(rec.program());
  };
  std::vector<double> points;
  for (double a : {0.0, 1.0, -1.0, 0.5})
    for (double b : {0.0, 1.0, -0.75, 2.0}) points.insert(points.end(), {a, b});
  selgrad::fast::BatchEvaluator direct(tape_of(true)), via_program(tape_of(false));
  selgrad::fast::BatchResult r, s;
  direct.evaluate(points, points.size() / 2, r);
  via_program.evaluate(points, points.size() / 2, s);
  const int bad = (r.outputs != s.outputs) + (r.jacobian != s.jacobian);
  std::printf("Recorder::compile: %zu points, %d mismatches\n", points.size() / 2, bad);
  return bad;
}

}  // namespace

int main() {
  int bad = check(selgrad::record(hinge, 2), "plain C++");
  bad += check(selgrad::record(layer, 2), "Eigen");
  bad += check_direct();
  return bad == 0 ? 0 : 1;
}
