// How an engine accumulates a selection Jacobian (Algorithm 2): one backward sweep per output
// (reverse mode) or one tangent sweep per input (forward mode). Both give the same Jacobian (L1:
// equal in exact arithmetic, equal up to rounding in floating point). Every engine takes this
// one type.
#pragma once

#include <cstddef>
#include <cstdint>

namespace selgrad {

enum class JacobianMode : std::uint8_t {
  Auto,     ///< forward when there are fewer inputs than outputs (p < q), else reverse
  Reverse,  ///< q backward sweeps
  Forward,  ///< p tangent sweeps
  Backward = Reverse
};

/// Whether `mode` runs tangent sweeps for a program of p inputs and q outputs.
constexpr bool uses_forward_sweeps(JacobianMode mode, std::size_t p, std::size_t q) {
  return mode == JacobianMode::Forward || (mode == JacobianMode::Auto && p < q);
}

}  // namespace selgrad
