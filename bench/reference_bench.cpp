// Benchmarks of the reference engine on random programs (bench/random_program.hpp).
//
//  BM_ExactForwardBackward/m  evaluate_exact, backward mode: Algorithm 1 in exact rationals,
//                             then one backward sweep (q = 1).
//  BM_ExactForwardMode/m      evaluate_exact, forward mode (p = 8 tangents per node).
//  BM_ExactWithProducts/m     backward mode, 5% node-times-node products, multiplicative
//                             depth at most 4.
//  BM_MpfrCertified/m         evaluate_real at 256 bits: the MPFI decision pass (with exact or
//                             higher-precision fallbacks where an enclosure straddles 0) and the
//                             MPFR point pass, each with its backward sweep.
//  BM_MpfrCertifiedExpLog/m   the same on programs with exp/log groups.
//  BM_DoubleInterpreted/m     baseline: values only, in double, a switch over the ops.
//
// Every benchmark reports per_node (CPU time per evaluation / m, in seconds). The piecewise-affine
// programs of a given m are the same in every benchmark that uses them. Before the runs, the
// largest exact bit size over all node values and gradients of the 1e5-node program is printed
// on stderr.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <tuple>
#include <vector>

#include "random_program.hpp"
#include "selgrad/reference/evaluate.hpp"
#include "selgrad/reference/scalars.hpp"

