// Benchmarks of the double engine against baselines measured in the same run (the workloads
// and baselines are shared with the peer suite, bench/peers/):
//
//  Batched: the 22-op program of peers/batch.hpp (2 exp, 2 log, 2 div) at N points.
//    BM_BatchHandFunction / BM_BatchHandAdjoint  plain vectorised C++ of the same function and
//                                                its hand-written adjoint (peers/batch_hand.hpp):
//                                                the limit.
//    BM_BatchValues / BM_BatchGradient           the engine, values only / values + gradient,
//                                                on the same input-major columns.
//  Single point: the random DAG of peers/dag.hpp (add/mul/sub/div/exp/log, operands from the
//  last 1000 nodes), value + gradient.
//    BM_DagHandFunction / BM_DagHandAdjoint      the hand-written interpreter and tape adjoint
//                                                (peers/dag_hand.hpp).
//    BM_DagValues / BM_DagGradient               the engine's PointEvaluator.
// Counters: per_point or per_op (seconds); the batch engine's tile width and workspace, which
// do not grow with N.
#include <benchmark/benchmark.h>

#include <vector>

#include "peers/batch.hpp"
#include "peers/batch_hand.hpp"
#include "peers/dag.hpp"
#include "peers/dag_hand.hpp"
#include "selgrad/fast/evaluate.hpp"
#include "selgrad/program/parse.hpp"

namespace {

using namespace selgrad;
using namespace selgrad::bench::peers;

void per(benchmark::State& state, const char* name, double count) {
  state.counters[name] = benchmark::Counter(count, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// ---- batched workload ---------------------------------------------------------------------

#if defined(SELGRAD_HAND_BATCH)
template <bool Gradient>
void BM_BatchHand(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto c = batch_columns(batch_points(n));
  std::vector<double> out(n), grad(n * 4);
  for (auto _ : state) {
    hand::hand_batch<Gradient>(c.data(), n, out.data(), grad.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::DoNotOptimize(grad.data());
  }
  per(state, "per_point", static_cast<double>(n));
}
void BM_BatchHandFunction(benchmark::State& s) { BM_BatchHand<false>(s); }
void BM_BatchHandAdjoint(benchmark::State& s) { BM_BatchHand<true>(s); }
BENCHMARK(BM_BatchHandFunction)->Arg(10000)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_BatchHandAdjoint)->Arg(10000)->Arg(100000)->Arg(1000000);
#endif

template <bool Gradient>
void BM_BatchEngine(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto c = batch_columns(batch_points(n));
  fast::BatchOptions o;
  o.gradient = Gradient;
  o.record_branches = false;
  fast::BatchEvaluator eval(fast::compile(parse_program(kBatchProgram)), o);
  fast::BatchResult r;
  for (auto _ : state) {
    eval.evaluate(c, n, r, fast::Layout::InputMajor);
    benchmark::DoNotOptimize(r.outputs.data());
  }
  if (r.failed_lanes() != 0) state.SkipWithError("lanes failed");
  per(state, "per_point", static_cast<double>(n));
  state.counters["tile_lanes"] = static_cast<double>(eval.tile_lanes());
  state.counters["workspace_KiB"] = static_cast<double>(eval.workspace_bytes()) / 1024.0;
}
void BM_BatchValues(benchmark::State& s) { BM_BatchEngine<false>(s); }
void BM_BatchGradient(benchmark::State& s) { BM_BatchEngine<true>(s); }
BENCHMARK(BM_BatchValues)->Arg(10000)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_BatchGradient)->Arg(10000)->Arg(100000)->Arg(1000000);

// ---- single-point workload: a random DAG --------------------------------------------------

template <bool Gradient>
void BM_DagHand(benchmark::State& state) {
  const auto ops = static_cast<std::uint32_t>(state.range(0));
  const Dag& d = dag(ops, false);
  HandTape h(d);
  std::vector<double> g(d.inputs);
  for (auto _ : state) benchmark::DoNotOptimize(h.run<Gradient>(d.point, g.data()));
  per(state, "per_op", ops);
}
void BM_DagHandFunction(benchmark::State& s) { BM_DagHand<false>(s); }
void BM_DagHandAdjoint(benchmark::State& s) { BM_DagHand<true>(s); }

void BM_DagValues(benchmark::State& state) {
  const auto ops = static_cast<std::uint32_t>(state.range(0));
  const Dag& d = dag(ops, false);
  fast::PointEvaluator eval(fast::compile(to_program(d)));
  double out = 0;
  for (auto _ : state) {
    eval.values(d.point, std::span<double>(&out, 1));
    benchmark::DoNotOptimize(out);
  }
  per(state, "per_op", ops);
}

void BM_DagGradient(benchmark::State& state) {
  const auto ops = static_cast<std::uint32_t>(state.range(0));
  const Dag& d = dag(ops, false);
  fast::PointEvaluator eval(fast::compile(to_program(d)));
  std::vector<double> g(d.inputs);
  for (auto _ : state) benchmark::DoNotOptimize(eval.value_and_gradient(d.point, g));
  per(state, "per_op", ops);
}

BENCHMARK(BM_DagHandFunction)->Arg(10000)->Arg(100000);
BENCHMARK(BM_DagHandAdjoint)->Arg(10000)->Arg(100000);
BENCHMARK(BM_DagValues)->Arg(10000)->Arg(100000);
BENCHMARK(BM_DagGradient)->Arg(10000)->Arg(100000);

}  // namespace

BENCHMARK_MAIN();
