// record_peers: recording a function written in C++ (record_peers.hpp), selgrad's Recorder
// against ADOL-C's taping and against parsing the same program's text. After the run it prints,
// per DAG, selgrad's record + compile time (Recorder::compile) over ADOL-C's trace time and over the parse
// time, measured in the same run (CPU time per op).
#include <cstdio>
#include <string>

#include "ratio_reporter.hpp"
#include "record_peers.hpp"

int main(int argc, char** argv) {
  using namespace selgrad::bench::peers;
  register_record_selgrad();
  register_record_adolc();
  return selgrad::bench::run_with_ratios(argc, argv, [](const selgrad::bench::RatioReporter& r) {
    // Per-op CPU time (the per_op counter): the machines are shared, and waiting for a core is
    // not recording time.
    const auto time = [&](const std::string& name) {
      const auto it = r.counters.find(name);
      return it == r.counters.end() || !it->second.count("per_op") ? -1.0 : it->second.at("per_op");
    };
    std::printf("\nrecord + compile (Recorder::compile), per op of the DAG, against ADOL-C's trace and selgrad's parse:\n");
    for (const char* w : {"record-smooth", "record-nonsmooth"})
      for (std::uint32_t m : kRecordSizes) {
        const std::string suffix = "/" + std::to_string(m);
        const double rec = time(std::string(w) + "/selgrad/compile" + suffix);
        const double adolc = time(std::string(w) + "/adolc/trace" + suffix);
        const double parse = time(std::string(w) + "/parse/parse" + suffix);
        if (rec < 0 || adolc < 0 || parse < 0) continue;
        std::printf("  %-17s %8u ops: selgrad %6.1f ns/op, ADOL-C trace %6.1f ns/op (ratio %.2f), parse %6.1f ns/op "
                    "(ratio %.2f)\n",
                    w, m, 1e9 * rec, 1e9 * adolc, rec / adolc, 1e9 * parse, rec / parse);
      }
  });
}
