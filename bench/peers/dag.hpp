// The random DAG workload shared by every peer in bench/peers/.
//
// A DAG of m ops over 8 inputs, each op drawn from add/mul/sub/div/exp/log (the smooth mix) or
// from those and relu/max/abs (the nonsmooth mix, one op in three a selection), its operands
// drawn from the last 1000 nodes. The generator evaluates as it goes at one fixed point and
// redraws an op whose value would leave |v| in [1/64, 64] or the domain, or whose value is
// sensitive to rounding (see make_dag), so every tool evaluates the same program cleanly there
// and tools with different (correctly bounded) exp and log agree to many digits. The only
// zeros are relu of a negative value.
// Selections never sit on or near a tie: relu(0), abs(0) and max(a, b) with |a - b| < 1e-3 are
// redrawn, so every tool takes the same pieces and returns the same gradient whatever its tie
// rule. The generator also carries every node's gradient with respect to the 8 inputs and redraws
// an op whose gradient would leave ||g||_inf in [1/64, 64] (a relu of a negative value, whose
// gradient is 0, excepted, though never as the output) or whose gradient is sensitive to
// rounding: at every size the output's gradient is of order 1, so a peer returning 0 (or a
// gradient lost to underflow) fails the check, which every peer passes before it is timed
// (require_same_gradient: a disagreement stops the suite).
//
// The same op list is given to selgrad as a Program (to_program) and to the operator-overloading
// peers as a flat array interpreted by interpret<T>() with their scalar type.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "selgrad/program/builder.hpp"
#include "selgrad/program/op.hpp"
#include "selgrad/program/program.hpp"

namespace selgrad::bench::peers {

enum class DagOp : std::uint8_t { Add, Sub, Mul, Div, Exp, Log, Relu, Max, Abs };

inline bool unary(DagOp op) {
  return op == DagOp::Exp || op == DagOp::Log || op == DagOp::Relu || op == DagOp::Abs;
}

struct DagInstr {
  DagOp op;
  std::uint32_t a, b;  // operand nodes (b unused for unary ops)
};

struct Dag {
  std::uint32_t inputs = 8;
  std::vector<DagInstr> code;  // code[i] computes node inputs + i; the last node is the output
  std::vector<double> point;   // the evaluation point
  double value = 0;            // the output at `point` (the generator's own evaluation)
  std::vector<double> gradient;  // its gradient there (the generator's own forward mode)
  std::size_t nodes() const { return inputs + code.size(); }
};

/// splitmix64, the same sequence on every platform.
struct DagRng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
};

