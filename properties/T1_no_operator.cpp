// T1 (Theorem 1): AD is not an operator on functions. For random rationals r, s and a random
// rational program f of one input, h = f + r * zero(. - s) (zero(u) = relu(-u) + u - relu(u))
// computes the same function as f, yet AD of h at s is AD of f at s plus r, exactly. s is
// kink-biased, so f has ties of its own at s as often as not.
#include "gen/program.hpp"
#include "gen/rational.hpp"
#include "suite.hpp"
#include "support/compose.hpp"
#include "support/engine.hpp"

namespace selgrad::properties {
namespace {

const Register shift_by_r(
    "T1.shift", "AD of f + r zero(. - s) at s is AD of f at s plus r; same values", 15000, [] {
      const Program f = *genProgram(ProgramShape::of(Family::Rational, 1, 1)).as("f");
      const Rational r = *genKinkRational().as("r");
      const Rational s = *genKinkRational().as("s");
      const Rational t = *genKinkRational().as("t (a second point, for the values)");
      const Program h = add_zero_kink(f, r, s);
      RC_LOG() << "h = f + r zero(. - s):\n" << print_program(h);
      log_command("grad", {s});
      const ExactResult hs = exact(h, {s}), fs = exact(f, {s});
      RC_TAG(fs.branches.tie_count() > 0 ? "f tied at s" : "f smooth at s");
      RC_ASSERT(hs.outputs[0] == fs.outputs[0]);
      RC_ASSERT(hs.jacobian[0][0] == fs.jacobian[0][0] + r);
      RC_ASSERT(exact(h, {t}).outputs[0] == exact(f, {t}).outputs[0]);
    });

}  // namespace
}  // namespace selgrad::properties
