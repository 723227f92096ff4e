// Certification of the double engine (certify/certify.hpp), checked from outside: the bound
// holds, it is tight, it rejects a wrong gradient, and a certified decision is the exact one.
//
//  * FAST.bounded: exp/log programs (the exp-log family: exp, log, sqrt, softplus, sigmoid, tanh,
//    depth-bounded products and quotients, the piecewise-affine ops) at kink-biased and
//    continuous points, in JacobianMode::Auto, Reverse and Forward. The property does not take
//    certify's verdicts on trust:
//      - it encloses the double computation itself (reference::enclose_with_pieces at 53 bits,
//        4 ulps of slack, the engine's pieces and mode: the model certify.hpp documents) and
//        checks the double Jacobian is inside; certify's `gradient_within_bound` must say the
//        same and its `error_bound` must be at least that enclosure's widest entry;
//      - it encloses the exact Jacobian of the engine's branches at 256 bits and checks that
//        the double Jacobian is within `error_bound` of it (the bound's claim);
//      - every decision where the double engine took another piece than the exact decision
//        must be one certify did not certify.
//    Only Domain errors are discarded (an overflow of exp of exp, a value too close to a domain
//    boundary to certify), and points with subnormal values (Certificate::underflow, outside the
//    model: MPFR has no subnormals, e.g. y = exp x at x = -800).
//  * FAST.tight: at continuous points (every decision certified), the bound is within a derived
//    multiple of the rounding error of the computation. support/error_ball.hpp propagates the
//    first-order bound R of the double computation's error through the same formulas and
//    sweeps (R = sum |partial| R_args + e |value| per operation, e the operation's accuracy).
//    The 53-bit enclosure's width grows by the same propagated terms plus, per operation, at
//    most 2 ulps for a correctly rounded MPFI operation or literal (<= 4u|y|: e = u, ratio 4;
//    a literal 1 ulp, ratio 2), 2 + 2*4 ulps for exp, log, tanh (<= 20u|y| against e = 2u:
//    ratio 10), 2 * 2 + 2*4 ulps for powi (pow then an inverse for k < 0: ratio 12), and for
//    softplus and sigmoid 3 roundings per endpoint plus the slack (<= 28u|y| against e = 6u).
//    By induction over the operations, width <= 12 R to first order; with every second-order
//    term below 2^-20 of its first-order one (else the case is discarded), over the few hundred
//    operations of a case the excess stays below a factor 1 + 2^-9. So error_bound, the widest
//    width, must be <= 12 (1 + 2^-9) max R.
//  * FAST.rejects: the same certificate for a Jacobian with one entry moved by more than twice
//    the bound must say the gradient is outside its bound, with an error above the bound.
//  * FAST.near_tie: near ties built on purpose: y = P(x) for an exp/log program P, c a double
//    within 2 ulps of y(x), m1 = max y c and m2 = max c m1. The double engine's decisions are
//    often wrong here; every certified decision must agree with the exact one, and the decision
//    of m2, downstream of m1's, may only be certified when m1's is.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "gen/program.hpp"
#include "gen/rational.hpp"
#include "selgrad/fast/certify.hpp"
#include "selgrad/program/builder.hpp"
#include "suite.hpp"
#include "support/compose.hpp"
#include "support/engine.hpp"
#include "support/error_ball.hpp"
#include "support/frozen.hpp"
#include "support/interval.hpp"

namespace selgrad::properties {
namespace {

std::vector<double> to_doubles(const std::vector<Rational>& x) {
  std::vector<double> d;
  for (const auto& v : x) d.push_back(v.convert_to<double>());
  return d;
}

std::vector<Rational> exactly(const std::vector<double>& x) {
  std::vector<Rational> q;
  for (double v : x) q.emplace_back(v);
  return q;
}

void log_point(const std::vector<double>& xd) {
  RC_LOG() << "  selgrad grad case.sgp --engine fast --certify --at=";
  for (std::size_t i = 0; i < xd.size(); ++i) RC_LOG() << (i ? "," : "") << reference::to_string(Rational(xd[i]));
  RC_LOG() << "\n";
}

/// The double engine's result at x in `mode`; a Domain error is a discard.
fast::PointResult evaluate(const Program& prog, const std::vector<double>& x, fast::JacobianMode mode) {
  fast::PointEvaluator pe(fast::compile(prog), mode);
  fast::PointResult r;
  try {
    pe.evaluate(x, r);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Domain) RC_FAIL(std::string("the double engine threw ") + e.what());
    RC_DISCARD(std::string("domain error: ") + e.what());
  }
  return r;
}

fast::Certificate certified(const Program& prog, const std::vector<double>& x, const fast::PointResult& r,
                            fast::JacobianMode mode) {
  fast::CertifyOptions o;
  o.mode = mode;
  try {
    return fast::certify(prog, x, r, o);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Domain) RC_FAIL(std::string("certify threw ") + e.what());
    RC_DISCARD(std::string("domain error: ") + e.what());
    throw;  // not reached: RC_DISCARD throws
  }
}

