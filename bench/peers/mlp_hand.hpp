// The hand-written MLP step both MLP suites measure against (bench/layers_bench.cpp and
// bench/peers/mlp_peers.cpp): plain Eigen, the same GEMMs as selgrad's Network, written out.
#pragma once

#include <cstdint>
#include <random>
#include <variant>
#include <vector>

#include "selgrad/fast/layers.hpp"
#include "selgrad/fast/layers_network.hpp"

namespace selgrad::bench::peers {

using fast::Index;
using fast::Matrix;
using fast::Vector;

/// A matrix of uniform values in [-1, 1], the same for a given seed.
inline Matrix uniform(Index rows, Index cols, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  Matrix m(rows, cols);
  for (Index k = 0; k < m.size(); ++k) m.data()[k] = u(rng);
  return m;
}

/// Plain Eigen: GEMMs with noalias(), relu as cwiseMax / select on the pre-activation.
struct HandMlp {
  std::vector<Matrix> W, dW, Z, A;
  std::vector<Vector> b, db;
  Matrix dA, dZ;

  explicit HandMlp(const std::vector<Index>& sizes) {
    fast::Network net = fast::mlp(sizes, fast::Activation::Relu, 1);  // same initial weights
    for (const auto& layer : net.layers())
      if (const auto* d = std::get_if<fast::Dense>(&layer)) {
        W.push_back(d->W);
        b.push_back(d->b);
      }
    dW.resize(W.size());
    db.resize(W.size());
    Z.resize(W.size());
    A.resize(W.size());
  }

  const Matrix& forward(const Matrix& x) {
    const std::size_t L = W.size();
    for (std::size_t l = 0; l < L; ++l) {
      const Matrix& in = l == 0 ? x : A[l - 1];
      Z[l].resize(W[l].rows(), x.cols());
      Z[l].noalias() = W[l] * in;
      Z[l].colwise() += b[l];
      if (l + 1 < L) A[l] = Z[l].cwiseMax(0.0);
    }
    return Z[L - 1];
  }

  /// Forward, mean squared loss, backward into dW and db; returns the loss.
  double gradient(const Matrix& x, const Matrix& t) {
    const std::size_t L = W.size();
    forward(x);
    const double inv_b = 1.0 / static_cast<double>(x.cols());
    dZ = Z[L - 1] - t;
    const double loss = 0.5 * dZ.squaredNorm() * inv_b;
    dZ *= inv_b;
    for (std::size_t l = L; l-- > 0;) {
      const Matrix& in = l == 0 ? x : A[l - 1];
      dW[l].noalias() = dZ * in.transpose();
      db[l].noalias() = dZ.rowwise().sum();
      if (l == 0) break;
      dA.resize(W[l].cols(), x.cols());
      dA.noalias() = W[l].transpose() * dZ;
      dZ = (Z[l - 1].array() > 0.0).select(dA, 0.0);
    }
    return loss;
  }

  /// One SGD step: gradient, then W -= rate dW, b -= rate db.
  double step(const Matrix& x, const Matrix& t, double rate) {
    const double loss = gradient(x, t);
    for (std::size_t l = 0; l < W.size(); ++l) {
      W[l].noalias() -= rate * dW[l];
      b[l].noalias() -= rate * db[l];
    }
    return loss;
  }
};

}  // namespace selgrad::bench::peers
