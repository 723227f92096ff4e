// Every op of the op table can be recorded from C++: one entry point per op, and a test that
// walks kOpTable, so that an op added to the table without a recorder entry point fails here.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <vector>

#include "selgrad/program/parse.hpp"
#include "selgrad/record.hpp"

namespace selgrad {
namespace {

using Recorded = std::function<std::vector<Var>(std::span<const Var>)>;

/// The C++ that records each op (over three inputs x0 x1 x2). Input is recorded by inputs().
const std::map<Op, Recorded>& entry_points() {
  static const std::map<Op, Recorded> table = {
      {Op::Add, [](std::span<const Var> x) { return std::vector{x[0] + x[1]}; }},
      {Op::Sub, [](std::span<const Var> x) { return std::vector{x[0] - x[1]}; }},
      {Op::Neg, [](std::span<const Var> x) { return std::vector{-x[0]}; }},
      {Op::Mul, [](std::span<const Var> x) { return std::vector{x[0] * x[1]}; }},
      {Op::Div, [](std::span<const Var> x) { return std::vector{x[0] / x[1]}; }},
      {Op::Exp, [](std::span<const Var> x) { return std::vector{exp(x[0])}; }},
      {Op::Log, [](std::span<const Var> x) { return std::vector{log(x[0])}; }},
      {Op::Powi, [](std::span<const Var> x) { return std::vector{powi(x[0], 3)}; }},
      {Op::Lin,
       [](std::span<const Var> x) {
         const double c[] = {2, -1, 0.5};
         return std::vector{lin(1, c, x)};
       }},
      {Op::Sqrt, [](std::span<const Var> x) { return std::vector{sqrt(x[0])}; }},
      {Op::Softplus, [](std::span<const Var> x) { return std::vector{softplus(x[0])}; }},
      {Op::Sigmoid, [](std::span<const Var> x) { return std::vector{sigmoid(x[0])}; }},
      {Op::Tanh, [](std::span<const Var> x) { return std::vector{tanh(x[0])}; }},
      {Op::Relu, [](std::span<const Var> x) { return std::vector{relu(x[0])}; }},
      {Op::Abs, [](std::span<const Var> x) { return std::vector{abs(x[0])}; }},
      {Op::Max, [](std::span<const Var> x) { return std::vector{max(x[0], x[1])}; }},
      {Op::Min, [](std::span<const Var> x) { return std::vector{min(x)}; }},
      {Op::Sort, [](std::span<const Var> x) { return sort(x); }},
      {Op::Select, [](std::span<const Var> x) { return std::vector{select(x[0] < x[1], x[1], x[0])}; }},
      {Op::Clamp, [](std::span<const Var> x) { return std::vector{clamp(x[0], -1, 1)}; }},
  };
  return table;
}

TEST(RecordOpCoverage, EveryOpOfTheTableHasARecorderEntryPoint) {
  for (const OpInfo& info : kOpTable) {
    SCOPED_TRACE(std::string(info.name));
    if (info.op == Op::Input) {
      Recorder rec;
      rec.output(rec.input());
      EXPECT_EQ(rec.program().p(), 1u);
      continue;
    }
    const auto it = entry_points().find(info.op);
    ASSERT_NE(it, entry_points().end()) << "no recorder entry point for op '" << info.name << "'";
    const Program p = record(it->second, 3);
    bool found = false;
    for (const Node& n : p.nodes) found = found || n.op == info.op;
    EXPECT_TRUE(found) << "recording does not produce a '" << info.name << "' node:\n" << print_program(p);
  }
}

}  // namespace
}  // namespace selgrad