/// The pieces of the double engine's result, one per node (0 for non-selections).
std::vector<std::uint32_t> node_pieces(const Program& p, const fast::PointResult& r) {
  std::vector<std::uint32_t> pieces(p.m(), 0);
  std::size_t s = 0;
  for (std::size_t k = 0; k < p.m(); ++k)
    if (op_info(p.nodes[k].op).selection) pieces[k] = r.pieces.at(s++);
  return pieces;
}

JacobianMode sweep_mode(const Program& p, fast::JacobianMode mode) {
  return uses_forward_sweeps(mode, p.p(), p.q()) ? JacobianMode::Forward : JacobianMode::Reverse;
}

reference::PieceEnclosure enclose(const Program& p, const std::vector<Rational>& x, const fast::PointResult& r,
                                  mpfr_prec_t precision, unsigned slack, fast::JacobianMode mode) {
  try {
    return reference::enclose_with_pieces(p, x, r.pieces, precision, slack, sweep_mode(p, mode));
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Domain) RC_FAIL(std::string("enclose_with_pieces threw ") + e.what());
    RC_DISCARD(std::string("domain error: ") + e.what());
    throw;  // not reached: RC_DISCARD throws
  }
}

/// Distance from x to the nearest point of the interval (0 inside), exactly.
Rational distance_to(const Rational& x, const Interval& e) {
  const Rational lo = e.lower().to_rational(), hi = e.upper().to_rational();
  return x < lo ? Rational(lo - x) : (x > hi ? Rational(x - hi) : Rational(0));
}

fast::JacobianMode genMode() {
  return static_cast<fast::JacobianMode>(*rc::gen::inRange(0, 3).as("Jacobian mode (0 auto, 1 reverse, 2 forward)"));
}

const Register bounded(
    "FAST.bounded", "exp/log programs: double Jacobian within its bound, checked independently; disagreements flagged",
    6000, [] {
      auto shape = ProgramShape::of(Family::ExpLog, 3, 2);
      shape.max_statements = 24;
      const Program prog = *genProgram(shape).as("program");
      const bool near_kinks = *rc::gen::weightedElement<bool>({{2, true}, {1, false}}).as("kink-biased point");
      const Point x = *(near_kinks ? genPointNearKinks(prog.p()) : genContinuousPoint(prog.p())).as("point");
      const auto mode = genMode();
      const std::vector<double> xd = to_doubles(x.x);
      log_point(xd);
      const fast::PointResult r = evaluate(prog, xd, mode);
      const fast::Certificate c = certified(prog, xd, r, mode);
      RC_LOG() << "error " << c.error << ", bound " << c.error_bound << ", " << c.certified << "/"
               << c.decisions.size() << " decisions certified, " << c.disagreements << " disagreements\n";
      if (c.underflow) RC_DISCARD("subnormal values: outside the certificate's error model");

      // The double computation enclosed here, as certify.hpp's model says: J inside.
      const std::vector<Rational> xq = exactly(xd);
      const auto e53 = enclose(prog, xq, r, 53, 4, mode);
      const auto e256 = enclose(prog, xq, r, 256, 0, mode);
      double widest = 0;
      bool inside = true;
      const Rational bound(c.error_bound);
      for (std::size_t j = 0; j < prog.q(); ++j)
        for (std::size_t i = 0; i < prog.p(); ++i) {
          const Rational g(r.jacobian[j * prog.p() + i]);
          widest = std::max(widest, e53.jacobian[j][i].width());
          const bool in = contains(e53.jacobian[j][i], g);
          inside = inside && in;
          if (!in) RC_LOG() << "J(" << j << "," << i << ") = " << g << " outside its 53-bit enclosure\n";
          // The bound's claim: |J_double - J_exact| <= error_bound, J_exact in e256.
          const Rational d = distance_to(g, e256.jacobian[j][i]);
          if (d > bound)
            RC_FAIL("J(" + std::to_string(j) + "," + std::to_string(i) + ") is at least " +
                    std::to_string(d.convert_to<double>()) + " from the exact value, above the bound " +
                    std::to_string(c.error_bound));
        }
      RC_ASSERT(inside);
      RC_ASSERT(c.gradient_within_bound == inside);
      RC_ASSERT(c.error_bound >= widest);
      for (const auto& d : c.decisions) {
        if (d.agrees) continue;
        RC_LOG() << "node " << prog.nodes[d.node].name << ": double piece " << d.fast_piece << ", exact piece "
                 << d.exact_piece << " (" << reference::certainty_name(d.exact_certainty) << ")\n";
        RC_ASSERT(!d.certified);
      }
      RC_TAG(c.disagreements > 0 ? "disagreement at a flagged near tie"
                                 : (c.all_certified() ? "every decision certified" : "near tie flagged, same piece"));
    });

