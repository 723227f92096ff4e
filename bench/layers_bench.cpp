// The dense layers (fast/layers.hpp) on one thread: an MLP training step against a hand-written
// forward + backward with the same Eigen GEMM calls in the same run, a small MLP step, and the
// nonsmooth layers' forward and backward at a few sizes. After the runs it prints the ratios
// (selgrad speed relative to the hand-written step, backward / forward per layer), which are stable
// within one run even when absolute times move on a shared machine.
#include "selgrad/eigen.hpp"
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "selgrad/fast/layers.hpp"
#include "selgrad/fast/layers_network.hpp"
#include "peers/mlp_hand.hpp"
#include "ratio_reporter.hpp"

namespace {

using namespace selgrad::fast;
using selgrad::bench::peers::HandMlp;
using selgrad::bench::peers::uniform;

constexpr double kRate = 1e-4;  // small enough that the weights barely move during a run

// ------------------------------------------------------------------------------------------
// MLP step: relu MLP, squared loss (mean), SGD. The same computation two ways.

void mlp_step_selgrad(benchmark::State& state, std::vector<Index> sizes, Index batch) {
  Network net = mlp(sizes, Activation::Relu, 1);
  const Matrix x = uniform(sizes.front(), batch, 2), t = uniform(sizes.back(), batch, 3);
  for (auto _ : state) benchmark::DoNotOptimize(net.sgd_step(x, t, kRate));
}

void mlp_gradient_selgrad(benchmark::State& state, std::vector<Index> sizes, Index batch) {
  Network net = mlp(sizes, Activation::Relu, 1);
  const Matrix x = uniform(sizes.front(), batch, 2), t = uniform(sizes.back(), batch, 3);
  for (auto _ : state) benchmark::DoNotOptimize(net.gradient(x, t));
}

void mlp_step_hand(benchmark::State& state, std::vector<Index> sizes, Index batch) {
  HandMlp hand(sizes);
  const Matrix x = uniform(sizes.front(), batch, 2), t = uniform(sizes.back(), batch, 3);
  for (auto _ : state) benchmark::DoNotOptimize(hand.step(x, t, kRate));
}

void mlp_gradient_hand(benchmark::State& state, std::vector<Index> sizes, Index batch) {
  HandMlp hand(sizes);
  const Matrix x = uniform(sizes.front(), batch, 2), t = uniform(sizes.back(), batch, 3);
  for (auto _ : state) benchmark::DoNotOptimize(hand.gradient(x, t));
}

/// Both steps alternately in one loop, each timed on its own: on a shared machine the two see the
/// same background load, so their ratio is steadier than that of two separate benchmarks.
void mlp_step_interleaved(benchmark::State& state, std::vector<Index> sizes, Index batch) {
  using Clock = std::chrono::steady_clock;
  Network net = mlp(sizes, Activation::Relu, 1);
  HandMlp hand(sizes);
  const Matrix x = uniform(sizes.front(), batch, 2), t = uniform(sizes.back(), batch, 3);
  net.sgd_step(x, t, kRate);
  hand.step(x, t, kRate);
  double selgrad_s = 0.0, hand_s = 0.0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    benchmark::DoNotOptimize(net.sgd_step(x, t, kRate));
    const auto t1 = Clock::now();
    benchmark::DoNotOptimize(hand.step(x, t, kRate));
    const auto t2 = Clock::now();
    selgrad_s += std::chrono::duration<double>(t1 - t0).count();
    hand_s += std::chrono::duration<double>(t2 - t1).count();
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["selgrad_us"] = 1e6 * selgrad_s / n;
  state.counters["hand_us"] = 1e6 * hand_s / n;
  state.counters["speed_vs_hand"] = hand_s / selgrad_s;
}

// ------------------------------------------------------------------------------------------
// Nonsmooth layers: forward and backward on features x batch inputs.

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
  state.SetItemsProcessed(state.iterations() * features * batch);
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
  state.SetItemsProcessed(state.iterations() * features * batch);
}

template <class L>
void register_layer(const std::string& name, const L& layer, Index features, Index batch) {
  benchmark::RegisterBenchmark((name + "/forward").c_str(), layer_forward<L>, layer, features, batch)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark((name + "/backward").c_str(), layer_backward<L>, layer, features,
                               batch)
      ->Unit(benchmark::kMicrosecond);
}

