// Batched program, Eigen's AutoDiffScalar (forward mode, 4 fixed-size directions: one per
// input) point by point. `function` is the same code in plain double, compiled (a scalar loop
// over points, GCC's own vectorisation permitting).
#include "selgrad/eigen.hpp"
#include <unsupported/Eigen/AutoDiff>

#include <cmath>

#include "batch.hpp"
#include "common.hpp"

namespace selgrad::bench::peers {
namespace {

using Deriv = Eigen::Matrix<double, 4, 1>;
using AD = Eigen::AutoDiffScalar<Deriv>;

struct EigenOps {
  static AD exp(const AD& x) { using std::exp; return exp(x); }
  static AD log(const AD& x) { using std::log; return log(x); }
};
struct DoubleOps {
  static double exp(double x) { return std::exp(x); }
  static double log(double x) { return std::log(x); }
};

void bm_forward(benchmark::State& state, std::size_t n) {
  const auto x = batch_points(n);
  std::vector<double> out(n), grad(n * 4);
  const auto pass = [&] {
    for (std::size_t l = 0; l < n; ++l) {
      const AD x0(x[4 * l], 4, 0), x1(x[4 * l + 1], 4, 1), x2(x[4 * l + 2], 4, 2), x3(x[4 * l + 3], 4, 3);
      const AD y = batch_function<EigenOps, AD>(x0, x1, x2, x3);
      out[l] = y.value();
      Eigen::Map<Deriv> g(&grad[4 * l]);
      g = y.derivatives();
    }
  };
  pass();
  require_same_batch_gradient(bench_name("batch", "eigen", "gradient", n), grad, n);
  for (auto _ : state) {
    pass();
    benchmark::DoNotOptimize(out.data());
    benchmark::DoNotOptimize(grad.data());
  }
  state.counters["grad_diff"] = batch_gradient_distance(grad, n);
  per_unit(state, "per_point", static_cast<double>(n));
}

void bm_double(benchmark::State& state, std::size_t n) {
  const auto x = batch_points(n);
  std::vector<double> out(n);
  for (auto _ : state) {
    for (std::size_t l = 0; l < n; ++l)
      out[l] = batch_function<DoubleOps, double>(x[4 * l], x[4 * l + 1], x[4 * l + 2], x[4 * l + 3]);
    benchmark::DoNotOptimize(out.data());
  }
  per_unit(state, "per_point", static_cast<double>(n));
}

}  // namespace

void register_batch_eigen() {
  for (std::size_t n : kBatchSizes) {
    benchmark::RegisterBenchmark(bench_name("batch", "eigen", "gradient", n).c_str(), bm_forward, n)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(bench_name("batch", "double", "function", n).c_str(), bm_double, n)
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace selgrad::bench::peers