namespace {

using selgrad::Arg;
using selgrad::Op;
using selgrad::Program;
using selgrad::bench::RandomProgramOptions;
using selgrad::reference::Certainty;
using selgrad::reference::Mode;
using selgrad::reference::Rational;

constexpr std::uint64_t kSeed = 20240601;

enum class Kind { PiecewiseAffine, Products, ExpLog };

RandomProgramOptions options_for(Kind kind, std::uint32_t m) {
  RandomProgramOptions o;
  o.nodes = m;
  if (kind == Kind::Products) {
    o.mul_fraction = 0.05;
    o.max_mul_depth = 4;
  }
  if (kind == Kind::ExpLog) o.exp_log_fraction = 0.05;
  return o;
}

/// Programs are built once per (kind, m) and shared between benchmarks.
const Program& program(Kind kind, std::uint32_t m) {
  static std::map<std::pair<Kind, std::uint32_t>, std::unique_ptr<Program>> cache;
  auto& slot = cache[{kind, m}];
  if (!slot)
    slot = std::make_unique<Program>(selgrad::bench::random_program(kSeed, options_for(kind, m)));
  return *slot;
}

const std::vector<Rational>& point(std::size_t p) {
  static std::map<std::size_t, std::vector<Rational>> cache;
  auto& slot = cache[p];
  if (slot.empty()) slot = selgrad::reference::to_point(selgrad::bench::dyadic_point(kSeed, p));
  return slot;
}

void set_per_node(benchmark::State& state, const Program& p) {
  // Iteration-invariant rate, inverted: CPU time / (iterations * m), shown as e.g. "95.2ns".
  state.counters["per_node"] = benchmark::Counter(
      static_cast<double>(p.m()),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

std::size_t max_bits(const selgrad::reference::ExactResult& r) {
  std::size_t b = 0;
  for (const auto& v : r.outputs) b = std::max(b, selgrad::reference::bit_size(v));
  for (const auto& row : r.jacobian)
    for (const auto& v : row) b = std::max(b, selgrad::reference::bit_size(v));
  return b;
}

// ---- double baseline ------------------------------------------------------------------------

/// Values only, in double: a switch over the ops on the Program itself.
class DoubleInterpreter {
 public:
  explicit DoubleInterpreter(const Program& p) : p_(p), values_(p.m(), 0.0) {
    for (const auto& l : p.literals) {
      const double v = std::strtod(l.numerator.c_str(), nullptr) /
                       std::strtod(l.denominator.c_str(), nullptr);
      literals_.push_back(l.negative ? -v : v);
    }
  }

  const std::vector<double>& run(const std::vector<double>& x) {
    double* val = values_.data();
    std::copy(x.begin(), x.end(), val);
    const auto arg = [&](Arg a) { return a.is_node() ? val[a.index] : literals_[a.index]; };
    for (auto k = static_cast<std::uint32_t>(p_.p()); k < p_.m(); ++k) {
      const selgrad::Node& n = p_.nodes[k];
      const auto& a = n.args;
      double y = 0;
      switch (n.op) {
        case Op::Add:
          y = arg(a[0]);
          for (std::size_t i = 1; i < a.size(); ++i) y += arg(a[i]);
          break;
        case Op::Sub: y = arg(a[0]) - arg(a[1]); break;
        case Op::Neg: y = -arg(a[0]); break;
        case Op::Mul:
          y = arg(a[0]);
          for (std::size_t i = 1; i < a.size(); ++i) y *= arg(a[i]);
          break;
        case Op::Div: y = arg(a[0]) / arg(a[1]); break;
        case Op::Exp: y = std::exp(arg(a[0])); break;
        case Op::Log: y = std::log(arg(a[0])); break;
        case Op::Powi: y = std::pow(arg(a[0]), static_cast<double>(n.power)); break;
        case Op::Lin:
          y = arg(a[0]);
          for (std::size_t i = 1; i + 1 < a.size(); i += 2) y += arg(a[i]) * arg(a[i + 1]);
          break;
        case Op::Sqrt: y = std::sqrt(arg(a[0])); break;
        case Op::Softplus: y = std::log1p(std::exp(arg(a[0]))); break;
        case Op::Sigmoid: y = 1.0 / (1.0 + std::exp(-arg(a[0]))); break;
        case Op::Tanh: y = std::tanh(arg(a[0])); break;
        case Op::Relu: y = std::max(arg(a[0]), 0.0); break;
        case Op::Abs: y = std::abs(arg(a[0])); break;
        case Op::Max:
          y = arg(a[0]);
          for (std::size_t i = 1; i < a.size(); ++i) y = std::max(y, arg(a[i]));
          break;
        case Op::Min:
          y = arg(a[0]);
          for (std::size_t i = 1; i < a.size(); ++i) y = std::min(y, arg(a[i]));
          break;
        case Op::Clamp: y = std::min(std::max(arg(a[0]), arg(a[1])), arg(a[2])); break;
        case Op::Select: {
          const double u = arg(a[0]), v = arg(a[1]);
          bool holds = false;
          switch (n.cmp) {
            case selgrad::Cmp::Lt: holds = u < v; break;
            case selgrad::Cmp::Le: holds = u <= v; break;
            case selgrad::Cmp::Gt: holds = u > v; break;
            case selgrad::Cmp::Ge: holds = u >= v; break;
          }
          y = holds ? arg(a[2]) : arg(a[3]);
          break;
        }
        case Op::Sort: {
          // The group's first node writes every rank; the others were written with it.
          if (k != n.group_first) continue;
          double* out = val + k;
          for (std::size_t i = 0; i < a.size(); ++i) out[i] = arg(a[i]);
          std::stable_sort(out, out + a.size(), [](double l, double r) { return l > r; });
          k += n.group_size - 1;
          continue;
        }
        case Op::Input:
        case Op::Count_: break;
      }
      val[k] = y;
    }
    return values_;
  }

 private:
  const Program& p_;
  std::vector<double> literals_;
  std::vector<double> values_;
};

std::vector<double> double_point(std::size_t p) {
  std::vector<double> x;
  for (const auto& v : point(p)) x.push_back(v.convert_to<double>());
  return x;
}

// ---- benchmarks -----------------------------------------------------------------------------

void run_exact(benchmark::State& state, Kind kind, Mode mode) {
  const Program& p = program(kind, static_cast<std::uint32_t>(state.range(0)));
  const auto& x = point(p.p());
  selgrad::reference::Options o;
  o.mode = mode;
  selgrad::reference::ExactResult r;
  for (auto _ : state) {
    r = selgrad::reference::evaluate_exact(p, x, o);
    benchmark::DoNotOptimize(r);
  }
  set_per_node(state, p);
  state.counters["max_bits"] = static_cast<double>(max_bits(r));
  state.counters["ties"] = static_cast<double>(r.branches.tie_count());
}

void BM_ExactForwardBackward(benchmark::State& state) {
  run_exact(state, Kind::PiecewiseAffine, Mode::Backward);
}
void BM_ExactForwardMode(benchmark::State& state) {
  run_exact(state, Kind::PiecewiseAffine, Mode::Forward);
}
void BM_ExactWithProducts(benchmark::State& state) {
  run_exact(state, Kind::Products, Mode::Backward);
}

void run_mpfr(benchmark::State& state, Kind kind) {
  const Program& p = program(kind, static_cast<std::uint32_t>(state.range(0)));
  const auto& x = point(p.p());
  selgrad::reference::Options o;
  o.precision = 256;
  selgrad::reference::RealResult r;
  for (auto _ : state) {
    r = selgrad::reference::evaluate_real(p, x, o);
    benchmark::DoNotOptimize(r);
  }
  set_per_node(state, p);
  std::size_t exact = 0, uncertified = 0;
  for (const auto& d : r.branches.decisions) {
    exact += d.certainty == Certainty::Exact ? 1 : 0;
    uncertified += d.certainty == Certainty::Uncertified ? 1 : 0;
  }
  state.counters["final_prec"] = static_cast<double>(r.precision);
  state.counters["exact_decided"] = static_cast<double>(exact);
  state.counters["uncertified"] = static_cast<double>(uncertified);
}

void BM_MpfrCertified(benchmark::State& state) { run_mpfr(state, Kind::PiecewiseAffine); }
void BM_MpfrCertifiedExpLog(benchmark::State& state) { run_mpfr(state, Kind::ExpLog); }

void BM_DoubleInterpreted(benchmark::State& state) {
  const Program& p = program(Kind::PiecewiseAffine, static_cast<std::uint32_t>(state.range(0)));
  DoubleInterpreter interp(p);
  const auto x = double_point(p.p());
  for (auto _ : state) {
    const auto& v = interp.run(x);
    benchmark::DoNotOptimize(v.data());
    benchmark::ClobberMemory();
  }
  set_per_node(state, p);
}

BENCHMARK(BM_ExactForwardBackward)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ExactForwardMode)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ExactWithProducts)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MpfrCertified)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MpfrCertifiedExpLog)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_DoubleInterpreted)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond);

/// Largest exact bit size over every node's value and gradient of the 1e5-node piecewise-affine
/// program: forward mode with every computed node as an output.
void report_bit_sizes() {
  Program p = program(Kind::PiecewiseAffine, 100000);
  p.outputs.clear();
  for (auto k = static_cast<std::uint32_t>(p.p()); k < p.m(); ++k) p.outputs.push_back(k);
  selgrad::reference::Options o;
  o.mode = Mode::Forward;
  const auto r = selgrad::reference::evaluate_exact(p, point(p.p()), o);
  std::size_t vb = 0, gb = 0;
  for (const auto& v : r.outputs) vb = std::max(vb, selgrad::reference::bit_size(v));
  for (const auto& row : r.jacobian)
    for (const auto& v : row) gb = std::max(gb, selgrad::reference::bit_size(v));
  std::fprintf(stderr,
               "piecewise-affine program, m = %zu: max exact bit size %zu (values), %zu "
               "(gradients)\n",
               p.m(), vb, gb);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  report_bit_sizes();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
