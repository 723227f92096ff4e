// Forward-mode dual numbers over any scalar S: a value and a tangent vector, with their own
// sum, product and quotient rules and their own derivatives of exp, log, sqrt, softplus, sigmoid
// and tanh. Evaluating a program's frozen branches (frozen.hpp) with Dual<S> computes the
// ordinary gradient of the smooth program f_sigma by a route that shares nothing with the
// engines' Algorithm 2 (no smooth_partials / piece_partials, no sweep).
//
// Dual<Rational> gives exact gradients of rational programs (T2, T1); Dual<Interval> evaluated
// on a box encloses the gradient of f_sigma over the whole box (P3, T3).
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "selgrad/program/op_rules.hpp"

namespace selgrad::properties {

template <class S>
struct Dual {
  S v;               ///< value
  std::vector<S> d;  ///< tangent (gradient) entries; empty means a constant (all zero)

  Dual() : v(ScalarOps<S>::from_int(0)) {}
  explicit Dual(S value, std::vector<S> tangent = {}) : v(std::move(value)), d(std::move(tangent)) {}

  /// The i-th of n input variables at value x.
  static Dual variable(S x, std::size_t i, std::size_t n) {
    std::vector<S> t(n, ScalarOps<S>::from_int(0));
    t[i] = ScalarOps<S>::from_int(1);
    return Dual(std::move(x), std::move(t));
  }
  /// An input with a given tangent (a direction).
  static Dual along(S x, S tangent) { return Dual(std::move(x), {std::move(tangent)}); }

  S partial(std::size_t i) const { return i < d.size() ? d[i] : ScalarOps<S>::from_int(0); }

  Dual& operator+=(const Dual& o) { return *this = *this + o; }
  Dual& operator-=(const Dual& o) { return *this = *this - o; }
  Dual& operator*=(const Dual& o) { return *this = *this * o; }

  /// Tangent of a linear combination: ca * a.d + cb * b.d, either side possibly constant.
  template <class Fa, class Fb>
  static std::vector<S> combine(const Dual& a, Fa&& ca, const Dual& b, Fb&& cb) {
    const std::size_t n = std::max(a.d.size(), b.d.size());
    std::vector<S> t;
    t.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (i < a.d.size() && i < b.d.size())
        t.push_back(S(ca(a.d[i]) + cb(b.d[i])));
      else if (i < a.d.size())
        t.push_back(S(ca(a.d[i])));
      else
        t.push_back(S(cb(b.d[i])));
    }
    return t;
  }

  friend Dual operator+(const Dual& a, const Dual& b) {
    return Dual(S(a.v + b.v), combine(a, [](const S& x) { return x; }, b, [](const S& x) { return x; }));
  }
  friend Dual operator-(const Dual& a, const Dual& b) {
    return Dual(S(a.v - b.v), combine(a, [](const S& x) { return x; }, b, [](const S& x) { return S(-x); }));
  }
  friend Dual operator-(const Dual& a) {
    std::vector<S> t;
    for (const auto& x : a.d) t.push_back(S(-x));
    return Dual(S(-a.v), std::move(t));
  }
  /// Product rule: (ab)' = a' b + a b'.
  friend Dual operator*(const Dual& a, const Dual& b) {
    return Dual(S(a.v * b.v), combine(a, [&](const S& x) { return S(x * b.v); }, b,
                                      [&](const S& x) { return S(a.v * x); }));
  }
  /// Quotient rule: (a/b)' = (a' b - a b') / b^2.
  friend Dual operator/(const Dual& a, const Dual& b) {
    const S b2 = S(b.v * b.v);
    return Dual(S(a.v / b.v), combine(a, [&](const S& x) { return S(S(x * b.v) / b2); }, b,
                                      [&](const S& x) { return S(-S(S(a.v * x) / b2)); }));
  }

  /// Chain rule for a scalar function with value fv and derivative fd at v.
  Dual apply(S fv, const S& fd) const {
    std::vector<S> t;
    t.reserve(d.size());
    for (const auto& x : d) t.push_back(S(x * fd));
    return Dual(std::move(fv), std::move(t));
  }
};

}  // namespace selgrad::properties

namespace selgrad {

template <class S>
struct ScalarOps<properties::Dual<S>> {
  using D = properties::Dual<S>;
  using B = ScalarOps<S>;
  static D from_literal(const Literal& l) { return D(B::from_literal(l)); }
  static D from_int(std::int64_t v) { return D(B::from_int(v)); }
  /// a^k by repeated products (product rule), 1 / a^|k| (quotient rule) for k < 0.
  static D powi(const D& a, std::int64_t k) {
    if (k < 0) return from_int(1) / powi(a, -k);
    D result = from_int(1), base = a;
    for (std::int64_t e = k; e > 0; e >>= 1) {
      if (e & 1) result = result * base;
      if (e > 1) base = base * base;
    }
    return result;
  }
  static D exp(const D& a) {
    S e = B::exp(a.v);
    return a.apply(e, e);
  }
  static D log(const D& a) { return a.apply(B::log(a.v), S(B::from_int(1) / a.v)); }
  static D sqrt(const D& a) {
    S r = B::sqrt(a.v);
    return a.apply(r, S(B::from_int(1) / S(B::from_int(2) * r)));
  }
  static D softplus(const D& a) { return a.apply(B::softplus(a.v), B::sigmoid(a.v)); }
  static D sigmoid(const D& a) {
    S s = B::sigmoid(a.v);
    return a.apply(s, S(s * S(B::from_int(1) - s)));
  }
  static D tanh(const D& a) {
    S t = B::tanh(a.v);
    return a.apply(t, S(B::from_int(1) - S(t * t)));
  }
};

}  // namespace selgrad
