// Program invariants and queries (see program.hpp).
#include "selgrad/program/program.hpp"

#include <functional>
#include <string_view>
#include <vector>

#include "selgrad/program/conventions.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/program/names.hpp"

namespace selgrad {

bool is_valid_name(std::string_view s) {
  // ASCII only, by ranges: the <cctype> functions consult the locale on every call.
  const auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (s.empty() || !letter(s[0])) return false;
  for (char c : s)
    if (!letter(c) && !(c >= '0' && c <= '9') && c != '.') return false;
  return s != "input" && s != "output";
}

std::optional<std::uint64_t> fresh_name_number(std::string_view name) {
  // "v0", "v17"; not "v", "v017" or a number past 19 digits (no fresh counter gets there).
  if (name.size() < 2 || name.size() > 20 || name[0] != 'v' || (name[1] == '0' && name.size() > 2))
    return std::nullopt;
  std::uint64_t k = 0;
  for (char c : name.substr(1)) {
    if (c < '0' || c > '9') return std::nullopt;
    k = 10 * k + static_cast<std::uint64_t>(c - '0');
  }
  return k;
}

std::optional<std::string> NameClaims::claim(const std::string& name) {
  if (!is_valid_name(name)) return "invalid name '" + name + "'";
  if (taken(name)) return "name '" + name + "' defined twice";
  given_.insert(name);
  if (fresh_name_number(name)) ++given_fresh_form_;
  return std::nullopt;
}

std::uint64_t NameClaims::claim_fresh() {
  // Only a given name of the form v<k> can be in the way: one lookup per fresh name while
  // there are such names, none without (inputs x0, x1, ... cost nothing).
  std::uint64_t k = next_fresh_++;
  while (given_fresh_form_ != 0 && given_.count("v" + std::to_string(k))) k = next_fresh_++;
  return k;
}

bool NameClaims::taken(std::string_view name) const {
  // A fresh-form name below the counter was handed out, or given (and skipped): taken either way.
  if (const auto k = fresh_name_number(name); k && *k < next_fresh_) return true;
  return !given_.empty() && given_.count(std::string(name)) != 0;
}

namespace {

/// The set of node names seen so far, as an open-addressing table (linear probing) of node
/// indices tagged with their hash's high bits: one allocation for the whole program, where a
/// node-based hash set allocates per name and chases pointers; a name is compared only when the
/// tags match. validate() runs in every compile.
class NameTable {
 public:
  explicit NameTable(const std::vector<Node>& nodes) : nodes_(nodes) {
    std::size_t size = 16;
    while (size < 2 * nodes.size()) size *= 2;
    slot_.assign(size, kEmpty);
  }
  /// Adds node k's name; false if an earlier node has the same name.
  bool insert(std::uint32_t k) {
    const std::string_view name = nodes_[k].name;
    const std::size_t hash = std::hash<std::string_view>{}(name), mask = slot_.size() - 1;
    const std::uint64_t tag = static_cast<std::uint64_t>(hash >> 32) << 32;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      if (slot_[i] == kEmpty) {
        slot_[i] = tag | k;
        return true;
      }
      if ((slot_[i] & ~std::uint64_t{0xffffffffu}) == tag && nodes_[slot_[i] & 0xffffffffu].name == name)
        return false;
    }
  }

 private:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  const std::vector<Node>& nodes_;
  std::vector<std::uint64_t> slot_;
};

}  // namespace

bool Program::transcendental() const {
  for (const auto& n : nodes)
    if (op_info(n.op).transcendental) return true;
  return false;
}

std::int64_t Program::find(const std::string& name) const {
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].name == name) return static_cast<std::int64_t>(i);
  return -1;
}

bool operator==(const Program& a, const Program& b) {
  if (a.input_count != b.input_count || a.outputs != b.outputs ||
      a.nodes.size() != b.nodes.size())
    return false;
  // Arguments index literals; compare the literal values they denote, not the table layout
  // (a built program may share one literal between nodes; its printed text repeats it).
  for (std::size_t k = 0; k < a.nodes.size(); ++k) {
    const Node& x = a.nodes[k];
    const Node& y = b.nodes[k];
    if (x.name != y.name || x.op != y.op || x.cmp != y.cmp || x.power != y.power ||
        x.group_first != y.group_first || x.group_size != y.group_size ||
        x.args.size() != y.args.size() || x.tie.kind != y.tie.kind || x.tie.piece != y.tie.piece)
      return false;
    if (x.tie.kind == TieRule::Kind::Weight &&
        (x.tie.weight >= a.literals.size() || y.tie.weight >= b.literals.size() ||
         !(a.literals[x.tie.weight] == b.literals[y.tie.weight])))
      return false;
    // A later rank of a sort group sharing its lead's list was compared with the lead.
    const bool later_rank = x.op == Op::Sort && k != x.group_first && x.group_first < k;
    if (later_rank && x.args.shares_storage_with(a.nodes[x.group_first].args) &&
        y.args.shares_storage_with(b.nodes[x.group_first].args))
      continue;
    for (std::size_t i = 0; i < x.args.size(); ++i) {
      const Arg u = x.args[i], v = y.args[i];
      if (u.kind != v.kind) return false;
      if (u.is_node()) {
        if (u.index != v.index) return false;
      } else if (u.index >= a.literals.size() || v.index >= b.literals.size() ||
                 !(a.literals[u.index] == b.literals[v.index])) {
        return false;
      }
    }
  }
  return true;
}

