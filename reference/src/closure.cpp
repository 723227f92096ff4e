// The tie closure (see closure.hpp): enumerate the branch choices at tied nodes, run the backward
// sweep for each, keep the distinct Jacobians, and for one output decide 0 in their hull exactly.
#include "selgrad/reference/closure.hpp"

#include <algorithm>
#include <cstdint>
#include <set>

#include "detail/policies.hpp"
#include "selgrad/reference/convex_hull.hpp"

namespace selgrad::reference {
namespace {

/// One independent choice: a tied node (all its tied pieces), or one run of equal values in a
/// sort (all permutations of the run's positions over the run's ranks).
struct Unit {
  std::vector<std::uint32_t> nodes;                     ///< nodes whose piece this unit sets
  std::vector<std::vector<std::uint32_t>> alternatives; ///< pieces for `nodes`, the first as chosen
};

/// The runs of equal values of the sort group starting at node `first`: one unit per run of
/// two or more ranks, whose alternatives are the permutations of the run's positions.
void add_sort_runs(const Program& p, const detail::Tape<Rational>& t, std::uint32_t first,
                   std::vector<Unit>& units) {
  const std::uint32_t size = p.nodes[first].group_size;
  for (std::uint32_t r0 = 0; r0 < size;) {
    std::uint32_t r1 = r0 + 1;
    while (r1 < size && t.same_as_prev[first + r1]) ++r1;
    if (r1 - r0 > 1) {
      Unit u;
      std::vector<std::uint32_t> positions;
      for (std::uint32_t r = r0; r < r1; ++r) {
        u.nodes.push_back(first + r);
        positions.push_back(t.choices[first + r].piece);
      }
      // The stable order puts equal values by ascending position, so `positions` is sorted
      // and next_permutation starts from the chosen order.
      do u.alternatives.push_back(positions);
      while (std::next_permutation(positions.begin(), positions.end()));
      units.push_back(std::move(u));
    }
    r0 = r1;
  }
}

std::vector<Unit> tie_units(const Program& p, const detail::Tape<Rational>& t) {
  std::vector<Unit> units;
  std::vector<const Rational*> args;
  for (auto k = static_cast<std::uint32_t>(p.p()); k < p.m(); ++k) {
    const Node& n = p.nodes[k];
    if (!op_info(n.op).selection) continue;
    if (n.op == Op::Sort) {
      if (k == n.group_first) add_sort_runs(p, t, k, units);
      continue;
    }
    if (!t.choices[k].tie) continue;
    detail::gather_args(t, n, args);
    detail::ExactOracle o{args};
    Unit u{{k}, {}};
    auto pieces = tied_pieces(n, t.choices[k], o);
    // The chosen piece first, so that the first combination is the AD output itself.
    std::stable_partition(pieces.begin(), pieces.end(),
                          [&](std::uint32_t piece) { return piece == t.choices[k].piece; });
    for (auto piece : pieces) u.alternatives.push_back({piece});
#if defined(SELGRAD_MUTANT) && SELGRAD_MUTANT == 4  // mutant 4 (properties/): omits a tied branch
    u.alternatives.pop_back();
#endif
    units.push_back(std::move(u));
  }
  return units;
}

}  // namespace

TieClosure tie_closure(const Program& p, const std::vector<Rational>& x, const Options& o) {
  validate(p);
  for (std::uint32_t k = 0; k < p.m(); ++k)
    if (op_info(p.nodes[k].op).transcendental)
      throw Error(ErrorKind::Unsupported, detail::node_location(p, k),
                  "the tie closure is computed in exact rational arithmetic, and this op is not "
                  "rational: closures of exp/log programs are not supported");
  TieClosure c;
  c.at_point = evaluate_exact(p, x, o);  // also validates the program and the point
  detail::Tape<Rational> t;
  detail::ExactPolicy pol(p, o);
  detail::run_forward(p, x, pol, t);
  const std::vector<Unit> units = tie_units(p, t);

  std::size_t total = 1;
  bool saturated = false;
  for (const auto& u : units) {
    c.tied_nodes.insert(c.tied_nodes.end(), u.nodes.begin(), u.nodes.end());
    if (saturated || total > SIZE_MAX / u.alternatives.size()) saturated = true;
    else total *= u.alternatives.size();
  }
  if (saturated || total > o.max_closure_combinations)
    throw Error(ErrorKind::Resource, {},
                "the tie closure has " + (saturated ? std::string("more than ") + std::to_string(SIZE_MAX)
                                                    : std::to_string(total)) +
                    " branch combinations over " + std::to_string(c.tied_nodes.size()) +
                    " tied nodes, above the cap of " + std::to_string(o.max_closure_combinations));

  const auto check = [&](std::uint32_t k, const Rational& v) { pol.check(k, v); };
  std::set<Matrix<Rational>> seen;
  std::vector<std::size_t> digit(units.size(), 0);  // odometer over the units' alternatives
  for (std::size_t combo = 0; combo < total; ++combo) {
    for (std::size_t u = 0; u < units.size(); ++u) {
      const auto& alt = units[u].alternatives[digit[u]];
      for (std::size_t i = 0; i < units[u].nodes.size(); ++i) {
        const std::uint32_t k = units[u].nodes[i];
        const Node& n = p.nodes[k];
        // Values do not change at a tie; only the local gradient of the node does.
        t.choices[k].piece = alt[i];
        detail::set_piece_partials(n, t, k, alt[i]);
      }
    }
    Matrix<Rational> jac = detail::backward_jacobian(p, t, check);
    if (seen.insert(jac).second) c.jacobians.push_back(std::move(jac));
    for (std::size_t u = 0; u < units.size(); ++u) {  // next combination
      if (++digit[u] < units[u].alternatives.size()) break;
      digit[u] = 0;
    }
  }
  c.combinations = total;
  if (p.q() == 1) {
    std::vector<std::vector<Rational>> grads;
    for (const auto& j : c.jacobians) grads.push_back(j[0]);
    c.zero_in_hull = zero_in_convex_hull(grads);
  }
  return c;
}

}  // namespace selgrad::reference
