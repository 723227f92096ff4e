// The gradient check (see gradient_check.hpp): the tie closure, then G among its Jacobians, in
// their hull (Gordan's LP on the Jacobians minus G), or, when the list is beyond its cap, in
// H1's Minkowski sum.
#include "selgrad/reference/gradient_check.hpp"

#include <algorithm>

#include "detail/policies.hpp"
#include "selgrad/program/conventions.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/program/mutant.hpp"
#include "selgrad/reference/convex_hull.hpp"

namespace selgrad::reference {

std::string_view verdict_name(GradientVerdict v) {
  switch (v) {
    case GradientVerdict::Closure: return "closure";
    case GradientVerdict::Hull: return "hull";
    case GradientVerdict::Outside: return "outside";
    case GradientVerdict::Undecided: return "undecided";
  }
  return "?";
}

namespace {

void check_shape(const Program& p, const Matrix<Rational>& g) {
  bool ok = g.size() == p.q();
  for (const auto& row : g) ok = ok && row.size() == p.p();
  if (!ok)
    throw Error(ErrorKind::Usage, {},
                "the gradient to check must be " + std::to_string(p.q()) + " x " + std::to_string(p.p()) +
                    " (outputs x inputs), got " + std::to_string(g.size()) + " row" + (g.size() == 1 ? "" : "s") +
                    (g.empty() ? "" : " of " + std::to_string(g.front().size())));
}

/// Whether g is in the convex hull of the Jacobians: 0 in the hull of J_i - g, each flattened.
bool in_hull(const std::vector<Matrix<Rational>>& jacobians, const Matrix<Rational>& g) {
  std::vector<std::vector<Rational>> points;
  points.reserve(jacobians.size());
  for (const auto& j : jacobians) {
    std::vector<Rational> v;
    for (std::size_t r = 0; r < j.size(); ++r)
      for (std::size_t i = 0; i < j[r].size(); ++i) v.push_back(j[r][i] - g[r][i]);
    points.push_back(std::move(v));
  }
  return zero_in_convex_hull(points);
}

}  // namespace

GradientCheck check_gradient(const Program& p, const std::vector<Rational>& x, const Matrix<Rational>& g,
                             const Options& o) {
  validate(p);
  check_shape(p, g);
  ClosureRequest request;
  request.allow_incomplete = true;
  if (p.q() == 1) request.hull_query = g[0];
  GradientCheck r;
  TieClosure c;
  try {
    c = tie_closure(p, x, o, request);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Resource) throw;
    r.verdict = GradientVerdict::Undecided;
    r.reason = e.what();
    r.closure_complete = false;
    return r;
  }
  r.tied_nodes = c.tied_nodes;
  r.closure_size = c.jacobians.size();
  r.closure_complete = c.complete;
  if (c.complete) {
    r.bifurcation = c.jacobians.size() >= 2;
    const auto it = std::find(c.jacobians.begin(), c.jacobians.end(), g);
    if (it != c.jacobians.end()) {
      r.verdict = GradientVerdict::Closure;
      r.closure_index = static_cast<std::size_t>(it - c.jacobians.begin());
    } else {
      // mutant 67: everything not in the closure is in the hull
      r.verdict = in_hull(c.jacobians, g) || SELGRAD_MUTANT(67) ? GradientVerdict::Hull : GradientVerdict::Outside;
    }
    return r;
  }
  // Beyond the cap, with ties that do not nest: H1 decided whether g is in the hull.
  r.bifurcation = c.varies;
  if (c.jacobians.front() == g) {
    r.verdict = GradientVerdict::Closure;  // AD's own Jacobian (the op table's rules)
  } else if (c.query_in_hull && !*c.query_in_hull) {
    r.verdict = GradientVerdict::Outside;
  } else {
    r.verdict = GradientVerdict::Undecided;
    r.reason = "the gradient is in the hull of the tie closure (H1), but the closure has " + c.combinations_text +
               " combinations, above the cap, so whether it is one of them is not decided";
  }
  return r;
}

