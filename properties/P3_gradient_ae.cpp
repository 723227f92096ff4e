// P3 (Proposition 3): the selection gradient is the gradient almost everywhere. At a point
// drawn from a density (gen/rational.hpp: continuous points, denominators about 2^40) no kink
// is hit, and AD returns the true gradient, checked against central differences
// (f(x + h e_i) - f(x - h e_i)) / 2h computed from the engine's values only.
//
//  * P3.affine: piecewise-affine programs, exactly. The only ties a continuous point meets are
//    structural: a tied comparison whose difference u - v has zero gradient on the current
//    pieces (max(a, a), relu of a relu in its zero piece, ...), which the property checks (a
//    tie with a nonzero gradient would be a kink hit by a continuous point: probability about
//    2^-40, discarded). h is half the margin radius (support/kinks.hpp): on the box
//    ||y - x||_inf <= h every untied comparison keeps its strict sign (Lipschitz bound), and by
//    induction over the nodes every node is one affine function there (a structurally tied
//    comparison is affine, 0 at x, with zero gradient, hence 0 on the box, and all its tied
//    pieces agree). So f is affine on the box, the central difference is exactly the partial
//    derivative, and it must equal AD exactly.
//  * P3.real: the whole op table in MPFR, within a derived tolerance (see below).
#include "gen/program.hpp"
#include "gen/rational.hpp"
#include "suite.hpp"
#include "support/box_eval.hpp"
#include "support/dual.hpp"
#include "support/engine.hpp"
#include "support/frozen.hpp"
#include "support/interval.hpp"
#include "support/kinks.hpp"