void print_ratios(const selgrad::bench::RatioReporter& rep) {
  const auto& t = rep.seconds;
  const auto has = [&](const std::string& k) { return t.count(k) != 0; };
  std::printf("\nRatios (same run):\n");
  for (const auto& [name, c] : rep.counters)
    if (c.count("speed_vs_hand"))
      std::printf("  %-40s selgrad %9.2f us  hand %9.2f us  selgrad speed = %5.1f%% of hand\n",
                  name.c_str(), c.at("selgrad_us"), c.at("hand_us"), 100.0 * c.at("speed_vs_hand"));
  for (const std::string what : {"MlpStep", "MlpGradient"})
    for (const std::string size : {"784-256-256-10/B256", "16-64-64-1/B32"}) {
      const std::string s = what + "/selgrad/" + size, h = what + "/hand/" + size;
      if (!has(s) || !has(h)) continue;
      std::printf("  %-12s %-20s selgrad %9.2f us  hand %9.2f us  selgrad speed = %5.1f%% of hand\n",
                  what.c_str(), size.c_str(), t.at(s) * 1e6, t.at(h) * 1e6,
                  100.0 * t.at(h) / t.at(s));
    }
  for (const auto& [name, sec] : t) {
    const auto pos = name.find("/forward");
    if (pos == std::string::npos) continue;
    const std::string base = name.substr(0, pos);
    const std::string bwd = base + "/backward" + name.substr(pos + 8);
    if (!has(bwd)) continue;
    std::printf("  %-40s forward %9.2f us  backward %9.2f us  backward/forward %.2f\n",
                base.c_str(), sec * 1e6, t.at(bwd) * 1e6, t.at(bwd) / sec);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Eigen::setNbThreads(1);
  std::printf("Eigen %d.%d.%d, GEMM: Eigen's own kernels (no BLAS backend: EIGEN_USE_BLAS %s), "
              "SIMD: %s, threads: %d\n",
              EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION,
#ifdef EIGEN_USE_BLAS
              "defined",
#else
              "not defined",
#endif
              Eigen::SimdInstructionSetsInUse(), Eigen::nbThreads());

  const std::vector<Index> big = {784, 256, 256, 10}, small = {16, 64, 64, 1};
  for (const auto& [name, sizes, batch] :
       {std::tuple{std::string("784-256-256-10/B256"), big, Index(256)},
        std::tuple{std::string("16-64-64-1/B32"), small, Index(32)}}) {
    const auto unit = batch == 256 ? benchmark::kMillisecond : benchmark::kMicrosecond;
    benchmark::RegisterBenchmark(("MlpStep/selgrad/" + name).c_str(), mlp_step_selgrad, sizes, batch)->Unit(unit);
    benchmark::RegisterBenchmark(("MlpStep/hand/" + name).c_str(), mlp_step_hand, sizes, batch)->Unit(unit);
    benchmark::RegisterBenchmark(("MlpGradient/selgrad/" + name).c_str(), mlp_gradient_selgrad, sizes, batch)->Unit(unit);
    benchmark::RegisterBenchmark(("MlpGradient/hand/" + name).c_str(), mlp_gradient_hand, sizes, batch)->Unit(unit);
    benchmark::RegisterBenchmark(("MlpStep/interleaved/" + name).c_str(), mlp_step_interleaved, sizes, batch)->Unit(unit);
  }

  register_layer("Relu/256x256", Relu{}, 256, 256);
  register_layer("Relu/1024x256", Relu{}, 1024, 256);
  register_layer("Abs/256x256", Abs{}, 256, 256);
  register_layer("MaxPool1d/16ch-1024-w2s2/B32", MaxPool1d(16, 1024, 2, 2), 16 * 1024, 32);
  register_layer("MaxPool1d/16ch-1024-w3s1/B32", MaxPool1d(16, 1024, 3, 1), 16 * 1024, 32);
  register_layer("MaxPool2d/16ch-32x32-w2s2/B32", MaxPool2d(16, 32, 32, 2, 2, 2, 2), 16 * 32 * 32, 32);
  register_layer("MaxPool2d/8ch-28x28-w3s2/B32", MaxPool2d(8, 28, 28, 3, 3, 2, 2), 8 * 28 * 28, 32);
  register_layer("Sort/group2-256x256", Sort(256, 2), 256, 256);
  register_layer("Sort/group16-256x256", Sort(256, 16), 256, 256);
  register_layer("Sort/whole-256x256", Sort(256), 256, 256);

  return selgrad::bench::run_with_ratios(argc, argv, print_ratios);
}
