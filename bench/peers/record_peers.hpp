// The recording workload (record_peers): the random DAG of dag.hpp written as C++ over an
// operator-overloading scalar, recorded into a tape. Its one output is the sum of every sink of
// the DAG (a node no op uses), added one by one, so no recorded operation is dead code: every
// tool keeps all m ops (and the sinks - 1 additions of the sum). One output, because a compiled
// tape keeps a reverse sweep per output.
//
// Modes, all per op of the DAG:
//   selgrad/record    Recorder, the DAG over Var, outputs: the recording alone
//   selgrad/program   ... and Recorder::program(): the Program (affine fusion on)
//   selgrad/program-compile   ... and fast::compile of it
//   selgrad/compile   Recorder::compile(): the recording compiled straight to the double
//                     engine's tape, what a first evaluation needs (the metric)
//   selgrad-unfused/compile   the same with RecorderOptions::fuse_affine off
//   selgrad/compile-only      fast::compile of the recorded Program alone
//   adolc/trace       ADOL-C 2.7: trace_on, the DAG over adouble, dependents, trace_off
//   parse/parse       parse_program of the recorded program's text (print_program)
// and an Eigen workload, record-eigen/TOOL/compile/N: y = relu(W x + b) for an N x N double
// matrix W, recorded with W.cast<Var>() and compiled, per multiply-add (N^2), fused and unfused.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "dag.hpp"

namespace selgrad::bench::peers {

/// Nodes of d that no op uses (the last node among them).
inline const std::vector<std::uint32_t>& dag_sinks(const Dag& d) {
  static std::map<const Dag*, std::vector<std::uint32_t>> cache;
  auto it = cache.find(&d);
  if (it != cache.end()) return it->second;
  std::vector<bool> used(d.nodes(), false);
  for (const DagInstr& in : d.code) used[in.a] = used[in.b] = true;
  std::vector<std::uint32_t> sinks;
  for (std::uint32_t k = d.inputs; k < d.nodes(); ++k)
    if (!used[k]) sinks.push_back(k);
  return cache.emplace(&d, std::move(sinks)).first->second;
}

/// The workload's function over scalar type T: the DAG, then the sum of its sinks.
template <class Ops, class T>
T dag_with_sum_of_sinks(const Dag& d, std::vector<T>& v) {
  interpret<Ops>(d, v);
  const auto& sinks = dag_sinks(d);
  T y = v[sinks[0]];
  for (std::size_t k = 1; k < sinks.size(); ++k) y += v[sinks[k]];
  return y;
}

inline constexpr std::uint32_t kRecordSizes[] = {10000, 100000, 1000000};

void register_record_selgrad();
void register_record_adolc();

}  // namespace selgrad::bench::peers
