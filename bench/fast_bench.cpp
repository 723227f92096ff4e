// Benchmarks of the double engine against baselines written here, measured in the same run:
//
//  Batched: one 22-op program (2 exp, 2 log, 2 div) at N points.
//    BM_BatchHandFunction / BM_BatchHandAdjoint  plain vectorised C++ of the same function and
//                                                its hand-written adjoint (AVX-512 or AVX2
//                                                registers, SLEEF's 1-ulp exp/log): the limit.
//    BM_BatchValues / BM_BatchGradient           the engine, values only / values + gradient.
//  Single point: a random DAG of m ops (add/mul/sub/div/exp/log, operands from the last 1000
//  nodes), value + gradient.
//    BM_DagHandFunction / BM_DagHandAdjoint      a hand-written interpreter over a flat array and
//                                                a hand-written tape adjoint (partials stored in
//                                                the forward pass, one reverse loop).
//    BM_DagValues / BM_DagGradient               the engine's PointEvaluator.
// Counters: per_point or per_op (seconds); workspace bytes of the batch engine (flat in N).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <vector>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#include <sleef.h>
#pragma GCC diagnostic pop

#include "selgrad/fast/evaluate.hpp"
#include "selgrad/program/parse.hpp"

namespace {

using namespace selgrad;

// ---- batched workload ---------------------------------------------------------------------

// 22 ops: 2 exp, 2 log, 2 div; inputs in [0.5, 2] keep every value in its domain.
constexpr const char* kBatchProgram = R"(input x0 x1 x2 x3
t1 = mul x0 x1
t2 = sub x2 x3
t3 = mul t2 t2
t4 = add t1 t3
t5 = mul t4 0.25
t6 = exp t5
t7 = add x0 x3
t8 = div t6 t7
t9 = mul x1 x2
t10 = add t9 1
t11 = log t10
t12 = mul t11 t8
t13 = sub t12 x0
t14 = mul t13 t13
t15 = neg t14
t16 = exp t15
t17 = add t16 x1
t18 = log t17
t19 = div t18 t10
t20 = mul t19 x3
t21 = add t20 t12
t22 = sub t21 t3
output t22
)";

std::vector<double> batch_inputs(std::size_t n) {  // lane-major, in [0.5, 2]
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.5, 2.0);
  std::vector<double> x(n * 4);
  for (auto& v : x) v = u(rng);
  return x;
}

#if defined(__AVX512F__)
using V = __m512d;
constexpr int kW = 8;
inline V load(const double* p) { return _mm512_loadu_pd(p); }
inline void store(double* p, V v) { _mm512_storeu_pd(p, v); }
inline V splat(double d) { return _mm512_set1_pd(d); }
inline V vexp(V v) { return Sleef_expd8_u10avx512f(v); }
inline V vlog(V v) { return Sleef_logd8_u10avx512f(v); }
#elif defined(__AVX2__)
using V = __m256d;
constexpr int kW = 4;
inline V load(const double* p) { return _mm256_loadu_pd(p); }
inline void store(double* p, V v) { _mm256_storeu_pd(p, v); }
inline V splat(double d) { return _mm256_set1_pd(d); }
inline V vexp(V v) { return Sleef_expd4_u10avx2(v); }
inline V vlog(V v) { return Sleef_logd4_u10avx2(v); }
#endif

#if defined(__AVX512F__) || defined(__AVX2__)
/// Structure-of-arrays copy of the inputs (the hand-written code reads columns).
struct Columns {
  std::vector<double> c[4];
  explicit Columns(const std::vector<double>& x) {
    const std::size_t n = x.size() / 4;
    for (int i = 0; i < 4; ++i) {
      c[i].resize(n);
      for (std::size_t l = 0; l < n; ++l) c[i][l] = x[l * 4 + i];
    }
  }
};

