// Interval evaluation of a program over a box, deciding its selection nodes only where the
// interval comparisons certify the decision on the whole box.
//
// Inputs are Dual<Interval> values (an interval of values and an interval tangent per
// direction). Every comparison of kinks.hpp is evaluated as an interval; a selection node is
// *certified* when its decision is the same everywhere in the box: its differences exclude 0,
// or are exactly [0, 0] (a tie holding on the whole box, where all the tied pieces agree, so the
// tie rule's piece is as good as any). Then the node's value and tangent are those of the
// decided piece. Otherwise it is *undecided*, and its value and tangent are the hulls over every
// piece it could take: still rigorous enclosures of what any branch choice computes.
//
// When every node is certified, the branch signature sigma is constant on the box, the program
// equals the smooth program f_sigma there, and the tangents enclose the gradient of f_sigma over
// the whole box (P3, P2, T3).
//
// Interval arithmetic cannot see that two different computations are equal (x1 - x2 on a box
// where x1 = x2 straddles 0), so the evaluation numbers values as it goes: two values with the
// same number are equal on the whole box because they come from the same computation (the same
// op on arguments with the same numbers, up to order for add and mul; a certified selection
// node has the number of the piece it returns; inputs the caller declares equal on the box share
// a number). A comparison between equal numbers is an exact tie on the box.
#pragma once

#include <cstdint>
#include <vector>

#include "selgrad/program/program.hpp"
#include "support/dual.hpp"
#include "support/interval.hpp"

namespace selgrad::properties {

using DualInterval = Dual<Interval>;

struct BoxEvaluation {
  std::vector<DualInterval> values;   ///< every node
  std::vector<std::uint32_t> pieces;  ///< decided piece per selection node (valid when certified)
  std::vector<bool> certified;        ///< per node (true for non-selection nodes)
  std::vector<bool> strict;           ///< certified with differences excluding 0 (no tie on the box)
  bool all_certified = true;
};

/// `input_class[i] == input_class[j]` declares inputs i and j equal on the whole box (empty:
/// all inputs distinct).
BoxEvaluation evaluate_box(const Program& p, const std::vector<DualInterval>& inputs,
                           const std::vector<std::uint32_t>& input_class = {});

/// Input classes for the segment box x + [a, b](y - x): inputs with x_i = x_j and y_i = y_j
/// share a class.
std::vector<std::uint32_t> segment_input_classes(const std::vector<Rational>& x, const std::vector<Rational>& y);

}  // namespace selgrad::properties
