// A first-order bound of the rounding error of the double engine's computation, to judge how
// tight certification's bound is (FAST.tight, properties/fast/FAST_certify.cpp).
//
// An ErrorBall is a double value c (computed as the engine computes it) and a radius r: the
// model's bound of the error of c. Evaluating a program's frozen branches over ErrorBall, with
// the op rules' value and partial formulas and Algorithm 2's sweeps in the reference's order,
// propagates, operation by operation, the standard first-order rounding-error bound
//   r(f(a_1..a_n)) = sum_i |df/da_i| r(a_i) + e_f |f|,
// with e_f the accuracy of the operation in the double engine (u = 2^-53):
//   + - * / sqrt and rounding a literal        e = u      (correctly rounded: half an ulp)
//   exp log tanh (SLEEF, 1 ulp) powi (libm pow) e = 2u     (one ulp)
//   softplus sigmoid (exp, log1p or 1/(1+e), an add: three roundings, see certify.hpp)  e = 6u
// Negation, exact integers and literals that are doubles have e = 0. The radius of each
// multiplication, division and function also includes the second-order term (r_a r_b for a
// product), and `second_order_small` records whether every such term stayed below 2^-20 of the
// first-order one: only then is the first-order comparison of FAST.tight meaningful.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "selgrad/fast/tape.hpp"
#include "selgrad/program/rules/common.hpp"
#include "selgrad/reference/scalars.hpp"

namespace selgrad::properties {

struct ErrorBall {
  double c = 0;  ///< the value, as the double engine computes it
  double r = 0;  ///< first-order bound of its rounding error

  static constexpr double kU = 0x1p-53;
  static constexpr double kSecondOrder = 0x1p-20;
  static inline thread_local bool second_order_small = true;

  ErrorBall() = default;
  ErrorBall(double value, double radius) : c(value), r(radius) {}

  /// Adds e |c| for an operation of relative accuracy e.
  ErrorBall rounded(double e) const { return {c, r + e * std::fabs(c)}; }
  static void second_order(double second, double first) {
    if (second > kSecondOrder * first) second_order_small = false;
  }

  friend ErrorBall operator+(const ErrorBall& a, const ErrorBall& b) { return ErrorBall(a.c + b.c, a.r + b.r).rounded(kU); }
  friend ErrorBall operator-(const ErrorBall& a, const ErrorBall& b) { return ErrorBall(a.c - b.c, a.r + b.r).rounded(kU); }
  friend ErrorBall operator-(const ErrorBall& a) { return {-a.c, a.r}; }
  friend ErrorBall operator*(const ErrorBall& a, const ErrorBall& b) {
    const double first = std::fabs(a.c) * b.r + std::fabs(b.c) * a.r, second = a.r * b.r;
    second_order(second, first);
    return ErrorBall(a.c * b.c, first + second).rounded(kU);
  }
  friend ErrorBall operator/(const ErrorBall& a, const ErrorBall& b) {
    // |a/b - (a + da)/(b + db)| <= (|da| + |a/b| |db|) / (|b| - |db|)
    const double q = a.c / b.c;
    const double first = (a.r + std::fabs(q) * b.r) / std::fabs(b.c);
    second_order(b.r, std::fabs(b.c));
    return ErrorBall(q, first * (1 + 2 * b.r / std::fabs(b.c))).rounded(kU);
  }
  ErrorBall& operator+=(const ErrorBall& o) { return *this = *this + o; }
  ErrorBall& operator-=(const ErrorBall& o) { return *this = *this - o; }
  ErrorBall& operator*=(const ErrorBall& o) { return *this = *this * o; }

  /// f at a with derivative bound `slope` (|f'| near a) and accuracy e; `radius_limit`: the
  /// argument's radius above which the second-order term is not negligible.
  static ErrorBall function(const ErrorBall& a, double value, double slope, double e, double radius_limit) {
    second_order(a.r, radius_limit);
    return ErrorBall(value, std::fabs(slope) * a.r).rounded(e);
  }
};

}  // namespace selgrad::properties

namespace selgrad {

template <>
struct ScalarOps<properties::ErrorBall> {
  using B = properties::ErrorBall;
  static constexpr double kU = B::kU;
  static constexpr double kLimit = B::kSecondOrder;
  static B from_int(std::int64_t v) { return {static_cast<double>(v), 0.0}; }
  static B from_literal(const Literal& l) {
    const double d = fast::literal_to_double(l);
    return {d, reference::Rational(d) == reference::to_rational(l) ? 0.0 : kU * std::fabs(d)};
  }
  static B powi(const B& a, std::int64_t k) {
    const double v = std::pow(a.c, static_cast<int>(k));
    const double slope = k == 0 ? 0.0 : static_cast<double>(k) * std::pow(a.c, static_cast<int>(k - 1));
    return B::function(a, v, slope, 2 * kU, kLimit * std::fabs(a.c) / static_cast<double>(1 + (k < 0 ? -k : k)));
  }
  static B exp(const B& a) { return B::function(a, std::exp(a.c), std::exp(a.c), 2 * kU, kLimit); }
  static B log(const B& a) { return B::function(a, std::log(a.c), 1 / a.c, 2 * kU, kLimit * std::fabs(a.c)); }
  static B sqrt(const B& a) { return B::function(a, std::sqrt(a.c), 0.5 / std::sqrt(a.c), kU, kLimit * std::fabs(a.c)); }
  static B tanh(const B& a) {
    const double t = std::tanh(a.c);
    return B::function(a, t, 1 - t * t, 2 * kU, kLimit);
  }
  static B softplus(const B& a) {
    const double s = 1 / (1 + std::exp(-a.c));
    return B::function(a, std::fmax(a.c, 0.0) + std::log1p(std::exp(-std::fabs(a.c))), s, 6 * kU, kLimit);
  }
  static B sigmoid(const B& a) {
    const double s = 1 / (1 + std::exp(-a.c));
    return B::function(a, s, s * (1 - s), 6 * kU, kLimit);
  }
};

}  // namespace selgrad
