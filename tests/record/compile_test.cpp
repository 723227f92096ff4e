// Recorder::compile, the recording compiled for the double engine without a Program in between,
// makes the tape fast::compile(program()) makes: the same instructions, rows, constants, sweeps,
// schedule and node names, field by field, on functions that use every op, symbolic constants,
// names, fusion and nodes split past the argument cap. So what the double engine's checks say
// of compile(program()) holds of compile() too; and its errors are the same errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <algorithm>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "random_function.hpp"
#include "selgrad/fast/evaluate.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/record.hpp"

namespace selgrad {
namespace {

using Recorded = std::function<std::vector<Var>(std::span<const Var>)>;

struct Recording {
  std::size_t inputs = 3;
  std::vector<std::string> input_names;  ///< empty: x0, x1, ...
  RecorderOptions options;
  Recorded f;
  std::function<void(Recorder&, std::span<const Var>)> name_some;  ///< optional
};

/// Records r into a fresh Recorder and hands it to `finish` (program() or compile()).
template <class Finish>
auto record_and(const Recording& r, Finish finish) {
  Recorder rec(r.options);
  std::vector<Var> x;
  if (r.input_names.empty()) {
    x = rec.inputs(r.inputs);
  } else {
    for (const std::string& n : r.input_names) x.push_back(rec.input(n));
  }
  const std::vector<Var> y = r.f(x);
  if (r.name_some) r.name_some(rec, y);
  rec.outputs(y);
  return finish(rec);
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void expect_same_tape(const fast::Tape& a, const fast::Tape& b) {
  EXPECT_EQ(a.p, b.p);
  EXPECT_EQ(a.m, b.m);
  EXPECT_EQ(a.constants, b.constants);
  EXPECT_TRUE(a.code == b.code) << "instructions";
  EXPECT_EQ(a.operand, b.operand);
  EXPECT_EQ(a.partial, b.partial);
  ASSERT_EQ(a.constant_value.size(), b.constant_value.size());
  for (std::size_t i = 0; i < a.constant_value.size(); ++i)
    EXPECT_TRUE(same_bits(a.constant_value[i], b.constant_value[i])) << "constant " << i;
  EXPECT_EQ(a.scratch_base, b.scratch_base);
  EXPECT_EQ(a.junk_row, b.junk_row);
  EXPECT_EQ(a.rows, b.rows);
  EXPECT_EQ(a.outputs, b.outputs);
  EXPECT_EQ(a.selection_node, b.selection_node);
  EXPECT_TRUE(a.reverse == b.reverse) << "backward sweeps";
  EXPECT_TRUE(a.reverse_sorts == b.reverse_sorts);
  EXPECT_EQ(a.reached_inputs, b.reached_inputs);
  EXPECT_TRUE(a.forward == b.forward) << "tangent sweep";
  EXPECT_TRUE(a.forward_sorts == b.forward_sorts);
  EXPECT_EQ(a.max_sort_size, b.max_sort_size);
  EXPECT_EQ(a.constant_nodes, b.constant_nodes);
  EXPECT_EQ(a.schedule, b.schedule);
  EXPECT_TRUE(a.runs == b.runs);
  EXPECT_EQ(a.ruled_nodes, b.ruled_nodes);
  EXPECT_EQ(a.name.size(), b.name.size());
  for (std::size_t k = 0; k < std::min(a.name.size(), b.name.size()); ++k) EXPECT_EQ(a.name[k], b.name[k]) << k;
  EXPECT_EQ(a.line, b.line);
  EXPECT_EQ(a.op, b.op);
}

void expect_both_routes_agree(const Recording& r) {
  const Program p = record_and(r, [](Recorder& rec) { return rec.program(); });
  const fast::Tape via_program = fast::compile(p);
  const fast::Tape direct = record_and(r, [](Recorder& rec) { return rec.compile(); });
  expect_same_tape(via_program, direct);
  // The tape's names are the program's.
  for (std::uint32_t k = 0; k < p.m(); ++k) ASSERT_EQ(direct.name[k], p.nodes[k].name);
}

TEST(RecordCompile, TheDirectTapeIsTheTapeOfTheRecordedProgram) {
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    for (bool fuse : {true, false}) {
      Recording r;
      r.options.fuse_affine = fuse;
      r.f = [seed](std::span<const Var> x) { return testing::random_function(x, seed, testing::RandomOps::Every); };
      expect_both_routes_agree(r);
    }
  }
}

TEST(RecordCompile, NamesGivenAndFreshAreThePrograms) {
  Recording r;
  // An input named like a fresh name: the fresh names skip it, in both routes.
  r.input_names = {"a", "v1", "x"};
  r.f = [](std::span<const Var> x) {
    const Var s = relu(x[0] - x[1]) + max(x[1], x[2]);
    return std::vector<Var>{s * s, abs(s), exp(x[2])};
  };
  r.name_some = [](Recorder& rec, std::span<const Var> y) {
    rec.name(y[1], "magnitude");
    rec.name(y[0], "v.square");
  };
  expect_both_routes_agree(r);
  const fast::Tape t = record_and(r, [](Recorder& rec) { return rec.compile(); });
  std::vector<std::string> names;
  for (std::uint32_t k = 0; k < t.m; ++k) names.push_back(t.name[k]);
  EXPECT_EQ(names[1], "v1");
  EXPECT_NE(std::find(names.begin(), names.end(), "magnitude"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "v0"), names.end());
  EXPECT_EQ(std::count(names.begin(), names.end(), "v1"), 1) << "the fresh names skip the input's name";
}

TEST(RecordCompile, TheDirectTapeEvaluatesAsTheProgramsTape) {
  Recording r;
  r.f = [](std::span<const Var> x) { return testing::random_function(x, 7, testing::RandomOps::Every); };
  const fast::Tape direct = record_and(r, [](Recorder& rec) { return rec.compile(); });
  const fast::Tape via = fast::compile(record_and(r, [](Recorder& rec) { return rec.program(); }));
  std::mt19937_64 rng(3);
  std::vector<double> xs;
  for (int i = 0; i < 3 * 100; ++i) xs.push_back(static_cast<double>(static_cast<int>(rng() % 17) - 8) / 4);
  fast::BatchEvaluator a(via), b(direct);
  fast::BatchResult ra, rb;
  a.evaluate(xs, 100, ra);
  b.evaluate(xs, 100, rb);
  ASSERT_EQ(ra.outputs.size(), rb.outputs.size());
  for (std::size_t i = 0; i < ra.outputs.size(); ++i) EXPECT_TRUE(same_bits(ra.outputs[i], rb.outputs[i])) << i;
  ASSERT_EQ(ra.jacobian.size(), rb.jacobian.size());
  for (std::size_t i = 0; i < ra.jacobian.size(); ++i) EXPECT_TRUE(same_bits(ra.jacobian[i], rb.jacobian[i])) << i;
  EXPECT_EQ(ra.pieces, rb.pieces);
  EXPECT_EQ(ra.error_node, rb.error_node);
}

std::string error_of(const std::function<void()>& f, ErrorKind* kind = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (kind) *kind = e.kind();
    return e.what();
  }
  return "no error";
}

TEST(RecordCompile, AConstantBeyondDoubleRangeIsTheSameDomainErrorOnBothRoutes) {
  Recording r;
  r.f = [](std::span<const Var> x) { return std::vector<Var>{relu(x[0] * constant("1e400") + x[1])}; };
  ErrorKind via_kind{}, direct_kind{};
  const std::string via = error_of(
      [&] { (void)fast::compile(record_and(r, [](Recorder& rec) { return rec.program(); })); }, &via_kind);
  const std::string direct = error_of([&] { (void)record_and(r, [](Recorder& rec) { return rec.compile(); }); },
                                      &direct_kind);
  EXPECT_EQ(via_kind, ErrorKind::Domain);
  EXPECT_EQ(direct_kind, ErrorKind::Domain);
  EXPECT_NE(direct.find("beyond the range of double precision"), std::string::npos) << direct;
  EXPECT_EQ(via, direct);
}

TEST(RecordCompile, TheSweepCapIsCheckedOnTheDirectRoute) {
  Recorder rec;
  const std::vector<Var> x = rec.inputs(2);
  Var y = x[0];
  for (int i = 0; i < 50; ++i) y = relu(y * x[1]);
  rec.output(y);
  fast::CompileLimits limits;
  limits.max_sweep_edges = 20;
  ErrorKind kind{};
  const std::string why = error_of([&] { (void)rec.compile(limits); }, &kind);
  EXPECT_EQ(kind, ErrorKind::Resource);
  EXPECT_NE(why.find("max-sweep-edges"), std::string::npos) << why;
}

TEST(RecordCompile, CompileFinishesTheRecorderAsProgramDoes) {
  Recorder rec;
  const Var x = rec.input();
  rec.output(relu(x));
  const fast::Tape t = rec.compile();
  EXPECT_EQ(t.m, 2u);
  EXPECT_TRUE(rec.finished());
  ErrorKind kind{};
  (void)error_of([&] { (void)rec.compile(); }, &kind);
  EXPECT_EQ(kind, ErrorKind::Usage);
  kind = {};
  (void)error_of([&] { (void)rec.program(); }, &kind);
  EXPECT_EQ(kind, ErrorKind::Usage);
  kind = {};
  (void)error_of([&] { (void)(x + 1); }, &kind);
  EXPECT_EQ(kind, ErrorKind::Usage);
  Recorder empty;
  kind = {};
  (void)error_of([&] { (void)empty.compile(); }, &kind);
  EXPECT_EQ(kind, ErrorKind::Usage) << "no inputs";
}

}  // namespace
}  // namespace selgrad
