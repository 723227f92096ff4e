// The recording workload for ADOL-C 2.7 (record_peers.hpp): trace_on, the DAG and the sum of its
// sinks with adouble (which evaluates as it records), one dependent, trace_off. keep = 0: no Taylor
// values are kept for a reverse sweep, so this is recording alone. Like dag_adolc.cpp, the tape
// stays in memory (buffers sized by a first recording, checked with tapestats).
#include <adolc/adolc.h>
#include <adolc/taping.h>

#include <map>

#include "common.hpp"
#include "record_peers.hpp"

namespace selgrad::bench::peers {
namespace {

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

short tag_of(const Dag& d) {
  static std::map<const Dag*, short> tags;
  return tags.emplace(&d, static_cast<short>(200 + tags.size())).first->second;
}

struct Buffers {
  uint obs, lbs, vbs, tbs;
};

double trace(const Dag& d, const Buffers& b) {
  double y = 0;
  trace_on(tag_of(d), 0, b.obs, b.lbs, b.vbs, b.tbs);
  {
    std::vector<adouble> v;
    v.reserve(d.nodes());
    for (std::uint32_t i = 0; i < d.inputs; ++i) {
      v.emplace_back();
      v.back() <<= d.point[i];
    }
    adouble sum = dag_with_sum_of_sinks<AdolcOps>(d, v);
    sum >>= y;
  }
  trace_off();
  return y;
}

const Buffers& buffers(const Dag& d) {
  static std::map<const Dag*, Buffers> cache;
  auto it = cache.find(&d);
  if (it != cache.end()) return it->second;
  const auto big = static_cast<uint>(32 * d.code.size() + 65536);
  trace(d, {big, big, big, big});
  std::size_t s[STAT_SIZE];
  tapestats(tag_of(d), s);
  const auto fit = [](std::size_t n) { return static_cast<uint>(n + n / 8 + 1024); };
  const Buffers b{fit(s[NUM_OPERATIONS]), fit(s[NUM_LOCATIONS]), fit(s[NUM_VALUES]), fit(s[TAY_STACK_SIZE])};
  return cache.emplace(&d, b).first->second;
}

void bm_trace(benchmark::State& state, std::uint32_t ops, bool nonsmooth) {
  const Dag& d = dag(ops, nonsmooth);
  const Buffers& b = buffers(d);
  for (auto _ : state) benchmark::DoNotOptimize(trace(d, b));
  std::size_t s[STAT_SIZE];
  tapestats(tag_of(d), s);
  state.counters["tape_ops"] = static_cast<double>(s[NUM_OPERATIONS]);
  if (s[OP_FILE_ACCESS] || s[LOC_FILE_ACCESS] || s[VAL_FILE_ACCESS]) state.SkipWithError("ADOL-C tape left memory");
  per_unit(state, "per_op", ops);
}

}  // namespace

void register_record_adolc() {
  for (bool nonsmooth : {false, true})
    for (std::uint32_t ops : kRecordSizes) {
      const std::string w = nonsmooth ? "record-nonsmooth" : "record-smooth";
      benchmark::RegisterBenchmark(bench_name(w, "adolc", "trace", ops).c_str(), bm_trace, ops, nonsmooth)
          ->Unit(benchmark::kMillisecond);
    }
}

}  // namespace selgrad::bench::peers