/// The function of kBatchProgram, vectorised by hand.
template <bool Gradient>
void hand_batch(const Columns& in, std::size_t n, double* out, double* grad /* n x 4 */) {
  for (std::size_t l = 0; l + kW <= n; l += kW) {
    const V x0 = load(&in.c[0][l]), x1 = load(&in.c[1][l]), x2 = load(&in.c[2][l]), x3 = load(&in.c[3][l]);
    const V t1 = x0 * x1, t2 = x2 - x3, t3 = t2 * t2, t4 = t1 + t3, t5 = t4 * splat(0.25);
    const V t6 = vexp(t5), t7 = x0 + x3, t8 = t6 / t7, t9 = x1 * x2, t10 = t9 + splat(1.0);
    const V t11 = vlog(t10), t12 = t11 * t8, t13 = t12 - x0, t14 = t13 * t13, t15 = -t14;
    const V t16 = vexp(t15), t17 = t16 + x1, t18 = vlog(t17), t19 = t18 / t10, t20 = t19 * x3;
    const V t21 = t20 + t12, t22 = t21 - t3;
    store(out + l, t22);
    if constexpr (Gradient) {
      // Reverse sweep, written out.
      const V one = splat(1.0);
      V g21 = one, g3 = -one;
      V g20 = g21, g12 = g21;
      V g19 = g20 * x3, gx3 = g20 * t19;
      V g18 = g19 / t10, g10 = -(g19 * t19 / t10);
      V g17 = g18 / t17;
      V g16 = g17, gx1 = g17;
      V g15 = g16 * t16;
      V g14 = -g15;
      V g13 = g14 * (t13 + t13);
      g12 = g12 + g13;
      V gx0 = -g13;
      V g11 = g12 * t8, g8 = g12 * t11;
      g10 = g10 + g11 / t10;
      V g9 = g10;
      gx1 = gx1 + g9 * x2;
      V gx2 = g9 * x1;
      V g6 = g8 / t7, g7 = -(g8 * t8 / t7);
      gx0 = gx0 + g7;
      gx3 = gx3 + g7;
      V g5 = g6 * t6;
      V g4 = g5 * splat(0.25);
      V g1 = g4;
      g3 = g3 + g4;
      V g2 = g3 * (t2 + t2);
      gx2 = gx2 + g2;
      gx3 = gx3 - g2;
      gx0 = gx0 + g1 * x1;
      gx1 = gx1 + g1 * x0;
      alignas(64) double b0[kW], b1[kW], b2[kW], b3[kW];
      store(b0, gx0);
      store(b1, gx1);
      store(b2, gx2);
      store(b3, gx3);
      for (int j = 0; j < kW; ++j) {
        double* g = grad + (l + static_cast<std::size_t>(j)) * 4;
        g[0] = b0[j];
        g[1] = b1[j];
        g[2] = b2[j];
        g[3] = b3[j];
      }
    }
  }
}

