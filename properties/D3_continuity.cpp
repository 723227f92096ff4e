// D3: an elementary selection is continuous. A select decided at u = v whose branches differ
// there is not one, and every engine must say so instead of returning a gradient.
//
//  * D3.continuity: a random rational program P at a kink-biased point x gets one more output,
//    `jump = select CMP u v a b` (support/jump.hpp), tied at x (v is u itself, or the literal
//    u(x)) with b = a(x) + c. For c != 0 the exact evaluation (evaluate_exact) and the MPFR
//    evaluation (evaluate_real) must fail with a Continuity error naming the node `jump`; for
//    c = 0 (the same select, continuous at x) both must succeed.
#include "gen/program.hpp"
#include "gen/rational.hpp"
#include "suite.hpp"
#include "support/engine.hpp"
#include "support/jump.hpp"

namespace selgrad::properties {
namespace {

rc::Gen<JumpRecipe> genJumpRecipe() {
  return rc::gen::apply(
      [](std::uint32_t u, bool same, std::uint32_t a, const Rational& c, int cmp) {
        return JumpRecipe{u, same, a, c, static_cast<Cmp>(cmp)};
      },
      rc::gen::inRange<std::uint32_t>(0, 8), rc::gen::arbitrary<bool>(), rc::gen::inRange<std::uint32_t>(0, 8),
      rc::gen::suchThat(genKinkRational(), [](const Rational& c) { return c != 0; }), rc::gen::inRange(0, 4));
}

/// "" when `run` throws a Continuity error naming the jump node, else what it did instead.
template <class Run>
std::string continuity_error(Run&& run) {
  try {
    run();
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Continuity && e.where().node == kJumpNode) return "";
    if (e.kind() == ErrorKind::Resource) RC_DISCARD(std::string("resource cap: ") + e.what());
    return std::string("threw another error: ") + e.what();
  }
  return "returned a result";
}

const Register continuity(
    "D3.continuity", "a select tied at x with different branches is a Continuity error, exact and MPFR", 3000, [] {
      const Program base = *genProgram(ProgramShape::of(Family::Rational, 3, 3)).as("program P");
      const Point x = *genPointNearKinks(base.p()).as("point");
      const JumpRecipe recipe = *genJumpRecipe().as("select");
      const ExactResult e = exact(base, x.x);
      const Program jump = with_select_at(base, x.x, e.outputs, recipe);
      RC_LOG() << "with the select:\n" << print_program(jump);
      log_command("grad", x.x);
      const std::string exact_error = continuity_error([&] { reference::evaluate_exact(jump, x.x); });
      if (!exact_error.empty()) RC_FAIL("evaluate_exact " + exact_error);
      const std::string real_error = continuity_error([&] { reference::evaluate_real(jump, x.x); });
      if (!real_error.empty()) RC_FAIL("evaluate_real " + real_error);

      JumpRecipe same = recipe;
      same.jump = 0;
      const Program continuous = with_select_at(base, x.x, e.outputs, same);
      // Continuous at x: evaluated, with the value of a (= b) there.
      std::vector<Rational> candidates = x.x;
      candidates.insert(candidates.end(), e.outputs.begin(), e.outputs.end());
      const ExactResult ce = exact(continuous, x.x);
      RC_ASSERT(ce.outputs.back() == candidates[recipe.a % candidates.size()]);
      real(continuous, x.x);
      RC_TAG(recipe.u_with_itself ? "select u u" : "select u u(x)");
    });

}  // namespace
}  // namespace selgrad::properties
