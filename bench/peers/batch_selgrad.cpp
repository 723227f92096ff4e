// Batched program, selgrad's batch engine (fast/evaluate.hpp, BatchEvaluator): the tape is
// compiled once; values (function) or values + gradient over N points laid out input-major.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "batch.hpp"
#include "common.hpp"
#include "selgrad/fast/evaluate.hpp"
#include "selgrad/program/parse.hpp"

namespace selgrad::bench::peers {
namespace {

template <bool Gradient>
void bm_engine(benchmark::State& state, std::size_t n) {
  const auto x = batch_columns(batch_points(n));
  fast::BatchOptions o;
  o.gradient = Gradient;
  o.record_branches = false;  // the program has no selection
  o.threads = 1;              // every tool on one thread
  fast::BatchEvaluator eval(fast::compile(parse_program(kBatchProgram)), o);
  fast::BatchResult r;
  eval.evaluate(x, n, r, fast::Layout::InputMajor);
  if constexpr (Gradient) require_same_batch_gradient(bench_name("batch", "selgrad", "gradient", n), r.jacobian, n);
  for (auto _ : state) {
    eval.evaluate(x, n, r, fast::Layout::InputMajor);
    benchmark::DoNotOptimize(r.outputs.data());
  }
  if (r.failed_lanes() != 0) state.SkipWithError("lanes failed");
  per_unit(state, "per_point", static_cast<double>(n));
}

}  // namespace

const std::vector<double>& selgrad_batch_gradient(std::size_t n) {
  static std::map<std::size_t, std::vector<double>> cache;
  auto& slot = cache[n];
  if (slot.empty()) {
    const auto x = batch_columns(batch_points(n));
    fast::BatchEvaluator eval(fast::compile(parse_program(kBatchProgram)));
    fast::BatchResult r;
    eval.evaluate(x, n, r, fast::Layout::InputMajor);
    slot = r.jacobian;  // q = 1: entry i of point l at 4l + i
    // selgrad's own gradients against forward-mode dual numbers, before anything is timed.
    const std::size_t k = std::min<std::size_t>(n, 4096);
    const double d = batch_gradient_distance(slot, dual_batch_gradient(batch_points(n), k), k);
    if (!(d <= kBatchGradientTolerance)) {
      std::fprintf(stderr, "batch/selgrad: the gradients differ from forward-mode duals by %g of their norm\n", d);
      std::exit(3);
    }
  }
  return slot;
}

void register_batch_selgrad() {
  for (std::size_t n : kBatchSizes) {
    benchmark::RegisterBenchmark(bench_name("batch", "selgrad", "function", n).c_str(), bm_engine<false>, n)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(bench_name("batch", "selgrad", "gradient", n).c_str(), bm_engine<true>, n)
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace selgrad::bench::peers
