// The golden table of the op table: every op's value and local selection gradient on both sides
// of its kink and at the tie, as exact numbers. Each row is a one-op program (a few nodes at
// most) at a point. Every engine is checked against it: the reference exactly, in both modes,
// and in certified MPFR (tests/reference/op_golden_test.cpp); the double engine bit for bit,
// batch and single point (tests/fast/op_golden_test.cpp: every number here is a double). The
// tie rules are the spec's (docs/program-format.md, "Selections"); a comment is not enough to
// pin them (cf. Stan's fmax). Adding an op: its rows here (a test checks each op has some, and
// each selection a tie and both sides of it).
#pragma once

#include <vector>

#include "selgrad/program/op.hpp"

namespace selgrad::golden {

struct Row {
  Op op;
  const char* body;     ///< program text between the input and output statements
  const char* inputs;   ///< the input statement's names
  const char* outputs;  ///< the output statement's names
  std::vector<const char*> at;
  std::vector<const char*> value;
  std::vector<std::vector<const char*>> jacobian;
  bool tie;  ///< some selection node decided at a tie
};

inline std::string text_of(const Row& r) {
  return std::string("input ") + r.inputs + "\n" + r.body + "\noutput " + r.outputs + "\n";
}

/// Rows whose values are exact rationals the engines compute exactly.
inline const std::vector<Row>& op_ties() {
  static const std::vector<Row> rows = {
      // relu: the constant piece at 0, so relu'(0) = 0.
      {Op::Relu, "y = relu t", "t", "y", {"-1"}, {"0"}, {{"0"}}, false},
      {Op::Relu, "y = relu t", "t", "y", {"0"}, {"0"}, {{"0"}}, true},
      {Op::Relu, "y = relu t", "t", "y", {"3/2"}, {"3/2"}, {{"1"}}, false},
      // abs: the constant piece at 0, so abs'(0) = 0.
      {Op::Abs, "y = abs t", "t", "y", {"-2"}, {"2"}, {{"-1"}}, false},
      {Op::Abs, "y = abs t", "t", "y", {"0"}, {"0"}, {{"0"}}, true},
      {Op::Abs, "y = abs t", "t", "y", {"1/4"}, {"1/4"}, {{"1"}}, false},
      // max / min: the first extremal argument.
      {Op::Max, "y = max a b c", "a b c", "y", {"1", "2", "0"}, {"2"}, {{"0", "1", "0"}}, false},
      {Op::Max, "y = max a b c", "a b c", "y", {"1", "2", "2"}, {"2"}, {{"0", "1", "0"}}, true},
      {Op::Max, "y = max a b c", "a b c", "y", {"5", "5", "5"}, {"5"}, {{"1", "0", "0"}}, true},
      {Op::Max, "y = max a b c", "a b c", "y", {"0", "-1", "1/2"}, {"1/2"}, {{"0", "0", "1"}}, false},
      {Op::Max, "y = max a b", "a b", "y", {"3", "3"}, {"3"}, {{"1", "0"}}, true},
      {Op::Min, "y = min a b", "a b", "y", {"1", "2"}, {"1"}, {{"1", "0"}}, false},
      {Op::Min, "y = min a b", "a b", "y", {"2", "1"}, {"1"}, {{"0", "1"}}, false},
      {Op::Min, "y = min a b", "a b", "y", {"-1", "-1"}, {"-1"}, {{"1", "0"}}, true},
      {Op::Min, "y = min a b c", "a b c", "y", {"2", "0", "0"}, {"0"}, {{"0", "1", "0"}}, true},
      // sort: stable decreasing (the lower position first among equals).
      {Op::Sort, "y1 y2 y3 = sort a b c", "a b c", "y1 y2 y3", {"1", "3", "2"}, {"3", "2", "1"},
       {{"0", "1", "0"}, {"0", "0", "1"}, {"1", "0", "0"}}, false},
      {Op::Sort, "y1 y2 y3 = sort a b c", "a b c", "y1 y2 y3", {"3", "1", "2"}, {"3", "2", "1"},
       {{"1", "0", "0"}, {"0", "0", "1"}, {"0", "1", "0"}}, false},
      {Op::Sort, "y1 y2 y3 = sort a b c", "a b c", "y1 y2 y3", {"2", "1", "2"}, {"2", "2", "1"},
       {{"1", "0", "0"}, {"0", "0", "1"}, {"0", "1", "0"}}, true},
      {Op::Sort, "y1 y2 y3 = sort a b c", "a b c", "y1 y2 y3", {"0", "0", "0"}, {"0", "0", "0"},
       {{"1", "0", "0"}, {"0", "1", "0"}, {"0", "0", "1"}}, true},
      // select: the branch the comparison picks at u = v (continuous there: -t and t at 0).
      {Op::Select, "n = neg t\ny = select le t 0 n t", "t", "y", {"0"}, {"0"}, {{"-1"}}, true},
      {Op::Select, "n = neg t\ny = select le t 0 n t", "t", "y", {"-1"}, {"1"}, {{"-1"}}, false},
      {Op::Select, "n = neg t\ny = select le t 0 n t", "t", "y", {"1"}, {"1"}, {{"1"}}, false},
      {Op::Select, "n = neg t\ny = select lt t 0 n t", "t", "y", {"0"}, {"0"}, {{"1"}}, true},
      {Op::Select, "n = neg t\ny = select gt t 0 t n", "t", "y", {"0"}, {"0"}, {{"-1"}}, true},
      {Op::Select, "n = neg t\ny = select ge t 0 t n", "t", "y", {"0"}, {"0"}, {{"1"}}, true},
      // clamp: the constant piece at a bound.
      {Op::Clamp, "y = clamp t -1 2", "t", "y", {"-3"}, {"-1"}, {{"0"}}, false},
      {Op::Clamp, "y = clamp t -1 2", "t", "y", {"-1"}, {"-1"}, {{"0"}}, true},
      {Op::Clamp, "y = clamp t -1 2", "t", "y", {"1/2"}, {"1/2"}, {{"1"}}, false},
      {Op::Clamp, "y = clamp t -1 2", "t", "y", {"2"}, {"2"}, {{"0"}}, true},
      {Op::Clamp, "y = clamp t -1 2", "t", "y", {"5"}, {"2"}, {{"0"}}, false},
      {Op::Clamp, "y = clamp t 1/2 1/2", "t", "y", {"1/2"}, {"1/2"}, {{"0"}}, true},
      // The smooth rational ops.
      {Op::Add, "y = add a b 1/2", "a b", "y", {"1", "2"}, {"7/2"}, {{"1", "1"}}, false},
      {Op::Sub, "y = sub a b", "a b", "y", {"1", "2"}, {"-1"}, {{"1", "-1"}}, false},
      {Op::Neg, "y = neg a", "a", "y", {"3"}, {"-3"}, {{"-1"}}, false},
      {Op::Mul, "y = mul a b a", "a b", "y", {"2", "3"}, {"12"}, {{"12", "4"}}, false},
      // A zero factor: the partials are products of the other factors, no division.
      {Op::Mul, "y = mul a b", "a b", "y", {"0", "3"}, {"0"}, {{"3", "0"}}, false},
      {Op::Div, "y = div a b", "a b", "y", {"1", "4"}, {"1/4"}, {{"1/4", "-1/16"}}, false},
      {Op::Powi, "y = powi a 3", "a", "y", {"-2"}, {"-8"}, {{"12"}}, false},
      {Op::Powi, "y = powi a -2", "a", "y", {"2"}, {"1/4"}, {{"-1/4"}}, false},
      {Op::Powi, "y = powi a 0", "a", "y", {"0"}, {"1"}, {{"0"}}, false},
      {Op::Lin, "y = lin 1 2 a -1/2 b", "a b", "y", {"1", "4"}, {"1"}, {{"2", "-1/2"}}, false},
  };
  return rows;
}

/// Transcendental ops at points where value and derivative are rational: the reference's
/// certified enclosures must contain them (and the double engine computes them exactly).
inline const std::vector<Row>& transcendental_points() {
  static const std::vector<Row> rows = {
      {Op::Exp, "y = exp t", "t", "y", {"0"}, {"1"}, {{"1"}}, false},
      {Op::Log, "y = log t", "t", "y", {"1"}, {"0"}, {{"1"}}, false},
      {Op::Sqrt, "y = sqrt t", "t", "y", {"4"}, {"2"}, {{"1/4"}}, false},
      {Op::Sigmoid, "y = sigmoid t", "t", "y", {"0"}, {"1/2"}, {{"1/4"}}, false},
      {Op::Tanh, "y = tanh t", "t", "y", {"0"}, {"0"}, {{"1"}}, false},
  };
  return rows;
}

}  // namespace selgrad::golden
