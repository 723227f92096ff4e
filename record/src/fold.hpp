// Constant folding (fold.cpp): operations none of whose arguments is recorded. fold_unary and
// fold_binary, the hot path's fallbacks, are declared in selgrad/record/detail/var_inline.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "selgrad/record.hpp"

namespace selgrad::detail {

Var fold_nary(Op op, std::span<const Var> args);
std::vector<Var> fold_sort(std::span<const Var> args);
Var fold_powi(const Var& a, std::int64_t k);
Var fold_select(const Comparison& c, const Var& a, const Var& b);
/// A selection (relu, abs, max, min, select, clamp) of constants: its value by the op's rule
/// when every argument is a double, symbolic otherwise.
Var fold_selection(Op op, std::span<const Var> args, Cmp cmp);
/// args = c0 c1 x1 c2 x2 ..., all constants.
Var fold_lin(std::span<const Var> args);

/// The sign of a constant whose value is known exactly without arithmetic (a double or a literal).
std::optional<int> constant_sign(const Var& v);
/// The literal a symbolic constant is, or nullptr (a double, a constant expression).
const Literal* literal_of(const Var& v);
/// A double or a literal: what may stand as a `lin` coefficient.
bool is_literal_constant(const Var& v);
/// Error (Domain) when a constant argument puts `op` outside its domain (the divisor of div, the
/// argument of log and sqrt, the base of a negative powi), whatever the other arguments are.
void check_constant_domain(Op op, std::span<const Var> args, std::int64_t power);

}  // namespace selgrad::detail
