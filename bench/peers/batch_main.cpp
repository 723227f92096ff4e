// batch_peers: workload 2 (one 22-op program with its gradient at N points) for selgrad, the
// hand-vectorised adjoint, ADOL-C, Sacado and Eigen's AutoDiffScalar.
#include <benchmark/benchmark.h>

#include "batch.hpp"

int main(int argc, char** argv) {
  using namespace selgrad::bench::peers;
  register_batch_selgrad();
  register_batch_hand();
  register_batch_adolc();
  register_batch_sacado();
  register_batch_eigen();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