// ---- FAST.tight -----------------------------------------------------------------------------

/// The first-order error bound of every Jacobian entry (support/error_ball.hpp): the frozen
/// program's values and partials over ErrorBall, then Algorithm 2 in the reference's order
/// (reference/src/detail/sweep.hpp), which is the order certification encloses.
std::vector<ErrorBall> ball_jacobian(const Program& p, const std::vector<double>& x,
                                     const std::vector<std::uint32_t>& pieces, JacobianMode mode) {
  std::vector<ErrorBall> lits, values;
  for (const auto& l : p.literals) lits.push_back(ScalarOps<ErrorBall>::from_literal(l));
  std::vector<std::vector<ErrorBall>> partials(p.m());
  for (double v : x) values.emplace_back(v, 0.0);
  std::vector<const ErrorBall*> args;
  for (std::size_t k = p.p(); k < p.m(); ++k) {
    const Node& n = p.nodes[k];
    args.clear();
    for (Arg a : n.args) args.push_back(a.is_node() ? &values[a.index] : &lits[a.index]);
    const std::span<const ErrorBall* const> a(args);
    const ErrorBall y = op_value<ErrorBall>(n, pieces[k], a);
    partials[k].assign(n.args.size(), ErrorBall());
    op_partials<ErrorBall>(n, pieces[k], a, y, std::span<ErrorBall>(partials[k]));
    values.push_back(y);
  }
  const std::size_t np = p.p();
  std::vector<ErrorBall> jac(p.q() * np);
  if (mode == JacobianMode::Forward) {
    std::vector<ErrorBall> rows(p.m() * np, ErrorBall(0, 0));
    for (std::size_t i = 0; i < np; ++i) rows[i * np + i] = ErrorBall(1, 0);
    for (std::size_t k = np; k < p.m(); ++k) {
      const Node& n = p.nodes[k];
      for (std::size_t i = 0; i < n.args.size(); ++i) {
        if (!n.args[i].is_node()) continue;
        for (std::size_t c = 0; c < np; ++c)
          rows[k * np + c] += partials[k][i] * rows[n.args[i].index * np + c];
      }
    }
    for (std::size_t o = 0; o < p.q(); ++o)
      for (std::size_t c = 0; c < np; ++c) jac[o * np + c] = rows[p.outputs[o] * np + c];
    return jac;
  }
  for (std::size_t o = 0; o < p.q(); ++o) {
    std::vector<ErrorBall> v(p.m(), ErrorBall(0, 0));
    v[p.outputs[o]] = ErrorBall(1, 0);
    for (std::size_t k = p.m(); k-- > np;) {
      const Node& n = p.nodes[k];
      for (std::size_t i = 0; i < n.args.size(); ++i)
        if (n.args[i].is_node()) v[n.args[i].index] += v[k] * partials[k][i];
    }
    for (std::size_t c = 0; c < np; ++c) jac[o * np + c] = v[c];
  }
  return jac;
}

const Register tight(
    "FAST.tight", "certification's bound <= 12 (1 + 2^-9) times the first-order rounding error bound", 1500, [] {
      auto shape = ProgramShape::of(Family::ExpLog, 3, 2);
      shape.max_statements = 24;
      const Program prog = *genProgram(shape).as("program");
      const Point x = *genContinuousPoint(prog.p()).as("point");
      const auto mode = genMode();
      const std::vector<double> xd = to_doubles(x.x);
      log_point(xd);
      const fast::PointResult r = evaluate(prog, xd, mode);
      const fast::Certificate c = certified(prog, xd, r, mode);
      if (c.underflow) RC_DISCARD("subnormal values: outside the certificate's error model");
      RC_PRE(c.all_certified());
      ErrorBall::second_order_small = true;
      const auto balls = ball_jacobian(prog, xd, node_pieces(prog, r), sweep_mode(prog, mode));
      if (!ErrorBall::second_order_small) RC_DISCARD("second-order rounding terms not negligible");
      double model = 0;
      for (const auto& b : balls) model = std::max(model, b.r);
      constexpr double kMultiple = 12 * (1 + 0x1p-9);
      RC_LOG() << "error bound " << c.error_bound << ", first-order rounding error bound " << model << ", ratio "
               << (model > 0 ? c.error_bound / model : 0.0) << "\n";
      RC_ASSERT(c.error_bound <= kMultiple * model);
      RC_CLASSIFY(c.error_bound == 0, "exact");
      if (model > 0) {
        const double ratio = c.error_bound / model;
        RC_TAG(ratio < 1 ? "ratio < 1" : (ratio < 4 ? "ratio 1-4" : "ratio 4-12"));
      }
    });

