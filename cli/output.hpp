// Output helpers of `selgrad`: JSON and text forms of numbers, matrices and branch signatures.
// Exact numbers print as "p/q" or "p"; doubles as their shortest round-trip decimal; MPFR values
// with every digit their precision justifies. The commands build their output from these
// helpers only, so that the JSON and text forms stay one place each.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "selgrad/certify/certify.hpp"
#include "selgrad/program/mutant.hpp"
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


// ---- JSON (nlohmann-json) -------------------------------------------------------------------
//
// Every --json output is one object built as a Json value and written by print_json, so it is
// valid JSON whatever the values: names are escaped by the library, exact numbers are strings
// "p/q", MPFR values decimal strings, doubles JSON numbers (shortest round-trip form). JSON has
// no infinity or NaN: a non-finite double field is null with a sibling field "<key>_not_finite"
// saying which ("inf", "-inf" or "nan"); a non-finite double inside a list is that string
// (docs/program-format.md, command-line contract). Keys keep the order they are set in.

using Json = nlohmann::ordered_json;

/// Writes the object on one line of stdout. Invalid UTF-8 (never produced: names are ASCII) would
/// be replaced, not thrown.
inline void print_json(const Json& j) {
  std::cout << j.dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
}

/// Shortest decimal that reads back as the same double.
inline std::string shortest(double x) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, r.ptr);
}

inline std::string text(const Rational& r) { return to_string(r); }
inline std::string text(const Real& r) { return r.to_string(); }
inline std::string text(double x) { return shortest(x); }

/// "inf", "-inf" or "nan".
inline std::string non_finite_name(double x) { return std::isnan(x) ? "nan" : (x > 0 ? "inf" : "-inf"); }

/// A double in a list: a number, or the string naming a non-finite value.
inline Json json_double(double x) { return std::isfinite(x) ? Json(x) : Json(non_finite_name(x)); }

/// A double field: the number, or null and "<key>_not_finite".
inline void put_double(Json& object, const std::string& key, double x) {
  if (std::isfinite(x)) {
    object[key] = x;
    return;
  }
  object[key] = nullptr;
  object[key + "_not_finite"] = non_finite_name(x);
}

/// Exact and MPFR numbers as strings.
template <class T>
Json json_value(const T& x) {
  return text(x);
}
inline Json json_value(double x) { return json_double(x); }

template <class T>
Json json_list(const std::vector<T>& v) {
  Json out = Json::array();
  for (const auto& x : v) out.push_back(json_value(x));
  return out;
}

template <class T>
Json json_matrix(const Matrix<T>& m) {
  Json out = Json::array();
  for (const auto& row : m) out.push_back(json_list(row));
  return out;
}

/// A q x p row-major matrix of doubles (the double engine's Jacobian).
inline Json json_matrix(const std::vector<double>& entries, std::size_t rows, std::size_t cols) {
  Json out = Json::array();
  for (std::size_t r = 0; r < rows; ++r) {
    Json row = Json::array();
    for (std::size_t c = 0; c < cols; ++c) row.push_back(json_double(entries[r * cols + c]));
    out.push_back(std::move(row));
  }
  return out;
}

/// What a decision's row says besides its piece: how the reference decided it, or, for the
/// double engine, nothing (a double comparison) or what certification found.
struct DecisionNote {
  std::optional<Certainty> certainty;                   ///< the reference's decisions
  const selgrad::DecisionCertificate* cert = nullptr;   ///< a certified double-engine decision
};

/// The branch signature, one object per decision: node, op, line, piece, tie, and the note.
inline Json json_branches(const Program& p, const BranchSignature& s, const std::vector<DecisionNote>& notes = {}) {
  Json out = Json::array();
  for (std::size_t i = 0; i < s.decisions.size(); ++i) {
    const BranchDecision& d = s.decisions[i];
    const Node& n = p.nodes[d.node];
    Json b;
    b["node"] = n.name;
    b["op"] = std::string(op_name(n.op));
    b["line"] = n.line;
    b["piece"] = piece_name(p, d);
    b["tie"] = d.choice.tie;
    const DecisionNote note = i < notes.size() ? notes[i] : DecisionNote{d.certainty, nullptr};
    if (note.certainty) b["certainty"] = std::string(certainty_name(*note.certainty));
    if (note.cert) {
      b["certified"] = note.cert->certified;
      b["agrees_with_exact"] = note.cert->agrees;
      b["exact_certainty"] = std::string(certainty_name(note.cert->exact_certainty));
    }
    out.push_back(std::move(b));
  }
  return out;
}

inline Json json_names(const Program& p, std::size_t from, std::size_t to) {
  Json out = Json::array();
  for (std::size_t i = from; i < to; ++i) out.push_back(p.nodes[i].name);
  return out;
}

/// The keys every result has: outputs, jacobian and branches.
template <class T>
Json json_result(const Program& p, const std::vector<T>& outputs, const Matrix<T>& jacobian,
                 const BranchSignature& branches) {
  Json j;
  j["outputs"] = json_list(outputs);
  j["jacobian"] = json_matrix(jacobian);
  if (SELGRAD_MUTANT(63))  // mutant 63: every row printed with its columns in reverse order
    for (auto& row : j["jacobian"]) std::reverse(row.begin(), row.end());
  j["branches"] = json_branches(p, branches);
  return j;
}

// ---- text -----------------------------------------------------------------------------------

inline void print_branches_text(const Program& p, const BranchSignature& s, const std::vector<DecisionNote>& notes = {}) {
  std::cout << "branches:";
  if (s.decisions.empty()) std::cout << " (no selection nodes)";
  std::cout << "\n";
  for (std::size_t i = 0; i < s.decisions.size(); ++i) {
    const BranchDecision& d = s.decisions[i];
    const Node& n = p.nodes[d.node];
    const DecisionNote note = i < notes.size() ? notes[i] : DecisionNote{d.certainty, nullptr};
    std::cout << "  " << n.name << " = " << op_name(n.op) << " (line " << n.line << "): piece " << piece_name(p, d);
    if (note.certainty == Certainty::Uncertified) {
      std::cout << ", UNDECIDED at the precision cap: the tie rule's piece was taken\n";
      continue;
    }
    std::cout << (d.choice.tie ? ", tie" : "");
    if (note.certainty) std::cout << ", " << certainty_name(*note.certainty);
    if (note.cert)
      std::cout << (note.cert->certified ? ", certified" : ", NOT certified (near tie)")
                << (note.cert->agrees ? "" : ", DISAGREES with the exact decision")
                << (note.cert->exact_certainty == Certainty::Uncertified ? " (the exact decision is itself undecided)"
                                                                          : "");
    std::cout << "\n";
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


}  // namespace selgrad::cli