namespace {

/// What the interval pass that decided a point's branches knows of its ties: the piece of every
/// selection node (in node order) and, for each tied one, its tied pieces.
struct IntervalTies {
  std::vector<std::uint32_t> pieces;                // per selection node
  std::vector<std::size_t> tied_selection;          // index into `pieces` of each tied node
  std::vector<std::vector<std::uint32_t>> choices;  // its tied pieces
  std::vector<std::uint32_t> tied_nodes;
  std::string undecided;                            // why the ties cannot be enumerated
};

IntervalTies interval_ties(const Program& p, const std::vector<Rational>& x, const Options& o, mpfr_prec_t prec,
                           const std::vector<std::uint32_t>& near_ties) {
  for (;; prec = std::min<mpfr_prec_t>(2 * prec, o.max_precision)) {
    PrecisionScope scope(prec);
    std::vector<Interval> xi;
    for (const auto& v : x) xi.emplace_back(v);
    detail::Tape<Interval> t;
    detail::IntervalPolicy pol(p, x, o, prec >= o.max_precision, t);
    try {
      detail::run_forward(p, xi, pol, t);
      IntervalTies s;
      std::vector<const Interval*> args;
      for (auto k = static_cast<std::uint32_t>(p.p()); k < p.m(); ++k) {
        const Node& n = p.nodes[k];
        if (!op_info(n.op).selection) continue;
        s.pieces.push_back(t.choices[k].piece);
        if (t.certainty[k] == Certainty::Uncertified && s.undecided.empty())
          s.undecided = "node " + n.name + " is decided at the precision cap without certainty";
        const bool near = std::find(near_ties.begin(), near_ties.end(), k) != near_ties.end();
        if (!t.choices[k].tie && !near) continue;
        if (n.op == Op::Sort) {
          if (s.undecided.empty()) s.undecided = "sort node " + n.name + " is tied: its permutations are not enumerated for exp/log programs";
          continue;
        }
        std::vector<std::uint32_t> tied;
        if (t.choices[k].tie) {
          detail::gather_args(t, n, args);
          pol.tied(k, args, t.choices[k], tied);
        } else {  // a near tie: every piece
          for (std::uint32_t i = 0; i < piece_count(n); ++i) tied.push_back(i);
        }
        s.tied_selection.push_back(s.pieces.size() - 1);
        s.choices.push_back(std::move(tied));
        s.tied_nodes.push_back(k);
      }
      return s;
    } catch (const detail::NeedMorePrecision&) {
    }
  }
}

Rational lower(const Interval& i) { return i.lower().to_rational(); }
Rational upper(const Interval& i) { return i.upper().to_rational(); }

/// Hull or Outside for a Jacobian within `tol` of the hull of the enclosed Jacobians.
GradientVerdict hull_verdict(const std::vector<Matrix<Interval>>& closure, const Matrix<Rational>& g,
                             const Matrix<Rational>& tol) {
  const std::size_t q = g.size(), n = q ? g[0].size() : 0;
  // Hull: 0 in conv{mid_c - g} + box(tolerance + width), a Minkowski sum of one polytope and one
  // segment per entry (H1's LP, exact). A "no" is rigorous: every point of the true hull is
  // within width / 2 of the midpoints' hull, so farther than the tolerance from g.
  std::vector<PolytopeTerm> terms(1);
  std::vector<Rational> slack(q * n, Rational(0));
  for (const auto& m : closure) {
    std::vector<Rational> v;
    for (std::size_t j = 0; j < q; ++j)
      for (std::size_t i = 0; i < n; ++i) {
        const Rational lo = lower(m[j][i]), hi = upper(m[j][i]);
        v.push_back((lo + hi) / 2 - g[j][i]);
        slack[j * n + i] = std::max(slack[j * n + i], Rational(hi - lo));
      }
    terms[0].points.push_back(std::move(v));
  }
  for (std::size_t e = 0; e < q * n; ++e) {
    const Rational b = slack[e] + tol[e / n][e % n];
    if (b == 0) continue;
    PolytopeTerm segment;
    segment.points.assign(2, std::vector<Rational>(q * n, Rational(0)));
    segment.points[0][e] = -b;
    segment.points[1][e] = b;
    terms.push_back(std::move(segment));
  }
  const bool in_hull = zero_in_minkowski_sum(std::vector<Rational>(q * n, Rational(0)), terms);
  return in_hull ? GradientVerdict::Hull : GradientVerdict::Outside;
}

}  // namespace

