// The demonstration: what backpropagation computes at a kink, from the exact reference engine.
//
// Prints Theorem 1's witnesses at t = 0 (math.md T1) with their AD derivatives and tie closures
// (D5 restricted to ties), the derivative shift f + r*zero(. - s), the double engine on the same
// programs with a near tie caught by certification, and an exp/log program whose
// branch decisions are certified by interval enclosures. Usage: theorem1_demo EXAMPLES_DIR
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>

#include "selgrad/fast/certify.hpp"
#include "selgrad/fast/evaluate.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/program/parse.hpp"
#include "selgrad/reference/closure.hpp"
#include "selgrad/reference/evaluate.hpp"

namespace {

using namespace selgrad;
using namespace selgrad::reference;

std::string set_text(const std::vector<Matrix<Rational>>& jacobians) {
  // One input, one output: each Jacobian is a 1 x 1 matrix; print the set sorted.
  std::vector<Rational> v;
  for (const auto& j : jacobians) v.push_back(j[0][0]);
  std::sort(v.begin(), v.end());
  std::string s = "{";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + to_string(v[i]);
  return s + "}";
}

void witness_row(const std::string& dir, const std::string& file, const std::string& formula) {
  const Program p = parse_program_file(dir + "/" + file);
  const TieClosure c = tie_closure(p, {Rational(0)});
  std::cout << "  " << std::left << std::setw(26) << file << std::setw(24) << formula
            << std::setw(8) << to_string(c.at_point.outputs[0]) << std::setw(14)
            << to_string(c.at_point.jacobian[0][0]) << std::setw(16) << set_text(c.jacobians)
            << (*c.zero_in_hull ? "yes" : "no") << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "examples";
  try {
    std::cout << "selgrad: what backpropagation computes at a kink (exact reference engine)\n\n"
              << "Theorem 1 witnesses at t = 0. Every program uses relu'(0) = 0, as TensorFlow and\n"
              << "PyTorch do; 'AD' is the backward sweep of Algorithm 2 in exact rationals, and the\n"
              << "tie closure collects what AD returns over every branch choice at the tied nodes.\n\n"
              << "  " << std::left << std::setw(26) << "program" << std::setw(24) << "function"
              << std::setw(8) << "f(0)" << std::setw(14) << "AD f'(0)" << std::setw(16)
              << "tie closure" << "0 in hull\n";
    witness_row(dir, "relu.sgp", "relu(t)");
    witness_row(dir, "relu2.sgp", "relu(-t) + t");
    witness_row(dir, "relu3.sgp", "(relu + relu2)/2");
    witness_row(dir, "zero.sgp", "relu2 - relu = 0");
    witness_row(dir, "identity_minus_zero.sgp", "t - zero(t) = t");
    std::cout << "\nThe same function (relu, relu2, relu3) gets three derivatives at 0; the zero\n"
              << "function gets derivative 1, and the identity gets a spurious critical point.\n\n";

    // T1: f + r * zero(. - s) moves the AD derivative of f at s by exactly r.
    const Program shifted = parse_program(
        "input t\n"
        "f = relu t\n"
        "u = lin -1/3 1 t\n"      // u = t - s, s = 1/3
        "a = neg u\n"
        "b = relu a\n"
        "c = add b u\n"           // relu2(u)
        "d = relu u\n"
        "z = sub c d\n"           // zero(u)
        "y = lin 0 1 f 5/2 z\n"   // f + r * zero(t - s), r = 5/2
        "output y\n");
    const ExactResult r = evaluate_exact(shifted, {Rational(1) / 3});
    std::cout << "Derivative shift (T1): relu(t) + 5/2 * zero(t - 1/3) at t = 1/3 has value "
              << to_string(r.outputs[0]) << " and AD derivative " << to_string(r.jacobian[0][0])
              << " = relu'(1/3) + 5/2.\n\n";

    // The double engine on the same witnesses: the same branches, bit for bit (dyadic values).
    std::cout << "The double engine (fast/) on the same programs at t = 0:";
    for (const char* name : {"relu.sgp", "relu2.sgp", "relu3.sgp", "zero.sgp", "identity_minus_zero.sgp"}) {
      fast::PointEvaluator point(fast::compile(parse_program_file(dir + "/" + name)));
      std::vector<double> g(1);
      point.value_and_gradient(std::vector<double>{0.0}, g);
      std::cout << " " << g[0];
    }
    std::cout << "\n(the same derivatives: the double engine takes the same tie rules).\n";
    // A near tie that rounding flips, caught by certification.
    const Program near = parse_program("input x\na = mul x 3\nc = mul a 0.1\nd = mul x 0.3\ny = min c d\noutput y\n");
    const fast::Certificate cert = fast::certify(near, std::vector<double>{1.0});
    std::cout << "min(3x * 0.1, 0.3x) at x = 1 is a tie in exact arithmetic; in double the engine takes argument "
              << cert.decisions[0].fast_piece + 1 << ", the exact rule argument " << cert.decisions[0].exact_piece + 1
              << ": certification flags it (" << (cert.decisions[0].certified ? "certified" : "not certified, a near tie")
              << ").\n\n";

    // An exp/log program: branches decided on MPFI enclosures, values in MPFR.
    const Program lse = parse_program_file(dir + "/logsumexp.sgp");
    std::cout << "An exp/log program (logsumexp.sgp), MPFR at 256 bits, branches certified by\n"
              << "interval enclosures (exact rational fallback when the compared values are rational):\n";
    for (int which = 0; which < 2; ++which) {
      std::vector<Rational> x;
      std::string at;
      for (std::size_t i = 0; i < lse.p(); ++i) {
        x.push_back(which == 0 ? Rational(1, 3) : Rational(static_cast<long>(2 * i + 1), 5));
        at += (i ? "," : "") + to_string(x.back());
      }
      const RealResult rr = evaluate_real(lse, x);
      std::cout << "  at (" << at << "), to 20 and 12 digits of the 256-bit values: value " << rr.outputs[0].to_string(20) << "\n"
                << "    gradient (";
      for (std::size_t i = 0; i < rr.jacobian[0].size(); ++i)
        std::cout << (i ? ", " : "") << rr.jacobian[0][i].to_string(12);
      std::cout << ")\n";
      for (const auto& d : rr.branches.decisions)
        std::cout << "    " << lse.nodes[d.node].name << " = " << op_name(lse.nodes[d.node].op)
                  << ": piece " << piece_name(lse, d) << (d.choice.tie ? " (tie)" : "") << ", "
                  << certainty_name(d.certainty) << "\n";
    }
    return 0;
  } catch (const selgrad::Error& e) {
    std::cerr << "theorem1_demo: " << e.what() << "\n";
    return 1;
  }
}
