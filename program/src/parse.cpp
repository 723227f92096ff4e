// The .sgp parser and printer (see parse.hpp and docs/program-format.md).
//
// Two passes: the first splits lines into tokens and records where every name is defined (so
// that a use before definition can be told apart from an unknown name); the second builds the
// program, checking each statement against the op table.
#include "selgrad/program/parse.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <fstream>
#include <unordered_map>

#include "selgrad/program/conventions.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/program/mutant.hpp"
#include "selgrad/program/names.hpp"

namespace selgrad {
namespace {

struct Token {
  std::string_view text;
  std::uint32_t column;  // 1-based byte column
};

struct Line {
  std::uint32_t number;
  std::span<const Token> tokens;  // into Tokens::all
};

/// Every token of the text in one vector (one allocation, not one per line), and the lines.
struct Tokens {
  std::vector<Token> all;
  std::vector<Line> lines;
};

[[noreturn]] void parse_error(std::uint32_t line, std::uint32_t column, const std::string& why) {
  Location where;
  where.line = line;
  where.column = column;
  throw Error(ErrorKind::Parse, where, why);
}

/// A cap of ParseLimits exceeded: Error(Resource) naming the cap and what raises it.
[[noreturn]] void over_cap(std::uint32_t line, std::uint32_t column, const std::string& what, std::size_t cap,
                           const char* option, const char* field) {
  Location where;
  where.line = line;
  where.column = column;
  throw Error(ErrorKind::Resource, where,
              what + ", above the cap of " + std::to_string(cap) + " (raise it with --" + option +
                  " or ParseLimits::" + field + ")");
}

/// A name or token as it appears in a message: at most 64 characters of it.
std::string shown(std::string_view s) {
  return s.size() <= 64 ? std::string(s) : std::string(s.substr(0, 64)) + "...";
}

Tokens tokenize(std::string_view text, const ParseLimits& limits) {
  if (text.size() > limits.max_bytes)
    over_cap(1, 1, "the program text has " + std::to_string(text.size()) + " bytes", limits.max_bytes,
             "max-file-bytes", "max_bytes");
  // Every token is a name, an argument, '=', an op or a comparison: at most max_nodes names and
  // max_arguments arguments, and three more per statement.
  const std::size_t max_tokens = limits.max_arguments + 4 * limits.max_nodes + 2;
  std::size_t tokens = 0;
  Tokens out;
  std::vector<std::pair<std::uint32_t, std::size_t>> line_starts;  // (line number, first token)
  std::uint32_t number = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(pos, end - pos);
    ++number;
    if (raw.size() > limits.max_line_bytes)
      over_cap(number, static_cast<std::uint32_t>(std::min<std::size_t>(limits.max_line_bytes + 1, UINT32_MAX)),
               "line " + std::to_string(number) + " has " + std::to_string(raw.size()) + " bytes",
               limits.max_line_bytes, "max-line-bytes", "max_line_bytes");
    if (const auto hash = raw.find('#'); hash != std::string_view::npos) raw = raw.substr(0, hash);
    const std::size_t first_token = out.all.size();
    std::size_t i = 0;
    while (i < raw.size()) {
      const char c = raw[i];
      if (c == ' ' || c == '\t' || c == '\r') {
        ++i;
        continue;
      }
      const auto uc = static_cast<unsigned char>(c);
      if (uc < 0x20 || uc >= 0x7f)
        parse_error(number, static_cast<std::uint32_t>(i + 1),
                    "unexpected character (byte 0x" +
                        std::string(1, "0123456789abcdef"[uc >> 4]) +
                        std::string(1, "0123456789abcdef"[uc & 15]) + ")");
      std::size_t j = i;
      while (j < raw.size() && raw[j] != ' ' && raw[j] != '\t' && raw[j] != '\r') {
        const auto uj = static_cast<unsigned char>(raw[j]);
        if (uj < 0x20 || uj >= 0x7f) break;
        ++j;
      }
      if (++tokens > max_tokens)
        over_cap(number, static_cast<std::uint32_t>(i + 1), "the program has more than " + std::to_string(max_tokens) + " tokens",
                 limits.max_arguments, "max-args", "max_arguments");
      out.all.push_back({raw.substr(i, j - i), static_cast<std::uint32_t>(i + 1)});
      i = j;
    }
    if (out.all.size() != first_token) line_starts.emplace_back(number, first_token);
    if (end == text.size()) break;
    pos = end + 1;
  }
  out.lines.reserve(line_starts.size());
  for (std::size_t l = 0; l < line_starts.size(); ++l) {
    const std::size_t end = l + 1 < line_starts.size() ? line_starts[l + 1].second : out.all.size();
    out.lines.push_back({line_starts[l].first,
                         std::span<const Token>(out.all.data() + line_starts[l].second, end - line_starts[l].second)});
  }
  return out;
}

bool looks_like_literal(std::string_view t) {
  const char c = t.empty() ? '\0' : t[0];
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.';
}

/// Names defined so far -> node index: an open-addressing table (linear probing) of node
/// indices tagged with their hash's high bits, grown at half load. One allocation per growth,
/// where a node-based hash map allocates per name and misses the cache on a million-name program.
class NameIndex {
 public:
  explicit NameIndex(const std::vector<Node>& nodes) : nodes_(nodes), slot_(64, kEmpty) {}
  /// The node named `name`, or nullopt.
  std::optional<std::uint32_t> find(std::string_view name) const {
    const std::size_t hash = std::hash<std::string_view>{}(name), mask = slot_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      if (slot_[i] == kEmpty) return std::nullopt;
      const auto k = static_cast<std::uint32_t>(slot_[i]);
      if ((slot_[i] >> 32) == (hash >> 32) && nodes_[k].name == name) return k;
    }
  }
  /// Adds node k under its name (not yet present).
  void insert(std::uint32_t k) {
    if (2 * (count_ + 1) > slot_.size()) grow();
    place(std::hash<std::string_view>{}(nodes_[k].name), k);
    ++count_;
  }

