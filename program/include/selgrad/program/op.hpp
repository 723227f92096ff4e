// The op table: every operation a program may use, defined once.
//
// Each op is one rule (rules/, one file per op): arity, value, local selection gradient,
// domain condition and, for selections, pieces and tie rule, written once over the scalar type
// so that the exact reference, the double engine, certification and the layers all evaluate
// programs through the same code (op_rules.hpp dispatches a node to its rule). This header holds
// the table of the rules' descriptive rows (OpInfo: name, arity, kind, domain and tie rule in
// words), which the parser, the printer, validation and the docs read.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "selgrad/program/op_enum.hpp"
#include "selgrad/program/rules/list.hpp"

namespace selgrad {

/// One row per Op, in enum order: the rules' `info`.
inline constexpr const std::array<OpInfo, kOpCount>& kOpTable = rules::kInfo;

constexpr const OpInfo& op_info(Op op) { return kOpTable[static_cast<std::size_t>(op)]; }
constexpr std::string_view op_name(Op op) { return op_info(op).name; }

/// The op written `name` in a statement, if any (`input` is a statement keyword, not an op).
std::optional<Op> op_by_name(std::string_view name);

std::string_view cmp_name(Cmp c);
std::optional<Cmp> cmp_by_name(std::string_view name);

/// Whether `n` arguments fit `op`'s arity, beyond min/max: `lin` needs an odd count
/// (c0, then pairs ci ai). Returns a reason when they do not.
std::optional<std::string> arity_error(Op op, std::size_t n);
/// The same test without the reason (validation's fast path: a node per call).
constexpr bool arity_fits(Op op, std::size_t n) {
  const OpInfo& info = op_info(op);
  return n >= static_cast<std::size_t>(info.min_args) &&
         (info.max_args < 0 || n <= static_cast<std::size_t>(info.max_args)) && !(op == Op::Lin && n % 2 == 0);
}

/// Whether argument position i of a node of `op` with n arguments must be a literal (lin's
/// coefficients, clamp's bounds).
bool literal_only_position_of_rule(Op op, std::size_t i, std::size_t n);
inline bool literal_only_position(Op op, std::size_t i, std::size_t n) {
  const auto o = static_cast<std::size_t>(op);
  return o < kOpCount && rules::kHasLiteralPositions[o] && literal_only_position_of_rule(op, i, n);
}
/// What the literal-only positions of `op` are called ("lin coefficients"), for messages.
std::string_view literal_positions_name(Op op);

}  // namespace selgrad
