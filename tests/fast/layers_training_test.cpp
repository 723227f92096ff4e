// SGD training with the layer engine (T4 in practice): on tiny problems the loss goes down, for
// the squared loss and the softmax cross-entropy, for relu MLPs and for a GroupSort network; and
// the workspaces are reused from one step to the next.
#include "selgrad/eigen.hpp"
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "selgrad/fast/layers_network.hpp"

namespace {

using namespace selgrad::fast;

Matrix uniform(Index rows, Index cols, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  Matrix m(rows, cols);
  for (Index k = 0; k < m.size(); ++k) m.data()[k] = u(rng);
  return m;
}

TEST(LayersTraining, SquaredLossDecreases) {
  // Fit y = |x1| - x2 / 2 on 64 points with a 2-16-16-1 relu MLP, full batch.
  std::mt19937_64 rng(1);
  const Matrix x = uniform(2, 64, rng);
  Matrix t(1, 64);
  for (Index s = 0; s < 64; ++s) t(0, s) = std::abs(x(0, s)) - x(1, s) / 2;
  const std::vector<Index> sizes = {2, 16, 16, 1};
  Network net = mlp(sizes, Activation::Relu, 2);
  const double first = net.sgd_step(x, t, 0.05);
  double last = first;
  for (int step = 0; step < 400; ++step) last = net.sgd_step(x, t, 0.05);
  EXPECT_LT(last, 0.1 * first) << "first " << first << " last " << last;
}

TEST(LayersTraining, CrossEntropyDecreasesAndClassifies) {
  // Three Gaussian clusters in the plane, a 2-16-3 relu MLP, minibatches of 32.
  std::mt19937_64 rng(3);
  std::normal_distribution<double> noise(0.0, 0.3);
  const double cx[3] = {1, -1, 0}, cy[3] = {0, 0, 1.5};
  const Index n = 96;
  Matrix x(2, n);
  std::vector<std::int32_t> labels(n);
  for (Index s = 0; s < n; ++s) {
    const int c = static_cast<int>(s % 3);
    labels[static_cast<std::size_t>(s)] = c;
    x(0, s) = cx[c] + noise(rng);
    x(1, s) = cy[c] + noise(rng);
  }
  const std::vector<Index> sizes = {2, 16, 3};
  Network net = mlp(sizes, Activation::Relu, 4);
  Matrix dummy;
  const double first = net.gradient(x, labels);
  Matrix batch(2, 32);
  for (int epoch = 0; epoch < 60; ++epoch)
    for (Index k = 0; k < n; k += 32) {
      batch = x.middleCols(k, 32);
      net.sgd_step(batch, std::span<const std::int32_t>(labels).subspan(static_cast<std::size_t>(k), 32), 0.2);
    }
  const double last = net.gradient(x, labels);
  EXPECT_LT(last, 0.3 * first);
  const Matrix& logits = net.forward(x);
  int correct = 0;
  for (Index s = 0; s < n; ++s) {
    Index best = 0;
    logits.col(s).maxCoeff(&best);
    correct += best == labels[static_cast<std::size_t>(s)];
  }
  EXPECT_GE(correct, n * 9 / 10);
}

TEST(LayersTraining, GroupSortNetworkDecreases) {
  // Dense, GroupSort (sort pairs), max pooling, Dense: nonsmooth layers train like relu.
  std::mt19937_64 rng(5);
  const Matrix x = uniform(3, 64, rng);
  Matrix t(1, 64);
  for (Index s = 0; s < 64; ++s) t(0, s) = std::max(x(0, s), x(1, s)) - std::abs(x(2, s));
  Network net(3);
  Dense d0(3, 16), d1(8, 1);
  d0.init_he(6);
  d1.init_he(7);
  net.add(d0).add(Sort(16, 2)).add(MaxPool1d(1, 16, 2, 2)).add(d1);
  const double first = net.sgd_step(x, t, 0.05);
  double last = first;
  for (int step = 0; step < 400; ++step) last = net.sgd_step(x, t, 0.05);
  EXPECT_LT(last, 0.3 * first) << "first " << first << " last " << last;
}

TEST(LayersTraining, WorkspacesAreReused) {
  std::mt19937_64 rng(8);
  const Matrix x = uniform(5, 16, rng), t = uniform(2, 16, rng);
  const std::vector<Index> sizes = {5, 8, 8, 2};
  Network net = mlp(sizes, Activation::Relu, 9);
  net.sgd_step(x, t, 0.01);
  std::vector<const double*> before;
  for (std::size_t i = 0; i < net.layers().size(); ++i) before.push_back(net.activation(i).data());
  const double* dw = std::get<Dense>(net.layers()[0]).dW.data();
  for (int k = 0; k < 3; ++k) net.sgd_step(x, t, 0.01);
  for (std::size_t i = 0; i < net.layers().size(); ++i)
    EXPECT_EQ(net.activation(i).data(), before[i]) << "layer " << i;
  EXPECT_EQ(std::get<Dense>(net.layers()[0]).dW.data(), dw);
}

}  // namespace
