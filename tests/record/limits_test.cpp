// Recorded programs stay within what the engines take: a sum, lin, max or min longer than
// kMaxNodeArguments (fused or recorded) becomes a tree of nodes of at most that many arguments
// with the same value and, for max and min, the same selected argument; a sort beyond
// kMaxSortArguments is an Error (Resource) before anything is recorded.
#include <gtest/gtest.h>

#include <vector>

#include "reference/fixtures.hpp"
#include "selgrad/fast/evaluate.hpp"
#include "selgrad/record.hpp"

namespace selgrad::testing {
namespace {

constexpr std::size_t kLong = kMaxNodeArguments + 4470;  // 70005: two slices

std::size_t widest_node(const Program& p) {
  std::size_t w = 0;
  for (const Node& n : p.nodes) w = std::max(w, n.args.size());
  return w;
}

TEST(RecordLimits, LongSumsAndLinsAreTreesOfNodesTheEnginesTake) {
  Recorder rec;
  const std::vector<Var> x = rec.inputs(kLong);
  Var s = 0;
  for (const Var& v : x) s += v;  // fused: one sum of 70005 terms
  Var t = 0;
  for (std::size_t i = 0; i < x.size(); ++i) t += static_cast<double>(i % 7) * x[i];  // a lin of 60004 terms
  rec.outputs({s, t - 1});
  const Program p = rec.program();
  EXPECT_LE(widest_node(p), kMaxNodeArguments);
  std::vector<double> xd(kLong);
  std::vector<Rational> xq(kLong);
  for (std::size_t i = 0; i < kLong; ++i) {
    xd[i] = static_cast<double>(i % 13) / 4;
    xq[i] = Rational(xd[i]);
  }
  fast::PointEvaluator eval(fast::compile(p));
  fast::PointResult r;
  eval.evaluate(xd, r);
  const auto e = reference::evaluate_exact(p, xq);
  EXPECT_EQ(Rational(r.outputs[0]), e.outputs[0]);
  EXPECT_EQ(Rational(r.outputs[1]), e.outputs[1]);
  Rational sum = 0, lin = -1;
  for (std::size_t i = 0; i < kLong; ++i) {
    sum += xq[i];
    lin += static_cast<int>(i % 7) * xq[i];
  }
  EXPECT_EQ(e.outputs[0], sum);
  EXPECT_EQ(e.outputs[1], lin);
  for (std::size_t i = 0; i < kLong; i += 997) EXPECT_EQ(e.jacobian[1][i], static_cast<int>(i % 7));
}

TEST(RecordLimits, LongMaxSelectsTheFirstMaximalArgumentAsOneNodeWould) {
  Recorder rec;
  const std::vector<Var> x = rec.inputs(kLong);
  rec.outputs({max(x), min(x)});
  const Program p = rec.program();
  EXPECT_LE(widest_node(p), kMaxNodeArguments);
  // Ties across the slices: the maximum 3 at positions 5, 66000 and 70000; the minimum -1 at 10 and 69999.
  std::vector<Rational> xq(kLong, Rational(0));
  xq[5] = xq[66000] = xq[70000] = 3;
  xq[10] = xq[69999] = -1;
  const auto e = reference::evaluate_exact(p, xq);
  EXPECT_EQ(e.outputs, point({"3", "-1"}));
  for (std::size_t i = 0; i < kLong; ++i) {
    EXPECT_EQ(e.jacobian[0][i], i == 5 ? 1 : 0) << i;
    EXPECT_EQ(e.jacobian[1][i], i == 10 ? 1 : 0) << i;
  }
}

TEST(RecordLimits, ASortBeyondTheCapIsAResourceErrorBeforeRecording) {
  Recorder rec;
  const std::vector<Var> x = rec.inputs(kMaxSortArguments + 1);
  const std::size_t before = rec.size();
  try {
    (void)sort(x);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Resource);
  }
  EXPECT_EQ(rec.size(), before);
  EXPECT_EQ(sort(std::span<const Var>(x).first(kMaxSortArguments)).size(), kMaxSortArguments);
}

}  // namespace
}  // namespace selgrad::testing