namespace selgrad::properties {
namespace {

const Register affine_exact(
    "P3.affine", "AD == central difference exactly at continuous points (h below the kink margin)", 12000, [] {
      const Program prog = *genProgram(ProgramShape::of(Family::PiecewiseAffine, 3, 2)).as("program");
      const Point x = *genContinuousPoint(prog.p()).as("point");
      log_command("grad", x.x);
      const ExactResult r = exact(prog, x.x);
      const auto pieces = pieces_of(prog, r.branches);

      // Every tie at a continuous point must be structural.
      std::vector<Dual<Rational>> in;
      for (std::size_t i = 0; i < prog.p(); ++i) in.push_back(Dual<Rational>::variable(x.x[i], i, prog.p()));
      const auto duals = eval_frozen<Dual<Rational>>(prog, in, pieces);
      std::vector<Dual<Rational>> lits;
      for (const auto& l : prog.literals) lits.push_back(Dual<Rational>(reference::to_rational(l)));
      bool structural_tie = false;
      for (const auto& c : comparisons(prog)) {
        const Dual<Rational> d = difference(prog, c, duals, lits);
        if (d.v != 0) continue;
        for (std::size_t i = 0; i < prog.p(); ++i)
          if (d.partial(i) != 0) RC_DISCARD("a continuous point on a kink");
        structural_tie = true;
      }
      RC_TAG(structural_tie ? "structural tie" : "no tie");

      std::vector<Rational> values;
      for (const auto& d : duals) values.push_back(d.v);
      const auto radius = margin_radius(prog, values);
      const Rational h = radius ? std::min(Rational(*radius / 2), Rational(1)) : Rational(1);
      RC_LOG() << "h = " << h << "\n";
      for (std::size_t i = 0; i < prog.p(); ++i) {
        auto plus = x.x, minus = x.x;
        plus[i] += h;
        minus[i] -= h;
        const ExactResult fp = exact(prog, plus), fm = exact(prog, minus);
        for (std::size_t o = 0; o < prog.q(); ++o) {
          const Rational central = (fp.outputs[o] - fm.outputs[o]) / (2 * h);
          RC_LOG() << "d output " << o << " / d x" << i + 1 << ": AD " << r.jacobian[o][i] << ", central difference "
                   << central << "\n";
          RC_ASSERT(r.jacobian[o][i] == central);
        }
      }
    });


// * P3.real: programs over the whole op table (products, quotients, powers, exp, log, sqrt,
//   softplus, sigmoid, tanh), in MPFR. For each input i, the segment box
//   B = x + [-h, h] e_i is evaluated in interval arithmetic (support/box_eval.hpp) with h
//   divided by 2^8 from 2^-30 until every selection decision is certified on B (else the case is
//   discarded: a continuous point that certifies nowhere sits on a structural tie interval
//   arithmetic cannot see). Then f = f_sigma on B, and the box evaluation's tangent D encloses
//   d f_sigma / d x_i over B. By the mean value theorem the central difference
//   (f(x + h e_i) - f(x - h e_i)) / 2h is a value of that derivative in B, and so is the exact
//   partial derivative at x: both lie in D, hence
//     |AD - central difference| <= width(D)            (the derived tolerance, O(h)),
//   checked with the engine's certified enclosures of AD and of f(x +- h e_i). Decisions the
//   box certifies strictly must also be the engine's decisions at x.
const Register real_box(
    "P3.real", "|AD - central difference| <= width of the derivative enclosure on the box (MPFR)", 8000, [] {
      const Program prog = *genProgram(ProgramShape::of(Family::Full, 3, 2)).as("program");
      const Point x = *genContinuousPoint(prog.p()).as("point");
      log_command("grad", x.x);
      const RealResult r = real(prog, x.x);
      RC_PRE(r.branches.all_certified());
      Rational worst = 0;
      for (std::size_t i = 0; i < prog.p(); ++i) {
        Rational h = Rational(1) / Rational(boost::multiprecision::mpz_int(1) << 30);
        BoxEvaluation ev;
        for (int tries = 0;; ++tries) {
          reference::PrecisionScope scope(128);
          std::vector<DualInterval> in;
          for (std::size_t j = 0; j < prog.p(); ++j) {
            const Interval v = j == i ? hull(Rational(x.x[j] - h), Rational(x.x[j] + h)) : Interval(x.x[j]);
            in.push_back(DualInterval::along(v, Interval(j == i ? 1L : 0L)));
          }
          ev = evaluate_box(prog, in);
          if (ev.all_certified) break;
          if (tries == 6) RC_DISCARD("no certified box around a continuous point");
          h /= 256;
        }
        for (const auto& d : r.branches.decisions)
          if (ev.strict[d.node] && ev.pieces[d.node] != d.choice.piece)
            RC_FAIL("node " + prog.nodes[d.node].name + ": the engine took piece " + std::to_string(d.choice.piece) +
                    ", the whole box around x takes " + std::to_string(ev.pieces[d.node]));
        auto plus = x.x, minus = x.x;
        plus[i] += h;
        minus[i] -= h;
        const RealResult rp = real(prog, plus), rm = real(prog, minus);
        reference::PrecisionScope scope(r.precision);
        for (std::size_t o = 0; o < prog.q(); ++o) {
          const Interval central = (rp.output_enclosures[o] - rm.output_enclosures[o]) / Interval(Rational(2 * h));
          const Interval d = ev.values[prog.outputs[o]].partial(0);
          if (!d.is_bounded()) RC_DISCARD("unbounded derivative enclosure");
          const Rational tolerance = width(d);
          worst = std::max(worst, tolerance);
          RC_LOG() << "d output " << o << " / d x" << i + 1 << ": AD " << r.jacobian[o][i].to_string(20)
                   << ", central difference " << central.lower().to_string(20) << " (h = " << h
                   << "), tolerance " << static_cast<double>(tolerance) << "\n";
          RC_ASSERT(gap(r.jacobian_enclosures[o][i], central) <= tolerance);
        }
      }
      RC_TAG(std::string(prog.transcendental() ? "transcendental" : "rational") +
             (worst < Rational(1, 1000000) ? ", tolerance < 1e-6" : ", tolerance >= 1e-6"));
    });

}  // namespace
}  // namespace selgrad::properties
