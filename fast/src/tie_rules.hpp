// Tie rules (program/tie_rule.hpp) in the double engine: a pass between the forward pass and the
// sweeps that, at every lane where a node with a rule was decided at a tie, moves its choice to
// the rule's piece or sets its partials to the mean of the tied pieces' partials. Programs
// without rules never run it; with rules it costs one decision per ruled node and lane.
#pragma once

#include <cstddef>
#include <cstdint>

#include "selgrad/fast/tape.hpp"

namespace selgrad::fast::detail {

/// Applies the tape's tie rules to `lanes` lanes of rows U (row r of lane l at r * W + l) whose
/// forward pass has run. `piece` (selections x W, or null) receives the pieces Piece rules move
/// to.
void apply_tie_rules(const Tape& t, double* U, std::size_t W, std::size_t lanes, std::uint32_t* piece);

}  // namespace selgrad::fast::detail
