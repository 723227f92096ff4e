// Naming and counters shared by the benchmark binaries in bench/peers/.
//
// Benchmark names follow one scheme that scripts/bench's renderer reads:
//   WORKLOAD/TOOL/MODE/SIZE
// e.g. dag-smooth/adolc/replay/10000 or batch/selgrad/gradient/100000.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

namespace selgrad::bench::peers {

inline std::string bench_name(const std::string& workload, const std::string& tool,
                              const std::string& mode, std::uint64_t size) {
  return workload + "/" + tool + "/" + mode + "/" + std::to_string(size);
}

/// Seconds per unit (per op, per point, per node), as a counter the JSON keeps.
inline void per_unit(benchmark::State& state, const char* name, double units) {
  state.counters[name] = benchmark::Counter(
      units, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

}  // namespace selgrad::bench::peers
