// The recording workload for selgrad's Recorder (record_peers.hpp): record, program, compile
// (straight from the recording, and through the Program), and the parse of the same program's
// text; and the Eigen matrix-vector workload.
#include "selgrad/eigen.hpp"
#include <map>
#include <memory>
#include <random>
#include <string>

#include "common.hpp"
#include "record_peers.hpp"
#include "selgrad/fast/evaluate.hpp"
#include "selgrad/program/parse.hpp"
#include "selgrad/record.hpp"
#include "selgrad/record/eigen.hpp"

namespace selgrad::bench::peers {
namespace {

struct VarOps {
  static Var exp(const Var& x) { return selgrad::exp(x); }
  static Var log(const Var& x) { return selgrad::log(x); }
  static Var relu(const Var& x) { return selgrad::relu(x); }
  static Var max(const Var& x, const Var& y) { return selgrad::max(x, y); }
  static Var abs(const Var& x) { return selgrad::abs(x); }
};

/// How far a benchmark takes the recording: the Recorder alone, its Program, the Program compiled
/// (fast::compile(rec.program())), or the recording compiled straight away (rec.compile()).
enum class Stage { Record, Program, ProgramCompile, Compile };

/// Records the workload's function and takes it as far as `stage` says; the node count.
std::size_t record_dag(const Dag& d, std::vector<Var>& v, bool fuse, Stage stage, std::size_t* entries = nullptr) {
  RecorderOptions options;
  options.fuse_affine = fuse;
  Recorder rec(options);
  v.clear();
  for (std::uint32_t i = 0; i < d.inputs; ++i) v.push_back(rec.input());
  rec.output(dag_with_sum_of_sinks<VarOps>(d, v));
  if (entries) *entries = rec.size();
  switch (stage) {
    case Stage::Record: return 0;
    case Stage::Program: return rec.program().m();
    case Stage::ProgramCompile: {
      const fast::Tape t = fast::compile(rec.program());
      benchmark::DoNotOptimize(t.code.data());
      return t.m;
    }
    case Stage::Compile: {
      const fast::Tape t = rec.compile();
      benchmark::DoNotOptimize(t.code.data());
      return t.m;
    }
  }
  return 0;
}

const Program& recorded(std::uint32_t ops, bool nonsmooth) {
  static std::map<std::pair<std::uint32_t, bool>, std::unique_ptr<Program>> cache;
  auto& slot = cache[{ops, nonsmooth}];
  if (!slot) {
    const Dag& d = dag(ops, nonsmooth);
    Recorder rec;
    std::vector<Var> v;
    for (std::uint32_t i = 0; i < d.inputs; ++i) v.push_back(rec.input());
    rec.output(dag_with_sum_of_sinks<VarOps>(d, v));
    slot = std::make_unique<Program>(rec.program());
  }
  return *slot;
}

void bm_record(benchmark::State& state, std::uint32_t ops, bool nonsmooth, bool fuse, Stage stage) {
  const Dag& d = dag(ops, nonsmooth);
  std::vector<Var> v;
  v.reserve(d.nodes());
  std::size_t nodes = 0, entries = 0;
  for (auto _ : state) nodes = record_dag(d, v, fuse, stage, &entries);
  state.counters["entries"] = static_cast<double>(entries);
  if (stage != Stage::Record) state.counters["nodes"] = static_cast<double>(nodes);
  per_unit(state, "per_op", ops);
}

void bm_compile_only(benchmark::State& state, std::uint32_t ops, bool nonsmooth) {
  const Program& p = recorded(ops, nonsmooth);
  for (auto _ : state) {
    fast::Tape t = fast::compile(p);
    benchmark::DoNotOptimize(t.code.data());
  }
  state.counters["nodes"] = static_cast<double>(p.m());
  per_unit(state, "per_op", ops);
}

void bm_parse(benchmark::State& state, std::uint32_t ops, bool nonsmooth) {
  const Program& p = recorded(ops, nonsmooth);
  const std::string text = print_program(p);
  for (auto _ : state) {
    Program q = parse_program(text);
    benchmark::DoNotOptimize(q.nodes.data());
  }
  state.counters["nodes"] = static_cast<double>(p.m());
  state.counters["text_MiB"] = static_cast<double>(text.size()) / (1024.0 * 1024.0);
  per_unit(state, "per_op", ops);
}

/// relu(W x + b), W n x n with entries in [-1, 1) (multiples of 2^-10), b likewise.
void bm_eigen(benchmark::State& state, int n, bool fuse) {
  std::mt19937_64 rng(9);
  const auto draw = [&] { return static_cast<double>(static_cast<int>(rng() % 2048) - 1024) / 1024; };
  Eigen::MatrixXd w(n, n);
  Eigen::VectorXd b(n);
  for (int i = 0; i < n; ++i) {
    b(i) = draw();
    for (int j = 0; j < n; ++j) w(i, j) = draw();
  }
  std::size_t nodes = 0, entries = 0, args = 0;
  for (auto _ : state) {
    RecorderOptions options;
    options.fuse_affine = fuse;
    Recorder rec(options);
    const VectorXvar x = to_vector(rec.inputs(static_cast<std::size_t>(n)));
    const VectorXvar y = (w.cast<Var>() * x + b.cast<Var>()).unaryExpr([](const Var& z) { return relu(z); });
    rec.outputs(y);
    entries = rec.size();
    const fast::Tape t = rec.compile();
    benchmark::DoNotOptimize(t.code.data());
    nodes = t.m;
    args = t.operands();
  }
  state.counters["entries"] = static_cast<double>(entries);
  state.counters["nodes"] = static_cast<double>(nodes);
  state.counters["args"] = static_cast<double>(args);
  per_unit(state, "per_madd", static_cast<double>(n) * n);
}

}  // namespace

void register_record_selgrad() {
  for (bool nonsmooth : {false, true})
    for (std::uint32_t ops : kRecordSizes) {
      const std::string w = nonsmooth ? "record-nonsmooth" : "record-smooth";
      const auto reg = [&](const char* tool, const char* mode, bool fuse, Stage stage) {
        benchmark::RegisterBenchmark(bench_name(w, tool, mode, ops).c_str(), bm_record, ops, nonsmooth, fuse, stage)
            ->Unit(benchmark::kMillisecond);
      };
      reg("selgrad", "record", true, Stage::Record);
      reg("selgrad", "program", true, Stage::Program);
      reg("selgrad", "program-compile", true, Stage::ProgramCompile);
      reg("selgrad", "compile", true, Stage::Compile);
      reg("selgrad-unfused", "compile", false, Stage::Compile);
      benchmark::RegisterBenchmark(bench_name(w, "selgrad", "compile-only", ops).c_str(), bm_compile_only, ops,
                                   nonsmooth)
          ->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark(bench_name(w, "parse", "parse", ops).c_str(), bm_parse, ops, nonsmooth)
          ->Unit(benchmark::kMillisecond);
    }
  for (int n : {64, 256, 1024}) {
    benchmark::RegisterBenchmark(bench_name("record-eigen", "selgrad", "compile", n).c_str(), bm_eigen, n, true)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(bench_name("record-eigen", "selgrad-unfused", "compile", n).c_str(), bm_eigen, n,
                                 false)
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace selgrad::bench::peers
