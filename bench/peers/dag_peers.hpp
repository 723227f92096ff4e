// The random DAG benchmark binary (dag_peers): one registration function per tool, each in its
// own translation unit so that the operator-overloading libraries never meet in one header set.
#pragma once

#include <cstdint>
#include <vector>

namespace selgrad::bench::peers {

/// selgrad's value and gradient of the DAG at its point: what every peer's result is checked
/// against before it is timed.
const std::vector<double>& selgrad_dag_gradient(std::uint32_t ops, bool nonsmooth);

void register_dag_selgrad();
void register_dag_hand();
void register_dag_adolc();
void register_dag_sacado();
void register_dag_eigen();

}  // namespace selgrad::bench::peers