template <bool Gradient>
void BM_BatchHand(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const Columns in(batch_inputs(n));
  std::vector<double> out(n), grad(n * 4);
  for (auto _ : state) {
    hand_batch<Gradient>(in, n, out.data(), grad.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::DoNotOptimize(grad.data());
  }
  state.counters["per_point"] = benchmark::Counter(static_cast<double>(n),
                                                      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
void BM_BatchHandFunction(benchmark::State& s) { BM_BatchHand<false>(s); }
void BM_BatchHandAdjoint(benchmark::State& s) { BM_BatchHand<true>(s); }
BENCHMARK(BM_BatchHandFunction)->Arg(10000)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_BatchHandAdjoint)->Arg(10000)->Arg(100000)->Arg(1000000);
#endif

/// Input-major copy (columns), the layout the hand-written baseline reads.
std::vector<double> columns(const std::vector<double>& x) {
  const std::size_t n = x.size() / 4;
  std::vector<double> c(x.size());
  for (std::size_t l = 0; l < n; ++l)
    for (std::size_t i = 0; i < 4; ++i) c[i * n + l] = x[l * 4 + i];
  return c;
}

template <bool Gradient>
void BM_BatchEngine(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto x = columns(batch_inputs(n));
  fast::BatchOptions o;
  o.gradient = Gradient;
  o.record_branches = false;
  fast::BatchEvaluator eval(fast::compile(parse_program(kBatchProgram)), o);
  fast::BatchResult r;
  for (auto _ : state) {
    eval.evaluate(x, n, r, fast::Layout::InputMajor);
    benchmark::DoNotOptimize(r.outputs.data());
  }
  if (r.failed_lanes() != 0) state.SkipWithError("lanes failed");
  state.counters["per_point"] = benchmark::Counter(static_cast<double>(n),
                                                      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["tile_lanes"] = static_cast<double>(eval.tile_lanes());
  state.counters["workspace_KiB"] = static_cast<double>(eval.workspace_bytes()) / 1024.0;
}
void BM_BatchValues(benchmark::State& s) { BM_BatchEngine<false>(s); }
void BM_BatchGradient(benchmark::State& s) { BM_BatchEngine<true>(s); }
BENCHMARK(BM_BatchValues)->Arg(10000)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_BatchGradient)->Arg(10000)->Arg(100000)->Arg(1000000);

// ---- single-point workload: a random DAG --------------------------------------------------

/// A random DAG of add/mul/sub/div/exp/log over 8 inputs, operands from the last 1000 nodes.
/// Ops are drawn at random, but a draw that would leave |value| in [1/64, 64] (or the domain)
/// at the benchmark point is redrawn, so the program evaluates cleanly there.
struct Dag {
  Program program;
  std::vector<double> point;
};

Dag random_dag(std::uint32_t ops) {
  std::mt19937_64 rng(42);
  Dag d;
  Program& p = d.program;
  const std::uint32_t inputs = 8;
  std::vector<double> value;
  for (std::uint32_t i = 0; i < inputs; ++i) {
    Node n;
    n.name = "x" + std::to_string(i);
    p.nodes.push_back(n);
    value.push_back(1.0 + 0.1 * i);
    d.point.push_back(value.back());
  }
  p.input_count = inputs;
  const Op ops_[] = {Op::Add, Op::Mul, Op::Sub, Op::Div, Op::Exp, Op::Log};
  while (p.nodes.size() < inputs + ops) {
    const auto k = static_cast<std::uint32_t>(p.nodes.size());
    const std::uint32_t window = std::min<std::uint32_t>(k, 1000);
    const std::uint32_t a = k - 1 - static_cast<std::uint32_t>(rng() % window);
    const std::uint32_t b = k - 1 - static_cast<std::uint32_t>(rng() % window);
    const Op op = ops_[rng() % 6];
    double v = 0;
    switch (op) {
      case Op::Add: v = value[a] + value[b]; break;
      case Op::Mul: v = value[a] * value[b]; break;
      case Op::Sub: v = value[a] - value[b]; break;
      case Op::Div: v = value[a] / value[b]; break;
      case Op::Exp: v = std::exp(value[a]); break;  // the engine's exp at one point
      case Op::Log: v = value[a] > 0 ? std::log(value[a]) : NAN; break;
      default: break;
    }
    if (!(std::fabs(v) >= 1.0 / 64 && std::fabs(v) <= 64)) continue;
    Node n;
    n.name = "n" + std::to_string(k);
    n.op = op;
    n.args.push_back(Arg::node(a));
    if (op != Op::Exp && op != Op::Log) n.args.push_back(Arg::node(b));
    p.nodes.push_back(std::move(n));
    value.push_back(v);
  }
  p.outputs = {static_cast<std::uint32_t>(p.nodes.size() - 1)};
  validate(p);
  return d;
}

const Dag& dag(std::uint32_t ops) {
  static std::map<std::uint32_t, Dag> cache;
  auto it = cache.find(ops);
  if (it == cache.end()) it = cache.emplace(ops, random_dag(ops)).first;
  return it->second;
}

/// The hand-written baseline: a flat array of (op, a, b) and one switch per op; the adjoint
/// stores two partials per op in the forward pass and runs one reverse loop.
struct HandTape {
  struct I {
    Op op;
    std::uint32_t a, b;
  };
  std::uint32_t p;
  std::vector<I> code;
  std::vector<double> v, da, db, adj;
  explicit HandTape(const Program& prog) : p(static_cast<std::uint32_t>(prog.p())) {
    for (std::size_t k = prog.p(); k < prog.m(); ++k) {
      const Node& n = prog.nodes[k];
      code.push_back({n.op, n.args[0].index, n.args.size() > 1 ? n.args[1].index : 0});
    }
    v.resize(prog.m());
    da.resize(prog.m());
    db.resize(prog.m());
    adj.resize(prog.m());
  }
  template <bool Gradient>
  double run(const std::vector<double>& x, double* grad) {
    std::copy(x.begin(), x.end(), v.begin());
    for (std::size_t i = 0; i < code.size(); ++i) {
      const I& in = code[i];
      const double a = v[in.a], b = v[in.b];
      double r, pa = 0, pb = 0;
      switch (in.op) {
        case Op::Add: r = a + b; pa = 1; pb = 1; break;
        case Op::Mul: r = a * b; pa = b; pb = a; break;
        case Op::Sub: r = a - b; pa = 1; pb = -1; break;
        case Op::Div: r = a / b; pa = 1 / b; pb = -r / b; break;
        case Op::Exp: r = std::exp(a); pa = r; break;
        default: r = std::log(a); pa = 1 / a; break;
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
      for (std::size_t i = code.size(); i-- > 0;) {
        const double g = adj[p + i];
        adj[code[i].a] += g * da[p + i];
        adj[code[i].b] += g * db[p + i];
      }
      std::copy(adj.begin(), adj.begin() + p, grad);
    }
    return v.back();
  }
};

void per_op(benchmark::State& state, std::uint32_t ops) {
  state.counters["per_op"] = benchmark::Counter(static_cast<double>(ops),
                                                   benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

template <bool Gradient>
void BM_DagHand(benchmark::State& state) {
  const Dag& d = dag(static_cast<std::uint32_t>(state.range(0)));
  HandTape h(d.program);
  std::vector<double> g(d.point.size());
  for (auto _ : state) benchmark::DoNotOptimize(h.run<Gradient>(d.point, g.data()));
  per_op(state, static_cast<std::uint32_t>(state.range(0)));
}
void BM_DagHandFunction(benchmark::State& s) { BM_DagHand<false>(s); }
void BM_DagHandAdjoint(benchmark::State& s) { BM_DagHand<true>(s); }

void BM_DagValues(benchmark::State& state) {
  const Dag& d = dag(static_cast<std::uint32_t>(state.range(0)));
  fast::PointEvaluator eval(fast::compile(d.program));
  double out = 0;
  for (auto _ : state) {
    eval.values(d.point, std::span<double>(&out, 1));
    benchmark::DoNotOptimize(out);
  }
  per_op(state, static_cast<std::uint32_t>(state.range(0)));
}

void BM_DagGradient(benchmark::State& state) {
  const Dag& d = dag(static_cast<std::uint32_t>(state.range(0)));
  fast::PointEvaluator eval(fast::compile(d.program));
  std::vector<double> g(d.point.size());
  for (auto _ : state) benchmark::DoNotOptimize(eval.value_and_gradient(d.point, g));
  per_op(state, static_cast<std::uint32_t>(state.range(0)));
}

BENCHMARK(BM_DagHandFunction)->Arg(10000)->Arg(100000);
BENCHMARK(BM_DagHandAdjoint)->Arg(10000)->Arg(100000);
BENCHMARK(BM_DagValues)->Arg(10000)->Arg(100000);
BENCHMARK(BM_DagGradient)->Arg(10000)->Arg(100000);

}  // namespace

BENCHMARK_MAIN();
