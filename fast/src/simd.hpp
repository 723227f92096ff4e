// The SIMD register of the double engine: a Pack of kV doubles (AVX-512: 8, AVX2: 4, else 1),
// as a GCC vector type (+ - * / and comparisons lane-wise), and SLEEF's 1.0-ulp vector
// functions at that width.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

// GCC 12 reports -Wmaybe-uninitialized inside its own AVX-512 headers (the _mm512_undefined_*
// idiom) when SLEEF's inline declarations are used; the warning is about the compiler's header.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#include <sleef.h>
#pragma GCC diagnostic pop

namespace selgrad::fast::detail {

#if defined(__AVX512F__)
inline constexpr std::size_t kV = 8;
using Pack = __m512d;
inline Pack sleef_exp(Pack x) { return Sleef_expd8_u10avx512f(x); }
inline Pack sleef_log(Pack x) { return Sleef_logd8_u10avx512f(x); }
inline Pack sleef_log1p(Pack x) { return Sleef_log1pd8_u10avx512f(x); }
inline Pack sleef_tanh(Pack x) { return Sleef_tanhd8_u10avx512f(x); }
inline Pack sqrt(Pack x) { return _mm512_sqrt_pd(x); }
#elif defined(__AVX2__)
inline constexpr std::size_t kV = 4;
using Pack = __m256d;
inline Pack sleef_exp(Pack x) { return Sleef_expd4_u10avx2(x); }
inline Pack sleef_log(Pack x) { return Sleef_logd4_u10avx2(x); }
inline Pack sleef_log1p(Pack x) { return Sleef_log1pd4_u10avx2(x); }
inline Pack sleef_tanh(Pack x) { return Sleef_tanhd4_u10avx2(x); }
inline Pack sqrt(Pack x) { return _mm256_sqrt_pd(x); }
#else
inline constexpr std::size_t kV = 1;
typedef double Pack __attribute__((vector_size(8), __may_alias__));
inline Pack sleef_exp(Pack x) { return Pack{Sleef_exp_u10(x[0])}; }
inline Pack sleef_log(Pack x) { return Pack{Sleef_log_u10(x[0])}; }
inline Pack sleef_log1p(Pack x) { return Pack{Sleef_log1p_u10(x[0])}; }
inline Pack sleef_tanh(Pack x) { return Pack{Sleef_tanh_u10(x[0])}; }
inline Pack sqrt(Pack x) { return Pack{std::sqrt(x[0])}; }
#endif

/// The bits of a Pack, lane-wise (the type comparisons of Packs return).
typedef std::int64_t PackBits __attribute__((vector_size(sizeof(Pack))));

inline Pack broadcast(double x) { return Pack{} + x; }
inline Pack load(const double* p) {
  Pack v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store(double* p, Pack v) { std::memcpy(p, &v, sizeof v); }

}  // namespace selgrad::fast::detail
