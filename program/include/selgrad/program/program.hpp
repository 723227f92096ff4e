// The program IR: the paper's P = (p, q, m, pr, G) (math.md, "Programs (Algorithm 1)").
//
// Nodes are stored in evaluation order: the p inputs first, then one node per computed value.
// A node's arguments are earlier nodes or exact literals, so pr(k) is the set of node arguments
// of node k and every argument index is smaller than k (programs never overwrite a value).
// A multi-output `sort` statement with k names becomes k consecutive Sort nodes sharing their
// arguments; node `group_first + r` is the r-th largest value (rank r). The k nodes share one
// argument list (ArgList copies share storage), so a k-way sort takes O(k) memory, not O(k^2).
#pragma once

#include <cstdint>
#include <optional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "selgrad/program/literal.hpp"
#include "selgrad/program/op.hpp"
#include "selgrad/program/tie_rule.hpp"

namespace selgrad {

struct Arg {
  enum class Kind : std::uint8_t { Node, Literal };
  Kind kind = Kind::Node;
  std::uint32_t index = 0;  ///< into Program::nodes or Program::literals

  static Arg node(std::uint32_t i) { return {Kind::Node, i}; }
  static Arg literal(std::uint32_t i) { return {Kind::Literal, i}; }
  bool is_node() const { return kind == Kind::Node; }
  friend bool operator==(const Arg&, const Arg&) = default;
};

/// A node's arguments: reads like a std::vector<Arg>, but copies share one storage until one of
/// them is modified (copy on write). The k nodes of a sort statement are copies of one list, so
/// the statement stores its k arguments once; any other node owns its list alone.
class ArgList {
 public:
  ArgList() = default;
  ArgList(std::vector<Arg> args)  // NOLINT(google-explicit-constructor): a list is a vector
      : data_(args.empty() ? nullptr : std::make_shared<std::vector<Arg>>(std::move(args))) {}
  ArgList(std::initializer_list<Arg> args) : ArgList(std::vector<Arg>(args)) {}

  const std::vector<Arg>& vector() const { return data_ ? *data_ : empty_list(); }
  operator const std::vector<Arg>&() const { return vector(); }  // NOLINT: reads as a vector
  std::size_t size() const { return data_ ? data_->size() : 0; }
  bool empty() const { return size() == 0; }
  const Arg& operator[](std::size_t i) const { return (*data_)[i]; }
  const Arg* data() const { return data_ ? data_->data() : nullptr; }
  const Arg* begin() const { return data(); }
  const Arg* end() const { return data() + size(); }
  const Arg& front() const { return data_->front(); }
  const Arg& back() const { return data_->back(); }
  /// Whether both lists are one storage (then they are equal without a comparison).
  bool shares_storage_with(const ArgList& other) const { return data_ && data_ == other.data_; }

  // Modifiers: the list first gets storage of its own, so copies never see each other's edits.
  Arg& operator[](std::size_t i) { return own()[i]; }
  Arg* begin() { return own().data(); }
  Arg* end() { return begin() + size(); }
  void push_back(Arg a) { own().push_back(a); }
  void pop_back() { own().pop_back(); }
  void clear() { data_.reset(); }
  void reserve(std::size_t n) { own().reserve(n); }
  void resize(std::size_t n) { own().resize(n); }

  friend bool operator==(const ArgList& a, const ArgList& b) {
    return a.data_ == b.data_ || a.vector() == b.vector();
  }
  friend bool operator==(const ArgList& a, const std::vector<Arg>& b) { return a.vector() == b; }

 private:
  static const std::vector<Arg>& empty_list() {
    static const std::vector<Arg> kEmpty;
    return kEmpty;
  }
  std::vector<Arg>& own() {
    if (!data_) data_ = std::make_shared<std::vector<Arg>>();
    else if (data_.use_count() > 1) data_ = std::make_shared<std::vector<Arg>>(*data_);
    return *data_;
  }
  std::shared_ptr<std::vector<Arg>> data_;
};

struct Node {
  std::string name;
  Op op = Op::Input;
  /// Arguments in written order. For `lin c0 c1 a1 c2 a2 ...` these are c0, c1, a1, ...;
  /// for `select CMP u v a b` they are u, v, a, b; for `powi a k` only a (k is `power`).
  /// The nodes of one sort statement share one list (see ArgList).
  ArgList args;
  Cmp cmp = Cmp::Lt;              ///< select only
  std::int64_t power = 0;         ///< powi only
  std::uint32_t group_first = 0;  ///< sort only: index of the statement's first node
  std::uint32_t group_size = 0;   ///< sort only: number of outputs k (= number of args)
  std::uint32_t line = 0;         ///< source line, 0 when built in code
  TieRule tie;                    ///< selections: the rule at a tie (`@...`; tie_rule.hpp)

  std::uint32_t sort_rank(std::uint32_t self) const { return self - group_first; }
  friend bool operator==(const Node& a, const Node& b) {
    return a.name == b.name && a.op == b.op && a.args == b.args && a.cmp == b.cmp &&
           a.power == b.power && a.group_first == b.group_first && a.group_size == b.group_size &&
           a.tie == b.tie;
  }
};

struct Program {
  std::vector<Node> nodes;        ///< inputs first, then computed nodes in evaluation order
  std::vector<Literal> literals;  ///< every literal argument, in first-use order
  std::vector<std::uint32_t> outputs;
  std::uint32_t input_count = 0;

  std::size_t p() const { return input_count; }     ///< number of inputs
  std::size_t q() const { return outputs.size(); }  ///< number of outputs
  std::size_t m() const { return nodes.size(); }    ///< number of nodes

  /// True if some node needs exp/log (then there is no exact rational evaluation).
  bool transcendental() const;
  /// Index of the node named `name`, or -1.
  std::int64_t find(const std::string& name) const;

  /// Structural equality: same nodes (names, ops, arguments, literal values), same outputs.
  /// Source lines are not compared, so print-then-parse of a built program compares equal.
  friend bool operator==(const Program& a, const Program& b);
};

/// A rule's condition on the literal arguments of node `n` (clamp: lo <= hi), if violated: the
/// reason. The literal-only positions must hold literals of `literals`.
std::optional<std::string> literal_arguments_error(const Node& n, const std::vector<Literal>& literals);

/// Checks every invariant a program must satisfy (inputs first, p > 0, q > 0, arguments refer
/// to earlier nodes, arities, literal-only positions of lin, sort groups, unique names).
/// Throws Error(ErrorKind::Program) naming the node. The parser's output always passes; this is
/// for programs built in code.
void validate(const Program& program);

}  // namespace selgrad
