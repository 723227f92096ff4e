// P2 (Proposition 2): integration along segments. For f in S and all x, y,
//   f(y) - f(x) = integral_0^1 < grad_s f(x + t (y - x)), y - x > dt,
// for every representation, the artificial ones included (measure-zero kinks do not matter).
//
//  * P2.affine: piecewise-affine programs, exactly. The segment walk (support/affine_walk.hpp)
//    finds the exact rational breakpoints 0 = t_0 < ... < t_n = 1 between which no selection
//    comparison changes sign; on each piece the integrand is constant, and the engine's AD at
//    the piece's midpoint gives it. Sum over the pieces of (t_{k+1} - t_k) <AD, y - x> must
//    equal f(y) - f(x) exactly, for every output. Segments between kink points, through kink
//    points, and between continuous points (gen/rational.hpp).
//  * P2.real: exp/log programs in MPFR, within a derived tolerance (see below).
#include "gen/program.hpp"
#include "gen/rational.hpp"
#include "suite.hpp"
#include "support/affine_walk.hpp"
#include "support/box_eval.hpp"
#include "support/engine.hpp"
#include "support/frozen.hpp"
#include "support/interval.hpp"
#include "support/quadrature.hpp"
#include "support/taylor.hpp"

namespace selgrad::properties {
namespace {

std::vector<Rational> along(const std::vector<Rational>& x, const std::vector<Rational>& y, const Rational& t) {
  std::vector<Rational> z(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) z[i] = x[i] + t * (y[i] - x[i]);
  return z;
}

const Register affine_exact(
    "P2.affine", "f(y) - f(x) == sum over exact pieces of length * <AD, y - x>", 12000, [] {
      const Program prog = *genProgram(ProgramShape::of(Family::PiecewiseAffine, 3, 2)).as("program");
      const Segment seg = *genSegment(prog.p()).as("segment");
      const auto& x = seg.from.x;
      const auto& y = seg.to.x;
      log_command("grad", x);
      log_command("grad", y);
      const auto t = affine_breakpoints(prog, x, y);
      const std::size_t pieces = t.size() - 1;
      RC_TAG(pieces == 1 ? "1 piece" : (pieces <= 3 ? "2-3 pieces" : "4+ pieces"));
      std::vector<Rational> integral(prog.q(), Rational(0));
      for (std::size_t k = 0; k + 1 < t.size(); ++k) {
        const Rational mid = (t[k] + t[k + 1]) / 2;
        const ExactResult r = exact(prog, along(x, y, mid));
        for (std::size_t o = 0; o < prog.q(); ++o) {
          Rational slope = 0;
          for (std::size_t i = 0; i < prog.p(); ++i) slope += r.jacobian[o][i] * (y[i] - x[i]);
          integral[o] += (t[k + 1] - t[k]) * slope;
        }
      }
      const ExactResult fx = exact(prog, x), fy = exact(prog, y);
      for (std::size_t o = 0; o < prog.q(); ++o) {
        RC_LOG() << "output " << o << ": integral " << integral[o] << ", f(y) - f(x) " << fy.outputs[o] - fx.outputs[o]
                 << ", breakpoints";
        for (const auto& tk : t) RC_LOG() << " " << tk;
        RC_LOG() << "\n";
        RC_ASSERT(integral[o] == fy.outputs[o] - fx.outputs[o]);
      }
    });


// * P2.real: exp/log programs (gen/program.hpp: ExpLog), in MPFR, within a derived tolerance.
//   Let F(t) = f(x + t (y - x)) and g(t) = <AD(x + t (y - x)), y - x>.
//   Breakpoints are located by bisection of [0, 1] with certified interval evaluation
//   (support/box_eval.hpp): a sub-interval on which every selection decision is certified has
//   a constant branch signature sigma (f = f_sigma, smooth); one on which some decision is not
//   certified is halved, down to width 2^-36. Nothing can be missed: an interval no narrower
//   than 2^-36 is either certified (no breakpoint inside) or split; what is left are
//   *undecided* intervals of width <= 2^-36 holding the breakpoints (or tangencies, or breakpoints
//   closer together than that), whose contribution is bounded by width * sup |g|, sup |g| from
//   the box evaluation's hull over every branch there. (A tie along a whole stretch of the
//   segment that interval arithmetic cannot recognise would produce undecided intervals
//   without end: beyond 200 of them, or 4000 interval evaluations in all, the case is
//   discarded.)
//   On a certified interval [a, b] the integral of g is computed by Gauss-Legendre with n in
//   {1, 2, 4, 8} points (support/quadrature.hpp), g from the engine's certified Jacobian
//   enclosures at the nodes; the remainder is bounded by
//     (b - a)^(2n+1) (n!)^4 / ((2n)!)^2 max |F_(2n+1)|,
//   with F_(2n+1) = F^(2n+1)/(2n+1)! enclosed over [a, b] by Taylor-mode AD in interval
//   arithmetic on f_sigma (support/taylor.hpp), plus the (negligible) bound for the rounded
//   nodes. The smallest n meeting 2^-40 (b - a)(1 + sup |g|) is used; otherwise [a, b] is halved
//   (down to width 2^-12, below which the bound is taken as it is).
//   The tolerance is the sum of all these bounds; the check is
//     |(f(y) - f(x)) - sum of the quadratures| <= tolerance,
//   with f(x), f(y) and every g(t_i) as the engine's certified enclosures.
constexpr int kUndecidedLimit = 200;
constexpr int kBoxLimit = 4000;  ///< interval evaluations per segment before giving up

struct Integration {
  std::vector<Interval> quadrature;
  std::vector<Rational> tolerance;
  int certified = 0, undecided = 0, engine_calls = 0, boxes = 0;
};

Rational pow_int(const Rational& b, int e) {
  Rational r = 1;
  for (int i = 0; i < e; ++i) r *= b;
  return r;
}

class SegmentIntegrator {
 public:
  SegmentIntegrator(const Program& p, const std::vector<Rational>& x, const std::vector<Rational>& y)
      : p_(p), x_(x), y_(y) {
    for (std::size_t i = 0; i < x.size(); ++i) d_.push_back(y[i] - x[i]);
    classes_ = segment_input_classes(x, y);
    acc_.quadrature.assign(p.q(), Interval(0L));
    acc_.tolerance.assign(p.q(), Rational(0));
  }

