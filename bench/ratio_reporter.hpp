// A console reporter that also keeps what each benchmark measured, so that a suite can print
// ratios of times taken in the same run once every benchmark has run (layers_bench,
// implicit_bench).
#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

namespace selgrad::bench {

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& r : runs)
      if (!r.error_occurred && r.run_type == Run::RT_Iteration) {
        seconds[r.benchmark_name()] = r.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(r.time_unit);
        for (const auto& [key, counter] : r.counters) counters[r.benchmark_name()][key] = counter.value;
      }
  }
  std::map<std::string, double> seconds;                          ///< real time per iteration, by name
  std::map<std::string, std::map<std::string, double>> counters;  ///< user counters, by name
};

/// The end of a suite's main(): runs the registered benchmarks through a RatioReporter, then
/// `print` with it.
template <class Print>
int run_with_ratios(int argc, char** argv, Print print) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  print(reporter);
  benchmark::Shutdown();
  return 0;
}

}  // namespace selgrad::bench
