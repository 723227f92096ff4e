// The gradient check (see gradient_check.hpp): the tie closure, then G among its Jacobians, in
// their hull (Gordan's LP on the Jacobians minus G), or, when the list is beyond its cap, in
// H1's Minkowski sum.
#include "selgrad/reference/gradient_check.hpp"

#include <algorithm>

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

}  // namespace selgrad::reference
