// T3 (Theorem 3) and D5: the tie closure (reference::tie_closure) is what AD can output at a
// point over all branch choices at ties, and D_f = conv(closure) is conservative and contains
// the Clarke subdifferential (gradients at nearby points accumulate in it).
//
//  * T3.closure: the AD output at x is an element of the closure at x, at kink-biased points.
//  * T3.nearby: piecewise-affine programs: at y = x + delta, ||delta||_inf below the margin
//    radius of x (support/kinks.hpp), every untied node keeps its piece and every tied node
//    takes one of its tied pieces, so AD at y is the gradient of a branch combination of the
//    closure at x. Checked exactly: AD(y) is in conv(closure(x)) (cddlib's exact LP, through
//    reference::zero_in_convex_hull), and in fact is one of its elements.
//  * T3.rational: the same within O(distance) for rational programs (see below).
//  * T3.zero: the closure of r zero(. - s) at s is {-r, 0, r} (r != 0); for zero at 0,
//    {-1, 0, 1}, so D_f(0) = [-1, 1].
#include <algorithm>

#include "gen/program.hpp"
#include "gen/rational.hpp"
#include "selgrad/program/parse.hpp"
#include "selgrad/reference/convex_hull.hpp"
#include "suite.hpp"
#include "support/box_eval.hpp"
#include "support/compose.hpp"
#include "support/dual.hpp"
#include "support/engine.hpp"
#include "support/frozen.hpp"
#include "support/interval.hpp"
#include "support/kinks.hpp"
#include "support/pieces.hpp"

