// Exact breakpoints of a piecewise-affine program along a segment (P2).
//
// Along x + t (y - x), every node of a piecewise-affine program is, on each piece, an affine
// function c + s t of t. The walk starts at t0 = 0; it evaluates every node as such a pair with
// every selection decided just right of t0 (compare the value at t0, then the slope: the sign on
// (t0, t0 + eps)), so the pairs are exact on some interval (t0, t0 + eps). Every comparison of
// kinks.hpp is then an affine function of t; the next breakpoint t1 is the smallest root > t0
// among them (or 1). On (t0, t1) no comparison changes sign, so no decision changes: the
// affine pairs hold on the whole of [t0, t1] (by continuity at the ends). The walk steps to t1
// and repeats. Comparisons identically zero along the segment (a tie along the whole piece)
// never produce a root; any of their pieces gives the same affine function there.
#pragma once

#include <vector>

#include "selgrad/program/program.hpp"
#include "selgrad/reference/scalars.hpp"

namespace selgrad::properties {

/// 0 = t_0 < t_1 < ... < t_n = 1 such that on each (t_k, t_{k+1}) the program's branch
/// signature is constant along x + t (y - x) (up to ties holding along the whole interval).
/// Needs a piecewise-affine program (gen/program.hpp: piecewise_affine).
std::vector<reference::Rational> affine_breakpoints(const Program& p, const std::vector<reference::Rational>& x,
                                                    const std::vector<reference::Rational>& y);

}  // namespace selgrad::properties
