// The implicit layer API (fast/implicit.hpp) on one thread: a dense monotone equilibrium layer
// z = relu(W z + b) with n = m units and ||W||_2 = rho (1/2: fast contraction, 0.95: slow), the
// loss gradient dL/db = J^T c for a fixed cotangent c. Per size, in one loop, each phase timed on its own so that all see the same
// background load (ratios are steadier than across separate benchmarks on a shared machine):
//
//   newton        forward solve by Newton (selection Jacobians, an LU per step), from z = 0
//   fixed_point   forward solve by fixed-point iteration z <- relu(W z + b), from z = 0
//   vjp           implicit VJP with the factorization of B held by the rule (reused)
//   rule+vjp      ImplicitRule from the Newton result (taking over its A, B and last
//                 factorization; an rcond estimate, a few O(m^2) solves) and one VJP
//   factor+vjp    ImplicitRule from the fixed-point result ([A B] evaluated, B factored) + VJP
//   unrolled_fwd  hand-written Eigen: K steps of the map, recording the relu masks
//   unrolled_rev  hand-written Eigen: reverse mode through those K steps (K = the fixed-point
//                 step count to the same tolerance), v <- W^T (m_k .* v), xbar += m_k .* v
//
// After the runs it prints the ratios. At startup it checks that the implicit VJP and the
// unrolled reverse agree, so that the two compute the same gradient.
#include "selgrad/eigen.hpp"
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "ratio_reporter.hpp"
#include "selgrad/fast/implicit.hpp"

namespace {

using namespace selgrad::fast;
using Clock = std::chrono::steady_clock;

constexpr double kTolerance = 1e-12;  // ||F||_inf for both solvers

struct Problem {
  Matrix w;
  Vector b, c;
};

Problem make_problem(Index n, double rho) {
  std::mt19937_64 rng(1000 + static_cast<std::uint64_t>(n));
  std::normal_distribution<double> g;
  Problem p;
  p.w.resize(n, n);
  for (Index k = 0; k < p.w.size(); ++k) p.w.data()[k] = g(rng);
  // ||W||_2 by power iteration on W^T W.
  Vector v = Vector::Ones(n).normalized();
  double sigma2 = 0;
  for (int it = 0; it < 100; ++it) {
    const Vector u = p.w.transpose() * (p.w * v);
    sigma2 = u.norm();
    v = u / sigma2;
  }
  p.w *= rho / std::sqrt(sigma2);
  p.b.resize(n);
  p.c.resize(n);
  for (Index i = 0; i < n; ++i) p.b(i) = g(rng);
  for (Index i = 0; i < n; ++i) p.c(i) = g(rng);
  return p;
}

/// F(b, z) = z - relu(W z + b): A = -D, B = I - D W, D = diag(W z + b > 0). Writes into out's
/// storage (no allocation once sized).
ImplicitFunction equilibrium(const Matrix& w) {
  return ImplicitFunction(w.rows(), w.rows(), [&w, pre = Vector(), d = Vector()](const Vector& b, const Vector& z, bool jac,
                                                                                   Linearization& out) mutable {
    pre.noalias() = w * z;
    pre += b;
    out.value = z - pre.cwiseMax(0.0);
    if (!jac) return;
    d = (pre.array() > 0).cast<double>();
    out.a.setZero(w.rows(), w.rows());
    out.a.diagonal() = -d;
    out.b.noalias() = -(d.asDiagonal() * w);
    out.b.diagonal().array() += 1.0;
  });
}

/// Reverse mode through K steps of z <- relu(W z + b), by hand.
struct Unrolled {
  const Matrix& w;
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic> masks;  // n x K, 0/1
  Vector z, p, v, mv, xbar;

  Unrolled(const Matrix& w_, Index steps) : w(w_), masks(w_.rows(), steps) {}

  void forward(const Vector& b) {
    z.setZero(w.rows());
    for (Index k = 0; k < masks.cols(); ++k) {
      p.noalias() = w * z;
      p += b;
      masks.col(k) = (p.array() > 0).cast<double>();
      z = p.cwiseMax(0.0);
    }
  }

