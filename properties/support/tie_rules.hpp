// Random tie rules (program/tie_rule.hpp) on a generated program's selection nodes.
#pragma once

#include <rapidcheck.h>

#include "selgrad/program/literal.hpp"
#include "selgrad/program/op_rules.hpp"
#include "selgrad/program/program.hpp"

namespace selgrad::properties {

/// `p` with a rule drawn for each relu, abs, max, min and clamp node: none, the op table's
/// (written), Split, or (for ops with named pieces) one of its pieces, alone or weighted. With `dyadic_splits`,
/// Split only where every tie it can meet has 1, 2 or 4 pieces whose partials average to a
/// dyadic number (relu, abs, two-argument max and min, clamp with lo < hi), so that a double
/// engine computes the mean exactly.
inline Program with_random_tie_rules(Program p, bool dyadic_splits = false) {
  for (std::size_t k = p.input_count; k < p.nodes.size(); ++k) {
    Node& n = p.nodes[k];
    const bool named = n.op == Op::Relu || n.op == Op::Abs || n.op == Op::Clamp;
    if (!named && n.op != Op::Max && n.op != Op::Min) continue;
    bool split_ok = true;
    if (dyadic_splits) {
      if (n.op == Op::Max || n.op == Op::Min) split_ok = n.args.size() <= 2;
      if (n.op == Op::Clamp) split_ok = !(p.literals[n.args[1].index] == p.literals[n.args[2].index]);
    }
    const int kind = *rc::gen::inRange(0, 5).as("tie rule of " + n.name);
    if (kind == 1) n.tie = TieRule::op_rule();
    if (kind == 2 && split_ok) n.tie = TieRule::split();
    if (kind == 3 && named) n.tie = TieRule::take(*rc::gen::inRange<std::uint32_t>(0, piece_count(n)).as("piece"));
    if (kind == 4 && named) {
      // A weight in [0, 1]: dyadic (k/4) when a double engine must compute it exactly.
      static constexpr const char* kDyadic[] = {"0", "1/4", "1/2", "3/4", "1"};
      static constexpr const char* kAny[] = {"0", "1/3", "2/7", "1/2", "1"};
      const auto i = *rc::gen::inRange<std::size_t>(0, 5).as("weight");
      p.literals.push_back(*parse_literal(dyadic_splits ? kDyadic[i] : kAny[i]));
      n.tie = TieRule::weighted(*rc::gen::inRange<std::uint32_t>(0, piece_count(n)).as("piece"),
                                static_cast<std::uint32_t>(p.literals.size() - 1));
    }
  }
  return p;
}

}  // namespace selgrad::properties
