// The .sgp parser and printer (see parse.hpp and docs/program-format.md).
//
// Two passes: the first splits lines into tokens and records where every name is defined (so
// that a use before definition can be told apart from an unknown name); the second builds the
// program, checking each statement against the op table.
#include "selgrad/program/parse.hpp"

#include <fstream>
#include <sstream>
#include <unordered_map>

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
  std::vector<Token> tokens;
};

[[noreturn]] void parse_error(std::uint32_t line, std::uint32_t column, const std::string& why) {
  Location where;
  where.line = line;
  where.column = column;
  throw Error(ErrorKind::Parse, where, why);
}

std::vector<Line> tokenize(std::string_view text) {
  std::vector<Line> lines;
  std::uint32_t number = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(pos, end - pos);
    ++number;
    if (const auto hash = raw.find('#'); hash != std::string_view::npos) raw = raw.substr(0, hash);
    Line line{number, {}};
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
      line.tokens.push_back({raw.substr(i, j - i), static_cast<std::uint32_t>(i + 1)});
      i = j;
    }
    if (!line.tokens.empty()) lines.push_back(std::move(line));
    if (end == text.size()) break;
    pos = end + 1;
  }
  return lines;
}

bool looks_like_literal(std::string_view t) {
  const char c = t.empty() ? '\0' : t[0];
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.';
}

class Parser {
 public:
  explicit Parser(std::string_view text) : lines_(tokenize(text)) {}

  Program run() {
    if (lines_.empty()) parse_error(1, 1, "missing input statement (empty program)");
    record_definitions();
    for (std::size_t s = 0; s < lines_.size(); ++s) statement(lines_[s], s);
    if (!seen_output_) {
      const Line& last = lines_.back();
      parse_error(last.number, 1, "missing output statement (it must be the last statement)");
    }
    return std::move(prog_);
  }

 private:
  void record_definitions() {
    for (const Line& l : lines_) {
      const auto& t = l.tokens;
      if (t[0].text == "input") {
        for (std::size_t i = 1; i < t.size(); ++i) first_def_.try_emplace(std::string(t[i].text), l.number);
        continue;
      }
      // Only `NAME... = OP ...` defines names: an output statement or a line without '=' does
      // not (otherwise `output y` with y undefined would read as a use before definition).
      if (t[0].text == "output") continue;
      std::size_t eq = 0;
      while (eq < t.size() && t[eq].text != "=") ++eq;
      if (eq == t.size()) continue;
      for (std::size_t i = 0; i < eq; ++i) first_def_.try_emplace(std::string(t[i].text), l.number);
    }
  }

  void define(const Token& name, std::uint32_t line) {
    if (!is_valid_name(name.text)) {
      const bool keyword = name.text == "input" || name.text == "output";
      parse_error(line, name.column,
                  keyword ? "'" + std::string(name.text) + "' is a keyword, not a name"
                          : "invalid name '" + std::string(name.text) +
                                "' (names match [A-Za-z_][A-Za-z0-9_.]*)");
    }
    const auto [it, fresh] = index_.try_emplace(std::string(name.text),
                                                static_cast<std::uint32_t>(prog_.nodes.size()));
    if (!fresh)
      parse_error(line, name.column,
                  "name '" + std::string(name.text) + "' is already defined on line " +
                      std::to_string(prog_.nodes[it->second].line));
  }

  Arg argument(const Token& t, std::uint32_t line) {
    if (looks_like_literal(t.text)) {
      std::string why;
      auto lit = parse_literal(t.text, &why);
      if (!lit) parse_error(line, t.column, "bad literal '" + std::string(t.text) + "': " + why);
      prog_.literals.push_back(std::move(*lit));
      return Arg::literal(static_cast<std::uint32_t>(prog_.literals.size() - 1));
    }
    return Arg::node(resolve(t, line));
  }

  std::uint32_t resolve(const Token& t, std::uint32_t line) {
    const std::string name(t.text);
    if (auto it = index_.find(name); it != index_.end()) return it->second;
    if (auto it = first_def_.find(name); it != first_def_.end() && is_valid_name(name))
      parse_error(line, t.column,
                  "'" + name + "' is used before its definition (line " + std::to_string(it->second) + ")");
    if (!is_valid_name(name)) parse_error(line, t.column, "bad argument '" + name + "': not a name or a number");
    parse_error(line, t.column, "unknown name '" + name + "'");
  }

  void statement(const Line& l, std::size_t index) {
    const auto& t = l.tokens;
    if (seen_output_) parse_error(l.number, t[0].column, "statement after the output statement");
    if (t[0].text == "input") {
      if (index != 0) parse_error(l.number, t[0].column, "the input statement must be the first statement");
      if (t.size() == 1) parse_error(l.number, t[0].column, "the input statement declares no inputs (p = 0)");
      for (std::size_t i = 1; i < t.size(); ++i) {
        define(t[i], l.number);
        Node n;
        n.name = std::string(t[i].text);
        n.op = Op::Input;
        n.line = l.number;
        prog_.nodes.push_back(std::move(n));
      }
      prog_.input_count = static_cast<std::uint32_t>(prog_.nodes.size());
      return;
    }
    if (index == 0) parse_error(l.number, t[0].column, "missing input statement (it must be the first statement)");
    if (t[0].text == "output") {
      if (t.size() == 1) parse_error(l.number, t[0].column, "the output statement names no outputs (q = 0)");
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
    if (!op) parse_error(l.number, opt.column, "unknown op '" + std::string(opt.text) + "'");
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
    std::vector<const Token*> argt;
    for (std::size_t i = a; i < t.size(); ++i) {
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
    for (std::size_t i = 0; i < argt.size(); ++i) {
      if (literal_only_position(*op, i, argt.size()) && !looks_like_literal(argt[i]->text))
        parse_error(l.number, argt[i]->column,
                    std::string(literal_positions_name(*op)) + " must be number literals");
      n.args.push_back(argument(*argt[i], l.number));
    }
    if (auto why = literal_arguments_error(n, prog_.literals)) parse_error(l.number, opt.column, *why);
    const auto first = static_cast<std::uint32_t>(prog_.nodes.size());
    for (std::size_t r = 0; r < names; ++r) {
      define(t[r], l.number);
      Node node = n;
      node.name = std::string(t[r].text);
      if (*op == Op::Sort) {
        node.group_first = first;
        node.group_size = static_cast<std::uint32_t>(names);
      }
      prog_.nodes.push_back(std::move(node));
    }
  }

  std::vector<Line> lines_;
  std::unordered_map<std::string, std::uint32_t> first_def_;  // name -> line of first definition
  std::unordered_map<std::string, std::uint32_t> index_;      // name -> node index (defined so far)
  Program prog_;
  bool seen_output_ = false;
};

std::string join_names(const Program& p, const std::vector<std::uint32_t>& idx) {
  std::string s;
  for (auto i : idx) s += " " + p.nodes[i].name;
  return s;
}

}  // namespace

Program parse_program(std::string_view text) { return Parser(text).run(); }

Program parse_program_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::Usage, {}, "cannot read program file '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_program(ss.str());
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
