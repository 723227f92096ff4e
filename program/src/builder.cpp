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
  if (name.empty()) return "v" + std::to_string(names_.claim_fresh());
  if (auto why = names_.claim(name)) {
    Node n;
    n.name = name;
    fail(n, *why);
  }
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

void ProgramBuilder::reserve(std::size_t nodes) {
  program_.nodes.reserve(program_.nodes.size() + nodes);
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

std::vector<Arg> ProgramBuilder::copy_node(const Program& src, std::uint32_t k, const std::vector<Arg>& index,
                                           std::vector<std::string> names) {
  const Node& n = src.nodes[k];
  std::vector<Arg> args;
  args.reserve(n.args.size());
  for (Arg a : n.args) args.push_back(a.is_node() ? index[a.index] : literal(src.literals[a.index]));
  if (n.op == Op::Sort) return sort(std::move(names), args);
  Node copy = n;
  copy.name = std::move(names.at(0));
  copy.args = std::move(args);
  copy.line = 0;
  return {push(std::move(copy))};
}

std::vector<Arg> ProgramBuilder::append(const Program& part, std::span<const Arg> inputs, std::string_view prefix) {
  if (inputs.size() != part.p()) {
    Node n;
    fail(n, "append: the part has " + std::to_string(part.p()) + " inputs, " + std::to_string(inputs.size()) +
                " given");
  }
  std::vector<Arg> index(part.m());
  for (std::size_t i = 0; i < part.p(); ++i) index[i] = inputs[i];
  const auto fresh_or = [&](const std::string& name) {
    std::string prefixed = std::string(prefix) + name;
    return names_.taken(prefixed) || !is_valid_name(prefixed) ? std::string() : prefixed;
  };
  for (std::uint32_t k = static_cast<std::uint32_t>(part.p()); k < part.m(); ++k) {
    const Node& n = part.nodes[k];
    if (n.op == Op::Sort && k != n.group_first) continue;  // the lead appended the whole group
    const std::uint32_t count = n.op == Op::Sort ? n.group_size : 1;
    std::vector<std::string> names;
    for (std::uint32_t r = 0; r < count; ++r) names.push_back(fresh_or(part.nodes[k + r].name));
    const auto made = copy_node(part, k, index, std::move(names));
    for (std::uint32_t r = 0; r < count; ++r) index[k + r] = made[r];
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

Program live_part(const Program& p, const std::function<std::string(std::uint32_t, const Node&)>& name) {
  std::vector<bool> live(p.m(), false);
  std::vector<std::uint32_t> stack(p.outputs.begin(), p.outputs.end());
  while (!stack.empty()) {
    const std::uint32_t k = stack.back();
    stack.pop_back();
    if (live[k]) continue;
    live[k] = true;
    const Node& n = p.nodes[k];
    if (n.op == Op::Sort)
      for (std::uint32_t g = n.group_first; g < n.group_first + n.group_size; ++g)
        if (!live[g]) stack.push_back(g);
    for (Arg a : n.args)
      if (a.is_node() && !live[a.index]) stack.push_back(a.index);
  }
  ProgramBuilder b;
  std::vector<Arg> index(p.m());
  std::uint32_t next = 0;  // the index a node gets in the result
  const auto name_of = [&](std::uint32_t k) { return name ? name(next++, p.nodes[k]) : p.nodes[k].name; };
  for (std::uint32_t i = 0; i < p.p(); ++i) index[i] = b.input(name_of(i));
  for (std::uint32_t k = static_cast<std::uint32_t>(p.p()); k < p.m(); ++k) {
    const Node& n = p.nodes[k];
    if (!live[k] || (n.op == Op::Sort && k != n.group_first)) continue;
    const std::uint32_t count = n.op == Op::Sort ? n.group_size : 1;
    std::vector<std::string> names;
    for (std::uint32_t r = 0; r < count; ++r) names.push_back(name_of(k + r));
    const auto made = b.copy_node(p, k, index, std::move(names));
    for (std::uint32_t r = 0; r < count; ++r) index[k + r] = made[r];
  }
  for (std::uint32_t o : p.outputs) b.output(index[o]);
  return b.build();
}

}  // namespace selgrad
