// Which pieces of a selection node are active at a point (D3): the piece's region contains the
// point in its closure, so f(x) = f_i(x) for that piece and the piece is a valid index there.
// At a tie several pieces are active; they are exactly the branch choices the tie closure (D5)
// enumerates.
#pragma once

#include <cstdint>
#include <vector>

#include "selgrad/program/program.hpp"
#include "support/frozen.hpp"

namespace selgrad::properties {

using reference::Rational;

/// Whether piece `piece` of node k is active at the point with exact node values `values`.
/// For a sort node, `pieces` holds the whole group's pieces (a permutation is checked).
inline bool piece_active(const Program& p, std::uint32_t k, std::uint32_t piece,
                         const std::vector<Rational>& values, const std::vector<std::uint32_t>& pieces) {
  const Node& n = p.nodes[k];
  const std::vector<Rational> a = arg_values(p, k, values);
  switch (n.op) {
    case Op::Relu: return piece == 1 ? a[0] >= 0 : (piece == 0 && a[0] <= 0);
    case Op::Abs: return piece == 1 ? a[0] >= 0 : (piece == 2 ? a[0] <= 0 : (piece == 0 && a[0] == 0));
    case Op::Max:
    case Op::Min:
      if (piece >= a.size()) return false;
      for (const auto& v : a)
        if (n.op == Op::Max ? v > a[piece] : v < a[piece]) return false;
      return true;
    case Op::Select: {
      const int c = a[0].compare(a[1]);
      bool holds = false;
      switch (n.cmp) {
        case Cmp::Lt: holds = c < 0; break;
        case Cmp::Le: holds = c <= 0; break;
        case Cmp::Gt: holds = c > 0; break;
        case Cmp::Ge: holds = c >= 0; break;
      }
      if (c == 0) return piece <= 1 && a[2] == a[3];  // either branch at u = v; continuity
      return piece == (holds ? 0u : 1u);
    }
    case Op::Clamp:  // lo, a, hi: a <= lo, lo <= a <= hi, a >= hi
      return piece == 0 ? a[0] <= a[1] : (piece == 1 ? a[1] <= a[0] && a[0] <= a[2] : (piece == 2 && a[0] >= a[2]));
    case Op::Sort: {
      // The group's pieces must be a permutation ordering the arguments decreasingly.
      const std::uint32_t g = n.group_first, size = n.group_size;
      std::vector<bool> seen(size, false);
      for (std::uint32_t r = 0; r < size; ++r) {
        const std::uint32_t pos = pieces[g + r];
        if (pos >= size || seen[pos]) return false;
        seen[pos] = true;
        if (r > 0 && a[pos] > a[pieces[g + r - 1]]) return false;
      }
      return true;
    }
    default: return true;
  }
}

}  // namespace selgrad::properties
