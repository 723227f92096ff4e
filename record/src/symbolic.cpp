// The process-wide table of symbolic constants (see symbolic.hpp).
#include "symbolic.hpp"

#include <utility>

#include "selgrad/program/error.hpp"
#include "selgrad/record.hpp"

namespace selgrad::detail {

SymbolicTable& SymbolicTable::instance() {
  static SymbolicTable table;
  return table;
}

void SymbolicTable::reserve_entries(std::size_t n) const {
  if (entries_.size() + n > kMaxSymbolicConstants)
    throw Error(ErrorKind::Resource, {},
                "more than " + std::to_string(kMaxSymbolicConstants) +
                    " symbolic constants (exact constants that are no double, and constant arithmetic whose "
                    "exact result is no double); combine constants with recorded values instead");
}

std::uint32_t SymbolicTable::literal(const Literal& value) {
  std::lock_guard lock(mutex_);
  if (auto it = literal_ids_.find(value.text); it != literal_ids_.end()) return it->second;
  reserve_entries(1);
  SymbolicConstant c;
  c.literal = value;
  const auto id = static_cast<std::uint32_t>(entries_.size());
  entries_.push_back(std::move(c));
  literal_ids_.emplace(value.text, id);
  return id;
}

std::uint32_t SymbolicTable::operation(SymbolicConstant c) {
  std::lock_guard lock(mutex_);
  reserve_entries(1);
  const auto id = static_cast<std::uint32_t>(entries_.size());
  entries_.push_back(std::move(c));
  return id;
}

std::uint32_t SymbolicTable::sort(const std::vector<SymbolicArg>& args) {
  std::lock_guard lock(mutex_);
  reserve_entries(args.size());
  const auto first = static_cast<std::uint32_t>(entries_.size());
  for (std::uint32_t r = 0; r < args.size(); ++r) {
    SymbolicConstant c;
    c.op = Op::Sort;
    c.rank = r;
    c.args = args;
    entries_.push_back(std::move(c));
  }
  return first;
}

const SymbolicConstant& SymbolicTable::get(std::uint32_t id) const {
  std::lock_guard lock(mutex_);
  return entries_.at(id);
}

std::uint32_t SymbolicTable::negated_literal(std::uint32_t id) {
  Literal l = get(id).literal;
  if (!l.is_zero()) {
    l.negative = !l.negative;
    l.text = l.text[0] == '-' ? l.text.substr(1) : l.text[0] == '+' ? "-" + l.text.substr(1) : "-" + l.text;
  }
  return literal(l);
}

}  // namespace selgrad::detail