GradientCheck check_gradient_within(const Program& program, const std::vector<Rational>& x, const Matrix<Rational>& g,
                                    const Matrix<Rational>& tol, const Options& o,
                                    const std::vector<std::uint32_t>& near_ties) {
  validate(program);
  check_shape(program, g);
  check_shape(program, tol);
  bool zero_tolerance = true;
  for (const auto& row : tol)
    for (const auto& t : row) {
      if (t < 0) throw Error(ErrorKind::Usage, {}, "a tolerance is negative");
      zero_tolerance = zero_tolerance && t == 0;
    }
  for (auto k : near_ties)
    if (k >= program.m() || !op_info(program.nodes[k].op).selection)
      throw Error(ErrorKind::Usage, {}, "near_ties: node " + std::to_string(k) + " is not a selection node");
  if (!program.transcendental() && zero_tolerance && near_ties.empty()) return check_gradient(program, x, g, o);
  // The closure is every selection's Jacobian, whatever the tie rules (tie_closure does the same).
  const Program p = without_conventions(program);
  const RealResult at = evaluate_real(p, x, o);  // the point's decisions, errors and size caps
  const IntervalTies ties = interval_ties(p, x, o, at.precision, near_ties);
  GradientCheck r;
  r.tied_nodes = ties.tied_nodes;
  r.closure_complete = false;
  const auto undecided = [&](std::string why) {
    r.verdict = GradientVerdict::Undecided;
    r.reason = std::move(why);
    return r;
  };
  if (!ties.undecided.empty()) return undecided(ties.undecided);
  std::size_t combinations = 1;
  for (const auto& c : ties.choices) {
    if (combinations > o.max_closure_combinations / c.size())
      return undecided("the tie closure has more than " + std::to_string(o.max_closure_combinations) +
                       " branch combinations (Options::max_closure_combinations; --closure-cap N)");
    combinations *= c.size();
  }
  // Every combination's Jacobian, enclosed.
  std::vector<Matrix<Interval>> closure;
  std::vector<std::size_t> digit(ties.choices.size(), 0);
  std::vector<std::uint32_t> pieces = ties.pieces;
  for (std::size_t c = 0; c < combinations; ++c) {
    for (std::size_t u = 0; u < digit.size(); ++u) pieces[ties.tied_selection[u]] = ties.choices[u][digit[u]];
    closure.push_back(enclose_with_pieces(p, x, pieces, at.precision).jacobian);
    for (std::size_t u = 0; u < digit.size() && ++digit[u] == ties.choices[u].size(); ++u) digit[u] = 0;
  }
  r.closure_size = closure.size();
  r.closure_complete = true;
  const std::size_t q = p.q(), n = p.p();
  // Bifurcation: two enclosures disjoint in some entry.
  const auto disjoint = [&](const Matrix<Interval>& a, const Matrix<Interval>& b) {
    for (std::size_t j = 0; j < q; ++j)
      for (std::size_t i = 0; i < n; ++i)
        if (upper(a[j][i]) < lower(b[j][i]) || upper(b[j][i]) < lower(a[j][i])) return true;
    return false;
  };
  bool distinct = false;
  for (std::size_t a = 0; a < closure.size() && !distinct; ++a)
    for (std::size_t b = a + 1; b < closure.size() && !distinct; ++b) distinct = disjoint(closure[a], closure[b]);
  if (distinct || closure.size() == 1) r.bifurcation = distinct;
  // Closure: within the tolerance of an element's enclosure.
  for (std::size_t c = 0; c < closure.size(); ++c) {
    bool inside = true;
    for (std::size_t j = 0; j < q && inside; ++j)
      for (std::size_t i = 0; i < n && inside; ++i)
        inside = SELGRAD_MUTANT(68)  // mutant 68: the tolerance ignored
                     ? lower(closure[c][j][i]) <= g[j][i] && g[j][i] <= upper(closure[c][j][i])
                     : lower(closure[c][j][i]) - tol[j][i] <= g[j][i] && g[j][i] <= upper(closure[c][j][i]) + tol[j][i];
    if (inside) {
      r.verdict = GradientVerdict::Closure;
      r.closure_index = c;
      break;
    }
  }
  if (r.verdict != GradientVerdict::Closure) r.verdict = hull_verdict(closure, g, tol);
  if (!near_ties.empty() && r.verdict != GradientVerdict::Outside) {
    r.reason = "with";
    for (auto k : near_ties) r.reason += " " + p.nodes[k].name;
    r.reason += " taken as tied (decisions within rounding of their boundary)";
  }
  return r;
}

}  // namespace selgrad::reference
