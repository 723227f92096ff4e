// Batched program, the hand-written baseline of bench/fast_bench.cpp: plain vectorised C++ of
// the function and of its adjoint (AVX-512 or AVX2 registers, SLEEF's 1-ulp exp/log), reading
// columns. It is the limit an engine can approach.
#include <cstring>

#include "batch.hpp"
#include "batch_hand.hpp"
#include "common.hpp"

namespace selgrad::bench::peers {
namespace {

using hand::hand_batch;

#if defined(SELGRAD_HAND_BATCH)
template <bool Gradient>
void bm_hand(benchmark::State& state, std::size_t n) {
  const auto c = batch_columns(batch_points(n));
  std::vector<double> out(n), grad(n * 4);
  hand_batch<Gradient>(c.data(), n, out.data(), grad.data());
  if constexpr (Gradient) require_same_batch_gradient(bench_name("batch", "hand", "gradient", n), grad, n);
  for (auto _ : state) {
    hand_batch<Gradient>(c.data(), n, out.data(), grad.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::DoNotOptimize(grad.data());
  }
  if constexpr (Gradient) state.counters["grad_diff"] = batch_gradient_distance(grad, n);
  per_unit(state, "per_point", static_cast<double>(n));
}
#endif

}  // namespace

void register_batch_hand() {
#if defined(__AVX512F__) || defined(__AVX2__)
  for (std::size_t n : kBatchSizes) {
    benchmark::RegisterBenchmark(bench_name("batch", "hand", "function", n).c_str(), bm_hand<false>, n)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(bench_name("batch", "hand", "gradient", n).c_str(), bm_hand<true>, n)
        ->Unit(benchmark::kMicrosecond);
  }
#endif
}

}  // namespace selgrad::bench::peers
