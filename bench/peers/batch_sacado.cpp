// Batched program, Sacado::Rad (reverse mode, Sacado_trad.hpp), point by point: each point
// builds its expression graph and Gradcomp() sweeps it (Sacado::Rad has no replay).
#include <Sacado_trad.hpp>

#include "batch.hpp"
#include "common.hpp"

namespace selgrad::bench::peers {
namespace {

using AD = Sacado::Rad::ADvar<double>;

struct SacadoOps {
  static AD exp(const AD& x) { return Sacado::Rad::exp(x); }
  static AD log(const AD& x) { return Sacado::Rad::log(x); }
};

void bm_gradient(benchmark::State& state, std::size_t n) {
  const auto x = batch_points(n);
  std::vector<double> out(n), grad(n * 4);
  const auto pass = [&] {
    for (std::size_t l = 0; l < n; ++l) {
      AD x0(x[4 * l]), x1(x[4 * l + 1]), x2(x[4 * l + 2]), x3(x[4 * l + 3]);
      const AD y = batch_function<SacadoOps, AD>(x0, x1, x2, x3);
      AD::Gradcomp();
      out[l] = y.val();
      double* g = &grad[4 * l];
      g[0] = x0.adj();
      g[1] = x1.adj();
      g[2] = x2.adj();
      g[3] = x3.adj();
    }
  };
  pass();
  require_same_batch_gradient(bench_name("batch", "sacado", "gradient", n), grad, n);
  for (auto _ : state) {
    pass();
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["grad_diff"] = batch_gradient_distance(grad, n);
  per_unit(state, "per_point", static_cast<double>(n));
}

}  // namespace

void register_batch_sacado() {
  for (std::size_t n : kBatchSizes)
    benchmark::RegisterBenchmark(bench_name("batch", "sacado", "gradient", n).c_str(), bm_gradient, n)
        ->Unit(benchmark::kMicrosecond);
}

}  // namespace selgrad::bench::peers
