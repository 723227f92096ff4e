// Random DAG, Sacado's traditional reverse mode (Trilinos 13.2, Sacado_trad.hpp,
// Sacado::Rad::ADvar<double>): every evaluation builds its expression graph and Gradcomp()
// sweeps it backwards; Sacado::Rad has no separate replay of a recorded graph, so its one mode
// is record (recording and reverse sweep). The graph's memory blocks are reused from one
// evaluation to the next.
#include <Sacado_trad.hpp>

#include <cmath>

#include "common.hpp"
#include "dag.hpp"
#include "dag_peers.hpp"

namespace selgrad::bench::peers {
namespace {

using AD = Sacado::Rad::ADvar<double>;

struct SacadoOps {
  static AD exp(const AD& x) { return Sacado::Rad::exp(x); }
  static AD log(const AD& x) { return Sacado::Rad::log(x); }
  static AD relu(const AD& x) { return Sacado::Rad::max(x, 0.0); }
  static AD max(const AD& x, const AD& y) { return Sacado::Rad::max(x, y); }
  static AD abs(const AD& x) { return Sacado::Rad::abs(x); }
};

void bm_record(benchmark::State& state, std::uint32_t ops, bool nonsmooth) {
  const Dag& d = dag(ops, nonsmooth);
  std::vector<double> g(d.inputs);
  std::vector<AD> v;
  const auto pass = [&] {
    v.clear();
    v.reserve(d.nodes());
    for (std::uint32_t i = 0; i < d.inputs; ++i) v.emplace_back(d.point[i]);
    interpret<SacadoOps>(d, v);
    AD::Gradcomp();
    for (std::uint32_t i = 0; i < d.inputs; ++i) g[i] = v[i].adj();
  };
  pass();
  require_same_gradient(bench_name(dag_workload(nonsmooth), "sacado", "record", ops),
                        g, selgrad_dag_gradient(ops, nonsmooth));
  for (auto _ : state) {
    pass();
    benchmark::DoNotOptimize(g.data());
  }
  v.clear();
  state.counters["grad_diff"] = gradient_distance(g, selgrad_dag_gradient(ops, nonsmooth));
  per_unit(state, "per_op", ops);
}

}  // namespace

void register_dag_sacado() {
  for (bool nonsmooth : {false, true})
    for (std::uint32_t ops : kDagSizes) {
      const std::string w = nonsmooth ? "dag-nonsmooth" : "dag-smooth";
      benchmark::RegisterBenchmark(bench_name(w, "sacado", "record", ops).c_str(), bm_record, ops, nonsmooth)
          ->Unit(benchmark::kMicrosecond);
    }
}

}  // namespace selgrad::bench::peers
