// The batched workload shared by every peer in bench/peers/: one 22-op program (2 exp, 2 log,
// 2 div; the program of bench/fast_bench.cpp) evaluated with its gradient at N points.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace selgrad::bench::peers {

// 22 ops: 2 exp, 2 log, 2 div; inputs in [0.5, 2] keep every value in its domain.
inline constexpr const char* kBatchProgram = R"(input x0 x1 x2 x3
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

/// The same program written with a scalar type T (the operator-overloading peers). `Ops`
/// supplies exp and log for T.
template <class Ops, class T>
T batch_function(const T& x0, const T& x1, const T& x2, const T& x3) {
  const T t1 = x0 * x1, t2 = x2 - x3, t3 = t2 * t2, t4 = t1 + t3, t5 = t4 * 0.25;
  const T t6 = Ops::exp(t5), t7 = x0 + x3, t8 = t6 / t7, t9 = x1 * x2, t10 = t9 + 1.0;
  const T t11 = Ops::log(t10), t12 = t11 * t8, t13 = t12 - x0, t14 = t13 * t13, t15 = -t14;
  const T t16 = Ops::exp(t15), t17 = t16 + x1, t18 = Ops::log(t17), t19 = t18 / t10, t20 = t19 * x3;
  const T t21 = t20 + t12, t22 = t21 - t3;
  return t22;
}

/// N points, point-major (point l is x[4l .. 4l + 4)), each coordinate in [0.5, 2].
inline std::vector<double> batch_points(std::size_t n) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.5, 2.0);
  std::vector<double> x(n * 4);
  for (auto& v : x) v = u(rng);
  return x;
}

/// Input-major copy (columns): input i of every point is c[i*N .. i*N + N).
inline std::vector<double> batch_columns(const std::vector<double>& x) {
  const std::size_t n = x.size() / 4;
  std::vector<double> c(x.size());
  for (std::size_t l = 0; l < n; ++l)
    for (std::size_t i = 0; i < 4; ++i) c[i * n + l] = x[l * 4 + i];
  return c;
}

inline constexpr std::size_t kBatchSizes[] = {10000, 100000, 1000000};

/// selgrad's gradients (point-major, 4 per point) of the first `n` points, to check peers.
const std::vector<double>& selgrad_batch_gradient(std::size_t n);

/// Largest difference between two sets of gradients over the first min(n, 4096) points, each
/// point's relative to the norm (largest entry) of that point's reference gradient.
inline double batch_gradient_distance(const std::vector<double>& g, const std::vector<double>& ref, std::size_t n) {
  const std::size_t k = std::min<std::size_t>(n, 4096);
  if (g.size() < 4 * k || ref.size() < 4 * k) return INFINITY;
  double d = 0;
  for (std::size_t l = 0; l < k; ++l) {
    double norm = 0, diff = 0;
    for (std::size_t i = 4 * l; i < 4 * l + 4; ++i) {
      norm = std::max(norm, std::fabs(ref[i]));
      diff = std::max(diff, std::fabs(g[i] - ref[i]));
    }
    if (!(norm > 0) || std::isnan(diff)) return INFINITY;
    d = std::max(d, diff / norm);
  }
  return d;
}
inline double batch_gradient_distance(const std::vector<double>& g, std::size_t n) {
  return batch_gradient_distance(g, selgrad_batch_gradient(n), n);
}

/// Every value of the program is computed from values in [0.5, 2] through a few well-conditioned
/// ops (22 in all), so two tools with exp and log within an ulp agree to a few hundred ulps;
/// measured, below 1e-14 relative to each point's gradient. A wrong gradient is far above.
inline constexpr double kBatchGradientTolerance = 1e-10;

/// Before a peer is timed: its gradients at the first points must be selgrad's (relative to each
/// point's gradient norm), else the suite stops (exit status 3), naming the benchmark.
inline void require_same_batch_gradient(const std::string& benchmark, const std::vector<double>& g, std::size_t n) {
  const double d = batch_gradient_distance(g, n);
  if (d <= kBatchGradientTolerance) return;
  std::fprintf(stderr, "%s: the gradients differ from selgrad's by %g of their norm (tolerance %g)\n", benchmark.c_str(),
               d, kBatchGradientTolerance);
  std::exit(3);
}

/// The program's gradient at point l in forward mode with a four-entry dual number in plain
/// double: the independent check of selgrad's own gradients.
struct Dual4 {
  double v;
  double d[4];
};
inline Dual4 operator+(const Dual4& a, const Dual4& b) {
  return {a.v + b.v, {a.d[0] + b.d[0], a.d[1] + b.d[1], a.d[2] + b.d[2], a.d[3] + b.d[3]}};
}
inline Dual4 operator-(const Dual4& a, const Dual4& b) {
  return {a.v - b.v, {a.d[0] - b.d[0], a.d[1] - b.d[1], a.d[2] - b.d[2], a.d[3] - b.d[3]}};
}
inline Dual4 operator-(const Dual4& a) { return {-a.v, {-a.d[0], -a.d[1], -a.d[2], -a.d[3]}}; }
inline Dual4 scale(const Dual4& a, double v, double s) { return {v, {s * a.d[0], s * a.d[1], s * a.d[2], s * a.d[3]}}; }
inline Dual4 operator*(const Dual4& a, const Dual4& b) {
  return {a.v * b.v, {a.d[0] * b.v + a.v * b.d[0], a.d[1] * b.v + a.v * b.d[1], a.d[2] * b.v + a.v * b.d[2],
                      a.d[3] * b.v + a.v * b.d[3]}};
}
inline Dual4 operator*(const Dual4& a, double c) { return scale(a, a.v * c, c); }
inline Dual4 operator+(const Dual4& a, double c) { return {a.v + c, {a.d[0], a.d[1], a.d[2], a.d[3]}}; }
inline Dual4 operator/(const Dual4& a, const Dual4& b) {
  const double q = a.v / b.v;
  Dual4 r{q, {}};
  for (int i = 0; i < 4; ++i) r.d[i] = (a.d[i] - q * b.d[i]) / b.v;
  return r;
}
struct Dual4Ops {
  static Dual4 exp(const Dual4& a) { return scale(a, std::exp(a.v), std::exp(a.v)); }
  static Dual4 log(const Dual4& a) { return scale(a, std::log(a.v), 1 / a.v); }
};
inline std::vector<double> dual_batch_gradient(const std::vector<double>& x, std::size_t points) {
  std::vector<double> g(4 * points);
  for (std::size_t l = 0; l < points; ++l) {
    Dual4 in[4];
    for (int i = 0; i < 4; ++i) {
      in[i] = {x[4 * l + i], {0, 0, 0, 0}};
      in[i].d[i] = 1;
    }
    const Dual4 y = batch_function<Dual4Ops, Dual4>(in[0], in[1], in[2], in[3]);
    for (int i = 0; i < 4; ++i) g[4 * l + i] = y.d[i];
  }
  return g;
}

void register_batch_selgrad();
void register_batch_hand();
void register_batch_adolc();
void register_batch_sacado();
void register_batch_eigen();

}  // namespace selgrad::bench::peers
