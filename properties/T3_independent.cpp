// T3 and D5 by routes that share nothing with the engine's closure: the tie closure recomputed
// from the definition, AD near a tie point against it, and the exact hull test against queries
// whose answers are known by construction.
//
//  * T3.frozen: the index closure at x from D5 directly. Every selection node gets every piece
//    active at x (support/pieces.hpp: the pieces whose value is the node's value, written from
//    the ops' definitions, not from the op rules' tie functions), every sort group every
//    permutation of its arguments that orders them decreasingly; each combination freezes the
//    program into a smooth one (support/frozen.hpp) whose gradient at x, by Dual<Rational>
//    (support/dual.hpp), is an element. The set of these must be exactly the engine's tie
//    closure (reference::tie_closure, used as a black box), and AD's output one of them.
//  * T3.segment: piecewise-affine programs: at y = x + t d, d a generic direction (coordinates
//    with denominators near 2^40, so y is on no kink but the ones through x), t below half the
//    margin radius of x (support/kinks.hpp), every untied node keeps its piece and every tied
//    one takes one of its active pieces, so AD at y must be an element of the closure at x,
//    computed both ways.
//  * T3.hull: the exact hull test (reference::zero_in_convex_hull) on the closure's elements,
//    with the AD element left out so that the answer is the LP's (and up to three points added
//    near the elements, as most closures are single points): a convex combination of the set
//    with positive weights on a random subset must be found in its hull, and a point beyond the
//    largest <w, s> over it (s* + w, for a direction w) must not.
#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "gen/program.hpp"
#include "gen/rational.hpp"
#include "selgrad/reference/convex_hull.hpp"
#include "suite.hpp"
#include "support/dual.hpp"
#include "support/engine.hpp"
#include "support/frozen.hpp"
#include "support/kinks.hpp"
#include "support/pieces.hpp"

