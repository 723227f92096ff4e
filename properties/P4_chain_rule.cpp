// P4 (Proposition 4): chain and sum rules of selection derivatives, exactly.
//
//  * P4.chain: for random rational programs F (p inputs, q outputs) and G (q inputs, r
//    outputs), AD of the program G o F at x equals J_G(F(x)) J_F(x) (AD of G at F(x) times AD
//    of F at x), and its outputs are G(F(x)).
//  * P4.sum: for F and G on the same inputs, AD of F + G equals J_F + J_G.
// Kink-biased points: F(x) is then often a kink of G as well.
#include "gen/program.hpp"
#include "gen/rational.hpp"
#include "suite.hpp"
#include "support/compose.hpp"
#include "support/engine.hpp"

namespace selgrad::properties {
namespace {

using Matrix = std::vector<std::vector<Rational>>;

Matrix product(const Matrix& a, const Matrix& b) {
  Matrix c(a.size(), std::vector<Rational>(b.empty() ? 0 : b[0].size(), Rational(0)));
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t k = 0; k < b.size(); ++k)
      for (std::size_t j = 0; j < b[k].size(); ++j) c[i][j] += a[i][k] * b[k][j];
  return c;
}

ProgramShape shape(std::uint32_t inputs_min, std::uint32_t inputs_max, std::uint32_t outputs_max) {
  auto s = ProgramShape::of(Family::Rational, inputs_max, outputs_max);
  s.min_inputs = inputs_min;
  s.max_mul_depth = 2;  // the composition has the depths of both parts
  s.max_statements = 12;
  return s;
}

const Register chain(
    "P4.chain", "J(G o F)(x) == J_G(F(x)) J_F(x), exactly", 12000, [] {
      const Program f = *genProgram(shape(1, 3, 3)).as("F");
      const Program g = *genProgram(shape(static_cast<std::uint32_t>(f.q()), static_cast<std::uint32_t>(f.q()), 2)).as("G");
      const Point x = *genPointNearKinks(f.p()).as("x");
      const Program h = compose(f, g);
      RC_LOG() << "G o F:\n" << print_program(h);
      log_command("grad", x.x);
      const ExactResult fx = exact(f, x.x);
      const ExactResult gfx = exact(g, fx.outputs);
      const ExactResult hx = exact(h, x.x);
      RC_TAG(gfx.branches.tie_count() > 0 ? "G tied at F(x)" : "G smooth at F(x)");
      RC_ASSERT(hx.outputs == gfx.outputs);
      RC_ASSERT(hx.jacobian == product(gfx.jacobian, fx.jacobian));
    });

const Register sum_rule(
    "P4.sum", "J(F + G)(x) == J_F(x) + J_G(x), exactly", 12000, [] {
      const Program f = *genProgram(shape(1, 3, 2)).as("F");
      auto gs = shape(static_cast<std::uint32_t>(f.p()), static_cast<std::uint32_t>(f.p()), 2);
      gs.min_outputs = gs.max_outputs = static_cast<std::uint32_t>(f.q());
      const Program g = *genProgram(gs).as("G");
      RC_PRE(g.q() == f.q());  // G may have fewer computed nodes than F has outputs
      const Point x = *genPointNearKinks(f.p()).as("x");
      const Program h = sum(f, g);
      RC_LOG() << "F + G:\n" << print_program(h);
      log_command("grad", x.x);
      const ExactResult fx = exact(f, x.x), gx = exact(g, x.x), hx = exact(h, x.x);
      RC_TAG(fx.branches.tie_count() + gx.branches.tie_count() > 0 ? "tie" : "no tie");
      Matrix expected = fx.jacobian;
      for (std::size_t o = 0; o < expected.size(); ++o)
        for (std::size_t i = 0; i < expected[o].size(); ++i) expected[o][i] += gx.jacobian[o][i];
      RC_ASSERT(hx.jacobian == expected);
      for (std::size_t o = 0; o < f.q(); ++o) RC_ASSERT(hx.outputs[o] == fx.outputs[o] + gx.outputs[o]);
    });

}  // namespace
}  // namespace selgrad::properties
