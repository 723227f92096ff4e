// Op table lookups (see op.hpp).
#include "selgrad/program/op.hpp"

#include <string>

namespace selgrad {

std::optional<Op> op_by_name(std::string_view name) {
  for (const auto& info : kOpTable)
    if (info.op != Op::Input && info.name == name) return info.op;
  return std::nullopt;
}

std::string_view cmp_name(Cmp c) {
  switch (c) {
    case Cmp::Lt: return "lt";
    case Cmp::Le: return "le";
    case Cmp::Gt: return "gt";
    case Cmp::Ge: return "ge";
  }
  return "?";
}

std::optional<Cmp> cmp_by_name(std::string_view name) {
  for (Cmp c : {Cmp::Lt, Cmp::Le, Cmp::Gt, Cmp::Ge})
    if (cmp_name(c) == name) return c;
  return std::nullopt;
}

std::optional<std::string> arity_error(Op op, std::size_t n) {
  const OpInfo& info = op_info(op);
  const auto plural = [](int k) { return std::to_string(k) + (k == 1 ? " argument" : " arguments"); };
  if (info.max_args == info.min_args && n != static_cast<std::size_t>(info.min_args))
    return std::string(info.name) + " takes " + plural(info.min_args) + ", got " + std::to_string(n);
  if (n < static_cast<std::size_t>(info.min_args))
    return std::string(info.name) + " takes at least " + plural(info.min_args) + ", got " +
           std::to_string(n);
  if (info.max_args >= 0 && n > static_cast<std::size_t>(info.max_args))
    return std::string(info.name) + " takes at most " + plural(info.max_args) + ", got " +
           std::to_string(n);
  if (op == Op::Lin && n % 2 == 0)
    return "lin takes c0 followed by pairs (ci ai): an odd number of arguments, got " +
           std::to_string(n);
  return std::nullopt;
}

bool literal_only_position_of_rule(Op op, std::size_t i, std::size_t n) {
  return rules::visit(op, [&](auto r) {
    using R = decltype(r);
    if constexpr (requires { R::literal_position(i, n); }) return R::literal_position(i, n);
    else return false;
  });
}

std::string_view literal_positions_name(Op op) {
  return rules::visit(op, [&](auto r) {
    using R = decltype(r);
    if constexpr (requires { R::literal_positions_name; }) return R::literal_positions_name;
    else return std::string_view();
  });
}

}  // namespace selgrad
