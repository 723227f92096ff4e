// Recorded programs through both engines: on dyadic points, where every double operation of the
// recorded functions is exact, the fast engine's outputs, selection Jacobian and branches equal
// the exact reference's, bit for bit (ties included); and affine fusion changes neither the
// function nor its selection derivative (L1 and the chain rule of D4: a fused lin node's partials
// are the products along the chain it replaces).
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "random_function.hpp"
#include "reference/fixtures.hpp"
#include "selgrad/fast/evaluate.hpp"
#include "selgrad/record.hpp"

namespace selgrad::testing {
namespace {

/// A recorded function: inputs -> outputs, written once in C++.
using Recorded = std::function<std::vector<Var>(std::span<const Var>)>;

Program record_with(const Recorded& f, std::size_t p, bool fuse) {
  RecorderOptions o;
  o.fuse_affine = fuse;
  return record(f, p, o);
}

/// Every point of {values}^p.
std::vector<std::vector<Rational>> grid(std::size_t p, const std::vector<const char*>& values) {
  std::vector<std::vector<Rational>> out;
  std::size_t n = 1;
  for (std::size_t i = 0; i < p; ++i) n *= values.size();
  for (std::size_t c = 0; c < n; ++c) {
    std::vector<Rational> x;
    for (std::size_t i = 0, code = c; i < p; ++i, code /= values.size()) x.push_back(q(values[code % values.size()]));
    out.push_back(x);
  }
  return out;
}

bool all_doubles(const reference::ExactResult& r) {
  const auto fits = [](const Rational& v) { return Rational(v.convert_to<double>()) == v; };
  for (const auto& v : r.node_values)
    if (!fits(v)) return false;
  for (const auto& row : r.jacobian)
    for (const auto& v : row)
      if (!fits(v)) return false;
  return true;
}

/// Runs p at every point in the batch engine and at each point in the point engine, and checks
/// both against the exact reference wherever the exact computation stays in doubles. Returns the
/// number of points checked.
std::size_t expect_engines_agree(const Program& p, const std::vector<std::vector<Rational>>& points) {
  std::vector<double> xs;
  for (const auto& x : points)
    for (const auto& v : x) xs.push_back(v.convert_to<double>());
  fast::BatchEvaluator batch(fast::compile(p));
  fast::BatchResult b;
  batch.evaluate(xs, points.size(), b);
  fast::PointEvaluator point(fast::compile(p));
  fast::PointResult pr;
  std::size_t checked = 0;
  for (std::size_t l = 0; l < points.size(); ++l) {
    const reference::ExactResult e = exact_both_modes(p, points[l]);
    if (!all_doubles(e)) continue;
    ++checked;
    SCOPED_TRACE("point " + std::to_string(l));
    if (!b.ok(l)) {
      ADD_FAILURE() << fast::lane_error_text(b.error[l]);
      continue;
    }
    point.evaluate(std::span<const double>(xs).subspan(l * p.p(), p.p()), pr);
    for (std::size_t j = 0; j < p.q(); ++j) {
      EXPECT_EQ(Rational(b.outputs[l * p.q() + j]), e.outputs[j]) << "output " << j;
      EXPECT_EQ(Rational(pr.outputs[j]), e.outputs[j]) << "output " << j << " (point engine)";
      for (std::size_t i = 0; i < p.p(); ++i) {
        EXPECT_EQ(Rational(b.jacobian[(l * p.q() + j) * p.p() + i]), e.jacobian[j][i]) << "J(" << j << "," << i << ")";
        EXPECT_EQ(Rational(pr.jacobian[j * p.p() + i]), e.jacobian[j][i]) << "J(" << j << "," << i << ") (point engine)";
      }
    }
    for (std::size_t s = 0; s < b.selections; ++s) {
      EXPECT_EQ(b.pieces[l * b.selections + s], e.branches.decisions[s].choice.piece) << "selection " << s;
      EXPECT_EQ(b.ties[l * b.selections + s] != 0, e.branches.decisions[s].choice.tie) << "selection " << s;
    }
  }
  return checked;
}

/// Fusion is exact: the fused and the unfused program have equal exact outputs and selection
/// Jacobians at every point, ties included.
void expect_fusion_exact(const Recorded& f, std::size_t p, const std::vector<std::vector<Rational>>& points) {
  const Program fused = record_with(f, p, true), plain = record_with(f, p, false);
  for (const auto& x : points) {
    const auto a = reference::evaluate_exact(fused, x), b = reference::evaluate_exact(plain, x);
    EXPECT_EQ(a.outputs, b.outputs);
    EXPECT_EQ(a.jacobian, b.jacobian);
  }
}

const std::vector<const char*> kDyadic = {"0", "1", "-1", "1/2", "-3/4", "2"};

std::vector<Var> hinge_and_huber(std::span<const Var> x) {
  const Var margin = 1 - x[0] * x[1];
  const Var hinge = max(margin, 0);
  const Var r = x[0] - x[1];
  const Var huber = select(abs(r) <= 1, r * r / 2, abs(r) - 0.5);
  return {hinge, huber};
}

std::vector<Var> sorted_and_selected(std::span<const Var> x) {
  const std::vector<Var> s = sort(x);
  const Var top2 = s[0] + s[1];
  const Var clip = min(max(x[0], -1), 1);  // clamp(x0, -1, 1) with max and min
  const Var branch = select(x[1] >= x[2], x[1] - x[2] + 3 * x[0], 3 * x[0]);  // continuous (D3)
  return {top2 - s[2] / 4, clip, branch, relu(x[0] - x[1]) + relu(x[1] - x[0])};
}

std::vector<Var> layered(std::span<const Var> x) {
  // A 3-4-2 relu network with dyadic weights, written with scalar loops.
  const double w1[4][3] = {{1, -0.5, 0.25}, {-1, 1, 0}, {0.5, 0.5, -2}, {0, -1, 1}};
  const double w2[2][4] = {{1, -1, 0.5, 2}, {-0.25, 1, 1, -1}};
  std::vector<Var> h;
  for (const auto& row : w1) {
    Var z = 0.5;
    for (std::size_t j = 0; j < 3; ++j) z += row[j] * x[j];
    h.push_back(relu(z));
  }
  std::vector<Var> y;
  for (const auto& row : w2) {
    Var z = 0;
    for (std::size_t j = 0; j < 4; ++j) z += row[j] * h[j];
    y.push_back(z);
  }
  return {max(y[0], y[1]), abs(y[0] - y[1])};
}

TEST(RecordGradient, HingeAndHuberEqualTheExactReferenceAtDyadicPointsAndTies) {
  for (bool fuse : {true, false}) {
    const Program p = record_with(hinge_and_huber, 2, fuse);
    EXPECT_EQ(expect_engines_agree(p, grid(2, kDyadic)), 36u);
  }
  expect_fusion_exact(hinge_and_huber, 2, grid(2, kDyadic));
}

TEST(RecordGradient, SortMaxMinSelectEqualTheExactReference) {
  for (bool fuse : {true, false}) {
    const Program p = record_with(sorted_and_selected, 3, fuse);
    EXPECT_EQ(expect_engines_agree(p, grid(3, kDyadic)), 216u);
  }
  expect_fusion_exact(sorted_and_selected, 3, grid(3, kDyadic));
}

TEST(RecordGradient, AReluNetworkEqualsTheExactReference) {
  for (bool fuse : {true, false}) {
    const Program p = record_with(layered, 3, fuse);
    EXPECT_EQ(expect_engines_agree(p, grid(3, kDyadic)), 216u);
  }
  expect_fusion_exact(layered, 3, grid(3, kDyadic));
}

TEST(RecordGradient, RandomRecordedFunctionsEqualTheExactReference) {
  const std::vector<const char*> values = {"0", "1", "-1/2", "3/4"};
  std::size_t checked = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const Recorded f = [seed](std::span<const Var> x) { return random_function(x, seed); };
    for (bool fuse : {true, false}) {
      checked += expect_engines_agree(record_with(f, 3, fuse), grid(3, values));
    }
    expect_fusion_exact(f, 3, grid(3, values));
  }
  EXPECT_GT(checked, 40u * 2 * 64 * 9 / 10) << "most points stay in doubles";
}

}  // namespace
}  // namespace selgrad::testing