namespace selgrad::properties {
namespace {

using Matrix = std::vector<std::vector<Rational>>;

constexpr std::size_t kMaxCombinations = 4096;

/// The Jacobian of the program frozen at `pieces`, at x, by Dual<Rational>.
Matrix frozen_jacobian(const Program& p, const std::vector<Rational>& x, const std::vector<std::uint32_t>& pieces) {
  std::vector<Dual<Rational>> in;
  for (std::size_t i = 0; i < p.p(); ++i) in.push_back(Dual<Rational>::variable(x[i], i, p.p()));
  const auto duals = eval_frozen<Dual<Rational>>(p, in, pieces);
  Matrix j(p.q(), std::vector<Rational>(p.p()));
  for (std::size_t o = 0; o < p.q(); ++o)
    for (std::size_t i = 0; i < p.p(); ++i) j[o][i] = duals[p.outputs[o]].partial(i);
  return j;
}

/// The choices of D5 at x: per selection statement (a node, or a whole sort group), the piece
/// vectors active at x. `values` are the exact node values (they do not depend on the choices).
struct Unit {
  std::vector<std::uint32_t> nodes;
  std::vector<std::vector<std::uint32_t>> choices;
};

std::vector<Unit> active_units(const Program& p, const std::vector<Rational>& values) {
  std::vector<Unit> units;
  std::vector<std::uint32_t> pieces(p.m(), 0);
  for (auto k = static_cast<std::uint32_t>(p.p()); k < p.m(); ++k) {
    const Node& n = p.nodes[k];
    if (!op_info(n.op).selection) continue;
    Unit u;
    if (n.op == Op::Sort) {
      if (k != n.group_first) continue;
      std::vector<std::uint32_t> perm(n.group_size);
      std::iota(perm.begin(), perm.end(), 0u);
      for (std::uint32_t r = 0; r < n.group_size; ++r) u.nodes.push_back(k + r);
      do {
        for (std::uint32_t r = 0; r < n.group_size; ++r) pieces[k + r] = perm[r];
        if (piece_active(p, k, perm[0], values, pieces)) u.choices.push_back(perm);
      } while (std::next_permutation(perm.begin(), perm.end()));
    } else {
      u.nodes.push_back(k);
      const std::uint32_t count = n.op == Op::Relu || n.op == Op::Select ? 2
                                  : n.op == Op::Abs || n.op == Op::Clamp ? 3
                                                                         : static_cast<std::uint32_t>(n.args.size());
      for (std::uint32_t piece = 0; piece < count; ++piece)
        if (piece_active(p, k, piece, values, pieces)) u.choices.push_back({piece});
    }
    if (u.choices.empty()) throw std::logic_error("no active piece at node " + n.name);
    units.push_back(std::move(u));
  }
  return units;
}

/// The closure of D5 at x, recomputed (see the file comment); nullopt above kMaxCombinations.
std::optional<std::set<Matrix>> independent_closure(const Program& p, const std::vector<Rational>& x,
                                                   const std::vector<Rational>& values) {
  const auto units = active_units(p, values);
  std::size_t total = 1;
  for (const auto& u : units) {
    total *= u.choices.size();
    if (total > kMaxCombinations) return std::nullopt;
  }
  std::set<Matrix> out;
  std::vector<std::size_t> digit(units.size(), 0);
  std::vector<std::uint32_t> pieces(p.m(), 0);
  for (std::size_t c = 0; c < total; ++c) {
    for (std::size_t u = 0; u < units.size(); ++u)
      for (std::size_t i = 0; i < units[u].nodes.size(); ++i) pieces[units[u].nodes[i]] = units[u].choices[digit[u]][i];
    out.insert(frozen_jacobian(p, x, pieces));
    for (std::size_t u = 0; u < units.size(); ++u) {
      if (++digit[u] < units[u].choices.size()) break;
      digit[u] = 0;
    }
  }
  return out;
}

/// Both closures at x; RC_DISCARDs what cannot be judged (too many combinations).
std::pair<reference::TieClosure, std::set<Matrix>> both_closures(const Program& prog, const std::vector<Rational>& x) {
  const ExactResult e = exact(prog, x);
  auto mine = independent_closure(prog, x, e.node_values);
  if (!mine) RC_DISCARD("more than 4096 branch combinations");
  reference::TieClosure c = closure(prog, x);
  RC_LOG() << "engine: " << c.jacobians.size() << " element(s); recomputed: " << mine->size() << "\n";
  for (const auto& j : c.jacobians) log_matrix("engine's element", j);
  for (const auto& j : *mine) log_matrix("recomputed element", j);
  return {std::move(c), std::move(*mine)};
}

const Register frozen(
    "T3.frozen", "the tie closure equals D5 recomputed: every active branch combination frozen, Dual<Rational>", 8000,
    [] {
      const Program prog = *genProgram(ProgramShape::of(Family::Rational, 3, 2)).as("program");
      const Point x = *genPointNearKinks(prog.p()).as("point");
      log_command("closure", x.x);
      const auto [c, mine] = both_closures(prog, x.x);
      RC_TAG(mine.size() == 1 ? "closure of 1" : "closure of 2+");
      const std::set<Matrix> engine(c.jacobians.begin(), c.jacobians.end());
      RC_ASSERT(engine.size() == c.jacobians.size());  // the engine lists distinct elements
      for (const auto& j : mine)
        if (!engine.count(j)) {
          log_matrix("missing from the engine's closure", j);
          RC_FAIL("the engine's closure misses an element of D5");
        }
      for (const auto& j : engine)
        if (!mine.count(j)) {
          log_matrix("not an element of D5", j);
          RC_FAIL("the engine's closure has an element no active branch combination gives");
        }
      RC_ASSERT(mine.count(c.at_point.jacobian) == 1u);
    });

const Register segment(
    "T3.segment", "piecewise affine: AD at x + t d, d generic and t small, is an element of the closure at x", 6000, [] {
      const Program prog = *genProgram(ProgramShape::of(Family::PiecewiseAffine, 3, 2)).as("program");
      const Point x = *genPointNearKinks(prog.p()).as("tie point");
      const Point dir = *genContinuousPoint(prog.p()).as("direction");
      const Rational scale = *genUnitFraction().as("fraction of the margin radius");
      log_command("closure", x.x);
      Rational norm = 0;
      for (const auto& d : dir.x) norm = std::max(norm, d < 0 ? Rational(-d) : d);
      RC_PRE(norm != 0);
      const auto [c, mine] = both_closures(prog, x.x);
      RC_TAG(c.tied_nodes.empty() ? "no tie" : "tie");
      const ExactResult e = exact(prog, x.x);
      const auto radius = margin_radius(prog, e.node_values);
      const Rational step = (radius ? *radius / 2 : Rational(1)) * scale / norm;
      std::vector<Rational> y = x.x;
      for (std::size_t i = 0; i < y.size(); ++i) y[i] += step * dir.x[i];
      log_command("grad", y);
      const ExactResult ry = exact(prog, y);
      log_matrix("AD at y", ry.jacobian);
      RC_ASSERT(mine.count(ry.jacobian) == 1u);
      const bool in_engine_closure = std::find(c.jacobians.begin(), c.jacobians.end(), ry.jacobian) != c.jacobians.end();
      RC_ASSERT(in_engine_closure);
    });

bool in_hull(const std::vector<std::vector<Rational>>& set, const std::vector<Rational>& g) {
  std::vector<std::vector<Rational>> shifted;
  for (const auto& s : set) {
    auto v = s;
    for (std::size_t i = 0; i < v.size(); ++i) v[i] -= g[i];
    shifted.push_back(std::move(v));
  }
  return reference::zero_in_convex_hull(shifted);
}

Rational dot(const std::vector<Rational>& a, const std::vector<Rational>& b) {
  Rational s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

const Register hull(
    "T3.hull", "exact hull test on closure elements without AD's: combinations are in, points beyond a face are out",
    4000, [] {
      const Program prog = *genProgram(ProgramShape::of(Family::Rational, 3, 2)).as("program");
      const Point x = *genPointNearKinks(prog.p()).as("point");
      log_command("closure", x.x);
      const reference::TieClosure c = closure(prog, x.x);
      // The elements other than AD's own (the whole closure when it has one element).
      std::vector<std::vector<Rational>> set;
      for (const auto& j : c.jacobians)
        if (c.jacobians.size() == 1 || j != c.at_point.jacobian) set.push_back(flatten(j));
      RC_TAG(set.size() == 1 ? "one element" : "several elements");
      // Closures are mostly single points: more points near them (an element plus a small integer
      // vector) give the LP something to decide.
      const std::size_t dim = set[0].size();
      const auto extra = *rc::gen::inRange(0, 4).as("points added");
      for (int e = 0; e < extra; ++e) {
        auto v = set[*rc::gen::inRange<std::size_t>(0, set.size()).as("added near element")];
        const auto shift =
            *rc::gen::container<std::vector<int>>(dim, rc::gen::resize(100, rc::gen::inRange(-2, 3))).as("shift");
        for (std::size_t d = 0; d < dim; ++d) v[d] += shift[d];
        set.push_back(std::move(v));
      }
      const std::size_t n = set.size();

      // Inside: positive weights on a nonempty subset (the anchor's weight is at least 1).
      auto weights =
          *rc::gen::container<std::vector<int>>(n, rc::gen::resize(100, rc::gen::inRange(0, 6))).as("weights (0: left out)");
      weights[*rc::gen::inRange<std::size_t>(0, n).as("an element surely in")] += 1;
      std::vector<Rational> g(dim, Rational(0));
      int total = 0;
      for (std::size_t i = 0; i < n; ++i) total += weights[i];
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t d = 0; d < dim; ++d) g[d] += Rational(weights[i], total) * set[i][d];
      RC_LOG() << "a convex combination of the other elements must be in their hull\n";
      RC_ASSERT(in_hull(set, g));

      // Outside: beyond the largest <w, s>.
      std::vector<int> w_int =
          *rc::gen::container<std::vector<int>>(dim, rc::gen::resize(100, rc::gen::inRange(-3, 4))).as("direction w");
      if (std::all_of(w_int.begin(), w_int.end(), [](int v) { return v == 0; })) w_int[0] = 1;
      std::vector<Rational> w(w_int.begin(), w_int.end());
      std::size_t best = 0;
      for (std::size_t i = 1; i < n; ++i)
        if (dot(w, set[i]) > dot(w, set[best])) best = i;
      std::vector<Rational> beyond = set[best];
      for (std::size_t d = 0; d < dim; ++d) beyond[d] += w[d];
      RC_LOG() << "s* + w, beyond the largest <w, s> over the set, must not be in their hull\n";
      RC_ASSERT(!in_hull(set, beyond));
    });

}  // namespace
}  // namespace selgrad::properties
