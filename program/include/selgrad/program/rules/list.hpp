// The rule list: every op's rule, in the order of the Op enum (checked below), and the one
// dispatch from an Op to its rule. Adding an op: its enum entry (op_enum.hpp), its rule (a file
// in this folder), its line below, and its golden tie rows (tests/golden/op_ties.hpp).
#pragma once

#include <array>
#include <tuple>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "selgrad/program/rules/abs.hpp"
#include "selgrad/program/rules/add.hpp"
#include "selgrad/program/rules/clamp.hpp"
#include "selgrad/program/rules/div.hpp"
#include "selgrad/program/rules/exp.hpp"
#include "selgrad/program/rules/extremum.hpp"
#include "selgrad/program/rules/input.hpp"
#include "selgrad/program/rules/lin.hpp"
#include "selgrad/program/rules/log.hpp"
#include "selgrad/program/rules/mul.hpp"
#include "selgrad/program/rules/neg.hpp"
#include "selgrad/program/rules/powi.hpp"
#include "selgrad/program/rules/relu.hpp"
#include "selgrad/program/rules/select.hpp"
#include "selgrad/program/rules/sigmoid.hpp"
#include "selgrad/program/rules/softplus.hpp"
#include "selgrad/program/rules/sort.hpp"
#include "selgrad/program/rules/sqrt.hpp"
#include "selgrad/program/rules/sub.hpp"
#include "selgrad/program/rules/tanh.hpp"

namespace selgrad::rules {

template <class... R>
struct List {
  static constexpr std::size_t size = sizeof...(R);
  template <std::size_t I>
  using at = std::tuple_element_t<I, std::tuple<R...>>;
};

using All = List<Input,                                                                   //
                 Add, Sub, Neg, Mul, Div, Exp, Log, Powi, Lin, Sqrt, Softplus, Sigmoid, Tanh,  //
                 Relu, Abs, Max, Min, Sort, Select, Clamp>;

static_assert(All::size == kOpCount, "one rule per Op");

namespace detail {
template <std::size_t... I>
constexpr bool in_enum_order(std::index_sequence<I...>) {
  return ((static_cast<std::size_t>(All::at<I>::info.op) == I) && ...);
}
}  // namespace detail
static_assert(detail::in_enum_order(std::make_index_sequence<All::size>{}), "rules must follow the Op enum order");

/// The rule of op `I`.
template <Op op>
using RuleOf = All::at<static_cast<std::size_t>(op)>;

namespace detail {
/// A table of one function per rule, each calling f with that rule: one indirect call per visit
/// (an if-chain over the ops would cost a comparison per op).
template <class F, std::size_t... I>
inline decltype(auto) visit(Op op, F&& f, std::index_sequence<I...>) {
  using Fn = std::remove_reference_t<F>;
  using R = decltype(f(All::at<0>{}));
  static constexpr R (*table[])(Fn&) = {+[](Fn& g) -> R { return g(All::at<I>{}); }...};
  const auto i = static_cast<std::size_t>(op);
  if constexpr (std::is_void_v<R>) {
    if (i < sizeof...(I)) table[i](f);
  } else {
    return i < sizeof...(I) ? table[i](f) : R{};
  }
}
}  // namespace detail

/// Calls f(Rule{}) with the rule of `op`; every instantiation must return the same type.
template <class F>
inline decltype(auto) visit(Op op, F&& f) {
  return detail::visit(op, std::forward<F>(f), std::make_index_sequence<All::size>{});
}

/// The op table: the rules' info rows, in enum order.
inline constexpr std::array<OpInfo, kOpCount> kInfo = []<std::size_t... I>(std::index_sequence<I...>) {
  return std::array<OpInfo, kOpCount>{All::at<I>::info...};
}(std::make_index_sequence<All::size>{});

/// Per op: whether its rule names literal-only argument positions (lin, clamp).
inline constexpr std::array<bool, kOpCount> kHasLiteralPositions = []<std::size_t... I>(std::index_sequence<I...>) {
  return std::array<bool, kOpCount>{requires { All::at<I>::literal_position(std::size_t{}, std::size_t{}); }...};
}(std::make_index_sequence<All::size>{});

}  // namespace selgrad::rules
