// Symbolic constants: exact constants that are not doubles, attached to no recorder.
//
// A constant Var holds a double inline. Every other exact constant (a literal from
// constant("1/3"), an integer beyond 2^53, and the result of constant arithmetic whose exact
// value is no double: 0.1 * 3, exp(1), constant("1/3") + 1) is an entry of one process-wide,
// append-only table, and the Var holds its index. An entry is a literal or an operation over
// earlier entries and doubles; a recorder that meets one writes it to its program as a literal
// or as nodes over literals (record/src/emit.cpp). Entries never change once added, so a
// reference to one stays valid; the table is guarded by a mutex (constants are made rarely, and
// never on the recording hot path).
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "selgrad/program/literal.hpp"
#include "selgrad/program/op.hpp"

namespace selgrad::detail {

/// An argument of a symbolic operation: a double, or an earlier entry.
struct SymbolicArg {
  double value = 0;
  std::uint32_t id = 0;
  bool symbolic = false;
};

struct SymbolicConstant {
  Op op = Op::Input;        ///< Op::Input marks a literal
  Literal literal;          ///< op == Input
  Cmp cmp = Cmp::Lt;        ///< select
  std::int64_t power = 0;   ///< powi
  std::uint32_t rank = 0;   ///< sort: the group's entries are consecutive, rank 0 first
  std::vector<SymbolicArg> args;

  bool is_literal() const { return op == Op::Input; }
};

class SymbolicTable {
 public:
  static SymbolicTable& instance();

  /// The entry of a literal; literals with the same text share one entry.
  std::uint32_t literal(const Literal& value);
  /// A new operation entry (not shared).
  std::uint32_t operation(SymbolicConstant c);
  /// One sort statement: args.size() consecutive entries; returns the first (rank 0).
  std::uint32_t sort(const std::vector<SymbolicArg>& args);
  /// The entry `id`; the reference stays valid for the life of the process.
  const SymbolicConstant& get(std::uint32_t id) const;
  /// The literal -value of a literal entry.
  std::uint32_t negated_literal(std::uint32_t id);

 private:
  void reserve_entries(std::size_t n) const;  // Error (Resource) past kMaxSymbolicConstants
  mutable std::mutex mutex_;
  std::deque<SymbolicConstant> entries_;
  std::unordered_map<std::string, std::uint32_t> literal_ids_;  // by literal text
};

}  // namespace selgrad::detail
