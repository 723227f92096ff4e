// Random DAG, Eigen's AutoDiffScalar (forward mode) with a fixed-size derivative vector of the
// 8 inputs: one evaluation gives value and gradient, no tape (forward mode is the natural choice
// for a function of 8 inputs). Its one mode is listed as `forward`.
#include "selgrad/eigen.hpp"
#include <unsupported/Eigen/AutoDiff>

#include <cmath>

#include "common.hpp"
#include "dag.hpp"
#include "dag_peers.hpp"

namespace selgrad::bench::peers {
namespace {

using Deriv = Eigen::Matrix<double, 8, 1>;
using AD = Eigen::AutoDiffScalar<Deriv>;

struct EigenOps {
  static AD exp(const AD& x) { using std::exp; return exp(x); }
  static AD log(const AD& x) { using std::log; return log(x); }
  static AD relu(const AD& x) { return x.value() > 0 ? x : AD(0.0, Deriv::Zero()); }
  static AD max(const AD& x, const AD& y) { return x.value() >= y.value() ? x : y; }
  static AD abs(const AD& x) { using std::abs; return abs(x); }
};

void bm_forward(benchmark::State& state, std::uint32_t ops, bool nonsmooth) {
  const Dag& d = dag(ops, nonsmooth);
  std::vector<double> g(d.inputs);
  std::vector<AD> v;
  v.reserve(d.nodes());
  const auto pass = [&] {
    v.clear();
    for (std::uint32_t i = 0; i < d.inputs; ++i) v.emplace_back(d.point[i], 8, static_cast<Eigen::Index>(i));
    interpret<EigenOps>(d, v);
    for (std::uint32_t i = 0; i < d.inputs; ++i) g[i] = v.back().derivatives()[i];
  };
  pass();
  require_same_gradient(bench_name(dag_workload(nonsmooth), "eigen", "forward", ops),
                        g, selgrad_dag_gradient(ops, nonsmooth));
  for (auto _ : state) {
    pass();
    benchmark::DoNotOptimize(g.data());
  }
  state.counters["grad_diff"] = gradient_distance(g, selgrad_dag_gradient(ops, nonsmooth));
  per_unit(state, "per_op", ops);
}

}  // namespace

void register_dag_eigen() {
  for (bool nonsmooth : {false, true})
    for (std::uint32_t ops : kDagSizes) {
      const std::string w = nonsmooth ? "dag-nonsmooth" : "dag-smooth";
      benchmark::RegisterBenchmark(bench_name(w, "eigen", "forward", ops).c_str(), bm_forward, ops, nonsmooth)
          ->Unit(benchmark::kMicrosecond);
    }
}

}  // namespace selgrad::bench::peers