  Integration run() {
    interval(Rational(0), Rational(1), 0);
    return acc_;
  }

 private:
  const Rational kMinUndecided = Rational(1) / Rational(boost::multiprecision::mpz_int(1) << 36);
  const Rational kMinCertified = Rational(1, 1 << 12);
  const Rational kRelativeTolerance = Rational(1) / Rational(boost::multiprecision::mpz_int(1) << 40);

  std::vector<DualInterval> box(const Rational& a, const Rational& b) const {
    std::vector<DualInterval> in;
    for (std::size_t i = 0; i < x_.size(); ++i)
      in.push_back(DualInterval::along(hull(Rational(x_[i] + a * d_[i]), Rational(x_[i] + b * d_[i])), Interval(d_[i])));
    return in;
  }

  void interval(const Rational& a, const Rational& b, int depth) {
    const Rational len = b - a;
    if (++acc_.boxes > kBoxLimit) RC_DISCARD("too many sub-intervals (a tie along the segment?)");
    BoxEvaluation ev;
    {
      reference::PrecisionScope scope(128);
      ev = evaluate_box(p_, box(a, b), classes_);
    }
    if (!ev.all_certified) {
      if (len > kMinUndecided) return split(a, b, depth);
      if (++acc_.undecided > kUndecidedLimit) RC_DISCARD("a tie along the segment interval arithmetic cannot certify");
      for (std::size_t o = 0; o < p_.q(); ++o) {
        const Interval g = ev.values[p_.outputs[o]].partial(0);
        if (!g.is_bounded()) RC_DISCARD("unbounded enclosure on an undecided interval");
        if (!moderate(g)) RC_DISCARD("an enclosure beyond 2^512 on the segment (its exact bound would not finish)");
        acc_.tolerance[o] += len * magnitude(g);
      }
      return;
    }
    // A certified piece: the smallest Gauss-Legendre rule whose remainder bound is small enough.
    for (int n : {1, 2, 4, 8}) {
      std::vector<Rational> bound(p_.q()), sup_g(p_.q()), sup_dg(p_.q());
      bool good = true;
      {
        reference::PrecisionScope scope(128);
        Taylor::order = static_cast<std::size_t>(2 * n + 1);
        std::vector<Taylor> in;
        const auto b0 = box(a, b);
        for (std::size_t i = 0; i < x_.size(); ++i) in.push_back(Taylor::line(b0[i].v, Interval(d_[i])));
        const auto series = eval_frozen<Taylor>(p_, in, ev.pieces);
        const auto& rule = gauss_legendre(n);
        for (std::size_t o = 0; o < p_.q(); ++o) {
          const Taylor& F = series[p_.outputs[o]];
          if (!F[static_cast<std::size_t>(2 * n + 1)].is_bounded() || !F[1].is_bounded() || !F[2].is_bounded()) {
            good = false;
            break;
          }
          // Rational bounds from ends near 2^(2^30) take hours (found by a 100x campaign); splitting
          // does not shrink a Taylor coefficient's enclosure, so the case is discarded.
          if (!moderate(F[static_cast<std::size_t>(2 * n + 1)]) || !moderate(F[1]) || !moderate(F[2]))
            RC_DISCARD("an enclosure beyond 2^512 on the segment (its exact bound would not finish)");
          sup_g[o] = magnitude(F[1]);
          sup_dg[o] = 2 * magnitude(F[2]);
          bound[o] = pow_int(len, 2 * n + 1) * rule.remainder_factor * magnitude(F[static_cast<std::size_t>(2 * n + 1)]) +
                     rule.perturbation_bound(len, sup_g[o], sup_dg[o]);
          if (bound[o] > kRelativeTolerance * len * (1 + sup_g[o])) good = false;
        }
      }
      if (good || (n == 8 && len <= kMinCertified && !bound.empty() && bound[0] != 0)) {
        if (!good) {  // at the width floor: accept the bound as it is, if it is one at all
          for (std::size_t o = 0; o < p_.q(); ++o)
            if (bound[o] == 0 && sup_g[o] == 0) RC_DISCARD("no remainder bound on a certified piece");
        }
        quadrature(a, b, n, ev, bound);
        return;
      }
    }
    if (len > kMinCertified) return split(a, b, depth);
    RC_DISCARD("no finite remainder bound on a certified piece");
  }

