// Tie rules (program/tie_rule.hpp: a framework's conventions) against the tie closure (T3, D5).
//
//  * T3.conventions: with random rules on a random rational program at kink-biased points, AD's
//    Jacobian lies in the convex hull of the tie closure (checked by cddlib's exact LP,
//    independently of the engine), and is one of the closure's elements when no Split rule
//    or a weight strictly between 0 and 1 acted (Piece rules are selections). reference::check_gradient classifies it the same way:
//    `closure` exactly when it is an element, `hull` when it is only in the hull.
#include <algorithm>

#include "gen/program.hpp"
#include "gen/rational.hpp"
#include "selgrad/program/parse.hpp"
#include "selgrad/reference/convex_hull.hpp"
#include "selgrad/reference/gradient_check.hpp"
#include "suite.hpp"
#include "support/engine.hpp"
#include "support/tie_rules.hpp"

namespace selgrad::properties {
namespace {


const Register conventions_in_hull(
    "T3.conventions", "AD under tie rules is in conv(closure); an element unless a Split acted; check agrees", 3000,
    [] {
      const Program prog = with_random_tie_rules(*genProgram(ProgramShape::of(Family::Rational, 3, 2)).as("program"));
      RC_LOG() << print_program(prog);
      const Point x = *genPointNearKinks(prog.p()).as("point");
      log_command("grad", x.x);
      const auto c = closure(prog, x.x);
      const ExactResult r = exact(prog, x.x);
      bool split_acted = false;  // or a weight strictly between 0 and 1
      for (const auto& d : r.branches.decisions) {
        const TieRule& rule = prog.nodes[d.node].tie;
        const bool mixed = rule.kind == TieRule::Kind::Split ||
                           (rule.kind == TieRule::Kind::Weight && !prog.literals[rule.weight].is_integer());
        split_acted |= d.choice.tie && mixed;
      }
      RC_TAG(split_acted ? "a split acted" : "no split acted");
      log_matrix("AD under the rules", r.jacobian);
      for (const auto& j : c.jacobians) log_matrix("closure element", j);
      const bool element = std::find(c.jacobians.begin(), c.jacobians.end(), r.jacobian) != c.jacobians.end();
      RC_ASSERT(in_convex_hull(c.jacobians, r.jacobian));
      if (!split_acted) RC_ASSERT(element);
      const auto check = reference::check_gradient(prog, x.x, r.jacobian);
      RC_ASSERT(check.verdict == (element ? reference::GradientVerdict::Closure : reference::GradientVerdict::Hull));
      RC_ASSERT(check.bifurcation == std::optional<bool>(c.jacobians.size() >= 2));
    });

}  // namespace
}  // namespace selgrad::properties