inline Dag make_dag(std::uint32_t ops, bool nonsmooth, std::uint64_t seed = 42) {
  DagRng rng{seed};
  Dag d;
  std::vector<double> v;
  for (std::uint32_t i = 0; i < d.inputs; ++i) {
    v.push_back(1.0 + 0.1 * i);
    d.point.push_back(v.back());
  }
  const DagOp smooth[] = {DagOp::Add, DagOp::Mul, DagOp::Sub, DagOp::Div, DagOp::Exp, DagOp::Log};
  const DagOp all[] = {DagOp::Add, DagOp::Mul, DagOp::Sub, DagOp::Div, DagOp::Exp,
                       DagOp::Log, DagOp::Relu, DagOp::Max, DagOp::Abs};
  const auto apply = [](DagOp op, double x, double y) -> double {
    switch (op) {
      case DagOp::Add: return x + y;
      case DagOp::Mul: return x * y;
      case DagOp::Sub: return x - y;
      case DagOp::Div: return x / y;
      case DagOp::Exp: return std::exp(x);
      case DagOp::Log: return x > 0 ? std::log(x) : NAN;
      case DagOp::Relu: return x > 0 ? x : 0.0;
      case DagOp::Max: return std::max(x, y);
      case DagOp::Abs: return std::fabs(x);
    }
    return NAN;
  };
  // Each node carries a bound on the relative error amplification from its operands, to first
  // order (a condition number summed over every path, all signs aligned): cond(a+b) =
  // (|a| cond a + |b| cond b)/|a+b| + 1, cond(ab) = cond(a/b) = cond a + cond b + 1,
  // cond(exp a) = |a| cond a + 1, cond(log a) = cond a/|log a| + 1. An op whose bound would exceed
  // 2^20 is redrawn: otherwise a deep random DAG amplifies rounding errors exponentially, and two
  // correct tools (exp and log within 1 ulp, not the same libm) compute unrelated values at 1e5
  // ops. With the bound, any two agree to about 2^20 ulps.
  std::vector<double> cond(v.size(), 0.0);
  // The gradient of every node with respect to the inputs, and the same sums over paths with
  // every partial taken in absolute value: their ratio bounds how much the cancellation between
  // paths amplifies the partials' rounding errors. An op whose ratio would exceed 2^20 is
  // redrawn, as for the values.
  using Grad = std::array<double, 8>;
  std::vector<Grad> grad(v.size(), Grad{}), grad_abs(v.size(), Grad{});
  for (std::uint32_t i = 0; i < d.inputs; ++i) grad[i][i] = grad_abs[i][i] = 1;
  const auto norm = [](const Grad& g) {
    double n = 0;
    for (double x : g) n = std::max(n, std::fabs(x));
    return n;
  };
  d.code.reserve(ops);
  while (d.code.size() < ops) {
    const auto k = static_cast<std::uint32_t>(v.size());
    const std::uint32_t window = std::min<std::uint32_t>(k, 1000);
    const std::uint32_t a = k - 1 - static_cast<std::uint32_t>(rng.next() % window);
    const std::uint32_t b = k - 1 - static_cast<std::uint32_t>(rng.next() % window);
    const DagOp op = nonsmooth ? all[rng.next() % 9] : smooth[rng.next() % 6];
    const double x = v[a], y = v[b];
    const double r = apply(op, x, y);
    double c = 0;
    switch (op) {
      case DagOp::Add:
      case DagOp::Sub: c = (std::fabs(x) * cond[a] + std::fabs(y) * cond[b]) / std::fabs(r) + 1; break;
      case DagOp::Mul:
      case DagOp::Div: c = cond[a] + cond[b] + 1; break;
      case DagOp::Exp: c = std::fabs(x) * cond[a] + 1; break;
      case DagOp::Log: c = cond[a] / std::fabs(r) + 1; break;
      case DagOp::Max: c = std::max(cond[a], cond[b]); break;
      case DagOp::Relu:
      case DagOp::Abs: c = cond[a]; break;
    }
    if (std::isnan(r)) continue;                                                      // the domain
    if ((op == DagOp::Relu || op == DagOp::Abs) && x == 0) continue;                 // the tie
    if (op == DagOp::Max && std::fabs(x - y) < 1e-3) continue;                       // at or near the tie
    const bool zero_ok = (op == DagOp::Relu || op == DagOp::Max) && r == 0;  // relu(negative)
    const bool in_range = std::fabs(r) >= 1.0 / 64 && std::fabs(r) <= 64;
    if (!zero_ok && !(in_range && c <= 0x1p20)) continue;
    // The local partials in a and b, then the gradient.
    double da = 0, db = 0;
    switch (op) {
      case DagOp::Add: da = 1, db = 1; break;
      case DagOp::Sub: da = 1, db = -1; break;
      case DagOp::Mul: da = y, db = x; break;
      case DagOp::Div: da = 1 / y, db = -r / y; break;
      case DagOp::Exp: da = r; break;
      case DagOp::Log: da = 1 / x; break;
      case DagOp::Relu: da = x > 0 ? 1 : 0; break;
      case DagOp::Max: (x > y ? da : db) = 1; break;
      case DagOp::Abs: da = x > 0 ? 1 : -1; break;
    }
    if (unary(op)) db = 0;
    Grad g{}, ga{};
    for (int i = 0; i < 8; ++i) {
      g[i] = da * grad[a][i] + db * grad[b][i];
      ga[i] = std::fabs(da) * grad_abs[a][i] + std::fabs(db) * grad_abs[b][i];
    }
    const double gn = norm(g);
    const bool grad_ok = gn >= 1.0 / 64 && gn <= 64 && norm(ga) <= 0x1p20 * gn;
    if (zero_ok ? d.code.size() + 1 == ops : !grad_ok) continue;  // the output's gradient is never 0
    d.code.push_back({op, a, unary(op) ? a : b});
    v.push_back(r);
    cond.push_back(zero_ok ? 0.0 : c);
    grad.push_back(zero_ok ? Grad{} : g);
    grad_abs.push_back(zero_ok ? Grad{} : ga);
  }
  d.gradient.assign(grad.back().begin(), grad.back().end());
  d.value = v.back();
  return d;
}