  const Vector& reverse(const Vector& c) {
    v = c;
    xbar.setZero(w.rows());
    for (Index k = masks.cols(); k-- > 0;) {
      mv = masks.col(k).cwiseProduct(v);
      xbar += mv;
      v.noalias() = w.transpose() * mv;
    }
    return xbar;
  }
};

const std::vector<std::string> kPhases = {"newton", "fixed_point", "vjp", "rule+vjp", "factor+vjp", "unrolled_fwd",
                                          "unrolled_rev"};

void implicit_interleaved(benchmark::State& state, Index n, double rho) {
  const Problem pr = make_problem(n, rho);
  const ImplicitFunction f = equilibrium(pr.w);
  SolveOptions newton_o;
  newton_o.tolerance = kTolerance;
  SolveOptions fixed_o;
  fixed_o.method = SolveMethod::FixedPoint;
  fixed_o.tolerance = kTolerance;
  fixed_o.max_iterations = 10000;
  const Vector z0 = Vector::Zero(n);

  // Setup and the agreement check.
  const SolveResult newton = solve_implicit(f, pr.b, z0, newton_o);
  const SolveResult fixed = solve_implicit(f, pr.b, z0, fixed_o);
  if (!newton.converged || !fixed.converged) {
    state.SkipWithError((newton.reason + " / " + fixed.reason).c_str());
    return;
  }
  const ImplicitRule rule(f, pr.b, newton);
  const Index steps = static_cast<Index>(fixed.iterations);
  Unrolled unrolled(pr.w, steps);
  unrolled.forward(pr.b);
  const Vector implicit_grad = rule.vjp(pr.c);
  const double agreement = (unrolled.reverse(pr.c) - implicit_grad).norm() / implicit_grad.norm();

  std::map<std::string, double> seconds;
  for (auto _ : state) {
    auto t0 = Clock::now();
    const auto tick = [&](const std::string& phase) {
      const auto t1 = Clock::now();
      seconds[phase] += std::chrono::duration<double>(t1 - t0).count();
      t0 = t1;
    };
    SolveResult s = solve_implicit(f, pr.b, z0, newton_o);
    benchmark::DoNotOptimize(s.y.data());
    tick("newton");
    SolveResult fp = solve_implicit(f, pr.b, z0, fixed_o);
    benchmark::DoNotOptimize(fp.y.data());
    tick("fixed_point");
    Vector g1 = rule.vjp(pr.c);
    benchmark::DoNotOptimize(g1.data());
    tick("vjp");
    const ImplicitRule reused(f, pr.b, std::move(s));  // takes A, B and the LU over
    Vector g2 = reused.vjp(pr.c);
    benchmark::DoNotOptimize(g2.data());
    tick("rule+vjp");
    const ImplicitRule fresh(f, pr.b, std::move(fp));
    Vector g3 = fresh.vjp(pr.c);
    benchmark::DoNotOptimize(g3.data());
    tick("factor+vjp");
    unrolled.forward(pr.b);
    benchmark::DoNotOptimize(unrolled.z.data());
    tick("unrolled_fwd");
    const Vector& g4 = unrolled.reverse(pr.c);
    benchmark::DoNotOptimize(g4.data());
    tick("unrolled_rev");
  }
  const double iters = static_cast<double>(state.iterations());
  for (const auto& phase : kPhases) state.counters[phase + "_us"] = 1e6 * seconds[phase] / iters;
  state.counters["n"] = static_cast<double>(n);
  state.counters["rho"] = rho;
  state.counters["newton_steps"] = static_cast<double>(newton.iterations);
  state.counters["K"] = static_cast<double>(steps);
  state.counters["vjp_vs_unrolled_rel"] = agreement;
  state.counters["rcond"] = rule.rcond();
}

void print_ratios(const selgrad::bench::RatioReporter& rep) {
  // The counters of each equilibrium benchmark, by (rho, n).
  std::map<std::pair<double, Index>, std::map<std::string, double>> by_size;
  for (const auto& [name, c] : rep.counters)
    if (c.count("n") && c.count("rho")) by_size[{c.at("rho"), static_cast<Index>(c.at("n"))}] = c;
  std::printf("\nTimes per phase (us, same run) and ratios:\n");
  std::printf("  %4s %5s %5s %4s %10s %9s %8s %9s %10s %10s %10s | %8s %11s %11s %11s %11s\n", "rho", "n", "steps", "K",
              "newton", "fixed_pt", "vjp", "rule+vjp", "factor+vjp", "unroll_fwd", "unroll_rev", "vjp/newt",
              "rule+vjp/nt", "fact+vjp/nt", "fact+vjp/fp", "unroll_r/fp");
  for (const auto& [key, c] : by_size) {
    const auto us = [&](const std::string& p) { return c.at(p + "_us"); };
    std::printf("  %4.2f %5ld %5.0f %4.0f %10.1f %9.1f %8.2f %9.2f %10.1f %10.1f %10.1f | %8.4f %11.4f %11.3f %11.3f %11.3f\n",
                key.first, static_cast<long>(key.second), c.at("newton_steps"), c.at("K"), us("newton"),
                us("fixed_point"), us("vjp"), us("rule+vjp"), us("factor+vjp"), us("unrolled_fwd"), us("unrolled_rev"),
                us("vjp") / us("newton"), us("rule+vjp") / us("newton"), us("factor+vjp") / us("newton"),
                us("factor+vjp") / us("fixed_point"), us("unrolled_rev") / us("fixed_point"));
  }
  std::printf("\nImplicit VJP with the factorization reused vs the forward (Newton) solve (target <= 1.3):\n");
  for (const auto& [key, c] : by_size) {
    const double r1 = c.at("rule+vjp_us") / c.at("newton_us"), r2 = c.at("vjp_us") / c.at("newton_us");
    std::printf("  rho = %.2f, n = %4ld: (rule from Newton + VJP) / Newton = %.4f %s, VJP alone / Newton = %.4f; "
                "unrolled reverse (K = %.0f) / VJP = %.1f, / (rule + VJP) = %.1f; |VJP - unrolled| / |VJP| = %.1e\n",
                key.first, static_cast<long>(key.second), r1, r1 <= 1.3 ? "(ok)" : "(ABOVE 1.3)", r2, c.at("K"),
                c.at("unrolled_rev_us") / c.at("vjp_us"), c.at("unrolled_rev_us") / c.at("rule+vjp_us"),
                c.at("vjp_vs_unrolled_rel"));
  }
}

}  // namespace

int main(int argc, char** argv) {
  Eigen::setNbThreads(1);
  std::printf("Eigen %d.%d.%d, SIMD: %s, threads: %d; equilibrium layer z = relu(W z + b), "
              "tolerance ||F||_inf <= %.0e\n",
              EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION, Eigen::SimdInstructionSetsInUse(),
              Eigen::nbThreads(), kTolerance);
  for (const double rho : {0.5, 0.95})
    for (const Index n : {100, 200, 500, 1000}) {
      char name[64];
      std::snprintf(name, sizeof name, "ImplicitEquilibrium/rho=%.2f/n=%ld", rho, static_cast<long>(n));
      benchmark::RegisterBenchmark(name, implicit_interleaved, n, rho)
          ->Unit(benchmark::kMillisecond)
          ->MinTime(n >= 500 ? 1.0 : 0.3);
    }
  return selgrad::bench::run_with_ratios(argc, argv, print_ratios);
}