std::optional<std::string> literal_arguments_error(const Node& n, const std::vector<Literal>& literals) {
  return rules::visit(n.op, [&](auto r) -> std::optional<std::string> {
    using R = decltype(r);
    if constexpr (requires { R::check_literals([](std::size_t, std::size_t) { return 0; }); })
      return R::check_literals([&](std::size_t i, std::size_t j) {
        return compare(literals[n.args[i].index], literals[n.args[j].index]);
      });
    else return std::nullopt;
  });
}

void validate(const Program& prog) {
  const auto fail = [](const Node* n, std::uint32_t line, const std::string& why) {
    Location where;
    where.line = line;
    if (n) {
      where.node = n->name;
      if (static_cast<std::size_t>(n->op) < kOpCount) where.op = std::string(op_name(n->op));
    }
    throw Error(ErrorKind::Program, where, why);
  };
  if (prog.input_count == 0) fail(nullptr, 0, "program has no inputs (p = 0)");
  if (prog.outputs.empty()) fail(nullptr, 0, "program has no outputs (q = 0)");
  if (prog.nodes.size() < prog.input_count) fail(nullptr, 0, "fewer nodes than inputs");
  NameTable names(prog.nodes);
  for (std::uint32_t k = 0; k < prog.nodes.size(); ++k) {
    const Node& n = prog.nodes[k];
    if (!is_valid_name(n.name)) fail(&n, n.line, "invalid name '" + n.name + "'");
    if (!names.insert(k)) fail(&n, n.line, "name '" + n.name + "' defined twice");
    const bool is_input = k < prog.input_count;
    if (is_input != (n.op == Op::Input))
      fail(&n, n.line, is_input ? "the first p nodes must be inputs" : "an input after a computed node");
    if (is_input) {
      if (!n.args.empty()) fail(&n, n.line, "an input has no arguments");
      if (n.tie.kind != TieRule::Kind::Unset) fail(&n, n.line, "an input has no tie rule");
      continue;
    }
    if (static_cast<std::size_t>(n.op) >= kOpCount) fail(&n, n.line, "unknown op");
    if (n.op == Op::Powi) {
      // `powi a k` is written with 2 arguments, but k is stored in `power`: one node argument.
      if (n.args.size() != 1) fail(&n, n.line, "powi has one argument (k is its power), got " +
                                                   std::to_string(n.args.size()));
      if (n.power < -kMaxPowiExponent || n.power > kMaxPowiExponent)
        fail(&n, n.line, "powi exponent out of range");
    } else if (auto why = arity_fits(n.op, n.args.size()) ? std::nullopt : arity_error(n.op, n.args.size())) {
      fail(&n, n.line, *why);
    }
    if (n.tie.kind == TieRule::Kind::Weight && n.tie.weight >= prog.literals.size())
      fail(&n, n.line, "the tie rule's weight is not a literal of the program");
    if (n.tie.kind != TieRule::Kind::Unset)
      if (auto parsed = parse_tie_rule(n.op, tie_rule_text(n, prog.literals));
          !parsed.rule || parsed.rule->kind != n.tie.kind || parsed.rule->piece != n.tie.piece)
        fail(&n, n.line, parsed.rule ? "tie rule piece " + std::to_string(n.tie.piece) + " does not exist" : parsed.error);
    // A later rank of a sort group sharing its lead's argument list: the lead checked them.
    const bool shared_rank = n.op == Op::Sort && n.group_first < k && n.group_first >= prog.input_count &&
                             n.args.shares_storage_with(prog.nodes[n.group_first].args);
    for (std::size_t i = 0; i < (shared_rank ? 0 : n.args.size()); ++i) {
      const Arg a = n.args[i];
      if (a.is_node() ? a.index >= k : a.index >= prog.literals.size())
        fail(&n, n.line, "argument " + std::to_string(i + 1) + " is not an earlier node or a literal");
      if (a.is_node() && literal_only_position(n.op, i, n.args.size()))
        fail(&n, n.line, std::string(literal_positions_name(n.op)) + " must be literals");
    }
    if (auto why = literal_arguments_error(n, prog.literals)) fail(&n, n.line, *why);
    if (n.op == Op::Sort) {
      const std::uint32_t first = n.group_first, size = n.group_size;
      if (first > k || k - first >= size || size != n.args.size())
        fail(&n, n.line, "sort group does not match its argument count");
      const Node& lead = prog.nodes[first];
      if (lead.op != Op::Sort || lead.args != n.args || lead.group_size != size)
        fail(&n, n.line, "sort group nodes must share their arguments");
      if (first + size > prog.nodes.size()) fail(&n, n.line, "sort group is cut short");
      if (k == first)  // the lead checks that its group is k consecutive sort nodes
        for (std::uint32_t r = 1; r < size; ++r) {
          const Node& m = prog.nodes[first + r];
          if (m.op != Op::Sort || m.group_first != first)
            fail(&n, n.line, "sort group nodes must be consecutive");
        }
    }
  }
  for (auto o : prog.outputs)
    if (o >= prog.nodes.size()) fail(nullptr, 0, "output index out of range");
}

}  // namespace selgrad
