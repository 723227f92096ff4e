// Random DAG, selgrad's double engine (fast/evaluate.hpp, PointEvaluator):
//   function  values only, on a compiled tape
//   replay    value + gradient on a compiled tape (the tape built once, outside the timing)
//   record    compile the Program to a tape, build the evaluator, value + gradient: the cost of
//             a first evaluation (selgrad's counterpart of recording an operator-overloading
//             tape; the Program itself is the input, as the C++ code is for the peers)
#include <cmath>
#include <map>
#include <memory>

#include "common.hpp"
#include "dag.hpp"
#include "dag_peers.hpp"
#include "selgrad/fast/evaluate.hpp"

namespace selgrad::bench::peers {
namespace {

const Program& dag_program(std::uint32_t ops, bool nonsmooth) {
  static std::map<std::pair<std::uint32_t, bool>, std::unique_ptr<Program>> cache;
  auto& slot = cache[{ops, nonsmooth}];
  if (!slot) slot = std::make_unique<Program>(to_program(dag(ops, nonsmooth)));
  return *slot;
}

void bm_function(benchmark::State& state, std::uint32_t ops, bool nonsmooth) {
  const Dag& d = dag(ops, nonsmooth);
  fast::PointEvaluator eval(fast::compile(dag_program(ops, nonsmooth)));
  double out = 0;
  for (auto _ : state) {
    eval.values(d.point, std::span<double>(&out, 1));
    benchmark::DoNotOptimize(out);
  }
  if (std::fabs(out - d.value) > 1e-9 * std::fabs(d.value) + 1e-12) state.SkipWithError("wrong value");
  per_unit(state, "per_op", ops);
}

/// Bytes a value + gradient pass touches: the instruction stream, operand and partial indices,
/// the reverse edge list, and one value and one adjoint per row.
double tape_bytes(const fast::Tape& t) {
  double b = static_cast<double>(t.code.size() * sizeof(fast::Instr) + t.operand.size() * 4 + t.partial.size() * 4);
  for (const auto& r : t.reverse) b += static_cast<double>(r.size() * sizeof(fast::ReverseStep));
  return b + 16.0 * t.rows;
}

void bm_replay(benchmark::State& state, std::uint32_t ops, bool nonsmooth) {
  const Dag& d = dag(ops, nonsmooth);
  fast::PointEvaluator eval(fast::compile(dag_program(ops, nonsmooth)));
  std::vector<double> g(d.inputs);
  eval.value_and_gradient(d.point, g);
  require_same_gradient(bench_name(dag_workload(nonsmooth), "selgrad", "replay", ops),
                        g, selgrad_dag_gradient(ops, nonsmooth));
  for (auto _ : state) benchmark::DoNotOptimize(eval.value_and_gradient(d.point, g));
  state.counters["grad_diff"] = gradient_distance(g, selgrad_dag_gradient(ops, nonsmooth));
  state.counters["tape_MiB"] = tape_bytes(eval.tape()) / (1024.0 * 1024.0);
  per_unit(state, "per_op", ops);
}

void bm_record(benchmark::State& state, std::uint32_t ops, bool nonsmooth) {
  const Dag& d = dag(ops, nonsmooth);
  const Program& p = dag_program(ops, nonsmooth);
  std::vector<double> g(d.inputs);
  const auto pass = [&] {
    fast::PointEvaluator eval(fast::compile(p));
    return eval.value_and_gradient(d.point, g);
  };
  pass();
  require_same_gradient(bench_name(dag_workload(nonsmooth), "selgrad", "record", ops),
                        g, selgrad_dag_gradient(ops, nonsmooth));
  for (auto _ : state) benchmark::DoNotOptimize(pass());
  state.counters["grad_diff"] = gradient_distance(g, selgrad_dag_gradient(ops, nonsmooth));
  per_unit(state, "per_op", ops);
}

}  // namespace

const std::vector<double>& selgrad_dag_gradient(std::uint32_t ops, bool nonsmooth) {
  static std::map<std::pair<std::uint32_t, bool>, std::vector<double>> cache;
  auto& slot = cache[{ops, nonsmooth}];
  if (slot.empty()) {
    const Dag& d = dag(ops, nonsmooth);
    fast::PointEvaluator eval(fast::compile(dag_program(ops, nonsmooth)));
    slot.resize(d.inputs);
    eval.value_and_gradient(d.point, slot);
    // selgrad's own gradient against the generator's forward mode, before anything is timed.
    require_same_gradient(bench_name(dag_workload(nonsmooth), "selgrad", "gradient", ops), slot,
                          d.gradient);
  }
  return slot;
}

void register_dag_selgrad() {
  for (bool nonsmooth : {false, true})
    for (std::uint32_t ops : kDagSizes) {
      const std::string w = nonsmooth ? "dag-nonsmooth" : "dag-smooth";
      benchmark::RegisterBenchmark(bench_name(w, "selgrad", "function", ops).c_str(), bm_function, ops, nonsmooth)
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(bench_name(w, "selgrad", "replay", ops).c_str(), bm_replay, ops, nonsmooth)
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(bench_name(w, "selgrad", "record", ops).c_str(), bm_record, ops, nonsmooth)
          ->Unit(benchmark::kMicrosecond);
    }
}

}  // namespace selgrad::bench::peers
