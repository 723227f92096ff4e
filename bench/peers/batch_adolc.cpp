// Batched program, ADOL-C: the program is recorded once (one tape, in memory: it is 30-odd
// operations), then replayed point by point, zos_forward(keep = 1) + fos_reverse per point
// (ADOL-C's gradient() driver, plus the value). `function` is zos_forward alone per point.
// ADOL-C has no mode that runs one tape over many points at once.
#include <adolc/adolc.h>
#include <adolc/taping.h>

#include "batch.hpp"
#include "common.hpp"

namespace selgrad::bench::peers {
namespace {

// ADOL-C's functions are friends of badouble, found by argument-dependent lookup.
adub ad_exp(const badouble& x) { return exp(x); }
adub ad_log(const badouble& x) { return log(x); }

struct AdolcOps {
  static adub exp(const badouble& x) { return ad_exp(x); }
  static adub log(const badouble& x) { return ad_log(x); }
};

constexpr short kTag = 3;

void record_program() {
  trace_on(kTag);
  {
    adouble x0, x1, x2, x3;
    x0 <<= 1.0;
    x1 <<= 1.0;
    x2 <<= 1.0;
    x3 <<= 1.0;
    adouble y = batch_function<AdolcOps, adouble>(x0, x1, x2, x3);
    double out;
    y >>= out;
  }
  trace_off();
}

template <bool Gradient>
void bm_replay(benchmark::State& state, std::size_t n) {
  const auto x = batch_points(n);
  record_program();
  std::vector<double> out(n), grad(n * 4);
  double w = 1;
  const auto pass = [&] {
    for (std::size_t l = 0; l < n; ++l) {
      zos_forward(kTag, 1, 4, Gradient ? 1 : 0, &x[4 * l], &out[l]);
      if constexpr (Gradient) fos_reverse(kTag, 1, 4, &w, &grad[4 * l]);
    }
  };
  pass();
  if constexpr (Gradient) require_same_batch_gradient(bench_name("batch", "adolc", "gradient", n), grad, n);
  for (auto _ : state) {
    pass();
    benchmark::DoNotOptimize(out.data());
  }
  std::size_t s[STAT_SIZE];
  tapestats(kTag, s);
  if (s[OP_FILE_ACCESS] || s[LOC_FILE_ACCESS] || s[VAL_FILE_ACCESS]) state.SkipWithError("tape left memory");
  if constexpr (Gradient) state.counters["grad_diff"] = batch_gradient_distance(grad, n);
  per_unit(state, "per_point", static_cast<double>(n));
}

}  // namespace

void register_batch_adolc() {
  for (std::size_t n : kBatchSizes) {
    benchmark::RegisterBenchmark(bench_name("batch", "adolc", "function", n).c_str(), bm_replay<false>, n)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(bench_name("batch", "adolc", "gradient", n).c_str(), bm_replay<true>, n)
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace selgrad::bench::peers
