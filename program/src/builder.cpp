// ProgramBuilder (see builder.hpp).
#include "selgrad/program/builder.hpp"

#include <utility>

#include "selgrad/program/error.hpp"
#include "selgrad/program/names.hpp"

namespace selgrad {

void ProgramBuilder::fail(const Node& n, const std::string& why) const {
  Location where;
  where.line = n.line;
  where.node = n.name;
  if (static_cast<std::size_t>(n.op) < kOpCount) where.op = std::string(op_name(n.op));
  throw Error(ErrorKind::Program, where, why);
}

std::string ProgramBuilder::claim_name(std::string name) {
  if (name.empty()) {
    // Fresh names "v<k>"; a name the caller took already is skipped.
    do name = "v" + std::to_string(next_fresh_++);
    while (names_.count(name) != 0);
  } else if (!is_valid_name(name)) {
    Node n;
    n.name = name;
    fail(n, "invalid name '" + name + "'");
  } else if (names_.count(name) != 0) {
    Node n;
    n.name = name;
    fail(n, "name '" + name + "' defined twice");
  }
  names_.insert(name);
  return name;
}

void ProgramBuilder::check_arg(const Node& n, Arg a) const {
  const bool ok = a.is_node() ? a.index < program_.nodes.size() : a.index < program_.literals.size();
  if (!ok) fail(n, "an argument is not a node or literal of this program");
}

Arg ProgramBuilder::push(Node n) {
  for (Arg a : n.args) check_arg(n, a);
  if (auto why = arity_error(n.op, n.args.size()); why && n.op != Op::Powi) fail(n, *why);
  n.name = claim_name(std::move(n.name));
  program_.nodes.push_back(std::move(n));
  return Arg::node(static_cast<std::uint32_t>(program_.nodes.size() - 1));
}

Arg ProgramBuilder::input(std::string name) {
  Node n;
  n.name = std::move(name);
  n.op = Op::Input;
  if (program_.nodes.size() != program_.input_count) fail(n, "an input after a computed node");
  n.name = claim_name(std::move(n.name));
  program_.nodes.push_back(std::move(n));
  ++program_.input_count;
  return Arg::node(program_.input_count - 1);
}

Arg ProgramBuilder::literal(const Literal& value) {
  const std::string key = value.as_fraction();
  if (auto it = literal_ids_.find(key); it != literal_ids_.end()) return Arg::literal(it->second);
  const auto id = static_cast<std::uint32_t>(program_.literals.size());
  program_.literals.push_back(value);
  literal_ids_.emplace(key, id);
  return Arg::literal(id);
}

Arg ProgramBuilder::literal(std::string_view text) {
  std::string why;
  auto lit = parse_literal(text, &why);
  if (!lit) throw Error(ErrorKind::Program, {}, "bad literal '" + std::string(text) + "': " + why);
  return literal(*lit);
}

Arg ProgramBuilder::literal(std::int64_t value) { return literal(Literal::from_int(value)); }

Arg ProgramBuilder::literal(double value) {
  auto lit = Literal::from_double(value);
  if (!lit) throw Error(ErrorKind::Program, {}, "a literal must be finite, got " + std::to_string(value));
  return literal(*lit);
}

Arg ProgramBuilder::node(std::string name, Op op, std::vector<Arg> args) {
  Node n;
  n.name = std::move(name);
  n.op = op;
  n.args = std::move(args);
  if (op == Op::Input || op == Op::Sort || static_cast<std::size_t>(op) >= kOpCount)
    fail(n, "node() builds single-result ops; use input() or sort()");
  return push(std::move(n));
}

Arg ProgramBuilder::powi(std::string name, Arg a, std::int64_t k) {
  Node n;
  n.name = std::move(name);
  n.op = Op::Powi;
  n.args = {a};
  n.power = k;
  if (k < -kMaxPowiExponent || k > kMaxPowiExponent) fail(n, "powi exponent out of range");
  return push(std::move(n));
}

Arg ProgramBuilder::select(std::string name, Cmp c, Arg u, Arg v, Arg a, Arg b) {
  Node n;
  n.name = std::move(name);
  n.op = Op::Select;
  n.args = {u, v, a, b};
  n.cmp = c;
  return push(std::move(n));
}

std::vector<Arg> ProgramBuilder::sort(std::vector<std::string> names, const std::vector<Arg>& args) {
  if (names.empty()) names.resize(args.size());
  Node lead;
  lead.op = Op::Sort;
  lead.name = names.empty() ? "" : names[0];
  if (names.size() != args.size() || args.empty())
    fail(lead, "sort takes one name per argument and at least one argument");
  for (Arg a : args) check_arg(lead, a);
  const auto first = static_cast<std::uint32_t>(program_.nodes.size());
  const ArgList shared(args);  // one list for the whole group (O(k), not O(k^2))
  std::vector<Arg> ranks;
  ranks.reserve(args.size());
  for (auto& name : names) {
    Node n;
    n.name = claim_name(std::move(name));
    n.op = Op::Sort;
    n.args = shared;
    n.group_first = first;
    n.group_size = static_cast<std::uint32_t>(args.size());
    program_.nodes.push_back(std::move(n));
    ranks.push_back(Arg::node(static_cast<std::uint32_t>(program_.nodes.size() - 1)));
  }
  return ranks;
}

std::vector<Arg> ProgramBuilder::append(const Program& part, std::span<const Arg> inputs, std::string_view prefix) {
  if (inputs.size() != part.p()) {
    Node n;
    fail(n, "append: the part has " + std::to_string(part.p()) + " inputs, " + std::to_string(inputs.size()) +
                " given");
  }
  std::vector<Arg> index(part.m());
  for (std::size_t i = 0; i < part.p(); ++i) index[i] = inputs[i];
  std::vector<Arg> literal_of(part.literals.size());
  for (std::size_t i = 0; i < part.literals.size(); ++i) literal_of[i] = literal(part.literals[i]);
  const auto fresh_or = [&](const std::string& name) {
    std::string prefixed = std::string(prefix) + name;
    return names_.count(prefixed) || !is_valid_name(prefixed) ? std::string() : prefixed;
  };
  for (std::size_t k = part.p(); k < part.m(); ++k) {
    const Node& src = part.nodes[k];
    if (src.op == Op::Sort && k != src.group_first) continue;  // the lead appended the whole group
    std::vector<Arg> args;
    args.reserve(src.args.size());
    for (Arg a : src.args) args.push_back(a.is_node() ? index[a.index] : literal_of[a.index]);
    if (src.op == Op::Sort) {
      std::vector<std::string> names;
      for (std::uint32_t r = 0; r < src.group_size; ++r) names.push_back(fresh_or(part.nodes[k + r].name));
      const auto ranks = sort(std::move(names), args);
      for (std::uint32_t r = 0; r < src.group_size; ++r) index[k + r] = ranks[r];
      continue;
    }
    Node n = src;
    n.name = fresh_or(src.name);
    n.args = std::move(args);
    n.line = 0;
    index[k] = push(std::move(n));
  }
  std::vector<Arg> outs;
  for (std::uint32_t o : part.outputs) outs.push_back(index[o]);
  return outs;
}

void ProgramBuilder::output(Arg a) {
  if (!a.is_node() || a.index >= program_.nodes.size()) {
    Node n;
    fail(n, "an output must be a node of this program");
  }
  program_.outputs.push_back(a.index);
}

Program ProgramBuilder::build() {
  Program out = std::move(program_);
  *this = ProgramBuilder();
  validate(out);
  return out;
}

}  // namespace selgrad
