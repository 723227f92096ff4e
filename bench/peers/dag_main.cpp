// dag_peers: workload 1 (random DAG, value + gradient at one point) for selgrad, the
// hand-written tape, ADOL-C, Sacado and Eigen's AutoDiffScalar.
#include <benchmark/benchmark.h>

#include "dag_peers.hpp"

int main(int argc, char** argv) {
  using namespace selgrad::bench::peers;
  register_dag_selgrad();
  register_dag_hand();
  register_dag_adolc();
  register_dag_sacado();
  register_dag_eigen();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