 private:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  void place(std::size_t hash, std::uint32_t k) {
    const std::size_t mask = slot_.size() - 1;
    std::size_t i = hash & mask;
    while (slot_[i] != kEmpty) i = (i + 1) & mask;
    slot_[i] = (static_cast<std::uint64_t>(hash >> 32) << 32) | k;
  }
  void grow() {
    std::vector<std::uint64_t> old(2 * slot_.size(), kEmpty);
    old.swap(slot_);
    for (std::uint64_t v : old)
      if (v != kEmpty) {
        const auto k = static_cast<std::uint32_t>(v);
        place(std::hash<std::string_view>{}(nodes_[k].name), k);
      }
  }
  const std::vector<Node>& nodes_;
  std::vector<std::uint64_t> slot_;
  std::size_t count_ = 0;
};

class Parser {
 public:
  Parser(std::string_view text, const ParseLimits& limits)
      : limits_(limits), tokens_(tokenize(text, limits)), lines_(tokens_.lines) {
  }

  Program run() {
    if (lines_.empty()) parse_error(1, 1, "missing input statement (empty program)");
    for (std::size_t s = 0; s < lines_.size(); ++s) statement(lines_[s], s);
    if (!seen_output_) {
      const Line& last = lines_.back();
      parse_error(last.number, 1, "missing output statement (it must be the last statement)");
    }
    return std::move(prog_);
  }

 private:
  /// A name longer than the cap is refused before it is stored (define() reports it; an invalid
  /// name first gets the parse error that says why).
  void check_name_length(const Token& t, std::uint32_t line) const {
    if (t.text.size() > limits_.max_name_bytes)
      over_cap(line, t.column, "name '" + shown(t.text) + "' has " + std::to_string(t.text.size()) + " bytes",
               limits_.max_name_bytes, "max-name-bytes", "max_name_bytes");
  }

  /// `count` more nodes: refused before they are added when the program would exceed the cap.
  void reserve_nodes(std::size_t count, std::uint32_t line, std::uint32_t column) const {
    if (prog_.nodes.size() + count > limits_.max_nodes)
      over_cap(line, column, "the program has more than " + std::to_string(limits_.max_nodes) + " nodes",
               limits_.max_nodes, "max-nodes", "max_nodes");
  }

  /// `count` more argument (or output) positions, refused past the cap.
  void reserve_arguments(std::size_t count, std::uint32_t line, std::uint32_t column) {
    arguments_ += count;
    if (arguments_ > limits_.max_arguments)
      over_cap(line, column, "the program has more than " + std::to_string(limits_.max_arguments) + " arguments",
               limits_.max_arguments, "max-args", "max_arguments");
  }

