// The hand-written baseline of the random DAG workload (dag.hpp): a flat array of (op, a, b)
// and one switch per op; the adjoint stores two partials per op in the forward pass and runs one
// reverse loop. bench/fast_bench.cpp and the peer suite measure against it.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "dag.hpp"

namespace selgrad::bench::peers {

struct HandTape {
  const Dag& d;
  std::vector<double> v, da, db, adj;
  explicit HandTape(const Dag& dag_) : d(dag_), v(d.nodes()), da(d.nodes()), db(d.nodes()), adj(d.nodes()) {}

  template <bool Gradient>
  double run(const std::vector<double>& x, double* grad) {
    const std::uint32_t p = d.inputs;
    std::copy(x.begin(), x.end(), v.begin());
    for (std::size_t i = 0; i < d.code.size(); ++i) {
      const DagInstr& in = d.code[i];
      const double a = v[in.a], b = v[in.b];
      double r, pa = 0, pb = 0;
      switch (in.op) {
        case DagOp::Add: r = a + b; pa = 1; pb = 1; break;
        case DagOp::Mul: r = a * b; pa = b; pb = a; break;
        case DagOp::Sub: r = a - b; pa = 1; pb = -1; break;
        case DagOp::Div: r = a / b; pa = 1 / b; pb = -r / b; break;
        case DagOp::Exp: r = std::exp(a); pa = r; break;
        case DagOp::Log: r = std::log(a); pa = 1 / a; break;
        case DagOp::Relu: r = a > 0 ? a : 0.0; pa = a > 0 ? 1.0 : 0.0; break;
        case DagOp::Max: r = a >= b ? a : b; pa = a >= b ? 1.0 : 0.0; pb = 1.0 - pa; break;
        case DagOp::Abs: default: r = std::fabs(a); pa = a > 0 ? 1.0 : (a < 0 ? -1.0 : 0.0); break;
      }
      v[p + i] = r;
      if constexpr (Gradient) {
        da[p + i] = pa;
        db[p + i] = pb;
      }
    }
    if constexpr (Gradient) {
      std::fill(adj.begin(), adj.end(), 0.0);
      adj.back() = 1;
      for (std::size_t i = d.code.size(); i-- > 0;) {
        const double g = adj[p + i];
        adj[d.code[i].a] += g * da[p + i];
        adj[d.code[i].b] += g * db[p + i];
      }
      std::copy(adj.begin(), adj.begin() + p, grad);
    }
    return v.back();
  }
};

}  // namespace selgrad::bench::peers
