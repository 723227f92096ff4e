// The golden table (tests/golden/op_ties.hpp) in the double engine: every row bit for bit (every
// number of the table is a double, and the arithmetic of these rows is exact), in a batch (lanes
// across a tile boundary) and at a single point, in both Jacobian modes, with the pieces and tie
// flags of the exact reference. The transcendental rows are exact in double too.
#include <gtest/gtest.h>

#include "golden/op_ties.hpp"
#include "reference/fixtures.hpp"
#include "selgrad/fast/evaluate.hpp"

namespace selgrad::testing {
namespace {

double d(const char* text) { return q(text).convert_to<double>(); }

void check_row(const golden::Row& g, fast::JacobianMode mode) {
  SCOPED_TRACE(golden::text_of(g));
  const Program p = parse_program(golden::text_of(g));
  std::vector<double> x;
  for (const char* v : g.at) x.push_back(d(v));
  // The reference's branches at the row's point (exact programs only).
  std::vector<reference::BranchDecision> decisions;
  if (!p.transcendental()) {
    std::vector<Rational> xq;
    for (const char* v : g.at) xq.push_back(q(v));
    decisions = reference::evaluate_exact(p, xq).branches.decisions;
  }
  const auto expect_lane = [&](const std::vector<double>& out, const std::vector<double>& jac,
                               const std::vector<std::uint32_t>& pieces, const std::vector<std::uint8_t>& ties,
                               const std::string& where) {
    SCOPED_TRACE(where);
    for (std::size_t j = 0; j < g.value.size(); ++j) {
      EXPECT_EQ(out[j], d(g.value[j])) << "output " << j;
      for (std::size_t i = 0; i < g.at.size(); ++i)
        EXPECT_EQ(jac[j * g.at.size() + i], d(g.jacobian[j][i])) << "J(" << j << "," << i << ")";
    }
    ASSERT_EQ(pieces.size(), decisions.size());
    for (std::size_t s = 0; s < decisions.size(); ++s) {
      EXPECT_EQ(pieces[s], decisions[s].choice.piece) << "selection " << s;
      EXPECT_EQ(ties[s] != 0, decisions[s].choice.tie) << "selection " << s;
    }
  };
  // A batch of 11 copies of the point, in tiles of 8: lanes in a full tile and in a padded one.
  fast::BatchOptions o;
  o.mode = mode;
  o.tile_bytes = 1;  // the smallest tile: 8 lanes
  fast::BatchEvaluator batch(fast::compile(p), o);
  const std::size_t lanes = 11, np = p.p(), nq = p.q(), ns = decisions.size();
  std::vector<double> xs;
  for (std::size_t l = 0; l < lanes; ++l) xs.insert(xs.end(), x.begin(), x.end());
  fast::BatchResult b;
  batch.evaluate(xs, lanes, b);
  for (std::size_t l = 0; l < lanes; ++l) {
    ASSERT_TRUE(b.ok(l)) << fast::lane_error_text(b.error[l]);
    expect_lane({b.outputs.begin() + l * nq, b.outputs.begin() + (l + 1) * nq},
                {b.jacobian.begin() + l * nq * np, b.jacobian.begin() + (l + 1) * nq * np},
                {b.pieces.begin() + l * ns, b.pieces.begin() + (l + 1) * ns},
                {b.ties.begin() + l * ns, b.ties.begin() + (l + 1) * ns}, "batch lane " + std::to_string(l));
  }
  fast::PointEvaluator pe(fast::compile(p), mode);
  fast::PointResult r;
  pe.evaluate(x, r);
  expect_lane(r.outputs, r.jacobian, r.pieces, r.ties, "single point");
}

TEST(OpGoldenFast, EveryRowOfTheGoldenTableBitForBit) {
  for (auto mode : {fast::JacobianMode::Reverse, fast::JacobianMode::Forward})
    for (const auto* table : {&golden::op_ties(), &golden::transcendental_points()})
      for (const auto& row : *table) check_row(row, mode);
}

}  // namespace
}  // namespace selgrad::testing
