// The exact segment walk of a piecewise-affine program (see affine_walk.hpp).
#include "support/affine_walk.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "support/kinks.hpp"

namespace selgrad::properties {
namespace {

/// c + s t.
struct Affine {
  Rational c = 0, s = 0;
  Affine operator+(const Affine& o) const { return {c + o.c, s + o.s}; }
  Affine operator-(const Affine& o) const { return {c - o.c, s - o.s}; }
  Affine operator-() const { return {-c, -s}; }
  Affine scaled(const Rational& k) const { return {k * c, k * s}; }
  Rational at(const Rational& t) const { return c + s * t; }
};

/// Sign of an affine function just right of t0: of its value at t0, else of its slope.
int sign_right_of(const Affine& a, const Rational& t0) {
  const Rational v = a.at(t0);
  if (v != 0) return v > 0 ? 1 : -1;
  return a.s > 0 ? 1 : (a.s < 0 ? -1 : 0);
}

/// Every node as an affine function of t, valid just right of t0.
std::vector<Affine> evaluate(const Program& p, const std::vector<Rational>& x, const std::vector<Rational>& y,
                             const std::vector<Rational>& lits, const Rational& t0) {
  std::vector<Affine> v(p.m());
  for (std::size_t i = 0; i < p.p(); ++i) v[i] = {x[i], y[i] - x[i]};
  std::vector<std::uint32_t> order;
  for (std::size_t k = p.p(); k < p.m(); ++k) {
    const Node& n = p.nodes[k];
    const auto arg = [&](std::size_t pos) {
      const Arg a = n.args[pos];
      return a.is_node() ? v[a.index] : Affine{lits[a.index], 0};
    };
    Affine r;
    switch (n.op) {
      case Op::Add:
        for (std::size_t i = 0; i < n.args.size(); ++i) r = r + arg(i);
        break;
      case Op::Sub: r = arg(0) - arg(1); break;
      case Op::Neg: r = -arg(0); break;
      case Op::Lin:
        r = arg(0);
        for (std::size_t i = 1; i + 1 < n.args.size(); i += 2) r = r + arg(i + 1).scaled(lits[n.args[i].index]);
        break;
      case Op::Mul: {
        Rational factor = 1;
        std::optional<Affine> node;
        for (std::size_t i = 0; i < n.args.size(); ++i) {
          if (!n.args[i].is_node()) {
            factor *= lits[n.args[i].index];
          } else if (node) {
            throw std::invalid_argument("affine_breakpoints: product of two nodes");
          } else {
            node = arg(i);
          }
        }
        r = node ? node->scaled(factor) : Affine{factor, 0};
        break;
      }
      case Op::Relu: r = sign_right_of(arg(0), t0) > 0 ? arg(0) : Affine{}; break;
      case Op::Abs: {
        const int s = sign_right_of(arg(0), t0);
        r = s > 0 ? arg(0) : (s < 0 ? -arg(0) : Affine{});
        break;
      }
      case Op::Max:
      case Op::Min: {
        const int better = n.op == Op::Max ? 1 : -1;
        std::size_t best = 0;
        for (std::size_t i = 1; i < n.args.size(); ++i)
          if (sign_right_of(arg(i) - arg(best), t0) == better) best = i;
        r = arg(best);
        break;
      }
      case Op::Sort: {
        if (k == n.group_first) {  // decreasing order just right of t0 (ties: any order)
          order.resize(n.group_size);
          for (std::uint32_t i = 0; i < n.group_size; ++i) order[i] = i;
          std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
            return sign_right_of(arg(a) - arg(b), t0) > 0;
          });
        }
        r = arg(order[n.sort_rank(static_cast<std::uint32_t>(k))]);
        break;
      }
      case Op::Clamp: {  // the constant bounds outside [lo, hi]
        if (sign_right_of(arg(0) - arg(1), t0) < 0) r = arg(1);
        else if (sign_right_of(arg(0) - arg(2), t0) > 0) r = arg(2);
        else r = arg(0);
        break;
      }
      case Op::Select: {
        const int s = sign_right_of(arg(0) - arg(1), t0);
        bool holds = false;
        switch (n.cmp) {
          case Cmp::Lt: holds = s < 0; break;
          case Cmp::Le: holds = s <= 0; break;
          case Cmp::Gt: holds = s > 0; break;
          case Cmp::Ge: holds = s >= 0; break;
        }
        r = holds ? arg(2) : arg(3);
        break;
      }
      case Op::Div:  // by a literal
        if (n.args[1].is_node()) throw std::invalid_argument("affine_breakpoints: division by a node");
        r = arg(0).scaled(1 / lits[n.args[1].index]);
        break;
      default: throw std::invalid_argument("affine_breakpoints: not a piecewise-affine op");
    }
    v[k] = r;
  }
  return v;
}

}  // namespace

std::vector<Rational> affine_breakpoints(const Program& p, const std::vector<Rational>& x,
                                         const std::vector<Rational>& y) {
  const auto lits = literal_values(p);
  const auto comps = comparisons(p);
  std::vector<Rational> t{Rational(0)};
  while (t.back() < 1) {
    const Rational t0 = t.back();
    const auto v = evaluate(p, x, y, lits, t0);
    // The literal differences are constants (slope 0): difference() with literal affines.
    std::vector<Affine> lit_affine;
    for (const auto& l : lits) lit_affine.push_back({l, 0});
    Rational next = 1;
    for (const auto& c : comps) {
      const Affine d = difference(p, c, v, lit_affine);
      if (d.s == 0) continue;
      const Rational root = -d.c / d.s;
      if (root > t0 && root < next) next = root;
    }
    t.push_back(next);
  }
  return t;
}

}  // namespace selgrad::properties
