// reference_peers: workload 6, the exact engine's cost against program size and the cost of
// certifying a double evaluation.
//
//  ref/exact/gradient/M          evaluate_exact (backward mode): Algorithm 1 in exact rationals
//                                and one backward sweep, on the piecewise-affine random program
//                                of bench/random_program.hpp with M nodes.
//  ref/mpfr200/gradient/M        evaluate_real at 200 bits on the same program: MPFR values,
//                                every branch decision certified by MPFI enclosures.
//  ref/selgrad/gradient/M        the double engine (PointEvaluator) on the same program: the
//                                cost the exact engines are compared with.
//  ref-explog/{mpfr200,selgrad}/gradient/M   the same with exp/log groups (5% of the steps):
//                                no exact rational evaluation exists for these.
//  certify/selgrad/certify/1     fast::certify on the 22-op batch program at one point (cycling
//                                over 64 points): the double evaluation replayed in MPFI at 53
//                                bits, the reference's decisions and the 256-bit error bound.
//  certify/selgrad/lane/100000   the batch engine's value + gradient per point (100000 points),
//                                for the cost of certification per lane.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <memory>

#include "batch.hpp"
#include "common.hpp"
#include "random_program.hpp"
#include "selgrad/fast/certify.hpp"
#include "selgrad/fast/evaluate.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/program/parse.hpp"
#include "selgrad/reference/evaluate.hpp"

namespace selgrad::bench::peers {

const std::vector<double>& selgrad_batch_gradient(std::size_t) {  // unused here (batch.hpp)
  static const std::vector<double> none;
  return none;
}

namespace {

constexpr std::uint64_t kSeed = 20240601;

const Program& program(bool explog, std::uint32_t m) {
  static std::map<std::pair<bool, std::uint32_t>, std::unique_ptr<Program>> cache;
  auto& slot = cache[{explog, m}];
  if (!slot) {
    RandomProgramOptions o;
    o.nodes = m;
    if (explog) o.exp_log_fraction = 0.05;
    slot = std::make_unique<Program>(random_program(kSeed, o));
  }
  return *slot;
}

const std::vector<reference::Rational>& point(std::size_t p) {
  static std::map<std::size_t, std::vector<reference::Rational>> cache;
  auto& slot = cache[p];
  if (slot.empty()) slot = reference::to_point(dyadic_point(kSeed, p));
  return slot;
}

void bm_exact(benchmark::State& state, std::uint32_t m) {
  const Program& p = program(false, m);
  const auto& x = point(p.p());
  reference::ExactResult r;
  for (auto _ : state) {
    r = reference::evaluate_exact(p, x);
    benchmark::DoNotOptimize(r);
  }
  per_unit(state, "per_node", static_cast<double>(p.m()));
}

void bm_mpfr(benchmark::State& state, bool explog, std::uint32_t m) {
  const Program& p = program(explog, m);
  const auto& x = point(p.p());
  reference::Options o;
  o.precision = 200;
  // The exp/log DAG of 1e5 nodes escalates to 1600 bits, where the evaluation's size bound (a
  // worst case from the operands' magnitudes) passes the default 2^33-bit budget; it holds about
  // 0.1 GB in fact.
  o.max_total_bits = std::size_t{1} << 36;
  reference::RealResult r;
  for (auto _ : state) {
    try {
      r = reference::evaluate_real(p, x, o);
    } catch (const selgrad::Error& e) {
      state.SkipWithError(e.what());
      return;
    }
    benchmark::DoNotOptimize(r);
  }
  std::size_t uncertified = 0;
  for (const auto& d : r.branches.decisions) uncertified += d.certainty == reference::Certainty::Uncertified;
  state.counters["final_prec"] = static_cast<double>(r.precision);
  state.counters["uncertified"] = static_cast<double>(uncertified);
  per_unit(state, "per_node", static_cast<double>(p.m()));
}

void bm_double(benchmark::State& state, bool explog, std::uint32_t m) {
  const Program& p = program(explog, m);
  std::vector<double> x;
  for (const auto& v : point(p.p())) x.push_back(v.convert_to<double>());
  fast::PointEvaluator eval(fast::compile(p));
  std::vector<double> g(p.p());
  for (auto _ : state) benchmark::DoNotOptimize(eval.value_and_gradient(x, g));
  per_unit(state, "per_node", static_cast<double>(p.m()));
}

void bm_certify(benchmark::State& state) {
  const Program p = parse_program(kBatchProgram);
  const auto x = batch_points(64);
  std::size_t i = 0, certified = 0, decisions = 0;
  bool within = true;
  for (auto _ : state) {
    const auto c = fast::certify(p, std::span<const double>(&x[4 * (i++ % 64)], 4));
    certified += c.certified;
    decisions += c.decisions.size();
    within = within && c.gradient_within_bound;
    benchmark::DoNotOptimize(c.error);
  }
  state.counters["gradient_within_bound"] = within ? 1 : 0;
  state.counters["per_point"] = benchmark::Counter(1, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void bm_lane(benchmark::State& state, std::size_t n) {
  const auto x = batch_columns(batch_points(n));
  fast::BatchOptions o;
  o.record_branches = false;
  o.threads = 1;
  fast::BatchEvaluator eval(fast::compile(parse_program(kBatchProgram)), o);
  fast::BatchResult r;
  for (auto _ : state) {
    eval.evaluate(x, n, r, fast::Layout::InputMajor);
    benchmark::DoNotOptimize(r.outputs.data());
  }
  per_unit(state, "per_point", static_cast<double>(n));
}

}  // namespace
}  // namespace selgrad::bench::peers

int main(int argc, char** argv) {
  using namespace selgrad::bench::peers;
  for (std::uint32_t m : {100u, 1000u, 10000u, 100000u}) {
    benchmark::RegisterBenchmark(bench_name("ref", "exact", "gradient", m).c_str(), bm_exact, m)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(bench_name("ref", "mpfr200", "gradient", m).c_str(), bm_mpfr, false, m)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(bench_name("ref", "selgrad", "gradient", m).c_str(), bm_double, false, m)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(bench_name("ref-explog", "mpfr200", "gradient", m).c_str(), bm_mpfr, true, m)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(bench_name("ref-explog", "selgrad", "gradient", m).c_str(), bm_double, true, m)
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::RegisterBenchmark(bench_name("certify", "selgrad", "certify", 1).c_str(), bm_certify)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark(bench_name("certify", "selgrad", "lane", 100000).c_str(), bm_lane, 100000)
      ->Unit(benchmark::kMicrosecond);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
