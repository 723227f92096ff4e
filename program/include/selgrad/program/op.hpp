// The op table: every operation a program may use, defined once.
//
// This header holds the metadata (name, arity, whether the op is an elementary selection, its
// domain and tie rule in words). The rules themselves (value, pieces, tie rule, local selection
// gradient, domain condition) are in op_rules.hpp, written once over a scalar type so that the
// exact reference and the double-precision engine take their semantics from the same code.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace selgrad {

enum class Op : std::uint8_t {
  Input,  // a program input (the first p nodes); not an op one can write in a statement
  // smooth, elementary (set E, D1)
  Add, Sub, Neg, Mul, Div, Exp, Log, Powi, Lin, Sqrt, Softplus, Sigmoid, Tanh,
  // elementary selections (D3)
  Relu, Abs, Max, Min, Sort, Select,
  Count_
};
inline constexpr std::size_t kOpCount = static_cast<std::size_t>(Op::Count_);

/// Comparison of a `select` node: `select CMP u v a b` is `a` if `u CMP v` holds, else `b`.
enum class Cmp : std::uint8_t { Lt, Le, Gt, Ge };

struct OpInfo {
  Op op;
  std::string_view name;
  int min_args;         ///< fewest arguments
  int max_args;         ///< most arguments; -1 for n-ary
  bool selection;       ///< an elementary selection with pieces and a tie rule (D3)
  bool transcendental;  ///< needs exp/log: outside the rational field, no exact rational value
  std::string_view domain;    ///< the domain condition, in words
  std::string_view tie_rule;  ///< which piece is taken on the boundary, in words
};

// One row per Op, in enum order (checked below and in tests/program/op_table_test.cpp).
inline constexpr std::array<OpInfo, kOpCount> kOpTable = {{
    {Op::Input, "input", 0, 0, false, false, "all", ""},
    {Op::Add, "add", 1, -1, false, false, "all", ""},
    {Op::Sub, "sub", 2, 2, false, false, "all", ""},
    {Op::Neg, "neg", 1, 1, false, false, "all", ""},
    {Op::Mul, "mul", 1, -1, false, false, "all", ""},
    {Op::Div, "div", 2, 2, false, false, "b != 0", ""},
    {Op::Exp, "exp", 1, 1, false, true, "all", ""},
    {Op::Log, "log", 1, 1, false, true, "a > 0", ""},
    {Op::Powi, "powi", 2, 2, false, false, "a != 0 when k < 0", ""},
    {Op::Lin, "lin", 1, -1, false, false, "all", ""},
    {Op::Sqrt, "sqrt", 1, 1, false, true, "a > 0", ""},
    {Op::Softplus, "softplus", 1, 1, false, true, "all", ""},
    {Op::Sigmoid, "sigmoid", 1, 1, false, true, "all", ""},
    {Op::Tanh, "tanh", 1, 1, false, true, "all", ""},
    {Op::Relu, "relu", 1, 1, true, false, "all", "piece 0 (the constant 0) when a <= 0: relu'(0) = 0"},
    {Op::Abs, "abs", 1, 1, true, false, "all", "the constant 0 at a = 0: abs'(0) = 0"},
    {Op::Max, "max", 1, -1, true, false, "all", "the first (lowest position) maximal argument"},
    {Op::Min, "min", 1, -1, true, false, "all", "the first (lowest position) minimal argument"},
    {Op::Sort, "sort", 1, -1, true, false, "all", "stable: among equal values the lower position comes first"},
    {Op::Select, "select", 4, 4, true, false, "continuous: a = b where u = v",
     "the branch the comparison picks at u = v (le/ge take a, lt/gt take b)"},
}};

constexpr const OpInfo& op_info(Op op) { return kOpTable[static_cast<std::size_t>(op)]; }
constexpr std::string_view op_name(Op op) { return op_info(op).name; }

namespace detail {
constexpr bool op_table_in_enum_order() {
  for (std::size_t i = 0; i < kOpCount; ++i)
    if (static_cast<std::size_t>(kOpTable[i].op) != i) return false;
  return true;
}
}  // namespace detail
static_assert(detail::op_table_in_enum_order(), "kOpTable rows must follow the Op enum order");

/// The op written `name` in a statement, if any (`input` is a statement keyword, not an op).
std::optional<Op> op_by_name(std::string_view name);

std::string_view cmp_name(Cmp c);
std::optional<Cmp> cmp_by_name(std::string_view name);

/// Whether `n` arguments fit `op`'s arity, beyond min/max: `lin` needs an odd count
/// (c0, then pairs ci ai). Returns a reason when they do not.
std::optional<std::string> arity_error(Op op, std::size_t n);

}  // namespace selgrad
