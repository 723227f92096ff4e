// Interval evaluation over a box with certified decisions (see box_eval.hpp).
#include "support/box_eval.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <optional>
#include <span>
#include <string>

#include "selgrad/program/op_rules.hpp"
#include "selgrad/reference/scalars.hpp"

namespace selgrad::properties {
namespace {

DualInterval hull_of(const std::vector<DualInterval>& options) {
  DualInterval h = options[0];
  for (std::size_t k = 1; k < options.size(); ++k) {
    const auto& o = options[k];
    h.v = hull(h.v, o.v);
    const std::size_t n = std::max(h.d.size(), o.d.size());
    h.d.resize(n, Interval(0));
    for (std::size_t i = 0; i < n; ++i) h.d[i] = hull(h.d[i], o.partial(i));
  }
  return h;
}

/// Certified sign of an interval: Positive / Negative / Zero ([0, 0]) or nullopt (straddles).
std::optional<Sign> sign_of(const Interval& v) { return v.certified_sign(); }

/// Value numbers (see box_eval.hpp).
class Numbering {
 public:
  std::uint32_t intern(const std::string& key) {
    return ids_.emplace(key, static_cast<std::uint32_t>(ids_.size())).first->second;
  }
  std::uint32_t fresh() { return intern("#fresh " + std::to_string(fresh_++)); }

