// T2 (Theorem 2): AD outputs a selection gradient. Freeze every selection node at the piece the
// engine took at x; the result is a smooth program f_sigma (an element of E). Its ordinary
// gradient, computed by forward-mode dual numbers (support/dual.hpp) through the op table's
// smooth_value / piece_value only, must equal the engine's AD output.
//
//  * T2.exact: rational programs at kink-biased points, Dual<Rational>: equal exactly, in both
//    modes. Also checked: every piece taken is active at x (relu's 0 piece needs a <= 0, a max
//    piece is a maximal argument, a sort's pieces order its arguments, a select piece agrees with
//    its comparison or is taken at u = v), so sigma is a valid index of the selection (D3), and
//    f_sigma(x) equals the engine's outputs.
//  * T2.real: programs over the whole op table (exp, log, sqrt, softplus, sigmoid, tanh
//    included), Dual<Interval> at x: the engine's certified Jacobian enclosure and the dual
//    enclosure of grad f_sigma(x) must overlap (both contain the exact value). Also: decisions
//    that interval evaluation at x certifies strictly are the engine's, and for rational
//    programs the MPFR engine's signature is the exact one and its enclosures contain the exact
//    outputs and Jacobian.
#include "gen/program.hpp"
#include "gen/rational.hpp"
#include "suite.hpp"
#include "support/box_eval.hpp"
#include "support/dual.hpp"
#include "support/engine.hpp"
#include "support/frozen.hpp"
#include "support/interval.hpp"
#include "support/pieces.hpp"

namespace selgrad::properties {
namespace {

const Register exact_dual(
    "T2.exact", "AD == gradient of the frozen program by Dual<Rational>, exactly", 15000, [] {
      const Program prog = *genProgram(ProgramShape::of(Family::Rational, 3, 2)).as("program");
      const Point x = *genPointNearKinks(prog.p()).as("point");
      log_command("grad", x.x);
      const ExactResult b = exact(prog, x.x, Mode::Backward);
      const ExactResult f = exact(prog, x.x, Mode::Forward);
      const auto pieces = pieces_of(prog, b.branches);
      RC_TAG(b.branches.tie_count() > 0 ? "tie" : "no tie");

      const std::vector<Rational> values = eval_frozen<Rational>(prog, x.x, pieces);
      for (const auto& d : b.branches.decisions) {
        if (!piece_active(prog, d.node, d.choice.piece, values, pieces))
          RC_FAIL("node " + prog.nodes[d.node].name + " took piece " + std::to_string(d.choice.piece) +
                  ", which is not active at x");
      }

      std::vector<Dual<Rational>> in;
      for (std::size_t i = 0; i < prog.p(); ++i) in.push_back(Dual<Rational>::variable(x.x[i], i, prog.p()));
      const auto duals = eval_frozen<Dual<Rational>>(prog, in, pieces);
      for (std::size_t o = 0; o < prog.q(); ++o) {
        const auto& y = duals[prog.outputs[o]];
        RC_ASSERT(y.v == b.outputs[o]);
        for (std::size_t i = 0; i < prog.p(); ++i) {
          RC_ASSERT(y.partial(i) == b.jacobian[o][i]);
          RC_ASSERT(y.partial(i) == f.jacobian[o][i]);
        }
      }
    });

const Register real_dual(
    "T2.real", "AD enclosure overlaps the Dual<Interval> gradient of the frozen program", 8000, [] {
      const Program prog = *genProgram(ProgramShape::of(Family::Full, 3, 2)).as("program");
      const Point x = *genPointNearKinks(prog.p()).as("point");
      log_command("grad", x.x);
      const RealResult r = real(prog, x.x);
      RC_PRE(r.branches.all_certified());
      RC_TAG(prog.transcendental() ? "transcendental" : "rational");
      const auto pieces = pieces_of(prog, r.branches);
      if (!prog.transcendental()) {
        // Certified decisions are the exact ones, and the enclosures contain the exact values.
        const ExactResult e = exact(prog, x.x);
        RC_ASSERT(e.branches.decisions.size() == r.branches.decisions.size());
        for (std::size_t k = 0; k < e.branches.decisions.size(); ++k)
          RC_ASSERT(e.branches.decisions[k].choice == r.branches.decisions[k].choice);
        for (std::size_t o = 0; o < prog.q(); ++o) {
          RC_ASSERT(contains(r.output_enclosures[o], e.outputs[o]));
          for (std::size_t i = 0; i < prog.p(); ++i) RC_ASSERT(contains(r.jacobian_enclosures[o][i], e.jacobian[o][i]));
        }
      }
      {
        // Where interval evaluation at x certifies a decision strictly, the engine agrees.
        reference::PrecisionScope scope(128);
        std::vector<DualInterval> in;
        for (std::size_t i = 0; i < prog.p(); ++i) in.push_back(DualInterval(Interval(x.x[i])));
        const auto ev = evaluate_box(prog, in, segment_input_classes(x.x, x.x));
        for (const auto& d : r.branches.decisions)
          if (ev.strict[d.node] && ev.pieces[d.node] != d.choice.piece)
            RC_FAIL("node " + prog.nodes[d.node].name + ": the engine took piece " + std::to_string(d.choice.piece) +
                    ", interval evaluation certifies " + std::to_string(ev.pieces[d.node]));
      }
      reference::PrecisionScope scope(r.precision);
      std::vector<Dual<Interval>> in;
      for (std::size_t i = 0; i < prog.p(); ++i) in.push_back(Dual<Interval>::variable(Interval(x.x[i]), i, prog.p()));
      const auto duals = eval_frozen<Dual<Interval>>(prog, in, pieces);
      for (std::size_t o = 0; o < prog.q(); ++o) {
        const auto& y = duals[prog.outputs[o]];
        RC_ASSERT(overlaps(y.v, r.output_enclosures[o]));
        for (std::size_t i = 0; i < prog.p(); ++i) {
          const Interval g = y.partial(i);
          if (!g.is_bounded()) RC_DISCARD("unbounded dual enclosure");
          RC_ASSERT(overlaps(g, r.jacobian_enclosures[o][i]));
        }
      }
    });

}  // namespace
}  // namespace selgrad::properties
