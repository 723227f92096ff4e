// Random .sgp program texts for fuzzing: a generator of valid programs over the op table, and a
// mutator that breaks them in the ways real inputs are broken (lost or repeated tokens, stray
// bytes, truncation, unknown names, oversized literals).
//
// Header-only and std-only, so that any test binary can use it. Everything is driven by the
// caller's std::mt19937_64, so a fixed seed gives a reproducible stream of texts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "selgrad/program/literal.hpp"
#include "selgrad/program/op.hpp"

namespace selgrad::testgen {

struct TextGenOptions {
  int min_inputs = 1;
  int max_inputs = 3;
  int min_statements = 1;  ///< definition statements (a sort statement counts once)
  int max_statements = 10;
  int max_outputs = 3;
  int max_nary = 4;               ///< most arguments of add, mul, max, min, sort
  int max_lin_terms = 3;          ///< most (ci ai) pairs of a lin
  int max_powi = 3;               ///< |k| of powi
  bool transcendental = true;     ///< allow exp, log, sqrt, softplus, sigmoid, tanh
  bool selections = true;         ///< allow relu, abs, max, min, sort, select
  double literal_arg_prob = 0.2;  ///< chance that a node argument is a number literal
  bool decoration = true;         ///< comments, blank lines, tabs, extra spaces, CRLF
};

namespace detail {

inline int uniform(std::mt19937_64& rng, int lo, int hi) {  // inclusive
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}
inline bool coin(std::mt19937_64& rng, double p) {
  return std::bernoulli_distribution(p)(rng);
}
template <class T>
const T& pick(std::mt19937_64& rng, const std::vector<T>& v) {
  return v[static_cast<std::size_t>(uniform(rng, 0, static_cast<int>(v.size()) - 1))];
}

inline std::string digits(std::mt19937_64& rng, int lo, int hi, bool nonzero_first) {
  const int n = uniform(rng, lo, hi);
  std::string s;
  for (int i = 0; i < n; ++i)
    s += static_cast<char>('0' + uniform(rng, (i == 0 && nonzero_first) ? 1 : 0, 9));
  return s;
}

/// A fresh valid node name; some look like op or comparison names, some contain '.' or '_'.
inline std::string fresh_name(std::mt19937_64& rng, std::vector<std::string>& used) {
  static const std::vector<std::string> stems = {"x", "t", "a", "h", "v.", "_", "y_", "node",
                                                 "relu", "add", "sort", "le", "lin", "X9."};
  for (;;) {
    std::string s = pick(rng, stems);
    if (coin(rng, 0.8) || s.back() == '.' || s == "_") s += std::to_string(uniform(rng, 0, 99));
    bool clash = false;
    for (const auto& u : used) clash = clash || u == s;
    if (!clash) {
      used.push_back(s);
      return s;
    }
  }
}

}  // namespace detail

/// A random exact number literal in one of the spec's forms: `3`, `-3`, `+3`, `1/3`, `-2/7`,
/// `0.25`, `1e-3`, `-2.5E3`, with leading zeros now and then.
inline std::string random_literal_text(std::mt19937_64& rng) {
  using namespace detail;
  std::string sign = coin(rng, 0.3) ? "-" : (coin(rng, 0.05) ? "+" : "");
  std::string zeros = coin(rng, 0.1) ? "00" : "";
  switch (uniform(rng, 0, 4)) {
    case 0: return sign + zeros + digits(rng, 1, 3, false);
    case 1: return sign + zeros + digits(rng, 1, 3, false) + "/" + digits(rng, 1, 3, true);
    case 2: return sign + digits(rng, 1, 2, false) + "." + digits(rng, 1, 3, false);
    case 3: {
      std::string e = coin(rng, 0.5) ? "e" : "E";
      std::string es = coin(rng, 0.4) ? "-" : (coin(rng, 0.2) ? "+" : "");
      std::string mant = digits(rng, 1, 2, false);
      if (coin(rng, 0.4)) mant += "." + digits(rng, 1, 2, false);
      return sign + mant + e + es + digits(rng, 1, 2, false);
    }
    default: return sign + "0." + zeros + digits(rng, 1, 2, false);
  }
}

/// A random valid program text: the input statement, `min_statements..max_statements`
/// definitions over the op table (every op, every comparison, sort with k names, lin, powi
/// with negative k, literal arguments), then the output statement.
inline std::string random_program_text(std::mt19937_64& rng, const TextGenOptions& opt = {}) {
  using namespace detail;
  std::vector<Op> ops;
  for (const auto& info : kOpTable) {
    if (info.op == Op::Input) continue;
    if (info.transcendental && !opt.transcendental) continue;
    if (info.selection && !opt.selections) continue;
    ops.push_back(info.op);
  }
  std::vector<std::string> used;    // every name, defined or not yet
  std::vector<std::string> names;   // the defined names, in order
  const std::string nl = opt.decoration && coin(rng, 0.15) ? "\r\n" : "\n";
  const auto sep = [&]() -> std::string {
    if (!opt.decoration || coin(rng, 0.85)) return " ";
    return pick(rng, std::vector<std::string>{"  ", "\t", " \t ", "   "});
  };
  const auto decorate = [&](std::string& out) {
    if (!opt.decoration) return;
    if (coin(rng, 0.08)) out += "# a comment: = add ,; input output" + nl;
    if (coin(rng, 0.05)) out += nl;
    if (coin(rng, 0.03)) out += "  \t" + nl;
  };
  const auto arg = [&]() -> std::string {
    if (coin(rng, opt.literal_arg_prob)) return random_literal_text(rng);
    // Prefer recent names so that programs are deep rather than flat.
    const int n = static_cast<int>(names.size());
    const int lo = coin(rng, 0.6) ? (n > 3 ? n - 3 : 0) : 0;
    return names[static_cast<std::size_t>(uniform(rng, lo, n - 1))];
  };

  std::string out;
  decorate(out);
  out += "input";
  const int p = uniform(rng, opt.min_inputs, opt.max_inputs);
  for (int i = 0; i < p; ++i) {
    names.push_back(fresh_name(rng, used));
    out += sep() + names.back();
  }
  if (opt.decoration && coin(rng, 0.1)) out += " # the inputs";
  out += nl;

  const int statements = uniform(rng, opt.min_statements, opt.max_statements);
  for (int s = 0; s < statements; ++s) {
    decorate(out);
    const Op op = pick(rng, ops);
    const OpInfo& info = op_info(op);
    std::vector<std::string> args;
    std::string head;  // text after the op name and before the arguments (select's CMP)
    int results = 1;
    switch (op) {
      case Op::Lin: {
        args.push_back(random_literal_text(rng));
        const int terms = uniform(rng, 0, opt.max_lin_terms);
        for (int i = 0; i < terms; ++i) {
          args.push_back(random_literal_text(rng));
          args.push_back(arg());
        }
        break;
      }
      case Op::Powi: {
        args.push_back(arg());
        const int k = uniform(rng, -opt.max_powi, opt.max_powi);
        args.push_back((k > 0 && coin(rng, 0.1) ? "+" : "") + std::to_string(k));
        break;
      }
      case Op::Clamp: {  // clamp a lo hi: literal bounds, lo <= hi
        std::string lo = random_literal_text(rng), hi = random_literal_text(rng);
        if (compare(*parse_literal(lo), *parse_literal(hi)) > 0) std::swap(lo, hi);
        args = {arg(), lo, hi};
        break;
      }
      case Op::Select: {
        head = pick(rng, std::vector<std::string>{"lt", "le", "gt", "ge"});
        for (int i = 0; i < 4; ++i) args.push_back(arg());
        break;
      }
      default: {
        const int n = info.max_args >= 0 ? info.min_args : uniform(rng, info.min_args, opt.max_nary);
        for (int i = 0; i < n; ++i) args.push_back(arg());
        if (op == Op::Sort) results = n;
        break;
      }
    }
    std::vector<std::string> defined;
    for (int r = 0; r < results; ++r) defined.push_back(fresh_name(rng, used));
    for (int r = 0; r < results; ++r) out += (r ? sep() : std::string()) + defined[r];
    out += sep() + "=" + sep() + std::string(info.name);
    if (!head.empty()) out += sep() + head;
    for (const auto& a : args) out += sep() + a;
    if (opt.decoration && coin(rng, 0.1)) out += "  # " + std::string(info.name);
    out += nl;
    for (auto& d : defined) names.push_back(std::move(d));
  }

  decorate(out);
  out += "output";
  const int q = uniform(rng, 1, opt.max_outputs);
  for (int i = 0; i < q; ++i)
    out += sep() + (i == 0 ? names.back() : names[static_cast<std::size_t>(
                                                uniform(rng, 0, static_cast<int>(names.size()) - 1))]);
  if (!opt.decoration || coin(rng, 0.9)) out += nl;  // sometimes no final newline
  return out;
}

/// Applies 1 to 3 random mutations to a program text. The result is usually invalid; the
/// parser must then report a parse error, never crash, hang or throw anything else.
inline std::string mutate_program_text(std::string text, std::mt19937_64& rng) {
  using namespace detail;
  // Token spans [begin, end) of the current text, split at spaces, tabs and newlines.
  const auto tokens = [](const std::string& s) {
    std::vector<std::pair<std::size_t, std::size_t>> t;
    std::size_t i = 0;
    while (i < s.size()) {
      while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
      const std::size_t b = i;
      while (i < s.size() && !(s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
      if (i > b) t.emplace_back(b, i);
    }
    return t;
  };
  const auto lines = [](const std::string& s) {
    std::vector<std::string> l;
    std::size_t pos = 0;
    for (;;) {
      const auto e = s.find('\n', pos);
      if (e == std::string::npos) {
        l.push_back(s.substr(pos));
        return l;
      }
      l.push_back(s.substr(pos, e - pos + 1));
      pos = e + 1;
    }
  };
  const auto huge_literal = [&]() -> std::string {
    switch (uniform(rng, 0, 7)) {
      case 0: return std::string(kMaxLiteralDigits + 1, '7');
      case 1: return "1/" + std::string(kMaxLiteralDigits + 3, '3');
      case 2: return "1e99999";
      case 3: return "-1e-" + std::to_string(kMaxLiteralExponent + 1);
      case 4: return "1e" + std::to_string(kMaxLiteralExponent);  // the largest allowed
      case 5: return "1/0";
      case 6: return "99999999999999999999999";
      default: return std::string(kMaxLiteralDigits, '9') + ".5";
    }
  };
  static const std::vector<std::string> junk = {
      "=", "#", "input", "output", "sort", "select", "lin", "powi", "lt", "eq", "frobnicate",
      "-", "+", "/", ".", "1.2.3", "--1", "e5", "1/0", "0x10", "a-b", "9name", "inputs", "é"};

  const int count = uniform(rng, 1, 3);
  for (int m = 0; m < count; ++m) {
    auto t = tokens(text);
    const auto tok = [&]() { return t[static_cast<std::size_t>(uniform(rng, 0, static_cast<int>(t.size()) - 1))]; };
    switch (uniform(rng, 0, 13)) {
      case 0:  // delete a token
        if (!t.empty()) {
          const auto [b, e] = tok();
          text.erase(b, e - b);
        }
        break;
      case 1:  // duplicate a token
        if (!t.empty()) {
          const auto [b, e] = tok();
          text.insert(e, " " + text.substr(b, e - b));
        }
        break;
      case 2:  // swap two tokens
        if (t.size() >= 2) {
          auto x = tok(), y = tok();
          if (x.first > y.first) std::swap(x, y);
          if (x.first == y.first) break;
          const std::string a = text.substr(x.first, x.second - x.first);
          const std::string b = text.substr(y.first, y.second - y.first);
          text.replace(y.first, y.second - y.first, a);
          text.replace(x.first, x.second - x.first, b);
        }
        break;
      case 3: {  // insert a random byte anywhere (NUL, control, high bytes, structure)
        const std::size_t at = static_cast<std::size_t>(uniform(rng, 0, static_cast<int>(text.size())));
        static const std::string specials{"\0\n\r\t #=/.-+e\x7f\x80\xc3\xa9\xff", 17};
        const char c = coin(rng, 0.5) ? specials[static_cast<std::size_t>(uniform(rng, 0, 16))]
                                      : static_cast<char>(uniform(rng, 0, 255));
        text.insert(at, 1, c);
        break;
      }
      case 4:  // truncate
        text.resize(static_cast<std::size_t>(uniform(rng, 0, static_cast<int>(text.size()))));
        break;
      case 5:  // replace a token by an unknown name
        if (!t.empty()) {
          const auto [b, e] = tok();
          text.replace(b, e - b, "unknown_" + std::to_string(uniform(rng, 0, 9)));
        }
        break;
      case 6:  // replace a token by a huge or broken literal
        if (!t.empty()) {
          const auto [b, e] = tok();
          text.replace(b, e - b, huge_literal());
        }
        break;
      case 7:  // replace a token by a junk token
        if (!t.empty()) {
          const auto [b, e] = tok();
          text.replace(b, e - b, pick(rng, junk));
        }
        break;
      case 8:  // replace a token by an op name
        if (!t.empty()) {
          const auto [b, e] = tok();
          text.replace(b, e - b, std::string(kOpTable[static_cast<std::size_t>(
                                                          uniform(rng, 0, static_cast<int>(kOpCount) - 1))]
                                                 .name));
        }
        break;
      case 9: {  // delete, duplicate or swap whole lines
        auto l = lines(text);
        const auto i = static_cast<std::size_t>(uniform(rng, 0, static_cast<int>(l.size()) - 1));
        const auto j = static_cast<std::size_t>(uniform(rng, 0, static_cast<int>(l.size()) - 1));
        switch (uniform(rng, 0, 2)) {
          case 0: l.erase(l.begin() + static_cast<std::ptrdiff_t>(i)); break;
          case 1: l.insert(l.begin() + static_cast<std::ptrdiff_t>(i), l[i]); break;
          default: std::swap(l[i], l[j]); break;
        }
        text.clear();
        for (const auto& s : l) text += s;
        break;
      }
      case 10: {  // flip one byte
        if (!text.empty()) {
          const auto at = static_cast<std::size_t>(uniform(rng, 0, static_cast<int>(text.size()) - 1));
          text[at] = static_cast<char>(text[at] ^ (1 << uniform(rng, 0, 7)));
        }
        break;
      }
      case 11:  // glue two tokens (delete the separator after a token)
        if (!t.empty()) {
          const auto [b, e] = tok();
          if (e < text.size()) text.erase(e, 1);
        }
        break;
      case 12:  // replace a token by a random literal (names and lin coefficients get mixed up)
        if (!t.empty()) {
          const auto [b, e] = tok();
          text.replace(b, e - b, random_literal_text(rng));
        }
        break;
      default: {  // many arguments or many names at once
        if (!t.empty()) {
          const auto [b, e] = tok();
          std::string rep;
          const int n = uniform(rng, 2, 40);
          for (int i = 0; i < n; ++i) rep += " " + text.substr(b, e - b);
          text.insert(e, rep);
        }
        break;
      }
    }
  }
  return text;
}

/// Random bytes with a bias toward the format's structure characters.
inline std::string random_bytes_text(std::mt19937_64& rng, std::size_t max_len = 200) {
  using namespace detail;
  static const std::vector<std::string> pieces = {"input ", "output ", " = ", "add ", "sort ",
                                                  "x ", "y ", "1/2 ", "\n", "# c\n", "select le "};
  std::string s;
  const auto n = static_cast<std::size_t>(uniform(rng, 0, static_cast<int>(max_len)));
  while (s.size() < n) {
    if (coin(rng, 0.3)) s += pick(rng, pieces);
    else s += static_cast<char>(uniform(rng, 0, 255));
  }
  return s;
}

}  // namespace selgrad::testgen
