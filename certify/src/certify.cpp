// Certification of the double engine against the reference (see certify.hpp).
#include "selgrad/certify/certify.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "selgrad/program/error.hpp"
#include "selgrad/program/mutant.hpp"
#include "selgrad/program/op_rules.hpp"

namespace selgrad {
namespace {

using reference::Interval;
using reference::Rational;

/// Sign queries on 53-bit enclosures of a node's arguments; a query the enclosures cannot
/// decide answers Zero and marks the decision uncertified.
struct EnclosureOracle {
  const Program& p;
  const reference::PieceEnclosure& e;
  const Node& n;
  bool undecided = false;

  const Interval& arg(std::uint32_t i) const {
    const Arg a = n.args[i];
    return a.is_node() ? e.nodes[a.index] : e.literals[a.index];
  }
  Sign decide(const Interval& v) {
    const auto s = v.certified_sign();
    if (!s) undecided = true;
    return s.value_or(Sign::Zero);
  }
  Sign sign(std::uint32_t i) { return decide(arg(i)); }
  Sign sign_diff(std::uint32_t i, std::uint32_t j) {
    if (n.args[i] == n.args[j]) return Sign::Zero;
    return decide(Interval(arg(i) - arg(j)));
  }
};

/// Whether the enclosure is certainly a nonzero value in double's subnormal range.
bool subnormal(const Interval& e) {
  // Compared through MPFR, not as rationals: an enclosure bound may be 2^(+-2^30), whose
  // rational has a billion bits.
  const reference::Real lo = e.lower(), hi = e.upper();
  if (lo.sign() == 0 && hi.sign() == 0) return false;
  const auto below_tiny = [](const reference::Real& v) {  // |v| < 2^-1022: v = m 2^e, 1/2 <= |m| < 1
    return mpfr_zero_p(v.get()) || (mpfr_number_p(v.get()) && mpfr_get_exp(v.get()) <= -1022);
  };
  return below_tiny(lo) && below_tiny(hi);
}

/// Largest distance from x to a point of the enclosure, rounded up.
double distance_bound(double x, const Interval& e) {
  const Rational xq(x);
  const Rational lo = e.lower().to_rational(), hi = e.upper().to_rational();
  const Rational d = std::max(abs(xq - lo), abs(hi - xq));
  const double dd = d.convert_to<double>();  // may round down: step up once
  return dd == 0 && d == 0 ? 0.0 : std::nextafter(dd, INFINITY);
}

}  // namespace

Certificate certify(const Program& p, std::span<const double> x, const CertifyOptions& o) {
  fast::PointEvaluator pe(fast::compile(p), o.mode);
  fast::PointResult r;
  pe.evaluate(x, r);
  return certify(p, x, r, o);
}

Certificate certify(const Program& p, std::span<const double> x, const fast::PointResult& r, const CertifyOptions& o) {
  std::size_t selections = 0;
  for (const Node& n : p.nodes) selections += op_info(n.op).selection ? 1 : 0;
  if (x.size() != p.p() || r.outputs.size() != p.q() || r.jacobian.size() != p.q() * p.p() ||
      r.pieces.size() != selections || r.ties.size() != selections)
    throw Error(ErrorKind::Usage, {}, "certify: the point or the result does not match the program's shape");
  // Certification replays one piece per selection node; a Split rule that acted at a tie (the
  // mean of the tied pieces' gradients) is no one piece's gradient.
  for (std::size_t s = 0, k = 0; k < p.m(); ++k) {
    const Node& n = p.nodes[k];
    if (!op_info(n.op).selection) continue;
    if (r.ties[s++] && (n.tie.kind == TieRule::Kind::Split || n.tie.kind == TieRule::Kind::Weight))
      throw Error(ErrorKind::Unsupported, {n.line, 0, n.name, std::string(op_name(n.op))},
                  "a @split or weighted tie rule acted at this tie: its gradient mixes pieces, and certification "
                  "replays one piece per node (certify without the split, or check the result with the "
                  "reference engine)");
  }
  Certificate c;
  c.outputs = r.outputs;
  c.jacobian = r.jacobian;

  std::vector<Rational> xq;
  for (double v : x) {
    // Evaluation above rejects a NaN or infinite input; never hand one to GMP (mpq_set_d traps).
    if (!std::isfinite(v)) throw Error(ErrorKind::Domain, {}, "certify: the point has a value that is not finite");
    xq.emplace_back(v);  // the double point, exactly
  }

  // The double computation, enclosed: same branches, 53 bits, elementary functions widened.
  reference::PrecisionScope at53(53);
  // The enclosure accumulates the Jacobian in the engine's own mode and order (L1 makes the two
  // modes equal in exact arithmetic, not in rounded arithmetic).
  const JacobianMode mode = uses_forward_sweeps(o.mode, p.p(), p.q()) ? JacobianMode::Forward : JacobianMode::Reverse;
  const reference::PieceEnclosure e53 =  // mutant 38: the slack for the elementary functions is dropped
      reference::enclose_with_pieces(p, xq, r.pieces, 53, SELGRAD_MUTANT(38) ? 0 : o.slack_ulps, mode);
  // The exact decisions, and the exact Jacobian of the double engine's branches.
  reference::Options ro;
  ro.precision = o.exact_precision;
  ro.max_precision = std::max<mpfr_prec_t>(o.exact_precision, 4096);
  const reference::RealResult exact = reference::evaluate_real(p, xq, ro);
  // The exact selection Jacobian of the double engine's branches: evaluate_real's enclosures
  // when it took the same pieces (one pass over the program less), else a replay of them.
  bool same_pieces = exact.branches.decisions.size() == r.pieces.size();
  for (std::size_t s = 0; same_pieces && s < r.pieces.size(); ++s)
    same_pieces = exact.branches.decisions[s].choice.piece == r.pieces[s];
  const reference::Matrix<Interval> hi =
      same_pieces ? exact.jacobian_enclosures
                  : reference::enclose_with_pieces(p, xq, r.pieces, o.exact_precision, 0, mode).jacobian;

  // A decision is certified only if every decision upstream of it is: downstream of a decision
  // the enclosures could not decide, they enclose the double engine's representation, which may
  // not be the exact one. `unsure[k]`: node k depends on an uncertified decision.
  std::vector<bool> unsure(p.m(), false);
  const auto upstream_unsure = [&](const Node& n) {
    for (Arg a : n.args)
      if (a.is_node() && unsure[a.index]) return true;
    return false;
  };
  std::vector<std::uint32_t> order;
  std::vector<bool> same;
  std::size_t next = 0;  // propagate `unsure` through the nodes up to each decision in turn
  const auto propagate_to = [&](std::uint32_t node) {
    for (; next < node; ++next)
      if (!op_info(p.nodes[next].op).selection) unsure[next] = upstream_unsure(p.nodes[next]);
  };
  bool group_certified = false;  // the current sort group's order, decided once at its lead
  for (std::size_t s = 0; s < r.pieces.size(); ++s) {
    const auto& d = exact.branches.decisions[s];
    const Node& n = p.nodes[d.node];
    const bool later_rank = n.op == Op::Sort && d.node != n.group_first;
    EnclosureOracle oracle{p, e53, n};
    if (n.op == Op::Sort && !later_rank)
      sort_order(n.group_size, oracle, order, same);
    else if (n.op != Op::Sort)
      choose_piece(n, oracle);
    propagate_to(d.node);
    DecisionCertificate dc;
    dc.node = d.node;
    dc.fast_piece = r.pieces[s];
    dc.fast_tie = r.ties[s] != 0;
    // The ranks of a group share their arguments and order: certified together, at the lead.
    // mutant 39: undecided comparisons certified; mutant 41: an uncertified decision upstream ignored
    dc.certified = later_rank ? group_certified
                              : (!oracle.undecided || SELGRAD_MUTANT(39)) && (!upstream_unsure(n) || SELGRAD_MUTANT(41));
    if (n.op == Op::Sort && !later_rank) group_certified = dc.certified;
    unsure[d.node] = !dc.certified;
    if (next == d.node) ++next;
    dc.exact_piece = d.choice.piece;
    dc.exact_certainty = d.certainty;
    dc.agrees = dc.fast_piece == dc.exact_piece;
    c.certified += dc.certified ? 1 : 0;
    c.disagreements += dc.agrees ? 0 : 1;
    c.decisions.push_back(dc);
  }

  c.gradient_within_bound = true;
  const std::size_t np = p.p();
  for (std::size_t j = 0; j < p.q(); ++j)
    for (std::size_t i = 0; i < np; ++i) {
      const double g = r.jacobian[j * np + i];
      const Interval& b = e53.jacobian[j][i];
      const Rational gq(g);
      c.gradient_within_bound &=  // mutant 49: the gradient is never found outside its bound
          SELGRAD_MUTANT(49) || (b.lower().to_rational() <= gq && gq <= b.upper().to_rational());
      c.error_bound = std::max(c.error_bound, SELGRAD_MUTANT(37) ? b.width() * 1048576 : b.width());  // mutant 37
      c.error = std::max(c.error, distance_bound(g, hi[j][i]));
      c.exact_width = std::max(c.exact_width, hi[j][i].width());
      c.underflow |= subnormal(b);
    }
  for (const Interval& v : e53.nodes) c.underflow |= subnormal(v);
  return c;
}

}  // namespace selgrad
