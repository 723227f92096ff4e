// The kernel tables (see kernels.hpp): every op's kernels, instantiated once, indexed by
// Instr::kernel = op * kShapes + shape.
#include "kernels.hpp"

#include <utility>

namespace selgrad::fast::detail {
namespace {

template <std::size_t I>
using RuleAt = rules::All::at<I>;

template <std::size_t... I>
constexpr std::array<TileKernel, kOpCount * kShapes> make_tile_kernels(std::index_sequence<I...>) {
  std::array<TileKernel, kOpCount * kShapes> out{};
  ((out[I * kShapes + static_cast<std::size_t>(Shape::Any)] = &tile_kernel<RuleAt<I>, 0>,
    out[I * kShapes + static_cast<std::size_t>(Shape::Fixed)] = &tile_kernel<RuleAt<I>, fixed_arity_of<RuleAt<I>>()>,
    out[I * kShapes + static_cast<std::size_t>(Shape::SortRank)] = &tile_nothing),
   ...);
  return out;
}

template <std::size_t... I>
constexpr std::array<RunKernel, kOpCount * kShapes> make_run_kernels(std::index_sequence<I...>) {
  std::array<RunKernel, kOpCount * kShapes> out{};
  ((out[I * kShapes + static_cast<std::size_t>(Shape::Any)] = &run_kernel<RuleAt<I>, 0>,
    out[I * kShapes + static_cast<std::size_t>(Shape::Fixed)] = &run_kernel<RuleAt<I>, fixed_arity_of<RuleAt<I>>()>,
    out[I * kShapes + static_cast<std::size_t>(Shape::SortRank)] = &run_nothing),
   ...);
  return out;
}

}  // namespace

const std::array<TileKernel, kOpCount * kShapes> kTileKernels = make_tile_kernels(std::make_index_sequence<kOpCount>{});
const std::array<RunKernel, kOpCount * kShapes> kRunKernels = make_run_kernels(std::make_index_sequence<kOpCount>{});

}  // namespace selgrad::fast::detail
