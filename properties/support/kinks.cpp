// Comparisons, Lipschitz bounds and margin radii (see kinks.hpp).
#include "support/kinks.hpp"

#include <algorithm>
#include <stdexcept>

namespace selgrad::properties {

std::vector<Comparison> comparisons(const Program& p) {
  std::vector<Comparison> out;
  for (auto k = static_cast<std::uint32_t>(p.p()); k < p.m(); ++k) {
    const Node& n = p.nodes[k];
    const auto nargs = static_cast<std::uint32_t>(n.args.size());
    switch (n.op) {
      case Op::Relu:
      case Op::Abs: out.push_back({k, 0, std::nullopt}); break;
      case Op::Sort:
        if (k != n.group_first) break;
        [[fallthrough]];
      case Op::Max:
      case Op::Min:
        for (std::uint32_t i = 0; i < nargs; ++i)
          for (std::uint32_t j = i + 1; j < nargs; ++j) out.push_back({k, i, j});
        break;
      case Op::Select: out.push_back({k, 0, 1}); break;
      case Op::Clamp:
        out.push_back({k, 0, 1});
        out.push_back({k, 0, 2});
        break;
      default: break;
    }
  }
  return out;
}

std::vector<Rational> literal_values(const Program& p) {
  std::vector<Rational> v;
  for (const auto& l : p.literals) v.push_back(reference::to_rational(l));
  return v;
}

std::vector<Rational> lipschitz_bounds(const Program& p) {
  const std::vector<Rational> lits = literal_values(p);
  std::vector<Rational> L(p.m(), Rational(0));
  const auto absq = [](const Rational& r) { return r < 0 ? Rational(-r) : r; };
  for (std::size_t k = 0; k < p.m(); ++k) {
    const Node& n = p.nodes[k];
    const auto l = [&](std::size_t pos) { return n.args[pos].is_node() ? L[n.args[pos].index] : Rational(0); };
    Rational bound = 0;
    switch (n.op) {
      case Op::Input: bound = 1; break;
      case Op::Add:
      case Op::Sub:
        for (std::size_t i = 0; i < n.args.size(); ++i) bound += l(i);
        break;
      case Op::Neg:
      case Op::Relu:
      case Op::Abs:
      case Op::Clamp: bound = l(0); break;
      case Op::Lin:
        for (std::size_t i = 1; i + 1 < n.args.size(); i += 2) bound += absq(lits[n.args[i].index]) * l(i + 1);
        break;
      case Op::Mul: {
        Rational factor = 1;
        int node_args = 0;
        for (std::size_t i = 0; i < n.args.size(); ++i) {
          if (n.args[i].is_node()) {
            ++node_args;
            bound = l(i);
          } else {
            factor *= absq(lits[n.args[i].index]);
          }
        }
        if (node_args > 1) throw std::invalid_argument("lipschitz_bounds: product of two nodes");
        bound *= factor;
        break;
      }
      case Op::Max:
      case Op::Min:
      case Op::Sort:
        for (std::size_t i = 0; i < n.args.size(); ++i) bound = std::max(bound, l(i));
        break;
      case Op::Select: bound = std::max(l(2), l(3)); break;
      case Op::Div:  // by a literal
        if (n.args[1].is_node()) throw std::invalid_argument("lipschitz_bounds: division by a node");
        bound = l(0) / absq(lits[n.args[1].index]);
        break;
      default: throw std::invalid_argument("lipschitz_bounds: not a piecewise-affine op");
    }
    L[k] = bound;
  }
  return L;
}

Rational comparison_lipschitz(const Program& p, const Comparison& c, const std::vector<Rational>& L) {
  const auto l = [&](std::uint32_t pos) {
    const Arg a = p.nodes[c.node].args[pos];
    return a.is_node() ? L[a.index] : Rational(0);
  };
  return c.j ? Rational(l(c.i) + l(*c.j)) : l(c.i);
}

std::optional<Rational> margin_radius(const Program& p, const std::vector<Rational>& values) {
  const auto L = lipschitz_bounds(p);
  const auto lits = literal_values(p);
  std::optional<Rational> radius;
  for (const auto& c : comparisons(p)) {
    Rational d = difference(p, c, values, lits);
    if (d == 0) continue;
    const Rational lc = comparison_lipschitz(p, c, L);
    if (lc == 0) continue;
    if (d < 0) d = -d;
    const Rational r = d / lc;
    if (!radius || r < *radius) radius = r;
  }
  return radius;
}

}  // namespace selgrad::properties
