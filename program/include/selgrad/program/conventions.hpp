// Framework conventions: the tie rules (tie_rule.hpp) that a framework's autograd applies, as
// profiles that annotate any program (the README has the table).
//
//            relu      abs       max/min (2 args)   max/min (n args)   clamp     sort, select
//   default  op rule   op rule   first              first              bound     op rule
//   torch    0         0         split 1/2          split 1/k          a         op rule
//   jax      0         a         split              split              split     op rule
//   tf       0         0         first              split 1/k          a         op rule
//
// (PyTorch's max(dim), max_pool and topk give a tie to the index they return, not a split: an
// exporter writes those nodes' rules out, `@first`, and a profile leaves written rules alone.)
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "selgrad/program/program.hpp"

namespace selgrad {

enum class Conventions : std::uint8_t { Default, Torch, Jax, Tf };

/// "default" (also "selgrad"), "torch" (also "pytorch"), "jax", "tf" (also "tensorflow").
std::optional<Conventions> conventions_by_name(std::string_view name);
std::string_view conventions_name(Conventions c);
/// The names accepted, for messages: "default, torch, jax, tf".
std::string_view conventions_names();

/// The rule profile `c` gives node `n` (Unset for a smooth op).
TieRule convention_rule(Conventions c, const Node& n);

/// `program` with every selection node whose rule is Unset given profile `c`'s rule. Rules
/// written in the program (`@...`) are kept: they are part of the program.
Program with_conventions(Program program, Conventions c);
/// `program` with every tie rule back to Unset: the op table's rules everywhere.
Program without_conventions(Program program);
/// Whether some node's rule changes anything at a tie.
bool has_tie_conventions(const Program& program);

/// The text of a rule on node `n` ("split", "a", "first", "default", "a=1/4"), as written after
/// `@`; `literals` are the program's (a Weight rule's w is one of them).
std::string tie_rule_text(const Node& n, const std::vector<Literal>& literals);
/// The rule written `text` (after the `@`) on a node of op `op`, or the reason it is not one. A
/// Weight rule's w is returned in `weight` (the caller stores it and sets TieRule::weight).
struct TieRuleParse {
  std::optional<TieRule> rule;
  std::string error;
  std::optional<Literal> weight;
};
TieRuleParse parse_tie_rule(Op op, std::string_view text);

}  // namespace selgrad
