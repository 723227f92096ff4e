// The double engine's scalar types for the op rules: a Pack of kV doubles (one SIMD register,
// the lanes of a tile are computed a Pack at a time) and a lone double (a single point, the
// layers). Both give the op rules' ScalarOps: exp, log, log1p and tanh from SLEEF's 1.0-ulp
// vector functions, softplus and sigmoid through exp(-|a|) so that nothing overflows, sqrt and
// powi from the hardware and the C library.
//
// A lone double goes through lane 0 of a Pack (padded with 1.0, inside every function's
// domain), so a point's values are those of a lane of a batch, bit for bit, whatever the path.
//
// Errors. Hardware arithmetic raises an IEEE flag (overflow, division by zero, invalid)
// whenever it turns finite operands into a non-finite result; SLEEF produces its special values
// by selection, without flags. So every library function here raises FE_INVALID itself when a
// result is not finite: a tile then knows from its flags alone whether some lane left the
// domain (see BatchEvaluator).
#pragma once

#include <cfenv>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "simd.hpp"
#include "selgrad/program/rules/common.hpp"

namespace selgrad::fast::detail {

/// Lane-wise IEEE absolute value (clears the sign bit).
inline Pack abs(Pack x) {
  constexpr std::uint64_t kMagnitude = 0x7fffffffffffffffULL;
  return reinterpret_cast<Pack>(reinterpret_cast<PackBits>(x) & static_cast<std::int64_t>(kMagnitude));
}

/// True if every lane is finite: x - x is 0 for a finite lane, NaN otherwise.
inline bool all_finite(Pack x) {
  const Pack z = x - x;
#if defined(__AVX512F__)
  return _mm512_cmp_pd_mask(z, z, _CMP_UNORD_Q) == 0;
#elif defined(__AVX2__)
  return _mm256_movemask_pd(_mm256_cmp_pd(z, z, _CMP_UNORD_Q)) == 0;
#else
  return z[0] == z[0];
#endif
}

/// `y`, having raised FE_INVALID if some lane is not finite (see the file comment).
inline Pack flag_nonfinite(Pack y) {
  if (!all_finite(y)) std::feraiseexcept(FE_INVALID);
  return y;
}

/// A lone value through lane 0 of a Pack.
template <class F>
inline double lane0(double a, F&& f) {
  Pack x = broadcast(1.0);
  x[0] = a;
  return f(x)[0];
}

}  // namespace selgrad::fast::detail

namespace selgrad {

// Pack is a vector type with GCC attributes (vector_size, may_alias), which a template argument
// does not keep; the specialisation is for the vector type of kV doubles, as intended.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"
template <>
struct ScalarOps<fast::detail::Pack> {
  using Pack = fast::detail::Pack;
  static Pack from_int(std::int64_t v) { return fast::detail::broadcast(static_cast<double>(v)); }
  static Pack powi(const Pack& a, std::int64_t k) {
    Pack r = a;
    for (std::size_t i = 0; i < fast::detail::kV; ++i) r[i] = std::pow(a[i], static_cast<int>(k));
    return r;  // the C library raises the IEEE flags itself
  }
  static Pack exp(const Pack& a) { return fast::detail::flag_nonfinite(fast::detail::sleef_exp(a)); }
  static Pack log(const Pack& a) { return fast::detail::flag_nonfinite(fast::detail::sleef_log(a)); }
  static Pack sqrt(const Pack& a) { return fast::detail::sqrt(a); }  // correctly rounded; flags as hardware
  static Pack tanh(const Pack& a) { return fast::detail::flag_nonfinite(fast::detail::sleef_tanh(a)); }
  /// log(1 + e^a) = max(a, 0) + log1p(e^-|a|): no overflow.
  static Pack softplus(const Pack& a) {
    const Pack e = fast::detail::sleef_exp(-fast::detail::abs(a));
    const Pack zero = from_int(0);
    return fast::detail::flag_nonfinite(fast::detail::sleef_log1p(e) + (a > zero ? a : zero));
  }
  /// 1 / (1 + e^-a), through e^-|a|: 1/(1+e) for a >= 0, e/(1+e) below.
  static Pack sigmoid(const Pack& a) {
    const Pack e = fast::detail::sleef_exp(-fast::detail::abs(a));
    const Pack one = from_int(1);
    return fast::detail::flag_nonfinite(a >= from_int(0) ? one / (one + e) : e / (one + e));
  }
};

template <>
struct ScalarOps<double> {
  using P = ScalarOps<fast::detail::Pack>;
  static double from_int(std::int64_t v) { return static_cast<double>(v); }
  static double powi(double a, std::int64_t k) { return std::pow(a, static_cast<int>(k)); }
  static double exp(double a) { return fast::detail::lane0(a, P::exp); }
  static double log(double a) { return fast::detail::lane0(a, P::log); }
  static double sqrt(double a) { return std::sqrt(a); }
  static double tanh(double a) { return fast::detail::lane0(a, P::tanh); }
  static double softplus(double a) { return fast::detail::lane0(a, P::softplus); }
  static double sigmoid(double a) { return fast::detail::lane0(a, P::sigmoid); }
};
#pragma GCC diagnostic pop

}  // namespace selgrad
