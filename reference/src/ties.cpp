// The ties of a program at a point (see detail/ties.hpp): the closure's units, and whether the
// tied nodes nest (H1's hypothesis).
#include "selgrad/program/mutant.hpp"
#include "detail/ties.hpp"

#include <algorithm>

#include "detail/policies.hpp"

namespace selgrad::reference::detail {
namespace {

/// The runs of equal values of the sort group starting at node `first`: one unit per run of
/// two or more ranks.
void add_sort_runs(const Program& p, const Tape<Rational>& t, std::uint32_t first, std::vector<TieUnit>& units) {
  const std::uint32_t size = p.nodes[first].group_size;
  for (std::uint32_t r0 = 0; r0 < size;) {
    std::uint32_t r1 = r0 + 1;
    while (r1 < size && t.same_as_prev[first + r1]) ++r1;
    if (r1 - r0 > 1) {
      TieUnit u;
      u.run = true;
      for (std::uint32_t r = r0; r < r1; ++r) {
        u.nodes.push_back(first + r);
        u.pieces.push_back(t.choices[first + r].piece);
      }
      // Kept in the chosen order: the stable sort's tie rule puts equal values by ascending
      // position, so this is the first arrangement in lexicographic order and the enumeration
      // (next_permutation until it wraps) starts at the AD output and visits all k! of them.
      // A sort that broke ties otherwise would see fewer (property mutant 3 relies on it).
      units.push_back(std::move(u));
    }
    r0 = r1;
  }
}

}  // namespace

std::vector<TieUnit> tie_units(const Program& p, const Tape<Rational>& t) {
  std::vector<TieUnit> units;
  std::vector<const Rational*> args;
  for (auto k = static_cast<std::uint32_t>(p.p()); k < p.m(); ++k) {
    const Node& n = p.nodes[k];
    if (!op_info(n.op).selection) continue;
    if (n.op == Op::Sort) {
      if (k == n.group_first) add_sort_runs(p, t, k, units);
      continue;
    }
    if (!t.choices[k].tie) continue;
    gather_args(t, n, args);
    ExactOracle o{args};
    TieUnit u;
    u.nodes = {k};
    u.pieces = tied_pieces(n, t.choices[k], o);
    // The chosen piece first, so that the first combination is the AD output itself.
    std::stable_partition(u.pieces.begin(), u.pieces.end(),
                          [&](std::uint32_t piece) { return piece == t.choices[k].piece; });
    if (SELGRAD_MUTANT(4)) u.pieces.pop_back();  // omits a tied branch
    units.push_back(std::move(u));
  }
  return units;
}

std::optional<std::pair<std::uint32_t, std::uint32_t>> nested_ties(const Program& p, const std::vector<TieUnit>& units) {
  const std::size_t m = p.m();
  constexpr std::uint32_t none = UINT32_MAX;
  std::vector<bool> tied(m, false), from_input(m, false), to_output(m, false);
  for (const auto& u : units)
    for (std::uint32_t k : u.nodes) tied[k] = true;
  for (std::uint32_t k = 0; k < m; ++k) {
    from_input[k] = k < p.p();
    for (Arg a : p.nodes[k].args) from_input[k] = from_input[k] || (a.is_node() && from_input[a.index]);
  }
  for (std::uint32_t o : p.outputs) to_output[o] = true;
  for (auto k = static_cast<std::uint32_t>(m); k-- > 0;)
    if (to_output[k])
      for (Arg a : p.nodes[k].args)
        if (a.is_node()) to_output[a.index] = true;
  // upstream[k]: a tied node reachable from an input that is a proper ancestor of k.
  std::vector<std::uint32_t> upstream(m, none);
  for (std::uint32_t k = 0; k < m; ++k) {
    for (Arg a : p.nodes[k].args) {
      if (!a.is_node() || upstream[k] != none) continue;
      if (tied[a.index] && from_input[a.index]) upstream[k] = a.index;
      else upstream[k] = upstream[a.index];
    }
    // A tied node below another one, on the way to an output: one path meets both.
    if (tied[k] && to_output[k] && upstream[k] != none) return std::pair{upstream[k], k};
  }
  return std::nullopt;
}

std::size_t antichain_hull_entries(const Program& p, const std::vector<TieUnit>& units) {
  std::size_t points = 0;
  for (const auto& u : units) points += u.run ? u.nodes.size() * u.nodes.size() : u.pieces.size();
  // At most one tangent row per node and one point per choice, each of p() entries.
  return (points + p.m()) * std::max<std::size_t>(p.p(), 1);
}

}  // namespace selgrad::reference::detail