  /// The line where `name` is defined, for "used before its definition": looked up only when a
  /// name is not yet defined (an error path), so a correct program pays nothing for it. Only
  /// `NAME... = OP ...` and the input statement define names (an output statement or a line
  /// without '=' does not: otherwise `output y` with y undefined would read as a use before
  /// definition).
  std::optional<std::uint32_t> definition_line(std::string_view name) const {
    for (const Line& l : lines_) {
      const auto& t = l.tokens;
      if (t[0].text == "output") continue;
      if (t[0].text == "input") {
        for (std::size_t i = 1; i < t.size(); ++i)
          if (t[i].text == name) return l.number;
        continue;
      }
      std::size_t eq = 0;
      while (eq < t.size() && t[eq].text != "=") ++eq;
      if (eq == t.size()) continue;
      for (std::size_t i = 0; i < eq; ++i)
        if (t[i].text == name) return l.number;
    }
    return std::nullopt;
  }

  void define(const Token& name, std::uint32_t line) {
    if (is_valid_name(name.text)) check_name_length(name, line);
    if (!is_valid_name(name.text)) {
      const bool keyword = name.text == "input" || name.text == "output";
      parse_error(line, name.column,
                  keyword ? "'" + std::string(name.text) + "' is a keyword, not a name"
                          : "invalid name '" + shown(name.text) + "' (names match [A-Za-z_][A-Za-z0-9_.]*)");
    }
    if (const auto k = index_.find(name.text))
      parse_error(line, name.column,
                  "name '" + shown(name.text) + "' is already defined on line " + std::to_string(prog_.nodes[*k].line));
  }

  /// Appends a node whose name define() accepted.
  void add_node(Node n) {
    prog_.nodes.push_back(std::move(n));
    index_.insert(static_cast<std::uint32_t>(prog_.nodes.size() - 1));
  }

  Arg argument(const Token& t, std::uint32_t line) {
    if (looks_like_literal(t.text)) {
      std::string why;
      auto lit = parse_literal(t.text, &why);
      if (!lit) parse_error(line, t.column, "bad literal '" + shown(t.text) + "': " + why);
      prog_.literals.push_back(std::move(*lit));
      return Arg::literal(static_cast<std::uint32_t>(prog_.literals.size() - 1));
    }
    return Arg::node(resolve(t, line));
  }

  std::uint32_t resolve(const Token& t, std::uint32_t line) {
    if (const auto k = index_.find(t.text)) return *k;
    const std::string_view name = t.text;
    if (const auto def = is_valid_name(name) ? definition_line(name) : std::nullopt)
      parse_error(line, t.column,
                  "'" + shown(name) + "' is used before its definition (line " + std::to_string(*def) + ")");
    if (!is_valid_name(name)) parse_error(line, t.column, "bad argument '" + shown(name) + "': not a name or a number");
    parse_error(line, t.column, "unknown name '" + shown(name) + "'");
  }

  void statement(const Line& l, std::size_t index) {
    const auto& t = l.tokens;
    if (seen_output_) parse_error(l.number, t[0].column, "statement after the output statement");
    if (t[0].text == "input") {
      if (index != 0) parse_error(l.number, t[0].column, "the input statement must be the first statement");
      if (t.size() == 1) parse_error(l.number, t[0].column, "the input statement declares no inputs (p = 0)");
      reserve_nodes(t.size() - 1, l.number, t[0].column);
      for (std::size_t i = 1; i < t.size(); ++i) {
        define(t[i], l.number);
        Node n;
        n.name = std::string(t[i].text);
        n.op = Op::Input;
        n.line = l.number;
        add_node(std::move(n));
      }
      prog_.input_count = static_cast<std::uint32_t>(prog_.nodes.size());
      return;
    }
    if (index == 0) parse_error(l.number, t[0].column, "missing input statement (it must be the first statement)");
    if (t[0].text == "output") {
      if (t.size() == 1) parse_error(l.number, t[0].column, "the output statement names no outputs (q = 0)");
      reserve_arguments(t.size() - 1, l.number, t[0].column);
      for (std::size_t i = 1; i < t.size(); ++i) {
        if (looks_like_literal(t[i].text))
          parse_error(l.number, t[i].column, "output takes node names, not numbers");
        prog_.outputs.push_back(resolve(t[i], l.number));
      }
      seen_output_ = true;
      return;
    }
    definition(l);
  }

