// Benchmarks of the tie closure and its hull test (reference/closure.hpp).
//
//  BM_ReluSumEnumeration/k  closure of y = relu(x1) + ... + relu(xk) + x1 + ... + xk at 0
//                           (2^k distinct Jacobians), every combination swept, the hull decided
//                           by Gordan's dual LP (constraint generation over cddlib).
//  BM_ReluSumAntichain/k    the same closure with the hull decided by the antichain LP (H1):
//                           still every combination listed (k <= 16), plus k = 20, 64, 512 past
//                           the cap, where only the hull is decided.
//  BM_ReluSumPrimalLp/k     baseline: the enumeration, then the previous hull test (one dense
//                           cddlib LP with a column per Jacobian).
//  BM_Network/yes, /no      y = w2 . relu(W1 x) + c . x, 64 inputs, 512 hidden units, integer
//                           weights, zero biases, at x = 0: all 512 relus tie (2^512
//                           combinations); the hull decided by the antichain LP. The answers are
//                           checked against independent arguments (see network()).
//  BM_Sort20/in, /out       one 20-way sort of equal values (20! combinations), weighted sum:
//                           the Birkhoff LP.
//
// Peak memory is measured per benchmark in its own process (bench/RESULTS.md: /usr/bin/time -v
// with --benchmark_filter). After the runs, the suite prints the ratio of the primal baseline
// to Gordan's dual for each k measured by both.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "ratio_reporter.hpp"
#include "selgrad/program/builder.hpp"
#include "selgrad/reference/closure.hpp"
#include "selgrad/reference/convex_hull.hpp"

