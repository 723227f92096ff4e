// Truncated Taylor series with interval coefficients (Taylor-mode AD), to bound high
// derivatives of a smooth program along a segment (P2's quadrature error).
//
// A Taylor<K> value holds c_0 .. c_K. Evaluating the frozen program f_sigma with the inputs
// x_i + (t + tau)(y_i - x_i), where the base point t ranges over an interval [a, b] (so c_0 of
// input i is the interval x_i + [a, b](y_i - x_i), c_1 is y_i - x_i, the rest 0), yields for
// F(t) = f_sigma(x + t (y - x)) coefficients c_k enclosing F^(k)(t) / k! for every t in [a, b]:
// every operation below is the standard recurrence on coefficients, applied in interval
// arithmetic, so each coefficient encloses its value at every base point of the interval.
//   product      c_k = sum_j a_j b_{k-j}
//   quotient     q_k = (a_k - sum_{j<k} q_j b_{k-j}) / b_0
//   exp          e_0 = exp(a_0), e_k = (1/k) sum_{j=1..k} j a_j e_{k-j}
//   log          l_0 = log(a_0), l_k = (a_k - (1/k) sum_{j=1..k-1} j l_j a_{k-j}) / a_0
//   sqrt         s_0 = sqrt(a_0), s_k = (a_k - sum_{j=1..k-1} s_j s_{k-j}) / (2 s_0)
//   softplus = log(1 + exp(a)), sigmoid = 1 / (1 + exp(-a)), tanh = 1 - 2 / (exp(2a) + 1),
//   powi by repeated products (and a quotient for negative powers).
#pragma once

#include <cstdint>
#include <vector>

#include "selgrad/program/op_rules.hpp"
#include "support/interval.hpp"

namespace selgrad::properties {

class Taylor {
 public:
  static inline thread_local std::size_t order = 8;  ///< K: coefficients c_0 .. c_K

  Taylor() : c_(order + 1, Interval(0)) {}
  explicit Taylor(Interval constant) : Taylor() { c_[0] = std::move(constant); }
  /// base + tau * slope.
  static Taylor line(Interval base, Interval slope) {
    Taylor t(std::move(base));
    if (order >= 1) t.c_[1] = std::move(slope);
    return t;
  }

  const Interval& operator[](std::size_t k) const { return c_[k]; }
  Interval& operator[](std::size_t k) { return c_[k]; }
  std::size_t size() const { return c_.size(); }

  Taylor& operator+=(const Taylor& o) { return *this = *this + o; }
  Taylor& operator-=(const Taylor& o) { return *this = *this - o; }
  Taylor& operator*=(const Taylor& o) { return *this = *this * o; }

  friend Taylor operator+(const Taylor& a, const Taylor& b) {
    Taylor r;
    for (std::size_t k = 0; k < r.size(); ++k) r[k] = a[k] + b[k];
    return r;
  }
  friend Taylor operator-(const Taylor& a, const Taylor& b) {
    Taylor r;
    for (std::size_t k = 0; k < r.size(); ++k) r[k] = a[k] - b[k];
    return r;
  }
  friend Taylor operator-(const Taylor& a) {
    Taylor r;
    for (std::size_t k = 0; k < r.size(); ++k) r[k] = -a[k];
    return r;
  }
  friend Taylor operator*(const Taylor& a, const Taylor& b) {
    Taylor r;
    for (std::size_t k = 0; k < r.size(); ++k) {
      Interval s(0);
      for (std::size_t j = 0; j <= k; ++j) s += a[j] * b[k - j];
      r[k] = s;
    }
    return r;
  }
  friend Taylor operator/(const Taylor& a, const Taylor& b) {
    Taylor q;
    for (std::size_t k = 0; k < q.size(); ++k) {
      Interval s = a[k];
      for (std::size_t j = 0; j < k; ++j) s -= q[j] * b[k - j];
      q[k] = s / b[0];
    }
    return q;
  }

  static Taylor exp(const Taylor& a) {
    Taylor e;
    e[0] = ScalarOps<Interval>::exp(a[0]);
    for (std::size_t k = 1; k < e.size(); ++k) {
      Interval s(0);
      for (std::size_t j = 1; j <= k; ++j) s += Interval(static_cast<long>(j)) * a[j] * e[k - j];
      e[k] = s / Interval(static_cast<long>(k));
    }
    return e;
  }
  static Taylor log(const Taylor& a) {
    Taylor l;
    l[0] = ScalarOps<Interval>::log(a[0]);
    for (std::size_t k = 1; k < l.size(); ++k) {
      Interval s(0);
      for (std::size_t j = 1; j < k; ++j) s += Interval(static_cast<long>(j)) * l[j] * a[k - j];
      l[k] = (a[k] - s / Interval(static_cast<long>(k))) / a[0];
    }
    return l;
  }
  static Taylor sqrt(const Taylor& a) {
    Taylor s;
    s[0] = ScalarOps<Interval>::sqrt(a[0]);
    for (std::size_t k = 1; k < s.size(); ++k) {
      Interval acc(0);
      for (std::size_t j = 1; j < k; ++j) acc += s[j] * s[k - j];
      s[k] = (a[k] - acc) / (Interval(2) * s[0]);
    }
    return s;
  }

 private:
  std::vector<Interval> c_;
};

}  // namespace selgrad::properties

namespace selgrad {

template <>
struct ScalarOps<properties::Taylor> {
  using T = properties::Taylor;
  static T from_literal(const Literal& l) { return T(ScalarOps<reference::Interval>::from_literal(l)); }
  static T from_int(std::int64_t v) { return T(reference::Interval(static_cast<long>(v))); }
  static T powi(const T& a, std::int64_t k) {
    if (k < 0) return from_int(1) / powi(a, -k);
    T result = from_int(1), base = a;
    for (std::int64_t e = k; e > 0; e >>= 1) {
      if (e & 1) result = result * base;
      if (e > 1) base = base * base;
    }
    return result;
  }
  static T exp(const T& a) { return T::exp(a); }
  static T log(const T& a) { return T::log(a); }
  static T sqrt(const T& a) { return T::sqrt(a); }
  static T softplus(const T& a) { return T::log(from_int(1) + T::exp(a)); }
  static T sigmoid(const T& a) { return from_int(1) / (from_int(1) + T::exp(-a)); }
  static T tanh(const T& a) { return from_int(1) - from_int(2) / (T::exp(from_int(2) * a) + from_int(1)); }
};

}  // namespace selgrad