namespace selgrad::properties {
namespace {

using Matrix = std::vector<std::vector<Rational>>;

void log_closure(const reference::TieClosure& c) {
  RC_LOG() << c.jacobians.size() << " closure element(s) over " << c.combinations << " combinations\n";
  for (const auto& j : c.jacobians) log_matrix("element", j);
}

const Register contains_ad(
    "T3.closure", "the AD output is in the tie closure", 10000, [] {
      const Program prog = *genProgram(ProgramShape::of(Family::Rational, 3, 2)).as("program");
      const Point x = *genPointNearKinks(prog.p()).as("point");
      log_command("closure", x.x);
      const auto c = closure(prog, x.x);
      const ExactResult r = exact(prog, x.x);
      RC_TAG(c.jacobians.size() == 1 ? "closure of 1" : "closure of 2+");
      const bool closure_has_ad = std::find(c.jacobians.begin(), c.jacobians.end(), r.jacobian) != c.jacobians.end();
      RC_ASSERT(closure_has_ad);
    });

const Register nearby_affine(
    "T3.nearby", "AD near a tie point is in conv(closure) there (exact, piecewise affine)", 10000, [] {
      const Program prog = *genProgram(ProgramShape::of(Family::PiecewiseAffine, 3, 2)).as("program");
      const Point x = *genPointNearKinks(prog.p()).as("tie point");
      const Point dir = *genPointNearKinks(prog.p()).as("direction");
      const Rational scale = *genUnitFraction().as("fraction of the margin radius");
      log_command("closure", x.x);
      const auto c = closure(prog, x.x);
      RC_TAG(c.tied_nodes.empty() ? "no tie" : "tie");

      // delta = scale * radius / 2 * dir / ||dir||_inf
      Rational norm = 0;
      for (const auto& d : dir.x) norm = std::max(norm, d < 0 ? Rational(-d) : d);
      RC_PRE(norm != 0);
      const auto values = eval_frozen<Rational>(prog, x.x, pieces_of(prog, c.at_point.branches));
      const auto radius = margin_radius(prog, values);
      const Rational step = (radius ? *radius / 2 : Rational(1)) * scale / norm;
      std::vector<Rational> y = x.x;
      for (std::size_t i = 0; i < y.size(); ++i) y[i] += step * dir.x[i];
      log_command("grad", y);
      RC_LOG() << "margin radius " << (radius ? reference::to_string(*radius) : "none") << "\n";
      const ExactResult ry = exact(prog, y);
      log_closure(c);
      log_matrix("AD at y", ry.jacobian);
      const bool ad_near_in_hull = in_convex_hull(c.jacobians, ry.jacobian);
      RC_ASSERT(ad_near_in_hull);
      const bool ad_near_is_element = std::find(c.jacobians.begin(), c.jacobians.end(), ry.jacobian) != c.jacobians.end();
      RC_ASSERT(ad_near_is_element);
    });

const Register zero_closure(
    "T3.zero", "closure of r zero(. - s) at s is {-r, 0, r}; of zero at 0, {-1, 0, 1}", 1000, [] {
      const Rational r = *genKinkRational().as("r");
      const Rational s = *genKinkRational().as("s");
      RC_PRE(r != 0);
      // f(t) = t - t: a smooth (constant) base with no tie of its own.
      const Program base = parse_program("input t\nv = sub t t\noutput v\n");
      const Program h = add_zero_kink(base, r, s);
      RC_LOG() << print_program(h);
      const auto c = closure(h, {s});
      std::vector<Rational> got;
      for (const auto& j : c.jacobians) got.push_back(j[0][0]);
      std::sort(got.begin(), got.end());
      std::vector<Rational> want{-r, Rational(0), r};
      std::sort(want.begin(), want.end());
      RC_ASSERT(got == want);
      RC_ASSERT(c.zero_in_hull.has_value() && *c.zero_in_hull);

      const Program zero = parse_program(
          "input t\nr = relu t\na = neg t\nb = relu a\nr2 = add b t\ny = sub r2 r\noutput y\n");
      const auto cz = closure(zero, {Rational(0)});
      std::vector<Rational> z;
      for (const auto& j : cz.jacobians) z.push_back(j[0][0]);
      std::sort(z.begin(), z.end());
      RC_ASSERT(z == (std::vector<Rational>{-1, 0, 1}));
    });


// * T3.rational: rational programs (products, quotients, powers): the same question within
//   O(distance). Move from the tie point x towards a random direction, at distances 2^-2,
//   2^-4, ... (times a random fraction) until every piece the engine takes at y is active at x
//   (support/pieces.hpp: no untied node changed branch, every tied node took one of its tied
//   pieces). Then the branch combination sigma(y) is one the closure enumerates, and:
//     - grad f_sigma(y)(x), computed by Dual<Rational> on the frozen program, is an element
//       of the closure at x (exactly);
//     - AD at y and that element both lie in the Dual<Interval> enclosure of grad f_sigma(y)
//       over the box spanned by x and y, whose width is O(|y - x|): AD at y is within that
//       distance of conv(closure(x)).
const Register nearby_rational(
    "T3.rational", "AD near a tie point is within O(distance) of the closure (rational programs)", 8000, [] {
      const Program prog = *genProgram(ProgramShape::of(Family::Rational, 3, 2)).as("program");
      const Point x = *genPointNearKinks(prog.p()).as("tie point");
      const Point dir = *genPointNearKinks(prog.p()).as("direction");
      const Rational scale = *genUnitFraction().as("fraction of the distance");
      log_command("closure", x.x);
      Rational norm = 0;
      for (const auto& d : dir.x) norm = std::max(norm, d < 0 ? Rational(-d) : d);
      RC_PRE(norm != 0);
      const auto c = closure(prog, x.x);
      RC_TAG(c.tied_nodes.empty() ? "no tie" : "tie");
      const auto values = eval_frozen<Rational>(prog, x.x, pieces_of(prog, c.at_point.branches));

      std::vector<Rational> y;
      ExactResult ry;
      std::vector<std::uint32_t> sigma;
      Rational distance = scale / 4;
      for (int tries = 0;; ++tries) {
        y = x.x;
        for (std::size_t i = 0; i < y.size(); ++i) y[i] += distance * dir.x[i] / norm;
        ry = exact(prog, y);
        sigma = pieces_of(prog, ry.branches);
        bool active = true;
        for (const auto& d : ry.branches.decisions) active = active && piece_active(prog, d.node, sigma[d.node], values, sigma);
        if (active) break;
        if (tries == 12) RC_DISCARD("branches at y still differ from every tied choice at x");
        distance /= 4;
      }
      log_command("grad", y);
      RC_LOG() << "distance " << distance << " (infinity norm)\n";

      std::vector<Dual<Rational>> in;
      for (std::size_t i = 0; i < prog.p(); ++i) in.push_back(Dual<Rational>::variable(x.x[i], i, prog.p()));
      const auto duals = eval_frozen<Dual<Rational>>(prog, in, sigma);
      Matrix at_x(prog.q(), std::vector<Rational>(prog.p()));
      for (std::size_t o = 0; o < prog.q(); ++o)
        for (std::size_t i = 0; i < prog.p(); ++i) at_x[o][i] = duals[prog.outputs[o]].partial(i);
      log_closure(c);
      log_matrix("gradient at x of the branches taken at y", at_x);
      const bool closure_has_element = std::find(c.jacobians.begin(), c.jacobians.end(), at_x) != c.jacobians.end();
      RC_ASSERT(closure_has_element);

      reference::PrecisionScope scope(128);
      std::vector<DualInterval> box;
      for (std::size_t i = 0; i < prog.p(); ++i)
        box.push_back(DualInterval::variable(hull(x.x[i], y[i]), i, prog.p()));
      const auto enclosure = eval_frozen<DualInterval>(prog, box, sigma);
      for (std::size_t o = 0; o < prog.q(); ++o)
        for (std::size_t i = 0; i < prog.p(); ++i) {
          const Interval d = enclosure[prog.outputs[o]].partial(i);
          if (!d.is_bounded()) RC_DISCARD("unbounded gradient enclosure");
          RC_LOG() << "d output " << o << " / d x" << i + 1 << ": AD(y) " << ry.jacobian[o][i] << ", closure element "
                   << at_x[o][i] << ", enclosure width " << static_cast<double>(width(d)) << "\n";
          RC_ASSERT(contains(d, ry.jacobian[o][i]));
          RC_ASSERT(contains(d, at_x[o][i]));
        }
    });

}  // namespace
}  // namespace selgrad::properties
