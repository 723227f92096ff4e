// Random DAG, ADOL-C 2.7 (Debian libadolc-dev), adouble taping:
//   record    trace_on(keep = 1), the DAG interpreted with adouble, trace_off, fos_reverse:
//             recording and reverse sweep, what a first gradient costs
//   replay    zos_forward(keep = 1) + fos_reverse on the recorded tape (= ADOL-C's gradient()
//             driver, which does exactly this, plus the value)
//   function  zos_forward(keep = 0): the tape's values only
// The tape stays in memory: trace_on is given operation, location, value and Taylor buffers
// that hold the whole tape (measured by a first recording; ADOL-C writes a tape to ADOLC-*.tap
// files when it outgrows its buffers, and its default buffers hold 524288 elements), and each
// run checks with tapestats that no tape file was written and the Taylor stack fit its buffer.
#include <adolc/adolc.h>
#include <adolc/taping.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "common.hpp"
#include "dag.hpp"
#include "dag_peers.hpp"

namespace selgrad::bench::peers {
namespace {

// ADOL-C's functions are friends of badouble, found by argument-dependent lookup.
adub ad_exp(const adouble& x) { return exp(x); }
adub ad_log(const adouble& x) { return log(x); }
adub ad_relu(const adouble& x) { return fmax(x, 0.0); }
adub ad_max(const adouble& x, const adouble& y) { return fmax(x, y); }
adub ad_abs(const adouble& x) { return fabs(x); }

struct AdolcOps {
  static adub exp(const adouble& x) { return ad_exp(x); }
  static adub log(const adouble& x) { return ad_log(x); }
  static adub relu(const adouble& x) { return ad_relu(x); }
  static adub max(const adouble& x, const adouble& y) { return ad_max(x, y); }
  static adub abs(const adouble& x) { return ad_abs(x); }
};

/// One tape (tag) per DAG: re-recording a tag that held a larger tape keeps that tape's stale
/// statistics in ADOL-C 2.7 and makes the Taylor stack spill to a file.
short tag_of(const Dag& d) {
  static std::map<const Dag*, short> tags;
  return tags.emplace(&d, static_cast<short>(10 + tags.size())).first->second;
}

/// Buffer sizes (in elements) for trace_on. A first recording with generous buffers measures
/// the tape (tapestats); later recordings get buffers of that size plus a margin, so the tape
/// and the Taylor stack stay in memory without oversized allocations.
struct Buffers {
  uint obs, lbs, vbs, tbs;
};

double record_with(const Dag& d, int keep, const Buffers& b) {
  trace_on(tag_of(d), keep, b.obs, b.lbs, b.vbs, b.tbs);
  double y = 0;
  {
    std::vector<adouble> v;
    v.reserve(d.nodes());
    for (std::uint32_t i = 0; i < d.inputs; ++i) {
      v.emplace_back();
      v.back() <<= d.point[i];
    }
    interpret<AdolcOps>(d, v);
    v.back() >>= y;
  }
  trace_off();
  return y;
}

const Buffers& buffers(const Dag& d) {
  static std::map<const Dag*, Buffers> cache;
  auto it = cache.find(&d);
  if (it != cache.end()) return it->second;
  const auto big = static_cast<uint>(32 * d.code.size() + 65536);
  record_with(d, 1, {big, big, big, big});
  std::size_t s[STAT_SIZE];
  tapestats(tag_of(d), s);
  const auto fit = [](std::size_t n) { return static_cast<uint>(n + n / 8 + 1024); };
  const Buffers b{fit(s[NUM_OPERATIONS]), fit(s[NUM_LOCATIONS]), fit(s[NUM_VALUES]), fit(s[TAY_STACK_SIZE])};
  return cache.emplace(&d, b).first->second;
}

/// Records the tape; with `keep`, the Taylor values stay for an immediate fos_reverse.
double record(const Dag& d, int keep) { return record_with(d, keep, buffers(d)); }

/// Marks the run as an error if the tape or the Taylor stack left memory.
void check_in_core(benchmark::State& state, const Dag& d) {
  std::size_t s[STAT_SIZE];
  tapestats(tag_of(d), s);
  const bool files = s[OP_FILE_ACCESS] || s[LOC_FILE_ACCESS] || s[VAL_FILE_ACCESS];
  const bool taylor_spill = s[TAY_STACK_SIZE] > s[TAY_BUFFER_SIZE];
  state.counters["tape_ops"] = static_cast<double>(s[NUM_OPERATIONS]);
  state.counters["tape_file"] = files || taylor_spill ? 1 : 0;
  // The tape statistics on stderr when the tape left memory, or always with SELGRAD_ADOLC_STATS set.
  if (files || taylor_spill || std::getenv("SELGRAD_ADOLC_STATS"))
    std::fprintf(stderr, "tapestats: op %zu loc %zu val %zu taylor %zu/%zu, ops %zu locs %zu vals %zu bufs %zu %zu %zu\n",
                 s[OP_FILE_ACCESS], s[LOC_FILE_ACCESS], s[VAL_FILE_ACCESS], s[TAY_STACK_SIZE], s[TAY_BUFFER_SIZE],
                 s[NUM_OPERATIONS], s[NUM_LOCATIONS], s[NUM_VALUES], s[OP_BUFFER_SIZE], s[LOC_BUFFER_SIZE], s[VAL_BUFFER_SIZE]);
  if (files || taylor_spill) state.SkipWithError("ADOL-C tape left memory");
}

void bm_record(benchmark::State& state, std::uint32_t ops, bool nonsmooth) {
  const Dag& d = dag(ops, nonsmooth);
  buffers(d);
  std::vector<double> g(d.inputs);
  double w = 1;
  record(d, 1);
  fos_reverse(tag_of(d), 1, static_cast<int>(d.inputs), &w, g.data());
  require_same_gradient(bench_name(dag_workload(nonsmooth), "adolc", "record", ops),
                        g, selgrad_dag_gradient(ops, nonsmooth));
  for (auto _ : state) {
    benchmark::DoNotOptimize(record(d, 1));
    fos_reverse(tag_of(d), 1, static_cast<int>(d.inputs), &w, g.data());
  }
  check_in_core(state, d);
  state.counters["grad_diff"] = gradient_distance(g, selgrad_dag_gradient(ops, nonsmooth));
  per_unit(state, "per_op", ops);
}

void bm_replay(benchmark::State& state, std::uint32_t ops, bool nonsmooth) {
  const Dag& d = dag(ops, nonsmooth);
  record(d, 0);
  std::vector<double> g(d.inputs);
  double w = 1, y = 0;
  zos_forward(tag_of(d), 1, static_cast<int>(d.inputs), 1, d.point.data(), &y);
  fos_reverse(tag_of(d), 1, static_cast<int>(d.inputs), &w, g.data());
  require_same_gradient(bench_name(dag_workload(nonsmooth), "adolc", "replay", ops),
                        g, selgrad_dag_gradient(ops, nonsmooth));
  for (auto _ : state) {
    zos_forward(tag_of(d), 1, static_cast<int>(d.inputs), 1, d.point.data(), &y);
    fos_reverse(tag_of(d), 1, static_cast<int>(d.inputs), &w, g.data());
    benchmark::DoNotOptimize(y);
  }
  check_in_core(state, d);
  state.counters["grad_diff"] = gradient_distance(g, selgrad_dag_gradient(ops, nonsmooth));
  per_unit(state, "per_op", ops);
}

void bm_function(benchmark::State& state, std::uint32_t ops, bool nonsmooth) {
  const Dag& d = dag(ops, nonsmooth);
  record(d, 0);
  double y = 0;
  for (auto _ : state) {
    zos_forward(tag_of(d), 1, static_cast<int>(d.inputs), 0, d.point.data(), &y);
    benchmark::DoNotOptimize(y);
  }
  check_in_core(state, d);
  if (std::fabs(y - d.value) > 1e-9 * std::fabs(d.value) + 1e-12) state.SkipWithError("wrong value");
  per_unit(state, "per_op", ops);
}

}  // namespace

void register_dag_adolc() {
  for (bool nonsmooth : {false, true})
    for (std::uint32_t ops : kDagSizes) {
      const std::string w = nonsmooth ? "dag-nonsmooth" : "dag-smooth";
      benchmark::RegisterBenchmark(bench_name(w, "adolc", "function", ops).c_str(), bm_function, ops, nonsmooth)
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(bench_name(w, "adolc", "replay", ops).c_str(), bm_replay, ops, nonsmooth)
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(bench_name(w, "adolc", "record", ops).c_str(), bm_record, ops, nonsmooth)
          ->Unit(benchmark::kMicrosecond);
    }
}

}  // namespace selgrad::bench::peers
