// The hand-written baseline of the batched workload: plain vectorised C++ of the 22-op program
// of batch.hpp and of its adjoint (AVX-512 or AVX2 registers, SLEEF's 1-ulp exp/log), reading
// columns. It is the limit an engine can approach; bench/fast_bench.cpp and the peer suite
// measure against it. Defines SELGRAD_HAND_BATCH when the machine has AVX2 or AVX-512.
#pragma once

#include <cstddef>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#include <sleef.h>
#pragma GCC diagnostic pop

namespace selgrad::bench::peers::hand {

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
template <bool Gradient>
void hand_batch(const double* c, std::size_t n, double* out, double* grad /* n x 4 */) {
  const double *c0 = c, *c1 = c + n, *c2 = c + 2 * n, *c3 = c + 3 * n;
  for (std::size_t l = 0; l + kW <= n; l += kW) {
    const V x0 = load(c0 + l), x1 = load(c1 + l), x2 = load(c2 + l), x3 = load(c3 + l);
    const V t1 = x0 * x1, t2 = x2 - x3, t3 = t2 * t2, t4 = t1 + t3, t5 = t4 * splat(0.25);
    const V t6 = vexp(t5), t7 = x0 + x3, t8 = t6 / t7, t9 = x1 * x2, t10 = t9 + splat(1.0);
    const V t11 = vlog(t10), t12 = t11 * t8, t13 = t12 - x0, t14 = t13 * t13, t15 = -t14;
    const V t16 = vexp(t15), t17 = t16 + x1, t18 = vlog(t17), t19 = t18 / t10, t20 = t19 * x3;
    const V t21 = t20 + t12, t22 = t21 - t3;
    store(out + l, t22);
    if constexpr (Gradient) {
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
#define SELGRAD_HAND_BATCH 1
#endif

}  // namespace selgrad::bench::peers::hand