const Register rejects(
    "FAST.rejects", "a Jacobian entry moved by more than twice the bound is outside it", 1000, [] {
      auto shape = ProgramShape::of(Family::ExpLog, 3, 2);
      shape.max_statements = 24;
      const Program prog = *genProgram(shape).as("program");
      const bool near_kinks = *rc::gen::arbitrary<bool>().as("kink-biased point");
      const Point x = *(near_kinks ? genPointNearKinks(prog.p()) : genContinuousPoint(prog.p())).as("point");
      const auto mode = genMode();
      const std::vector<double> xd = to_doubles(x.x);
      log_point(xd);
      const fast::PointResult r = evaluate(prog, xd, mode);
      const fast::Certificate c = certified(prog, xd, r, mode);
      if (c.underflow) RC_DISCARD("subnormal values: outside the certificate's error model");
      RC_PRE(c.gradient_within_bound);
      const std::size_t entry = *rc::gen::inRange<std::size_t>(0, r.jacobian.size()).as("entry moved");
      const bool up = *rc::gen::arbitrary<bool>().as("moved up");
      fast::PointResult moved = r;
      const double delta = 2 * c.error_bound + std::fabs(r.jacobian[entry]) * 0x1p-20 + 0x1p-1000;
      moved.jacobian[entry] += up ? delta : -delta;
      RC_PRE(std::isfinite(moved.jacobian[entry]));
      RC_LOG() << "entry " << entry << ": " << r.jacobian[entry] << " -> " << moved.jacobian[entry] << " (bound "
               << c.error_bound << ")\n";
      const fast::Certificate m = certified(prog, xd, moved, mode);
      RC_ASSERT(!m.gradient_within_bound);
      RC_ASSERT(m.error > c.error_bound);
    });

// ---- FAST.near_tie --------------------------------------------------------------------------

const Register near_tie(
    "FAST.near_tie", "near ties built on purpose: every certified decision is the exact one", 1500, [] {
      auto shape = ProgramShape::of(Family::ExpLog, 2, 1);
      shape.max_statements = 16;
      const Program p = *genProgram(shape).as("program P");
      const Point x = *genPointNearKinks(p.p()).as("point");
      const int ulps = *rc::gen::inRange(-2, 3).as("c - y(x), in ulps");
      const std::vector<double> xd = to_doubles(x.x);
      const std::vector<Rational> xq = exactly(xd);
      const RealResult yr = real(p, xq);
      const double y = yr.outputs[0].to_rational().convert_to<double>();
      RC_PRE(std::isfinite(y));
      double c = y;
      for (int i = 0; i < std::abs(ulps); ++i) c = std::nextafter(c, ulps > 0 ? INFINITY : -INFINITY);
      ProgramBuilder b;
      std::vector<Arg> in;
      for (std::size_t i = 0; i < p.p(); ++i) in.push_back(b.input(p.nodes[i].name));
      const auto out = b.append(p, in, "p.");
      const Arg lit = exact_literal(b, Rational(c));
      const Arg m1 = b.node("m1", Op::Max, {out[0], lit});
      const Arg m2 = b.node("m2", Op::Max, {lit, m1});
      b.output(m1);
      b.output(m2);
      const Program q = b.build();
      RC_LOG() << print_program(q);
      log_point(xd);
      const auto mode = genMode();
      const fast::PointResult r = evaluate(q, xd, mode);
      const fast::Certificate cert = certified(q, xd, r, mode);
      if (cert.underflow) RC_DISCARD("subnormal values: outside the certificate's error model");
      const auto decision = [&](std::uint32_t node) {
        for (const auto& d : cert.decisions)
          if (d.node == node) return d;
        throw std::logic_error("no decision of the node");
      };
      for (const auto& d : cert.decisions) {
        RC_LOG() << "node " << q.nodes[d.node].name << ": double piece " << d.fast_piece << ", exact piece "
                 << d.exact_piece << (d.certified ? ", certified" : ", not certified") << "\n";
        if (d.certified) RC_ASSERT(d.agrees);
      }
      const auto d1 = decision(m1.index), d2 = decision(m2.index);
      if (!d1.certified) RC_ASSERT(!d2.certified);
      RC_TAG(!d1.agrees ? "m1 disagrees" : (d1.certified ? "m1 certified" : "m1 flagged, agrees"));
    });

}  // namespace
}  // namespace selgrad::properties