  void split(const Rational& a, const Rational& b, int depth) {
    const Rational mid = (a + b) / 2;
    interval(a, mid, depth + 1);
    interval(mid, b, depth + 1);
  }

  void quadrature(const Rational& a, const Rational& b, int n, const BoxEvaluation& ev, const std::vector<Rational>& bound) {
    const auto& rule = gauss_legendre(n);
    const Rational half = (b - a) / 2;
    ++acc_.certified;
    for (int i = 0; i < n; ++i) {
      const Rational t = a + half * (1 + rule.nodes[static_cast<std::size_t>(i)]);
      std::vector<Rational> z(x_.size());
      for (std::size_t j = 0; j < z.size(); ++j) z[j] = x_[j] + t * d_[j];
      const RealResult r = real(p_, z);
      ++acc_.engine_calls;
      // Inside a certified piece the engine must decide as the box does.
      for (const auto& d : r.branches.decisions)
        if (ev.strict[d.node] && ev.pieces[d.node] != d.choice.piece)
          RC_FAIL("node " + p_.nodes[d.node].name + " takes piece " + std::to_string(d.choice.piece) +
                  " inside a piece where every point takes " + std::to_string(ev.pieces[d.node]));
      reference::PrecisionScope scope(r.precision);
      for (std::size_t o = 0; o < p_.q(); ++o) {
        Interval g(0L);
        for (std::size_t j = 0; j < z.size(); ++j) g += r.jacobian_enclosures[o][j] * Interval(d_[j]);
        acc_.quadrature[o] += Interval(half) * rule.weights[static_cast<std::size_t>(i)] * g;
      }
    }
    for (std::size_t o = 0; o < p_.q(); ++o) acc_.tolerance[o] += bound[o];
  }

  const Program& p_;
  const std::vector<Rational>& x_;
  const std::vector<Rational>& y_;
  std::vector<Rational> d_;
  std::vector<std::uint32_t> classes_;
  Integration acc_;
};

const Register real_quadrature(
    "P2.real", "f(y) - f(x) == Gauss-Legendre integral of <AD, y - x> within the derived bound (MPFR)", 600, [] {
      auto shape = ProgramShape::of(Family::ExpLog, 2, 2);
      shape.max_statements = 16;
      const Program prog = *genProgram(shape).as("program");
      const Segment seg = *genSegment(prog.p()).as("segment");
      const auto& x = seg.from.x;
      const auto& y = seg.to.x;
      RC_PRE(x != y);
      log_command("grad", x);
      log_command("grad", y);
      const RealResult fx = real(prog, x), fy = real(prog, y);
      const Integration in = SegmentIntegrator(prog, x, y).run();
      RC_TAG(in.undecided == 0 ? "smooth segment" : "breakpoints");
      reference::PrecisionScope scope(256);
      Rational worst = 0;
      for (std::size_t o = 0; o < prog.q(); ++o) {
        const Interval difference = fy.output_enclosures[o] - fx.output_enclosures[o];
        RC_LOG() << "output " << o << ": f(y) - f(x) " << difference.lower().to_string(25) << ", integral "
                 << in.quadrature[o].lower().to_string(25) << ", tolerance " << static_cast<double>(in.tolerance[o])
                 << " (" << in.certified << " certified pieces, " << in.undecided << " undecided intervals)\n";
        RC_ASSERT(gap(difference, in.quadrature[o]) <= in.tolerance[o]);
        worst = std::max(worst, in.tolerance[o]);
      }
      RC_CLASSIFY(worst < Rational(1, 1000000000), "tolerance < 1e-9");
    });

}  // namespace
}  // namespace selgrad::properties
