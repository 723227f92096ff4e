// What the recording examples (record_*.cpp) do with a recorded program: run it over many
// points with the double engine, and at a tie point compare the double engine with the exact
// reference and print the tie closure (math.md D5).
#pragma once

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "selgrad/fast/evaluate.hpp"
#include "selgrad/program/parse.hpp"
#include "selgrad/reference/closure.hpp"
#include "selgrad/reference/evaluate.hpp"

namespace selgrad::examples {

/// Evaluates p (value and selection Jacobian) at n points drawn by `draw` (one input at a time),
/// with fast::BatchEvaluator; prints the time per point, the failed lanes and the lanes where a
/// selection was decided at a tie. Returns the mean of output 0.
template <class Draw>
double run_batch(const Program& p, std::size_t n, Draw draw) {
  std::vector<double> x(n * p.p());
  for (double& v : x) v = draw();
  fast::BatchEvaluator batch(fast::compile(p));
  fast::BatchResult out;
  const auto start = std::chrono::steady_clock::now();
  batch.evaluate(x, n, out);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double mean = 0;
  std::size_t tied = 0;
  for (std::size_t l = 0; l < n; ++l) {
    mean += out.outputs[l * p.q()] / static_cast<double>(n);
    for (std::size_t s = 0; s < out.selections; ++s)
      if (out.ties[l * out.selections + s]) {
        ++tied;
        break;
      }
  }
  std::printf("  %zu points, value and %zu x %zu Jacobian each: %.1f ns per point; %zu failed, %zu at a tie; "
              "mean of output 0: %.6g\n",
              n, p.q(), p.p(), 1e9 * seconds / static_cast<double>(n), out.failed_lanes(), tied, mean);
  return mean;
}

inline std::string row_text(const std::vector<reference::Rational>& row) {
  std::string s = "[";
  for (std::size_t i = 0; i < row.size(); ++i) s += (i ? ", " : "") + reference::to_string(row[i]);
  return s + "]";
}

/// At an exact point x (dyadic, so that the double engine computes exactly): checks that the
/// double engine's outputs and Jacobian equal the exact reference's, prints AD's Jacobian and
/// the tie closure. Returns false if the engines disagree.
inline bool check_tie_point(const Program& p, const std::vector<reference::Rational>& x) {
  std::vector<double> xd;
  std::string at;
  for (const auto& v : x) {
    xd.push_back(v.convert_to<double>());
    at += (at.empty() ? "" : ", ") + reference::to_string(v);
  }
  fast::PointEvaluator point(fast::compile(p));
  fast::PointResult fr;
  point.evaluate(xd, fr);
  const reference::TieClosure c = reference::tie_closure(p, x);
  bool same = true;
  for (std::size_t j = 0; j < p.q(); ++j) {
    same = same && reference::Rational(fr.outputs[j]) == c.at_point.outputs[j];
    for (std::size_t i = 0; i < p.p(); ++i)
      same = same && reference::Rational(fr.jacobian[j * p.p() + i]) == c.at_point.jacobian[j][i];
  }
  std::printf("  at the tie point (%s):\n", at.c_str());
  for (std::size_t j = 0; j < p.q(); ++j)
    std::printf("    output %zu = %s, AD: %s\n", j, reference::to_string(c.at_point.outputs[j]).c_str(),
                row_text(c.at_point.jacobian[j]).c_str());
  std::printf("    double engine %s the exact reference (outputs and Jacobian, exactly)\n", same ? "equals" : "DIFFERS FROM");
  std::printf("    tie closure: %zu tied selection nodes, %zu distinct selection Jacobians over %zu branch combinations\n",
              c.tied_nodes.size(), c.jacobians.size(), c.combinations);
  for (const auto& jac : c.jacobians) {
    std::string rows;
    for (const auto& row : jac) rows += (rows.empty() ? "" : "; ") + row_text(row);
    std::printf("      %s\n", rows.c_str());
  }
  if (c.zero_in_hull)
    std::printf("    0 in their convex hull: %s\n", *c.zero_in_hull ? "yes (selection critical)" : "no");
  return same;
}

}  // namespace selgrad::examples
