// A select appended to a program so that it is decided at a tie at a given point, with branches
// that differ there by a chosen jump (D3: a discontinuous selection) or agree (a continuous one).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <vector>

#include "selgrad/program/program.hpp"
#include "selgrad/reference/scalars.hpp"

namespace selgrad::properties {

struct JumpRecipe {
  std::uint32_t u = 0;     ///< compared value: an input or output of the program (mod their count)
  bool u_with_itself = false;  ///< select CMP u u ...: tied everywhere; else v is u's value at x
  std::uint32_t a = 0;     ///< first branch: an input or output (mod their count)
  reference::Rational jump;  ///< b = a(x) + jump (0: continuous at x)
  Cmp cmp = Cmp::Lt;
};

/// Shown in counterexamples as "select CMP u v a a(x) + jump".
void showValue(const JumpRecipe& r, std::ostream& os);

/// The program with the select `jump = select CMP u v a b` appended as its last output (after
/// its own outputs): v is u itself or the literal u(x), b the literal a(x) + jump, where
/// `inputs` is x and `outputs` the program's exact outputs at x. The select is tied at x, and
/// continuous there iff jump = 0.
Program with_select_at(const Program& p, const std::vector<reference::Rational>& inputs,
                       const std::vector<reference::Rational>& outputs, const JumpRecipe& r);

/// The name of the appended select.
inline constexpr const char* kJumpNode = "jump";

}  // namespace selgrad::properties
