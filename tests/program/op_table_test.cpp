// The op table: one row per Op in enum order, unique names, name lookups that round-trip, and
// arity checks (too few, too many, lin's odd count) for every op.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "selgrad/program/op.hpp"

namespace selgrad {
namespace {

TEST(OpTable, OneRowPerOpInEnumOrder) {
  ASSERT_EQ(kOpTable.size(), kOpCount);
  for (std::size_t i = 0; i < kOpCount; ++i) {
    EXPECT_EQ(static_cast<std::size_t>(kOpTable[i].op), i) << kOpTable[i].name;
    EXPECT_EQ(&op_info(static_cast<Op>(i)), &kOpTable[i]);
  }
}

TEST(OpTable, NamesAreUniqueAndNonEmpty) {
  std::set<std::string_view> names;
  for (const auto& info : kOpTable) {
    EXPECT_FALSE(info.name.empty());
    EXPECT_TRUE(names.insert(info.name).second) << "duplicate op name " << info.name;
  }
}

TEST(OpTable, OpByNameRoundTrips) {
  for (const auto& info : kOpTable) {
    if (info.op == Op::Input) {
      EXPECT_EQ(op_by_name(info.name), std::nullopt) << "input is a statement keyword, not an op";
      continue;
    }
    const auto op = op_by_name(info.name);
    ASSERT_TRUE(op.has_value()) << info.name;
    EXPECT_EQ(*op, info.op);
    EXPECT_EQ(op_name(*op), info.name);
  }
  for (const char* not_op : {"", "output", "Add", "ADD", "relu ", "maximum", "=", "lt", "pow"})
    EXPECT_EQ(op_by_name(not_op), std::nullopt) << not_op;
}

TEST(OpTable, SpecOpsArePresent) {
  // Every op of the spec's Operations tables, spelled as in statements.
  for (const char* name : {"add", "sub", "neg", "mul", "div", "exp", "log", "powi", "lin", "sqrt",
                           "softplus", "sigmoid", "tanh", "relu", "abs", "max", "min", "sort",
                           "select", "clamp"})
    EXPECT_TRUE(op_by_name(name).has_value()) << name;
}

TEST(OpTable, SelectionAndTranscendentalFlags) {
  const std::set<Op> selections = {Op::Relu, Op::Abs, Op::Max, Op::Min, Op::Sort, Op::Select, Op::Clamp};
  const std::set<Op> transcendental = {Op::Exp,      Op::Log,     Op::Sqrt,
                                       Op::Softplus, Op::Sigmoid, Op::Tanh};
  for (const auto& info : kOpTable) {
    EXPECT_EQ(info.selection, selections.count(info.op) == 1) << info.name;
    EXPECT_EQ(info.transcendental, transcendental.count(info.op) == 1) << info.name;
    EXPECT_FALSE(info.domain.empty()) << info.name;
    // D3: a selection fixes its piece on the boundary, and says which.
    EXPECT_EQ(info.selection, !info.tie_rule.empty()) << info.name;
  }
}

TEST(OpTable, AritiesMatchTheSpec) {
  struct Row {
    Op op;
    int min, max;
  };
  for (const Row r : {Row{Op::Add, 1, -1}, Row{Op::Sub, 2, 2}, Row{Op::Neg, 1, 1},
                      Row{Op::Mul, 1, -1}, Row{Op::Div, 2, 2}, Row{Op::Exp, 1, 1},
                      Row{Op::Log, 1, 1}, Row{Op::Powi, 2, 2}, Row{Op::Lin, 1, -1},
                      Row{Op::Sqrt, 1, 1}, Row{Op::Softplus, 1, 1}, Row{Op::Sigmoid, 1, 1},
                      Row{Op::Tanh, 1, 1}, Row{Op::Relu, 1, 1}, Row{Op::Abs, 1, 1},
                      Row{Op::Max, 1, -1}, Row{Op::Min, 1, -1}, Row{Op::Sort, 1, -1},
                      Row{Op::Select, 4, 4}, Row{Op::Clamp, 3, 3}}) {
    EXPECT_EQ(op_info(r.op).min_args, r.min) << op_name(r.op);
    EXPECT_EQ(op_info(r.op).max_args, r.max) << op_name(r.op);
  }
}

TEST(OpTable, ArityErrorForEveryOp) {
  for (const auto& info : kOpTable) {
    if (info.op == Op::Input) continue;
    const auto min = static_cast<std::size_t>(info.min_args);
    // The fewest arguments are accepted (lin's minimum, c0 alone, is odd).
    EXPECT_EQ(arity_error(info.op, min), std::nullopt) << info.name;
    // Too few.
    if (min > 0) {
      const auto why = arity_error(info.op, min - 1);
      ASSERT_TRUE(why.has_value()) << info.name;
      EXPECT_NE(why->find(std::string(info.name)), std::string::npos) << *why;
      EXPECT_NE(why->find("got " + std::to_string(min - 1)), std::string::npos) << *why;
    }
    EXPECT_TRUE(arity_error(info.op, 0).has_value()) << info.name;
    if (info.max_args >= 0) {
      // Too many.
      const auto max = static_cast<std::size_t>(info.max_args);
      EXPECT_EQ(arity_error(info.op, max), std::nullopt) << info.name;
      const auto why = arity_error(info.op, max + 1);
      ASSERT_TRUE(why.has_value()) << info.name;
      EXPECT_NE(why->find(std::string(info.name)), std::string::npos) << *why;
      EXPECT_NE(why->find("got " + std::to_string(max + 1)), std::string::npos) << *why;
    } else if (info.op != Op::Lin) {
      // n-ary: any count from the minimum on.
      for (std::size_t n = min; n < min + 50; ++n)
        EXPECT_EQ(arity_error(info.op, n), std::nullopt) << info.name << " " << n;
    }
  }
}

TEST(OpTable, LinNeedsAnOddCount) {
  for (std::size_t n = 1; n < 40; ++n) {
    const auto why = arity_error(Op::Lin, n);
    if (n % 2 == 1) {
      EXPECT_EQ(why, std::nullopt) << n;
    } else {
      ASSERT_TRUE(why.has_value()) << n;
      EXPECT_NE(why->find("odd"), std::string::npos) << *why;
      EXPECT_NE(why->find("got " + std::to_string(n)), std::string::npos) << *why;
    }
  }
}

TEST(OpTable, FixedArityMessagesSayHowMany) {
  EXPECT_EQ(*arity_error(Op::Neg, 2), "neg takes 1 argument, got 2");
  EXPECT_EQ(*arity_error(Op::Sub, 1), "sub takes 2 arguments, got 1");
  EXPECT_EQ(*arity_error(Op::Select, 3), "select takes 4 arguments, got 3");
  EXPECT_EQ(*arity_error(Op::Add, 0), "add takes at least 1 argument, got 0");
}

TEST(Cmp, NamesRoundTrip) {
  std::set<std::string_view> names;
  for (Cmp c : {Cmp::Lt, Cmp::Le, Cmp::Gt, Cmp::Ge}) {
    EXPECT_TRUE(names.insert(cmp_name(c)).second);
    EXPECT_EQ(cmp_by_name(cmp_name(c)), c);
  }
  EXPECT_EQ(cmp_name(Cmp::Lt), "lt");
  EXPECT_EQ(cmp_name(Cmp::Le), "le");
  EXPECT_EQ(cmp_name(Cmp::Gt), "gt");
  EXPECT_EQ(cmp_name(Cmp::Ge), "ge");
  for (const char* bad : {"eq", "ne", "LT", "<", "", "lte"}) EXPECT_EQ(cmp_by_name(bad), std::nullopt);
}

}  // namespace
}  // namespace selgrad
