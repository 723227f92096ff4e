// Building a Tape node by node (internal to selgrad's front ends).
//
// compile() feeds a TapeBuilder the nodes of a validated Program; the C++ recorder feeds it the
// nodes of a recording straight away (Recorder::compile), without making a Program: no node
// strings, no argument list per node, no second validation. Both go through the same per-node
// step (instruction, operand rows, partial rows read off the op's rule), so the two routes make
// the same tape from the same nodes.
//
// The builder's interface is ProgramBuilder's (so one emitter can target either), and it checks
// what a front end could get wrong cheaply and per node: arguments are earlier nodes or its own
// constants, arities, literal-only positions, unique names (when asked to), constants within
// double's range. It does not check a rule's conditions on literal values (clamp's lo <= hi):
// its callers have (validate(), or the recorder when it recorded the node).
//
// Rows are laid out when the last node is known (tape.hpp): while building, an operand or partial
// names a node, a constant (tagged), or a scratch row (tagged); build() resolves the tags.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "selgrad/fast/tape.hpp"
#include "selgrad/program/literal.hpp"
#include "selgrad/program/names.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/program/program.hpp"
#include "selgrad/program/symbolic.hpp"

namespace selgrad::fast::detail {

/// The fields of a node besides its name and arguments.
struct NodeHead {
  Op op = Op::Input;
  Cmp cmp = Cmp::Lt;       ///< select
  std::int64_t power = 0;  ///< powi
  TieRule tie;             ///< selections
  std::uint32_t line = 0;  ///< source line, 0 when built in code
};

class TapeBuilder {
 public:
  /// `claim_names`: give fresh names to unnamed nodes and refuse a name given twice (a front
  /// end); false when the names were validated already (compile() of a Program).
  explicit TapeBuilder(CompileLimits limits = {}, bool claim_names = true);

  // ---- ProgramBuilder's interface (builder.hpp) ----------------------------------------------
  Arg input(std::string name = {});
  /// A constant with the double's value (-0 is 0); the same value twice is one constant.
  Arg literal(double value);
  /// A constant with the literal's value rounded to nearest (literal_to_double); the same value
  /// twice is one constant (a literal that is a double shares the double's constant).
  Arg literal(const Literal& value);
  Arg node(std::string name, Op op, const std::vector<Arg>& args);
  Arg powi(std::string name, Arg a, std::int64_t k);
  Arg select(std::string name, Cmp c, Arg u, Arg v, Arg a, Arg b);
  std::vector<Arg> sort(std::vector<std::string> names, const std::vector<Arg>& args);
  void output(Arg a);
  void reserve(std::size_t nodes);
  std::size_t size() const { return tape_.m; }
  /// The finished tape (sweeps and schedule built); the builder is left empty.
  Tape build();

  // ---- for compile() ---------------------------------------------------------------------------
  /// A new constant for `value`, never shared: constant i of the tape is literal i of the program.
  Arg constant(const Literal& value);
  /// A single-result node.
  Arg add(std::string_view name, const NodeHead& head, std::span<const Arg> args);
  /// A sort statement: one node per rank, `names` empty or one per rank.
  std::vector<Arg> add_sort(std::span<const std::string> names, std::span<const Arg> args, std::uint32_t line);

 private:
  void name_next(std::string_view name, const NodeHead& head);
  /// The provisional row of argument i of the node being added (`node`, named already).
  std::uint32_t operand_row(const NodeHead& head, std::uint32_t node, std::span<const Arg> args, std::size_t i);
  [[noreturn]] void fail(ErrorKind kind, std::string_view name, const NodeHead& head, const std::string& why) const;
  void check_room(std::string_view name, const NodeHead& head, std::size_t nodes) const;

  CompileLimits limits_;
  bool claim_names_;
  NameClaims claims_;
  Tape tape_;
  std::vector<double> literal_;          ///< constant values before 0, 1, -1 are appended
  std::unordered_map<std::uint64_t, std::uint32_t> by_bits_;    ///< constant of a double value
  std::unordered_map<std::string, std::uint32_t> by_fraction_;  ///< constant of another literal
  std::unordered_map<std::uint32_t, std::string> beyond_range_; ///< text of a non-finite constant
  /// What each local partial of a node is (partial_forms), cached by op, count and comparison.
  const std::vector<Sym>& partial_forms_of(Op op, std::size_t count, const NodeHead& head);
  static constexpr std::size_t kFormCacheArity = 8, kCmpCount = 4;
  struct CachedForms {
    bool known = false;
    std::vector<Sym> forms;
  };
  std::vector<CachedForms> form_cache_ = std::vector<CachedForms>(kOpCount * kFormCacheArity * kCmpCount);
  std::vector<Sym> forms_, forms_scratch_;
  std::uint32_t scratch_ = 0;
};

}  // namespace selgrad::fast::detail