/// The same DAG as a selgrad Program (one node per op, output = last node).
inline Program to_program(const Dag& d) {
  ProgramBuilder b;
  for (std::uint32_t i = 0; i < d.inputs; ++i) b.input("x" + std::to_string(i));
  for (std::size_t i = 0; i < d.code.size(); ++i) {
    const DagInstr& in = d.code[i];
    Op op = Op::Add;
    switch (in.op) {
      case DagOp::Add: op = Op::Add; break;
      case DagOp::Sub: op = Op::Sub; break;
      case DagOp::Mul: op = Op::Mul; break;
      case DagOp::Div: op = Op::Div; break;
      case DagOp::Exp: op = Op::Exp; break;
      case DagOp::Log: op = Op::Log; break;
      case DagOp::Relu: op = Op::Relu; break;
      case DagOp::Max: op = Op::Max; break;
      case DagOp::Abs: op = Op::Abs; break;
    }
    std::vector<Arg> args{Arg::node(in.a)};
    if (!unary(in.op)) args.push_back(Arg::node(in.b));
    b.node("n" + std::to_string(d.inputs + i), op, std::move(args));
  }
  b.output(Arg::node(static_cast<std::uint32_t>(b.size() - 1)));
  return b.build();
}

/// The workload's name for a mix, as benchmark names start.
inline std::string dag_workload(bool nonsmooth) { return nonsmooth ? "dag-nonsmooth" : "dag-smooth"; }

/// DAGs are built once per (ops, mix) and shared by every benchmark of a binary.
inline const Dag& dag(std::uint32_t ops, bool nonsmooth) {
  static std::map<std::pair<std::uint32_t, bool>, Dag> cache;
  auto it = cache.find({ops, nonsmooth});
  if (it == cache.end()) it = cache.emplace(std::pair{ops, nonsmooth}, make_dag(ops, nonsmooth)).first;
  return it->second;
}

/// Interprets the DAG with scalar type T: `v` receives one value per node (emplace_back, so
/// operator-overloading types construct each node from its expression, no assignment).
/// `Ops` supplies the elementary functions for T: exp, log, relu, max, abs.
template <class Ops, class T>
void interpret(const Dag& d, std::vector<T>& v) {
  for (const DagInstr& in : d.code) {
    const T& x = v[in.a];
    const T& y = v[in.b];
    switch (in.op) {
      case DagOp::Add: v.emplace_back(x + y); break;
      case DagOp::Sub: v.emplace_back(x - y); break;
      case DagOp::Mul: v.emplace_back(x * y); break;
      case DagOp::Div: v.emplace_back(x / y); break;
      case DagOp::Exp: v.emplace_back(Ops::exp(x)); break;
      case DagOp::Log: v.emplace_back(Ops::log(x)); break;
      case DagOp::Relu: v.emplace_back(Ops::relu(x)); break;
      case DagOp::Max: v.emplace_back(Ops::max(x, y)); break;
      case DagOp::Abs: v.emplace_back(Ops::abs(x)); break;
    }
  }
}

/// Largest |a_i - b_i| / max_i |b_i|: how far a peer's gradient is from selgrad's, relative to
/// the gradient's norm (infinite when the sizes differ or selgrad's gradient is 0).
inline double gradient_distance(const std::vector<double>& a, const std::vector<double>& b) {
  double scale = 0, diff = 0;
  for (double x : b) scale = std::max(scale, std::fabs(x));
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) diff = std::max(diff, std::fabs(a[i] - b[i]));
  if (a.size() != b.size() || !(scale > 0) || std::isnan(diff)) return INFINITY;
  return diff / scale;
}

/// The agreement required of two correct tools, relative to the gradient's norm. Every value is
/// within 2^20 of its rounding-error amplification bound and every gradient within 2^20 of its
/// path-cancellation bound (make_dag), so with exp and log within an ulp two tools agree to about
/// 2^20 * 2^-52 per path product; measured, the largest difference over every peer and size is
/// below 1e-9. A factor 1000 above that separates rounding from a wrong gradient.
inline constexpr double kGradientTolerance = 1e-6;

/// Before a peer is timed: its gradient must be selgrad's to within kGradientTolerance relative
/// to the gradient's norm, else the suite stops (exit status 3) naming the benchmark and both
/// gradients: a benchmark of a wrong result is not a result.
inline void require_same_gradient(const std::string& benchmark, const std::vector<double>& peer,
                                  const std::vector<double>& selgrad) {
  const double d = gradient_distance(peer, selgrad);
  if (d <= kGradientTolerance) return;
  std::fprintf(stderr, "%s: the gradient differs from selgrad's by %g of its norm (tolerance %g)\n", benchmark.c_str(),
               d, kGradientTolerance);
  for (std::size_t i = 0; i < std::max(peer.size(), selgrad.size()); ++i)
    std::fprintf(stderr, "  d/dx%zu: %.17g, selgrad %.17g\n", i, i < peer.size() ? peer[i] : NAN,
                 i < selgrad.size() ? selgrad[i] : NAN);
  std::exit(3);
}

/// DAG sizes of the workload (the 1e6 DAG runs one iteration per benchmark).
inline constexpr std::uint32_t kDagSizes[] = {1000, 10000, 100000, 1000000};

}  // namespace selgrad::bench::peers
