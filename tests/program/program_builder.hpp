// Building programs in code, for tests that need a Program without going through the text.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "selgrad/program/literal.hpp"
#include "selgrad/program/program.hpp"

namespace selgrad::testgen {

class ProgramBuilder {
 public:
  /// Adds an input (call before any other node).
  Arg input(const std::string& name) {
    Node n;
    n.name = name;
    n.op = Op::Input;
    prog_.nodes.push_back(n);
    prog_.input_count = static_cast<std::uint32_t>(prog_.nodes.size());
    return Arg::node(prog_.input_count - 1);
  }

  /// A literal argument from its text (read exactly, as the parser reads it).
  Arg lit(const std::string& text) {
    auto l = parse_literal(text);
    if (!l) throw std::invalid_argument("bad literal " + text);
    prog_.literals.push_back(*l);
    return Arg::literal(static_cast<std::uint32_t>(prog_.literals.size() - 1));
  }

  /// A single-result node.
  Arg node(const std::string& name, Op op, std::vector<Arg> args) {
    return append_node(prog_, name, op, std::move(args));
  }

  Arg powi(const std::string& name, Arg a, std::int64_t k) {
    const Arg r = node(name, Op::Powi, {a});
    prog_.nodes.back().power = k;
    return r;
  }

  Arg select(const std::string& name, Cmp c, Arg u, Arg v, Arg a, Arg b) {
    const Arg r = node(name, Op::Select, {u, v, a, b});
    prog_.nodes.back().cmp = c;
    return r;
  }

  /// A sort statement: one node per name, sharing the arguments.
  std::vector<Arg> sort(const std::vector<std::string>& names, const std::vector<Arg>& args) {
    return append_sort(prog_, names, args);
  }

  ProgramBuilder& output(Arg a) {
    prog_.outputs.push_back(a.index);
    return *this;
  }

  Program& program() { return prog_; }
  Program build() const { return prog_; }

 private:
  Program prog_;
};

}  // namespace selgrad::testgen