  void definition(const Line& l) {
    const auto& t = l.tokens;
    std::size_t eq = 0;
    while (eq < t.size() && t[eq].text != "=") ++eq;
    if (eq == t.size())
      parse_error(l.number, t[0].column, "expected 'NAME = OP ARG...' (no '=' found)");
    if (eq == 0) parse_error(l.number, t[0].column, "missing name before '='");
    if (eq + 1 == t.size()) parse_error(l.number, t[eq].column, "missing op after '='");
    const Token& opt = t[eq + 1];
    const auto op = op_by_name(opt.text);
    if (!op) parse_error(l.number, opt.column, "unknown op '" + shown(opt.text) + "'");
    const std::size_t names = eq;
    if (names > 1 && *op != Op::Sort)
      parse_error(l.number, t[1].column, "only sort defines several names; " + std::string(opt.text) + " defines one");

    Node n;
    n.op = *op;
    n.line = l.number;
    std::size_t a = eq + 2;  // first argument token
    if (*op == Op::Select) {
      if (a == t.size() || !cmp_by_name(t[a].text))
        parse_error(l.number, a < t.size() ? t[a].column : opt.column,
                    "select needs a comparison first: lt, le, gt or ge");
      n.cmp = *cmp_by_name(t[a].text);
      if (SELGRAD_MUTANT(45) && n.cmp == Cmp::Le) n.cmp = Cmp::Lt;  // mutant 45: le read as lt
      ++a;
    }
    std::size_t end = t.size();
    std::optional<Literal> weight;  // a Weight rule's w, stored after the arguments' literals
    if (end > a && t[end - 1].text.starts_with('@')) {  // a tie rule (tie_rule.hpp)
      --end;
      auto parsed = parse_tie_rule(*op, t[end].text.substr(1));
      if (!parsed.rule) parse_error(l.number, t[end].column, parsed.error);
      n.tie = *parsed.rule;
      weight = std::move(parsed.weight);
    }
    std::vector<const Token*> argt;
    for (std::size_t i = a; i < end; ++i) {
      if (t[i].text == "=") parse_error(l.number, t[i].column, "unexpected '='");
      argt.push_back(&t[i]);
    }
    if (*op == Op::Powi) {
      // powi a k: k is an integer literal, not an argument of the node.
      if (argt.size() != 2)
        parse_error(l.number, opt.column, "powi takes 2 arguments (a k), got " + std::to_string(argt.size()));
      std::string why;
      const auto k = parse_literal(argt[1]->text, &why);
      const auto kv = k ? k->as_int64() : std::nullopt;
      if (!k || !kv || *kv < -kMaxPowiExponent || *kv > kMaxPowiExponent)
        parse_error(l.number, argt[1]->column,
                    "powi exponent must be an integer literal with |k| <= " +
                        std::to_string(kMaxPowiExponent));
      n.power = *kv;
      argt.pop_back();
    } else if (auto why = arity_error(*op, argt.size())) {
      parse_error(l.number, opt.column, *why);
    }
    if (*op == Op::Sort && names != argt.size())
      parse_error(l.number, t[0].column,
                  "sort of " + std::to_string(argt.size()) + " arguments needs " +
                      std::to_string(argt.size()) + " result names, got " + std::to_string(names));
    reserve_nodes(names, l.number, t[0].column);
    reserve_arguments(argt.size(), l.number, opt.column);
    for (std::size_t i = 0; i < argt.size(); ++i) {
      if (literal_only_position(*op, i, argt.size()) && !looks_like_literal(argt[i]->text))
        parse_error(l.number, argt[i]->column,
                    std::string(literal_positions_name(*op)) + " must be number literals");
      n.args.push_back(argument(*argt[i], l.number));
    }
    if (auto why = literal_arguments_error(n, prog_.literals)) parse_error(l.number, opt.column, *why);
    if (weight) {  // after the arguments' literals: the order the printer writes them
      prog_.literals.push_back(std::move(*weight));
      n.tie.weight = static_cast<std::uint32_t>(prog_.literals.size() - 1);
    }
    const auto first = static_cast<std::uint32_t>(prog_.nodes.size());
    for (std::size_t r = 0; r < names; ++r) {
      define(t[r], l.number);
      Node node = n;
      node.name = std::string(t[r].text);
      if (*op == Op::Sort) {
        node.group_first = first;
        node.group_size = static_cast<std::uint32_t>(names);
      }
      add_node(std::move(node));
    }
  }

