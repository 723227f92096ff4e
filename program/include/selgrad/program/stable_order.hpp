// A stable order of k positions from a comparison, in O(k log k) comparisons.
//
// Sort nodes order their arguments stably (rules/sort.hpp, Sort::order); the comparison is an
// oracle whose answers may come from interval enclosures, and an undecided one answers "equal",
// so the answers need not be consistent (a = b, b = c, a > c). A bottom-up merge sort asks only
// about pairs it holds and writes each position once per pass, so any answers give a
// permutation, with no undefined behaviour; consistent answers give the unique stable order.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace selgrad {

/// Fills `order` (size k) with the positions 0..k-1 in stable order: position j moves ahead of
/// an earlier position i only when `moves_ahead(j, i)` (j is strictly before i in the order).
/// `scratch` is working memory (resized to k).
template <class MovesAhead>
void stable_merge_order(std::uint32_t k, MovesAhead&& moves_ahead, std::vector<std::uint32_t>& order,
                        std::vector<std::uint32_t>& scratch) {
  order.resize(k);
  scratch.resize(k);
  for (std::uint32_t i = 0; i < k; ++i) order[i] = i;
  for (std::uint64_t width = 1; width < k; width *= 2) {
    for (std::uint64_t lo = 0; lo < k; lo += 2 * width) {
      const std::uint64_t mid = std::min<std::uint64_t>(lo + width, k), hi = std::min<std::uint64_t>(lo + 2 * width, k);
      std::uint64_t i = lo, j = mid, out = lo;
      // Within a run positions keep their relative order; the right run's head goes first only
      // when it moves ahead of the left run's head (ties keep the earlier position first).
      while (i < mid && j < hi) scratch[out++] = moves_ahead(order[j], order[i]) ? order[j++] : order[i++];
      while (i < mid) scratch[out++] = order[i++];
      while (j < hi) scratch[out++] = order[j++];
    }
    std::swap(order, scratch);
  }
}

}  // namespace selgrad
