// Building a Program in code, node by node.
//
// ProgramBuilder is the one way selgrad's own front ends make programs without going through
// the .sgp text: the C++ recorder, the lowering of layer networks, composition of programs, and
// the random programs of tests, properties and benchmarks. It keeps the invariants validate()
// checks as it goes (inputs first, arguments refer to earlier nodes, unique names) and reports
// a violation at the call that causes it, as an Error of kind Program naming the node.
//
//   ProgramBuilder b;
//   Arg x = b.input("x");
//   Arg y = b.node("y", Op::Relu, {b.node("", Op::Sub, {x, b.literal("3/2")})});
//   b.output(y);
//   Program p = b.build();  // validated; "" asked for a fresh name
//
// Literals are exact (text as the format reads it, integers, or doubles, which are dyadic
// rationals) and shared: asking twice for the same value returns the same literal.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "selgrad/program/literal.hpp"
#include "selgrad/program/names.hpp"
#include "selgrad/program/program.hpp"

namespace selgrad {

class ProgramBuilder {
 public:
  ProgramBuilder() = default;

  /// Adds an input. Inputs come before every computed node. An empty name asks for a fresh one.
  Arg input(std::string name = {});

  /// An exact literal from its text (`3`, `-1/3`, `0.25`, `1e-3`); Error (Program) if the text
  /// is not a literal.
  Arg literal(std::string_view text);
  Arg literal(const Literal& value);
  Arg literal(std::int64_t value);
  Arg literal(int value) { return literal(static_cast<std::int64_t>(value)); }
  /// The double's exact value (every finite double is a dyadic rational); Error (Program) for
  /// an infinite or NaN value.
  Arg literal(double value);

  /// A single-result node `name = op args...`. An empty name asks for a fresh one.
  Arg node(std::string name, Op op, std::vector<Arg> args);
  /// `name = powi a k`.
  Arg powi(std::string name, Arg a, std::int64_t k);
  /// `name = select CMP u v a b`.
  Arg select(std::string name, Cmp c, Arg u, Arg v, Arg a, Arg b);
  /// One sort statement over `args`: a node per rank (the first is the largest value). `names`
  /// is empty (fresh names) or has one name per argument.
  std::vector<Arg> sort(std::vector<std::string> names, const std::vector<Arg>& args);

  /// Appends the computed nodes of `part` with part's input i bound to `inputs[i]`, names
  /// prefixed (fresh where the prefixed name is taken). Returns part's outputs in this program.
  std::vector<Arg> append(const Program& part, std::span<const Arg> inputs, std::string_view prefix);

  /// Marks a node as the next output.
  void output(Arg a);

  /// Makes room for `nodes` more nodes (a front end that knows the program's size saves the
  /// reallocations and rehashes of growing one node at a time).
  void reserve(std::size_t nodes);

  /// The program so far (not yet validated as a whole: it may still lack outputs).
  const Program& program() const { return program_; }
  std::size_t size() const { return program_.nodes.size(); }
  /// Whether `name` is taken by a node of the program so far.
  bool has_name(std::string_view name) const { return names_.taken(name); }

  /// The finished program, validated; the builder is left empty.
  Program build();

 private:
  /// Appends a copy of node k of `src` (for a sort, its whole statement) with its node arguments
  /// mapped through `index` and the given names; returns the new node(s).
  std::vector<Arg> copy_node(const Program& src, std::uint32_t k, const std::vector<Arg>& index,
                             std::vector<std::string> names);
  friend Program live_part(const Program&, const std::function<std::string(std::uint32_t, const Node&)>&);
  std::string claim_name(std::string name);
  Arg push(Node n);
  void check_arg(const Node& n, Arg a) const;
  [[noreturn]] void fail(const Node& n, const std::string& why) const;

  Program program_;
  NameClaims names_;
  std::unordered_map<std::string, std::uint32_t> literal_ids_;  // by the literal's fraction text
};

/// The part of `program` its outputs depend on: the other computed nodes dropped (a sort
/// statement stays whole when one of its ranks is needed), inputs kept, literals shared. With
/// `name`, node k of the result is named name(k, node), else it keeps its name.
Program live_part(const Program& program,
                  const std::function<std::string(std::uint32_t, const Node&)>& name = nullptr);

}  // namespace selgrad