  const ParseLimits& limits_;
  std::size_t arguments_ = 0;  // argument and output positions so far
  Tokens tokens_;
  const std::vector<Line>& lines_;
  // Keys are views into the text, which outlives the parser.
  Program prog_;
  NameIndex index_{prog_.nodes};  // name -> node index (defined so far)
  bool seen_output_ = false;
};

std::string join_names(const Program& p, const std::vector<std::uint32_t>& idx) {
  std::string s;
  for (auto i : idx) s += " " + p.nodes[i].name;
  return s;
}

}  // namespace

Program parse_program(std::string_view text, const ParseLimits& limits) { return Parser(text, limits).run(); }

Program parse_program_file(const std::string& path, const ParseLimits& limits) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status))
    throw Error(ErrorKind::Usage, {}, "cannot read program file '" + path + "': no such file");
  if (std::filesystem::is_directory(status))
    throw Error(ErrorKind::Usage, {}, "cannot read program file '" + path + "': it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::Usage, {}, "cannot read program file '" + path + "'");
  // Read at most max_bytes + 1 bytes: a longer file (or an endless one, /dev/zero) is refused
  // without being read whole.
  std::string text;
  std::size_t have = 0;
  while (in && have <= limits.max_bytes) {
    const std::size_t chunk = std::min<std::size_t>(std::size_t{1} << 20, limits.max_bytes + 1 - have);
    text.resize(have + chunk);
    in.read(text.data() + have, static_cast<std::streamsize>(chunk));
    have += static_cast<std::size_t>(in.gcount());
  }
  if (in.bad()) throw Error(ErrorKind::Usage, {}, "cannot read program file '" + path + "': read error");
  text.resize(have);
  if (have > limits.max_bytes)
    over_cap(0, 0, "program file '" + path + "' is longer than " + std::to_string(limits.max_bytes) + " bytes",
             limits.max_bytes, "max-file-bytes", "max_bytes");
  return parse_program(text, limits);
}

std::string print_program(const Program& p) {
  std::string out = "input";
  for (std::uint32_t i = 0; i < p.input_count; ++i) out += " " + p.nodes[i].name;
  out += "\n";
  const auto arg_text = [&](Arg a) {
    return a.is_node() ? p.nodes[a.index].name : p.literals[a.index].text;
  };
  for (std::uint32_t k = p.input_count; k < p.nodes.size(); ++k) {
    const Node& n = p.nodes[k];
    if (n.op == Op::Sort) {
      if (k != n.group_first) continue;  // the group is printed at its first node
      for (std::uint32_t r = 0; r < n.group_size; ++r) out += p.nodes[k + r].name + " ";
    } else {
      out += n.name + " ";
    }
    out += "= ";
    out += op_name(n.op);
    if (n.op == Op::Select)  // mutant 46: ge printed as gt
      out += " " + std::string(cmp_name(SELGRAD_MUTANT(46) && n.cmp == Cmp::Ge ? Cmp::Gt : n.cmp));
    for (Arg a : n.args) out += " " + arg_text(a);
    if (n.op == Op::Powi) out += " " + std::to_string(n.power);
    if (n.tie.kind != TieRule::Kind::Unset && !SELGRAD_MUTANT(69))  // mutant 69: tie rules not printed
      out += " @" + tie_rule_text(n, p.literals);
    out += "\n";
  }
  out += "output" + join_names(p, p.outputs) + "\n";
  return out;
}

std::vector<Literal> parse_point(std::string_view text) {
  std::vector<Literal> out;
  std::size_t pos = 0, item = 1;
  while (true) {
    const auto comma = text.find(',', pos);
    std::string_view part = text.substr(pos, comma == std::string_view::npos ? text.npos : comma - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    std::string why;
    auto lit = parse_literal(part, &why);
    if (!lit)
      throw Error(ErrorKind::Usage, {},
                  "bad number '" + std::string(part) + "' at position " + std::to_string(item) + ": " + why);
    out.push_back(std::move(*lit));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
    ++item;
  }
  return out;
}

}  // namespace selgrad
