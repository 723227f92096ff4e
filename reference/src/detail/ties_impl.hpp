// antichain_hull (declared in ties.hpp): H1's offset and polytopes from the exact tape.
//
// Write d_k for the local partials on the tape and T for the tied nodes. Algorithm 2 returns
// dy/dx_i = sum over paths i -> ... -> y of the product of the partials along the path's edges
// (an edge a -> k carries d_k at a's argument position). When no input-output path meets two
// tied nodes (nested_ties is empty), split the paths: those meeting no tied node, and for each
// tied t those meeting t alone. With the partials of T set to zero (z below):
//  * the first group sums to v0 = the backward sweep of z from y, read at the inputs;
//  * the paths meeting t alone are (a path from t to y avoiding T) + (the edge a -> t, weight
//    c_t[a]) + (a path from an input to a avoiding T), so they sum to
//    adj(t) * sum_a c_t[a] * tan(a), where adj(t) = the backward sweep of z from y read at t
//    and tan(a) = the forward sweep of z from the inputs read at a. Both avoid T because a
//    path through t and another tied node would be one input-output path meeting two of them.
// Hence J(c) = v0 + sum_t adj(t) sum_a c_t[a] tan(a), affine in c (H1), and for a unit u with
// choices S_u the term is G_u(s) = sum over its nodes t of adj(t) sum_a c_t(s)[a] tan(a).
// Ties off every input-output path have adj(t) = 0 or tan(a) = 0 for all a: no term.
#pragma once

#include <span>

namespace selgrad::reference::detail {

template <class Check>
AntichainHull antichain_hull(const Program& p, const Tape<Rational>& t, const std::vector<TieUnit>& units,
                             std::uint32_t out, Check&& check) {
  const std::size_t m = p.m(), np = p.p();
  // z: the tape's partials with every tied node's set to zero.
  std::vector<Rational> z = t.partials;
  for (const auto& u : units)
    for (std::uint32_t k : u.nodes)
      for (std::uint32_t i = t.offset[k]; i < t.offset[k + 1]; ++i) z[i] = 0;

  // adj: backward sweep of z from `out` (Algorithm 2, every node's adjoint kept).
  std::vector<Rational> adj(m, Rational(0));
  adj[out] = 1;
  for (auto k = static_cast<std::uint32_t>(m); k-- > np;) {
    if (adj[k].sign() == 0) continue;
    const Node& n = p.nodes[k];
    for (std::uint32_t i = 0, count = partial_count(n); i < count; ++i) {
      const Arg a = partial_arg(n, t, k, i);
      if (!a.is_node()) continue;
      const Rational& d = z[t.offset[k] + i];
      if (d.sign() == 0) continue;
      adj[a.index] += adj[k] * d;
      check(k, adj[a.index]);
    }
  }

  // tan: forward sweep of z from the inputs, only at the tied nodes' arguments and their
  // ancestors, and only for units whose adjoint is nonzero.
  std::vector<bool> live(units.size(), false), need(m, false);
  for (std::size_t u = 0; u < units.size(); ++u) {
    for (std::uint32_t k : units[u].nodes) live[u] = live[u] || adj[k].sign() != 0;
    if (!live[u]) continue;
    for (std::uint32_t k : units[u].nodes)
      for (Arg a : p.nodes[k].args)
        if (a.is_node()) need[a.index] = true;
  }
  for (auto k = static_cast<std::uint32_t>(m); k-- > np;)
    if (need[k])
      for (Arg a : p.nodes[k].args)
        if (a.is_node()) need[a.index] = true;
  std::vector<std::vector<Rational>> tan(m);
  for (std::uint32_t k = 0; k < m; ++k) {
    if (!need[k]) continue;
    tan[k].assign(np, Rational(0));
    if (k < np) {
      tan[k][k] = 1;
      continue;
    }
    const Node& n = p.nodes[k];
    for (std::uint32_t i = 0, count = partial_count(n); i < count; ++i) {
      const Arg a = partial_arg(n, t, k, i);
      if (!a.is_node()) continue;
      const Rational& d = z[t.offset[k] + i];
      if (d.sign() == 0) continue;
      const auto& src = tan[a.index];
      for (std::size_t c = 0; c < np; ++c)
        if (src[c].sign() != 0) {
          tan[k][c] += d * src[c];
          check(k, tan[k][c]);
        }
    }
  }

  // a * (sum_i d[i] tan(arg i)) for node k and the partials d of one of its pieces.
  const auto image = [&](std::uint32_t k, std::span<const Rational> d, const Rational& a) {
    std::vector<Rational> g(np, Rational(0));
    const Node& n = p.nodes[k];
    for (std::size_t i = 0; i < n.args.size(); ++i) {
      if (!n.args[i].is_node() || d[i].sign() == 0) continue;
      const auto& src = tan[n.args[i].index];
      for (std::size_t c = 0; c < np; ++c)
        if (src[c].sign() != 0) {
          g[c] += a * d[i] * src[c];
          check(k, g[c]);
        }
    }
    return g;
  };

  AntichainHull h;
  h.offset.assign(adj.begin(), adj.begin() + static_cast<std::ptrdiff_t>(np));
  std::vector<Rational> d;
  for (std::size_t ui = 0; ui < units.size(); ++ui) {
    if (!live[ui]) continue;
    const TieUnit& u = units[ui];
    PolytopeTerm term;
    if (!u.run) {
      const std::uint32_t k = u.nodes[0];
      d.assign(p.nodes[k].args.size(), Rational(0));
      for (std::uint32_t piece : u.pieces) {
        piece_partials<Rational>(p.nodes[k], piece, std::span<Rational>(d));
        term.points.push_back(image(k, d, adj[k]));
      }
    } else {
      // Rank r taking position s has the partials e_s: P[r][s] contributes adj(rank r) tan(arg s).
      const std::size_t kk = u.nodes.size();
      term.birkhoff = kk;
      for (std::size_t r = 0; r < kk; ++r) {
        const std::uint32_t k = u.nodes[r];
        d.assign(p.nodes[k].args.size(), Rational(0));
        for (std::size_t s = 0; s < kk; ++s) {
          piece_partials<Rational>(p.nodes[k], u.pieces[s], std::span<Rational>(d));
          term.points.push_back(image(k, d, adj[k]));
        }
      }
    }
    h.terms.push_back(std::move(term));
  }
  return h;
}

}  // namespace selgrad::reference::detail
