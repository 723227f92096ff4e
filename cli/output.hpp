// Output helpers of `selgrad`: JSON and text forms of numbers, matrices and branch signatures.
// Exact numbers print as "p/q" or "p"; doubles as their shortest round-trip decimal; MPFR values
// with every digit their precision justifies.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "selgrad/program/program.hpp"
#include "selgrad/reference/evaluate.hpp"

namespace selgrad::cli {

using reference::BranchSignature;
using reference::BranchDecision;
using reference::Matrix;
using reference::Rational;
using reference::Real;
using reference::Certainty;
using reference::to_string;
using reference::certainty_name;
using reference::piece_name;


inline std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;  // names and numbers never contain these
    out += c;
  }
  return out + "\"";
}

template <class T, class F>
std::string json_list(const std::vector<T>& v, F&& item) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + item(v[i]);
  return s + "]";
}

inline std::string json_number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

inline std::string text(const Rational& r) { return to_string(r); }
inline std::string text(const Real& r) { return r.to_string(); }

template <class T>
std::string json_matrix(const Matrix<T>& m) {
  return json_list(m, [](const std::vector<T>& row) {
    return json_list(row, [](const T& x) { return json_string(text(x)); });
  });
}

inline std::string json_branches(const Program& p, const BranchSignature& s) {
  return json_list(s.decisions, [&](const BranchDecision& d) {
    const Node& n = p.nodes[d.node];
    return "{\"node\": " + json_string(n.name) + ", \"op\": " + json_string(std::string(op_name(n.op))) +
           ", \"line\": " + std::to_string(n.line) + ", \"piece\": " + json_string(piece_name(p, d)) +
           ", \"tie\": " + (d.choice.tie ? "true" : "false") +
           ", \"certainty\": " + json_string(std::string(certainty_name(d.certainty))) + "}";
  });
}

inline void print_branches_text(const Program& p, const BranchSignature& s) {
  std::cout << "branches:";
  if (s.decisions.empty()) std::cout << " (no selection nodes)";
  std::cout << "\n";
  for (const auto& d : s.decisions) {
    const Node& n = p.nodes[d.node];
    std::cout << "  " << n.name << " = " << op_name(n.op) << " (line " << n.line << "): piece "
              << piece_name(p, d);
    if (d.certainty == Certainty::Uncertified)
      std::cout << ", UNDECIDED at the precision cap: the tie rule's piece was taken\n";
    else
      std::cout << (d.choice.tie ? ", tie" : "") << ", " << certainty_name(d.certainty) << "\n";
  }
}

inline std::string input_names(const Program& p) {
  std::string s;
  for (std::size_t i = 0; i < p.p(); ++i) s += (i ? " " : "") + p.nodes[i].name;
  return s;
}

template <class T>
void print_matrix_text(const Program& p, const Matrix<T>& m, const std::string& indent) {
  for (std::size_t r = 0; r < m.size(); ++r) {
    std::cout << indent << p.nodes[p.outputs[r]].name << ": [";
    for (std::size_t c = 0; c < m[r].size(); ++c) std::cout << (c ? ", " : "") << text(m[r][c]);
    std::cout << "]\n";
  }
}

template <class T>
void print_outputs_text(const Program& p, const std::vector<T>& outs) {
  std::cout << "outputs:\n";
  for (std::size_t i = 0; i < outs.size(); ++i)
    std::cout << "  " << p.nodes[p.outputs[i]].name << " = " << text(outs[i]) << "\n";
}

/// Shortest decimal that reads back as the same double.
inline std::string shortest(double x) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, r.ptr);
}

inline std::string json_double(double x) {
  if (!std::isfinite(x)) return json_string(shortest(x));  // JSON has no inf / nan
  return shortest(x);
}

template <class T>
void print_labelled_text(const Program& p, const Matrix<T>& m, std::size_t first_label, const std::string& indent) {
  for (std::size_t r = 0; r < m.size(); ++r) {
    std::cout << indent << p.nodes[first_label + r].name << ": [";
    for (std::size_t c = 0; c < m[r].size(); ++c) std::cout << (c ? ", " : "") << text(m[r][c]);
    std::cout << "]\n";
  }
}

inline std::string names_between(const Program& p, std::size_t from, std::size_t to) {
  std::string s;
  for (std::size_t i = from; i < to; ++i) s += (i > from ? " " : "") + p.nodes[i].name;
  return s;
}

inline std::string json_names(const Program& p, std::size_t from, std::size_t to) {
  std::vector<std::string> v;
  for (std::size_t i = from; i < to; ++i) v.push_back(p.nodes[i].name);
  return json_list(v, [](const std::string& s) { return json_string(s); });
}

}  // namespace selgrad::cli
