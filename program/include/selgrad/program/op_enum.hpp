// The vocabulary of the op table: the Op enum, select's comparisons, the sign answers branch
// decisions are made of, what a selection node chose, and the descriptive record each op rule
// carries (OpInfo). The rules themselves are in rules/, one file per op; op.hpp assembles them
// into the table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace selgrad {

/// Every operation a program may use. The order is the order of the rule list in
/// rules/list.hpp (checked at compile time).
enum class Op : std::uint8_t {
  Input,  // a program input (the first p nodes); not an op one can write in a statement
  // smooth, elementary (set E, D1)
  Add, Sub, Neg, Mul, Div, Exp, Log, Powi, Lin, Sqrt, Softplus, Sigmoid, Tanh,
  // elementary selections (D3)
  Relu, Abs, Max, Min, Sort, Select, Clamp,
  Count_
};
inline constexpr std::size_t kOpCount = static_cast<std::size_t>(Op::Count_);

/// Comparison of a `select` node: `select CMP u v a b` is `a` if `u CMP v` holds, else `b`.
enum class Cmp : std::uint8_t { Lt, Le, Gt, Ge };

/// The answer to a sign query of a branch decision: the sign of an argument, or of the difference
/// of two arguments.
enum class Sign : std::int8_t { Negative = -1, Zero = 0, Positive = 1 };

/// What a selection node chose: the piece, and whether the decision was taken at a tie (some
/// other piece has the same value at this point, so the index closure D5 has more than one
/// element here).
struct Choice {
  std::uint32_t piece = 0;
  bool tie = false;
  friend bool operator==(const Choice&, const Choice&) = default;
};

/// A domain condition (D1: elementary functions are used inside their domain): argument `arg`
/// must be nonzero or positive. The texts make every engine's message the same (see
/// domain_message in op_rules.hpp): "[<violation>: ]<argument> is <value>[, <requirement>]",
/// e.g. "division by zero: divisor is 0" or "argument is -1, must be > 0".
struct DomainRule {
  enum class Need : std::uint8_t { NonZero, Positive };
  std::uint32_t arg;
  Need need;
  std::string_view violation;    ///< what went wrong, if the op's name does not say it
  std::string_view argument;     ///< what the argument is called, e.g. "divisor"
  std::string_view requirement;  ///< e.g. "must be > 0", "must be != 0 when k < 0"
};

constexpr bool domain_satisfied(DomainRule::Need need, Sign s) {
  return need == DomainRule::Need::Positive ? s == Sign::Positive : s != Sign::Zero;
}

/// A documented tie of a selection op, checked by evaluating the op through its rule
/// (tests/program/op_docs_test.cpp): at the argument values `at` (for `select`, preceded by the
/// comparison), the local selection gradient is `derivative` (one entry per argument).
struct TieExample {
  std::string_view at;
  std::string_view derivative;
};

/// What a rule says about its op in words and numbers: the op table row. The texts are the
/// op tables of docs/program-format.md (generated from these rows and checked by a test).
struct OpInfo {
  Op op;
  std::string_view name;
  int min_args;         ///< fewest arguments
  int max_args;         ///< most arguments; -1 for n-ary
  bool selection;       ///< an elementary selection with pieces and a tie rule (D3)
  bool transcendental;  ///< needs exp/log: outside the rational field, no exact rational value
  std::string_view domain;    ///< the domain condition, in words
  std::string_view tie_rule;  ///< selections: the pieces, and which is taken on the boundary
  std::string_view syntax;    ///< how a statement writes it, e.g. "div a b"
  std::string_view meaning;   ///< its value, in words
  std::string_view tie_derivative;  ///< selections: the derivative at the tie, in words
  bool commutative = false;  ///< the value does not depend on the order of the arguments
};

}  // namespace selgrad