 private:
  std::map<std::string, std::uint32_t> ids_;
  std::uint32_t fresh_ = 0;
};

}  // namespace

std::vector<std::uint32_t> segment_input_classes(const std::vector<Rational>& x, const std::vector<Rational>& y) {
  std::vector<std::uint32_t> c(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    c[i] = static_cast<std::uint32_t>(i);
    for (std::size_t j = 0; j < i; ++j)
      if (x[i] == x[j] && y[i] == y[j]) {
        c[i] = c[j];
        break;
      }
  }
  return c;
}

BoxEvaluation evaluate_box(const Program& p, const std::vector<DualInterval>& inputs,
                           const std::vector<std::uint32_t>& input_class) {
  BoxEvaluation ev;
  ev.values.reserve(p.m());
  ev.pieces.assign(p.m(), 0);
  ev.certified.assign(p.m(), true);
  ev.strict.assign(p.m(), true);
  std::vector<DualInterval> lits;
  for (const auto& l : p.literals) lits.push_back(ScalarOps<DualInterval>::from_literal(l));
  Numbering numbering;
  std::vector<std::uint32_t> number(p.m());
  std::vector<std::uint32_t> lit_number;
  for (const auto& l : p.literals) lit_number.push_back(numbering.intern("literal " + reference::to_string(reference::to_rational(l))));
  const std::uint32_t zero_number = numbering.intern("literal 0");
  for (std::size_t i = 0; i < p.p(); ++i) {
    ev.values.push_back(inputs[i]);
    number[i] = numbering.intern("input " + std::to_string(input_class.empty() ? i : input_class[i]));
  }
  const auto num = [&](Arg a) { return a.is_node() ? number[a.index] : lit_number[a.index]; };
  std::vector<const DualInterval*> args;
  std::vector<std::uint32_t> order;
  bool order_certified = true, order_strict = true;
  for (auto k = static_cast<std::uint32_t>(p.p()); k < p.m(); ++k) {
    const Node& n = p.nodes[k];
    args.clear();
    for (Arg a : n.args) args.push_back(a.is_node() ? &ev.values[a.index] : &lits[a.index]);
    const std::span<const DualInterval* const> a(args);
    if (!op_info(n.op).selection) {
      ev.values.push_back(smooth_value<DualInterval>(n, a));
      std::vector<std::string> parts;
      for (Arg x : n.args) parts.push_back(std::to_string(num(x)));
      if (n.op == Op::Add || n.op == Op::Mul) std::sort(parts.begin(), parts.end());
      std::string key = std::string(op_name(n.op)) + " " + std::to_string(n.power);
      for (const auto& part : parts) key += " " + part;
      number[k] = numbering.intern(key);
      continue;
    }
    // Equal value numbers are equal on the whole box, whatever interval arithmetic says.
    const auto diff = [&](std::uint32_t i, std::uint32_t j) -> std::optional<Sign> {
      if (num(n.args[i]) == num(n.args[j])) return Sign::Zero;
      return sign_of(Interval(a[i]->v - a[j]->v));
    };
    const auto sign0 = [&]() -> std::optional<Sign> {
      if (num(n.args[0]) == zero_number) return Sign::Zero;
      return sign_of(a[0]->v);
    };
    std::optional<std::uint32_t> piece;
    bool strict = true;
    std::vector<std::uint32_t> candidates;  // pieces an undecided node could take
    switch (n.op) {
      case Op::Relu:
      case Op::Abs: {
        const auto s = sign0();
        if (s) piece = n.op == Op::Relu ? relu_piece(*s) : abs_piece(*s);
        strict = s && *s != Sign::Zero;
        candidates = n.op == Op::Relu ? std::vector<std::uint32_t>{0, 1} : std::vector<std::uint32_t>{0, 1, 2};
        break;
      }
      case Op::Max:
      case Op::Min: {
        const Sign better = n.op == Op::Max ? Sign::Positive : Sign::Negative;
        const auto nargs = static_cast<std::uint32_t>(n.args.size());
        // Certified when some argument is better than or equal ([0, 0]) to every other one;
        // among exactly equal ones the first, as the tie rule.
        for (std::uint32_t i = 0; i < nargs && !piece; ++i) {
          bool wins = true, ties = false;
          for (std::uint32_t j = 0; j < nargs && wins; ++j) {
            if (j == i) continue;
            const auto s = diff(i, j);
            if (s == better) continue;
            if (s == Sign::Zero && i < j) {
              ties = true;
              continue;
            }
            wins = false;
          }
          if (wins) {
            piece = i;
            strict = !ties;
          }
        }
        candidates.resize(nargs);
        std::iota(candidates.begin(), candidates.end(), 0u);
        break;
      }
      case Op::Select: {
        const auto s = diff(0, 1);
        if (s) piece = select_piece(n.cmp, *s);
        strict = s && *s != Sign::Zero;
        candidates = {0, 1};
        break;
      }
      case Op::Clamp: {  // lo if a <= lo, hi if a >= hi, else a
        const auto lo = diff(0, 1), hi = diff(0, 2);
        if (lo && *lo != Sign::Positive) {
          piece = 0;
          strict = *lo == Sign::Negative;
        } else if (lo && hi) {
          piece = *hi != Sign::Negative ? 2u : 1u;
          strict = *hi != Sign::Zero;
        }
        candidates = {0, 1, 2};
        break;
      }
      case Op::Sort: {
        if (k == n.group_first) {
          // A certified strict (or exactly tied) order of all the arguments, decreasing.
          order.resize(n.group_size);
          std::iota(order.begin(), order.end(), 0u);
          order_certified = order_strict = true;
          for (std::uint32_t i = 1; i < n.group_size; ++i)
            for (std::uint32_t j = i; j > 0; --j) {
              const auto s = diff(order[j], order[j - 1]);
              if (!s) order_certified = false;
              if (s == Sign::Zero) order_strict = false;
              if (s != Sign::Positive) break;
              std::swap(order[j], order[j - 1]);
            }
          // Insertion sort compared neighbours only: certify every pair of the final order.
          for (std::uint32_t r = 0; r < n.group_size && order_certified; ++r)
            for (std::uint32_t s2 = r + 1; s2 < n.group_size; ++s2) {
              const auto s = diff(order[r], order[s2]);
              if (!s || *s == Sign::Negative) order_certified = false;
              if (s == Sign::Zero) order_strict = false;
            }
        }
        if (order_certified) piece = order[n.sort_rank(k)];
        strict = order_strict;
        candidates.resize(n.group_size);
        std::iota(candidates.begin(), candidates.end(), 0u);
        break;
      }
      default: break;
    }
    if (piece) {
      ev.pieces[k] = *piece;
      ev.strict[k] = strict;
      ev.values.push_back(piece_value<DualInterval>(n, *piece, a));
      // The piece's value is an argument, its negation or the constant 0 (the rule, read
      // symbolically).
      const Sym v = symbolic_value(n, *piece);
      number[k] = v.kind == Sym::Kind::Arg      ? num(n.args[v.arg])
                  : v.kind == Sym::Kind::NegArg ? numbering.intern("neg 0 " + std::to_string(num(n.args[v.arg])))
                                                : zero_number;
    } else {
      number[k] = numbering.fresh();
      ev.certified[k] = false;
      ev.strict[k] = false;
      ev.all_certified = false;
      std::vector<DualInterval> options;
      for (auto c : candidates) options.push_back(piece_value<DualInterval>(n, c, a));
      ev.values.push_back(hull_of(options));
    }
  }
  return ev;
}

}  // namespace selgrad::properties
