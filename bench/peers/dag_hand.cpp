// Random DAG, the hand-written baseline of bench/fast_bench.cpp (HandTape), extended with the
// nonsmooth ops: a flat array of (op, a, b) and one switch per op; the adjoint stores two
// partials per op in the forward pass and runs one reverse loop.
//   function  the plain double interpreter (no partials)
//   replay    value + gradient
// perf-dag-smooth/hand/function/M runs the plain interpreter a fixed 1e8 ops, for scripts/bench
// to count branch misses per op with perf (not part of the workload's tables).
#include <algorithm>
#include <cmath>

#include "common.hpp"
#include "dag.hpp"
#include "dag_hand.hpp"
#include "dag_peers.hpp"

namespace selgrad::bench::peers {
namespace {

template <bool Gradient>
void bm_hand(benchmark::State& state, std::uint32_t ops, bool nonsmooth) {
  const Dag& d = dag(ops, nonsmooth);
  HandTape h(d);
  std::vector<double> g(d.inputs);
  h.run<Gradient>(d.point, g.data());
  if constexpr (Gradient) require_same_gradient(bench_name(dag_workload(nonsmooth), "hand", "replay", ops),
                                                g, selgrad_dag_gradient(ops, nonsmooth));
  for (auto _ : state) benchmark::DoNotOptimize(h.run<Gradient>(d.point, g.data()));
  if constexpr (Gradient) state.counters["grad_diff"] = gradient_distance(g, selgrad_dag_gradient(ops, nonsmooth));
  per_unit(state, "per_op", ops);
}

}  // namespace

/// A fixed number of iterations (1e8 ops in all), for counting branch misses per op with perf.
void bm_hand_fixed(benchmark::State& state, std::uint32_t ops) {
  const Dag& d = dag(ops, false);
  HandTape h(d);
  std::vector<double> g(d.inputs);
  for (auto _ : state) benchmark::DoNotOptimize(h.run<false>(d.point, g.data()));
  per_unit(state, "per_op", ops);
}

void register_dag_hand() {
  for (std::uint32_t ops : {1000u, 10000u})
    benchmark::RegisterBenchmark(bench_name("perf-dag-smooth", "hand", "function", ops).c_str(), bm_hand_fixed, ops)
        ->Iterations(100000000 / ops)
        ->Unit(benchmark::kMicrosecond);
  for (bool nonsmooth : {false, true})
    for (std::uint32_t ops : kDagSizes) {
      const std::string w = nonsmooth ? "dag-nonsmooth" : "dag-smooth";
      benchmark::RegisterBenchmark(bench_name(w, "hand", "function", ops).c_str(), bm_hand<false>, ops, nonsmooth)
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(bench_name(w, "hand", "replay", ops).c_str(), bm_hand<true>, ops, nonsmooth)
          ->Unit(benchmark::kMicrosecond);
    }
}

}  // namespace selgrad::bench::peers
