// Calling the engine under test from a property: exact and MPFR evaluation with the cases a
// property cannot judge (an exhausted resource cap, an MPFR overflow) turned into RapidCheck
// discards, and the reproduction command logged for the counterexample report.
//
// The engine under test is selgrad::reference. The fast engine's agreement with it belongs in
// properties/fast/ (see README.md), built into the suite when the fast engine's target exists.
#pragma once

#include <rapidcheck.h>

#include <string>
#include <vector>

#include "gen/rational.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/program/parse.hpp"
#include "selgrad/reference/closure.hpp"
#include "selgrad/reference/convex_hull.hpp"
#include "selgrad/reference/evaluate.hpp"

namespace selgrad::properties {

using reference::ExactResult;
using reference::Mode;
using reference::RealResult;

/// Logs (shown only for a failing case) how to rerun the engine on the case.
inline void log_command(const std::string& what, const std::vector<Rational>& x, const std::string& extra = "") {
  RC_LOG() << "  selgrad " << what << " case.sgp --at=" << point_text(x) << extra << "\n";
}

/// Resource errors mean the case is too big to judge, not that the claim fails. Call from a
/// catch block.
[[noreturn]] inline void discard_resource(const Error& e) {
  RC_DISCARD(std::string("resource cap: ") + e.what());
  throw;  // not reached: RC_DISCARD throws
}

inline ExactResult exact(const Program& p, const std::vector<Rational>& x, Mode mode = Mode::Backward) {
  reference::Options o;
  o.mode = mode;
  try {
    return reference::evaluate_exact(p, x, o);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Resource) discard_resource(e);
    RC_FAIL(std::string("evaluate_exact threw: ") + e.what());
    throw;  // not reached: RC_FAIL throws
  }
}

/// MPFR evaluation; an overflow of MPFR's exponent range (exp of exp of ...) is a discard.
inline RealResult real(const Program& p, const std::vector<Rational>& x, Mode mode = Mode::Backward) {
  reference::Options o;
  o.mode = mode;
  try {
    return reference::evaluate_real(p, x, o);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Resource) discard_resource(e);
    if (e.kind() == ErrorKind::Domain && e.reason().find("overflow") != std::string::npos)
      RC_DISCARD(std::string("MPFR overflow: ") + e.what());
    RC_FAIL(std::string("evaluate_real threw: ") + e.what());
    throw;
  }
}

inline reference::TieClosure closure(const Program& p, const std::vector<Rational>& x) {
  try {
    return reference::tie_closure(p, x);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Resource) discard_resource(e);
    RC_FAIL(std::string("tie_closure threw: ") + e.what());
    throw;
  }
}

/// A Jacobian's entries row after row (a point of the space the hull tests work in).
inline std::vector<Rational> flatten(const std::vector<std::vector<Rational>>& m) {
  std::vector<Rational> v;
  for (const auto& row : m) v.insert(v.end(), row.begin(), row.end());
  return v;
}

/// Whether Jacobian g lies in the convex hull of `set` (cddlib's exact LP on the flattened
/// differences, through reference::zero_in_convex_hull): the oracle of the T3 properties.
inline bool in_convex_hull(const std::vector<std::vector<std::vector<Rational>>>& set,
                           const std::vector<std::vector<Rational>>& g) {
  std::vector<std::vector<Rational>> shifted;
  const auto gv = flatten(g);
  for (const auto& j : set) {
    auto v = flatten(j);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] -= gv[i];
    shifted.push_back(std::move(v));
  }
  return reference::zero_in_convex_hull(shifted);
}

/// Logs a matrix on one line for a failing case's report.
inline void log_matrix(const char* what, const std::vector<std::vector<Rational>>& m) {
  RC_LOG() << "  " << what << ":";
  for (const auto& row : m) {
    RC_LOG() << " [";
    for (std::size_t i = 0; i < row.size(); ++i) RC_LOG() << (i ? " " : "") << row[i];
    RC_LOG() << "]";
  }
  RC_LOG() << "\n";
}

}  // namespace selgrad::properties