namespace {

using selgrad::Arg;
using selgrad::Op;
using selgrad::Program;
using selgrad::ProgramBuilder;
using selgrad::reference::ClosureRequest;
using selgrad::reference::Rational;
using selgrad::reference::tie_closure;

Program relu_sum(int k) {
  ProgramBuilder b;
  std::vector<Arg> x;
  for (int i = 0; i < k; ++i) x.push_back(b.input());
  std::vector<Arg> out{b.literal(0)};
  for (int i = 0; i < k; ++i) {
    out.push_back(b.literal(1));
    out.push_back(b.node("", Op::Relu, {x[static_cast<std::size_t>(i)]}));
    out.push_back(b.literal(1));
    out.push_back(x[static_cast<std::size_t>(i)]);
  }
  b.output(b.node("y", Op::Lin, out));
  return b.build();
}

void fail(const char* what) {
  std::fprintf(stderr, "closure_bench: %s\n", what);
  std::exit(1);
}

ClosureRequest request(ClosureRequest::Hull h) {
  ClosureRequest r;
  r.hull = h;
  r.allow_incomplete = true;
  return r;
}

void BM_ReluSumEnumeration(benchmark::State& state) {
  const int k = static_cast<int>(state.range(0));
  const Program p = relu_sum(k);
  const std::vector<Rational> x(static_cast<std::size_t>(k), Rational(0));
  for (auto _ : state) {
    const auto c = tie_closure(p, x, {}, request(ClosureRequest::Hull::Enumeration));
    if (c.jacobians.size() != (std::size_t{1} << k) || *c.zero_in_hull) fail("wrong relu-sum closure");
  }
  state.counters["jacobians"] = static_cast<double>(std::size_t{1} << k);
}

void BM_ReluSumAntichain(benchmark::State& state) {
  const int k = static_cast<int>(state.range(0));
  const Program p = relu_sum(k);
  const std::vector<Rational> x(static_cast<std::size_t>(k), Rational(0));
  for (auto _ : state) {
    const auto c = tie_closure(p, x, {}, request(ClosureRequest::Hull::Antichain));
    if (*c.zero_in_hull || c.complete != (k <= 16)) fail("wrong relu-sum hull");
  }
  state.counters["listed"] = k <= 16 ? static_cast<double>(std::size_t{1} << k) : 1.0;
}

void BM_ReluSumPrimalLp(benchmark::State& state) {
  const int k = static_cast<int>(state.range(0));
  const Program p = relu_sum(k);
  const std::vector<Rational> x(static_cast<std::size_t>(k), Rational(0));
  for (auto _ : state) {
    const auto c = tie_closure(p, x, {}, request(ClosureRequest::Hull::Enumeration));
    std::vector<std::vector<Rational>> grads;
    for (const auto& j : c.jacobians) grads.push_back(j[0]);
    if (selgrad::reference::zero_in_convex_hull_primal(grads)) fail("wrong primal answer");
  }
}

/// The 64-512-1 network with a skip term c . x at x = 0. The gradient is
/// c + sum_j s_j w2_j W1[j] with s_j in {0, 1} (relu_j'(0)); yes: c = -w2_7 W1[7] (s = e_7 gives
/// exactly 0); no: c = (M, ..., M) with M = 1 + sum_j |w2_j| max_i |W1[j][i]|, so every
/// coordinate of every gradient is at least 1: the hull lies in the open positive orthant.
Program network(bool yes) {
  constexpr int n_in = 64, n_hidden = 512;
  std::mt19937_64 rng(20261207);
  std::uniform_int_distribution<int> w(-3, 3);
  std::vector<std::vector<int>> w1(n_hidden, std::vector<int>(n_in));
  std::vector<int> w2(n_hidden);
  long bound = 1;
  for (int j = 0; j < n_hidden; ++j) {
    int row_max = 0;
    for (auto& v : w1[static_cast<std::size_t>(j)]) {
      v = w(rng);
      row_max = std::max(row_max, std::abs(v));
    }
    do w2[static_cast<std::size_t>(j)] = w(rng);
    while (w2[static_cast<std::size_t>(j)] == 0);
    bound += static_cast<long>(std::abs(w2[static_cast<std::size_t>(j)])) * row_max;
  }
  std::vector<long> c(n_in);
  for (int i = 0; i < n_in; ++i) c[static_cast<std::size_t>(i)] = yes ? -static_cast<long>(w2[7]) * w1[7][static_cast<std::size_t>(i)] : bound;

  ProgramBuilder b;
  std::vector<Arg> x;
  for (int i = 0; i < n_in; ++i) x.push_back(b.input());
  std::vector<Arg> out{b.literal(0)};
  for (int j = 0; j < n_hidden; ++j) {
    std::vector<Arg> h{b.literal(0)};
    for (int i = 0; i < n_in; ++i) {
      h.push_back(b.literal(static_cast<std::int64_t>(w1[static_cast<std::size_t>(j)][static_cast<std::size_t>(i)])));
      h.push_back(x[static_cast<std::size_t>(i)]);
    }
    out.push_back(b.literal(static_cast<std::int64_t>(w2[static_cast<std::size_t>(j)])));
    out.push_back(b.node("", Op::Relu, {b.node("", Op::Lin, h)}));
  }
  for (int i = 0; i < n_in; ++i) {
    out.push_back(b.literal(static_cast<std::int64_t>(c[static_cast<std::size_t>(i)])));
    out.push_back(x[static_cast<std::size_t>(i)]);
  }
  b.output(b.node("y", Op::Lin, out));
  return b.build();
}

void BM_Network(benchmark::State& state) {
  const bool yes = state.range(0) == 1;
  const Program p = network(yes);
  const std::vector<Rational> x(64, Rational(0));
  for (auto _ : state) {
    const auto c = tie_closure(p, x, {}, request(ClosureRequest::Hull::Auto));
    if (c.hull_method != selgrad::reference::HullMethod::Antichain || c.tied_nodes.size() != 512)
      fail("the network's ties were not decided by H1");
    if (*c.zero_in_hull != yes) fail("wrong answer for the network");
  }
}

/// x_1..x_20 tied at 0, sorted; out = sum_r (20 - r) y_r + c . x: the hull is c plus the
/// permutohedron of (20, ..., 1); in: c = -21/2 (its centre); out: c = -(1, ..., 20) moved off
/// the permutohedron by 1/1000 in its first and last entries.
Program sort20(bool in) {
  ProgramBuilder b;
  std::vector<Arg> x;
  for (int i = 0; i < 20; ++i) x.push_back(b.input());
  const std::vector<Arg> y = b.sort({}, x);
  std::vector<Arg> out{b.literal(0)};
  for (int r = 0; r < 20; ++r) {
    out.push_back(b.literal(20 - r));
    out.push_back(y[static_cast<std::size_t>(r)]);
  }
  for (int i = 0; i < 20; ++i) {
    std::string c = in ? "-21/2" : std::to_string(-(i + 1));
    if (!in && i == 0) c = "-999/1000";
    if (!in && i == 19) c = "-20001/1000";
    out.push_back(b.literal(c));
    out.push_back(x[static_cast<std::size_t>(i)]);
  }
  b.output(b.node("y", Op::Lin, out));
  return b.build();
}

void BM_Sort20(benchmark::State& state) {
  const bool in = state.range(0) == 1;
  const Program p = sort20(in);
  const std::vector<Rational> x(20, Rational(0));
  for (auto _ : state) {
    const auto c = tie_closure(p, x, {}, request(ClosureRequest::Hull::Auto));
    if (*c.zero_in_hull != in) fail("wrong answer for the 20-way sort");
  }
}

BENCHMARK(BM_ReluSumEnumeration)->DenseRange(4, 16, 2)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();
BENCHMARK(BM_ReluSumAntichain)->DenseRange(4, 16, 2)->Arg(20)->Arg(64)->Arg(512)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();
BENCHMARK(BM_ReluSumPrimalLp)->DenseRange(4, 8, 2)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();
BENCHMARK(BM_Network)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime()->Iterations(3);
BENCHMARK(BM_Sort20)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  return selgrad::bench::run_with_ratios(argc, argv, [](const selgrad::bench::RatioReporter& r) {
    std::printf("\nprimal LP (baseline) / Gordan's dual, same enumeration, same run:\n");
    for (int k = 4; k <= 8; k += 2) {
      const std::string kk = std::to_string(k);
      const auto a = r.seconds.find("BM_ReluSumPrimalLp/" + kk + "/process_time/real_time");
      const auto b = r.seconds.find("BM_ReluSumEnumeration/" + kk + "/process_time/real_time");
      if (a != r.seconds.end() && b != r.seconds.end())
        std::printf("  k = %d (%d Jacobians): %.1fx\n", k, 1 << k, a->second / b->second);
    }
  });
}
