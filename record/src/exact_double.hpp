// Exact arithmetic on doubles: the result when it is exactly a double, else nothing.
//
// Constant folding and the coefficients of fused affine nodes must not round (a constant is an
// exact rational). These functions return a + b, a * b, a / b only when the double they compute
// is the exact value, decided with error-free transformations: TwoSum for the sum, an FMA
// residual for the product and the quotient. The FMA residual is exact only while the partial
// products stay above the subnormal range, so tiny results are reported as inexact (the caller
// then keeps the operation symbolic, which is always correct).
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>

namespace selgrad::detail {

inline std::optional<double> exact_sum(double a, double b) {
  const double s = a + b;
  if (!std::isfinite(s)) return std::nullopt;
  const double bb = s - a;
  const double err = (a - (s - bb)) + (b - bb);  // TwoSum: a + b = s + err exactly
  if (err != 0) return std::nullopt;
  return s == 0 ? 0.0 : s;
}

// Below this magnitude the FMA residual of a product may itself round (to 0): a*b - p is a
// multiple of ulp(a) ulp(b), which is >= 2^-1074 (the smallest subnormal) when |a*b| >= 2^-967.
inline constexpr double kExactResidualFloor = 0x1p-967;

inline std::optional<double> exact_product(double a, double b) {
  const double p = a * b;
  if (!std::isfinite(p)) return std::nullopt;
  if (a == 0 || b == 0) return 0.0;
  if (std::fabs(p) < kExactResidualFloor) return std::nullopt;
  if (std::fma(a, b, -p) != 0) return std::nullopt;
  return p;
}

/// b != 0.
inline std::optional<double> exact_quotient(double a, double b) {
  if (a == 0) return 0.0;
  const double q = a / b;
  if (!std::isfinite(q) || q == 0) return std::nullopt;
  if (std::fabs(a) < kExactResidualFloor) return std::nullopt;
  if (std::fma(q, b, -a) != 0) return std::nullopt;  // q b = a exactly
  return q;
}

/// x^k exactly (x != 0 when k < 0), by squaring; nothing if some step is no double.
inline std::optional<double> exact_power(double x, std::int64_t k) {
  std::uint64_t n = k < 0 ? static_cast<std::uint64_t>(-(k + 1)) + 1 : static_cast<std::uint64_t>(k);
  std::optional<double> r = 1.0, base = x;
  while (n != 0) {
    if (n & 1) {
      r = exact_product(*r, *base);
      if (!r) return std::nullopt;
    }
    n >>= 1;
    if (n != 0) {
      base = exact_product(*base, *base);
      if (!base) return std::nullopt;
    }
  }
  return k < 0 ? exact_quotient(1.0, *r) : r;
}

}  // namespace selgrad::detail
