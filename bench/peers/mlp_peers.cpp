// mlp_peers: workloads 3 and 4 on the C++ side (PyTorch runs the same in torch_peers.py).
//
//  mlp/TOOL/step/CONFIG      one SGD step of a relu MLP, f64, mean squared loss: forward, loss,
//                            backward, update. TOOL = selgrad (Network::sgd_step) or hand (plain
//                            Eigen with the same GEMMs written out, from bench/layers_bench.cpp).
//  mlp/TOOL/forward/CONFIG   the forward pass alone (the function, for gradient / function).
//      CONFIG: B32 = 16-64-64-1 at batch 32; B256 = 784-256-256-10 at batch 256;
//              B1024 = 1024-1024-1024-1024 (three layers of 1024) at batch 1024.
//  layer-KIND/selgrad/{forward,backward}/SIZE   a nonsmooth layer (fast/layers.hpp) on a
//                            features x batch input, uniform in [-1, 1]; SIZE as in layer_specs.
// One thread; Eigen's own GEMM kernels.
#include "selgrad/eigen.hpp"
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "common.hpp"
#include "mlp_hand.hpp"
#include "selgrad/fast/layers.hpp"
#include "selgrad/fast/layers_network.hpp"

namespace {

using namespace selgrad::fast;
using selgrad::bench::peers::bench_name;
using selgrad::bench::peers::HandMlp;
using selgrad::bench::peers::uniform;

constexpr double kRate = 1e-4;

struct MlpConfig {
  std::string id;
  std::vector<Index> sizes;
  Index batch;
};

const std::vector<MlpConfig>& mlp_configs() {
  static const std::vector<MlpConfig> c = {
      {"B32", {16, 64, 64, 1}, 32},
      {"B256", {784, 256, 256, 10}, 256},
      {"B1024", {1024, 1024, 1024, 1024}, 1024},
  };
  return c;
}

void mlp_counters(benchmark::State& state, const MlpConfig& c) {
  double flops = 0;  // forward multiply-adds x 2
  for (std::size_t l = 0; l + 1 < c.sizes.size(); ++l)
    flops += 2.0 * static_cast<double>(c.sizes[l] * c.sizes[l + 1] * c.batch);
  state.counters["forward_flop"] = flops;
}

void bm_selgrad_step(benchmark::State& state, MlpConfig c) {
  Network net = mlp(c.sizes, Activation::Relu, 1);
  const Matrix x = uniform(c.sizes.front(), c.batch, 2), t = uniform(c.sizes.back(), c.batch, 3);
  for (auto _ : state) benchmark::DoNotOptimize(net.sgd_step(x, t, kRate));
  mlp_counters(state, c);
}

void bm_selgrad_forward(benchmark::State& state, MlpConfig c) {
  Network net = mlp(c.sizes, Activation::Relu, 1);
  const Matrix x = uniform(c.sizes.front(), c.batch, 2);
  for (auto _ : state) benchmark::DoNotOptimize(net.forward(x).data());
  mlp_counters(state, c);
}

/// The hand-written MLP's parameter gradient must be selgrad's (Network::gradient, the same
/// initial weights and batch) before it is timed, relative to the gradient's norm: the two sum
/// the same products in different orders (GEMM blocking), about 1e-15 apart; otherwise the
/// suite stops (exit status 3).
void require_same_mlp_gradient(const MlpConfig& c, HandMlp& hand, const Matrix& x, const Matrix& t) {
  Network net = mlp(c.sizes, Activation::Relu, 1);
  net.gradient(x, t, Reduction::Mean);
  const Vector want = net.parameter_gradient();
  hand.gradient(x, t);
  Vector got(want.size());
  Index k = 0;
  for (std::size_t l = 0; l < hand.W.size(); ++l) {
    got.segment(k, hand.dW[l].size()) = hand.dW[l].reshaped();
    k += hand.dW[l].size();
    got.segment(k, hand.db[l].size()) = hand.db[l];
    k += hand.db[l].size();
  }
  const double norm = want.cwiseAbs().maxCoeff();
  const double d = k == want.size() && norm > 0 ? (got - want).cwiseAbs().maxCoeff() / norm : INFINITY;
  if (d <= 1e-10) return;
  std::fprintf(stderr, "mlp/hand/step/%s: the parameter gradient differs from selgrad's by %g of its norm\n",
               c.id.c_str(), d);
  std::exit(3);
}

void bm_hand_step(benchmark::State& state, MlpConfig c) {
  HandMlp hand(c.sizes);
  const Matrix x = uniform(c.sizes.front(), c.batch, 2), t = uniform(c.sizes.back(), c.batch, 3);
  require_same_mlp_gradient(c, hand, x, t);
  for (auto _ : state) benchmark::DoNotOptimize(hand.step(x, t, kRate));
  mlp_counters(state, c);
}

void bm_hand_forward(benchmark::State& state, MlpConfig c) {
  HandMlp hand(c.sizes);
  const Matrix x = uniform(c.sizes.front(), c.batch, 2);
  for (auto _ : state) benchmark::DoNotOptimize(hand.forward(x).data());
  mlp_counters(state, c);
}

// ------------------------------------------------------------------------------------------

template <class L>
void layer_forward(benchmark::State& state, L layer, Index features, Index batch) {
  const Matrix x = uniform(features, batch, 4);
  Matrix y;
  layer.forward(x, y);
  for (auto _ : state) {
    layer.forward(x, y);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  state.counters["elements"] = static_cast<double>(features * batch);
}

template <class L>
void layer_backward(benchmark::State& state, L layer, Index features, Index batch) {
  const Matrix x = uniform(features, batch, 4);
  Matrix y, dx;
  layer.forward(x, y);
  const Matrix dy = uniform(y.rows(), y.cols(), 5);
  layer.backward(dy, dx);
  for (auto _ : state) {
    layer.backward(dy, dx);
    benchmark::DoNotOptimize(dx.data());
    benchmark::ClobberMemory();
  }
  state.counters["elements"] = static_cast<double>(features * batch);
}

template <class L>
void register_layer(const std::string& kind, std::uint64_t size, const L& layer, Index features, Index batch) {
  benchmark::RegisterBenchmark(bench_name("layer-" + kind, "selgrad", "forward", size).c_str(),
                               layer_forward<L>, layer, features, batch)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark(bench_name("layer-" + kind, "selgrad", "backward", size).c_str(),
                               layer_backward<L>, layer, features, batch)
      ->Unit(benchmark::kMicrosecond);
}

}  // namespace

int main(int argc, char** argv) {
  Eigen::setNbThreads(1);
  for (const MlpConfig& c : mlp_configs()) {
    const auto unit = c.batch >= 256 ? benchmark::kMillisecond : benchmark::kMicrosecond;
    benchmark::RegisterBenchmark(("mlp/selgrad/step/" + c.id).c_str(), bm_selgrad_step, c)->Unit(unit);
    benchmark::RegisterBenchmark(("mlp/hand/step/" + c.id).c_str(), bm_hand_step, c)->Unit(unit);
    benchmark::RegisterBenchmark(("mlp/selgrad/forward/" + c.id).c_str(), bm_selgrad_forward, c)->Unit(unit);
    benchmark::RegisterBenchmark(("mlp/hand/forward/" + c.id).c_str(), bm_hand_forward, c)->Unit(unit);
  }
  // Layer sizes (the same in torch_peers.py). relu: 256 features x B; maxpool: C x H x W (or
  // C x L) images x 32 samples; sort: the whole column of F features sorted, x 256 samples.
  for (Index batch : {64, 256, 1024, 4096})
    register_layer("relu", static_cast<std::uint64_t>(256 * batch), Relu{}, 256, batch);
  for (Index hw : {16, 32, 64})
    register_layer("maxpool2d", static_cast<std::uint64_t>(16 * hw * hw * 32), MaxPool2d(16, hw, hw, 2, 2, 2, 2),
                   16 * hw * hw, 32);
  for (Index len : {256, 1024, 4096})
    register_layer("maxpool1d", static_cast<std::uint64_t>(16 * len * 32), MaxPool1d(16, len, 3, 1), 16 * len, 32);
  for (Index f : {16, 64, 256, 1024})
    register_layer("sort", static_cast<std::uint64_t>(f), Sort(f), f, 256);

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
