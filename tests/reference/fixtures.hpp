// Shared helpers for the reference engine's tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "selgrad/program/error.hpp"
#include "selgrad/program/parse.hpp"
#include "selgrad/reference/closure.hpp"
#include "selgrad/reference/evaluate.hpp"

namespace selgrad::testing {

using reference::Rational;

inline Rational q(const std::string& s) {
  return reference::to_rational(*parse_literal(s));
}

inline std::vector<Rational> point(std::initializer_list<const char*> xs) {
  std::vector<Rational> v;
  for (const char* x : xs) v.push_back(q(x));
  return v;
}

inline reference::Matrix<Rational> matrix(std::initializer_list<std::initializer_list<const char*>> rows) {
  reference::Matrix<Rational> m;
  for (auto r : rows) {
    m.emplace_back();
    for (const char* x : r) m.back().push_back(q(x));
  }
  return m;
}

inline Program example(const std::string& name) {
  return parse_program_file(std::string(SELGRAD_SOURCE_DIR) + "/examples/" + name);
}

/// Exact evaluation in both modes; asserts L1 (forward == backward, exactly) on the way.
inline reference::ExactResult exact_both_modes(const Program& p, const std::vector<Rational>& x) {
  reference::Options fwd;
  fwd.mode = reference::Mode::Forward;
  auto b = reference::evaluate_exact(p, x);
  auto f = reference::evaluate_exact(p, x, fwd);
  EXPECT_EQ(b.jacobian, f.jacobian) << "forward and backward mode differ";
  EXPECT_EQ(b.outputs, f.outputs);
  EXPECT_EQ(b.branches, f.branches);
  return b;
}

/// True iff the exact rational r lies in the enclosure e.
inline bool encloses(const reference::Interval& e, const Rational& r) {
  return e.lower().to_rational() <= r && r <= e.upper().to_rational();
}

}  // namespace selgrad::testing
