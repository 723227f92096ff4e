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

#include <algorithm>
#include <thread>
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

/// Times `eval` over the n input-major points `c`; the last batch's result.
fast::BatchResult time_batches(benchmark::State& state, fast::BatchEvaluator& eval, const std::vector<double>& c,
                               std::size_t n) {
  fast::BatchResult r;
  for (auto _ : state) {
    eval.evaluate(c, n, r, fast::Layout::InputMajor);
    benchmark::DoNotOptimize(r.outputs.data());
  }
  if (r.failed_lanes() != 0) state.SkipWithError("lanes failed");
  per(state, "per_point", static_cast<double>(n));
  return r;
}

template <bool Gradient>
void BM_BatchEngine(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  fast::BatchOptions o;
  o.gradient = Gradient;
  o.record_branches = false;
  o.threads = 1;  // against one-thread baselines
  fast::BatchEvaluator eval(fast::compile(parse_program(kBatchProgram)), o);
  time_batches(state, eval, batch_columns(batch_points(n)), n);
  state.counters["tile_lanes"] = static_cast<double>(eval.tile_lanes());
  state.counters["workspace_KiB"] = static_cast<double>(eval.workspace_bytes()) / 1024.0;
}
void BM_BatchValues(benchmark::State& s) { BM_BatchEngine<false>(s); }
void BM_BatchGradient(benchmark::State& s) { BM_BatchEngine<true>(s); }
BENCHMARK(BM_BatchValues)->Arg(10000)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_BatchGradient)->Arg(10000)->Arg(100000)->Arg(1000000);

// Thread scaling (BatchOptions::threads): the batch gradient of the 22-op program on 1, 2, 4
// ... threads up to the machine's cores, per point; results are the same bits on any count.
void BM_BatchGradientThreads(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  fast::BatchOptions o;
  o.record_branches = false;
  o.threads = static_cast<std::size_t>(state.range(1));
  fast::BatchEvaluator eval(fast::compile(parse_program(kBatchProgram)), o);
  time_batches(state, eval, batch_columns(batch_points(n)), n);
}
void thread_counts(benchmark::internal::Benchmark* b) {
  const auto cores = static_cast<long>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<long> threads;
  for (long t = 1; t < cores; t *= 2) threads.push_back(t);
  threads.push_back(cores);
  for (long n : {10000L, 100000L, 1000000L})
    for (long t : threads) b->Args({n, t});
}
// Wall time: the threads' CPU time adds up, the wall time is what they save.
BENCHMARK(BM_BatchGradientThreads)->Apply(thread_counts)->UseRealTime();

// Tie telemetry (BatchOptions::count_ties): the gradient of a program with 9 selection nodes out
// of 22 ops, on dyadic points that often sit on ties, with nothing recorded (the baseline), tie
// counts only, the per-lane branches only, and both.
constexpr const char* kTieProgram = R"(input x0 x1 x2 x3
t1 = relu x0
t2 = sub x1 x2
t3 = abs t2
t4 = max t1 t3
t5 = mul t4 x3
t6 = relu t5
t7 = add t6 x1
t8 = min t7 x2
t9 = mul t8 t8
t10 = relu t9
t11 = sub t10 x0
t12 = abs t11
t13 = mul t12 0.5
t14 = max t13 x3
t15 = add t14 t1
t16 = relu t15
t17 = mul t16 x2
t18 = sub t17 t9
t19 = abs t18
t20 = add t19 t5
t21 = mul t20 0.25
t22 = add t21 x1
output t22
)";

enum class Telemetry { Nothing, Counts, Branches, BranchesAndCounts };

template <Telemetry T>
void BM_BatchTies(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<double> c(4 * n);
  std::uint64_t seed = 5;
  for (std::size_t i = 0; i < c.size(); ++i) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    c[i] = static_cast<double>(static_cast<std::int64_t>(seed >> 40) % 17 - 8) / 4;  // dyadic, often 0
  }
  fast::BatchOptions o;
  o.record_branches = T == Telemetry::Branches || T == Telemetry::BranchesAndCounts;
  o.count_ties = T == Telemetry::Counts || T == Telemetry::BranchesAndCounts;
  o.threads = 1;
  fast::BatchEvaluator eval(fast::compile(parse_program(kTieProgram)), o);
  const fast::BatchResult r = time_batches(state, eval, c, n);
  std::uint64_t tied = 0;
  for (std::uint64_t t : r.tied_lanes) tied += t;
  state.counters["tied_decisions"] = static_cast<double>(tied);
}
void BM_BatchTiesNothing(benchmark::State& s) { BM_BatchTies<Telemetry::Nothing>(s); }
void BM_BatchTiesCounted(benchmark::State& s) { BM_BatchTies<Telemetry::Counts>(s); }
void BM_BatchTiesBranches(benchmark::State& s) { BM_BatchTies<Telemetry::Branches>(s); }
void BM_BatchTiesBranchesCounted(benchmark::State& s) { BM_BatchTies<Telemetry::BranchesAndCounts>(s); }
BENCHMARK(BM_BatchTiesNothing)->Arg(100000);
BENCHMARK(BM_BatchTiesCounted)->Arg(100000);
BENCHMARK(BM_BatchTiesBranches)->Arg(100000);
BENCHMARK(BM_BatchTiesBranchesCounted)->Arg(100000);

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
