// FAST.bounded: the double engine's error is within its certified bound (fast/certify.hpp).
//
// Random programs over the whole op table with exp and log (the exp-log family: exp, log, sqrt,
// softplus, sigmoid, tanh, depth-bounded products, and the piecewise-affine ops), at
// kink-biased points (k/d, d <= 4, rounded to double: ties and near ties) and at continuous
// points, in JacobianMode::Reverse, Forward and Auto. fast::certify evaluates the point in the
// double engine, encloses the same computation (the engine's branches, 53-bit MPFI, every
// elementary function widened by 4 ulps) and compares each decision with the exact one
// (MPFR with certified or exact decisions). Checked:
//  * gradient_within_bound: every entry of the double Jacobian lies in its 53-bit enclosure;
//  * every decision where the double engine took another piece than the exact decision is one
//    the certificate did not certify (a flagged near tie); a certified decision always agrees.
//  * error <= error_bound + exact_width: the true error is at most error_bound (both Jacobians
//    lie in the 53-bit enclosure) and `error` measures to the far end of the 256-bit enclosure.
// Points whose values reach double's subnormal range (Certificate::underflow) are outside the
// certificate's error model (MPFR has no subnormals) and are discarded with that reason, e.g.
//   input x / y = exp x / output y  at x = -800.
// Points where either engine leaves the domain (an overflow of exp of exp, a value too close to
// a domain boundary to certify) are discarded, and counted in the discard column.
#include "gen/program.hpp"
#include "gen/rational.hpp"
#include "selgrad/fast/certify.hpp"
#include "suite.hpp"
#include "support/engine.hpp"

namespace selgrad::properties {
namespace {

const Register bounded(
    "FAST.bounded", "exp/log programs: double Jacobian within its 53-bit bound; disagreements only at flagged near ties",
    6000, [] {
      auto shape = ProgramShape::of(Family::ExpLog, 3, 2);
      shape.max_statements = 24;
      const Program prog = *genProgram(shape).as("program");
      const bool near_kinks = *rc::gen::weightedElement<bool>({{2, true}, {1, false}}).as("kink-biased point");
      const Point x = *(near_kinks ? genPointNearKinks(prog.p()) : genContinuousPoint(prog.p())).as("point");
      const auto mode = static_cast<fast::JacobianMode>(
          *rc::gen::inRange(0, 3).as("Jacobian mode (0 auto, 1 reverse, 2 forward)"));
      std::vector<double> xd;
      for (const auto& v : x.x) xd.push_back(v.convert_to<double>());
      RC_LOG() << "  selgrad grad case.sgp --engine fast --certify --at=";
      for (std::size_t i = 0; i < xd.size(); ++i) RC_LOG() << (i ? "," : "") << reference::to_string(Rational(xd[i]));
      RC_LOG() << "\n";
      fast::CertifyOptions o;
      o.mode = mode;
      fast::Certificate c;
      try {
        c = fast::certify(prog, xd, o);
      } catch (const Error& e) {
        RC_DISCARD(std::string("domain error: ") + e.what());
      }
      RC_LOG() << "error " << c.error << ", bound " << c.error_bound << ", " << c.certified << "/"
               << c.decisions.size() << " decisions certified, " << c.disagreements << " disagreements\n";
      if (c.underflow) RC_DISCARD("subnormal values: outside the certificate's error model");
      RC_ASSERT(c.gradient_within_bound);
      RC_ASSERT(c.error <= c.error_bound + c.exact_width);
      for (const auto& d : c.decisions) {
        if (d.agrees) continue;
        RC_LOG() << "node " << prog.nodes[d.node].name << ": double piece " << d.fast_piece << ", exact piece "
                 << d.exact_piece << " (" << reference::certainty_name(d.exact_certainty) << ")\n";
        RC_ASSERT(!d.certified);
      }
      RC_TAG(c.disagreements > 0 ? "disagreement at a flagged near tie"
                                 : (c.all_certified() ? "every decision certified" : "near tie flagged, same piece"));
    });

}  // namespace
}  // namespace selgrad::properties
