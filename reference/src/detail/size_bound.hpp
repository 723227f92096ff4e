// Bounds on the size of exact results from the sizes of their operands, so that the operand size
// cap (Options::max_operand_bits) and the evaluation's size budget (Options::max_total_bits) are
// checked *before* the arithmetic they bound: a product of two n-bit rationals is never computed
// to find out that it has 2n bits.
//
// A bound is kept as upper bounds of log2 |numerator| and log2 denominator (doubles, so that a
// sum of k terms grows by log2 k, not by a bit per term). For a = n1/d1 and b = n2/d2:
//   a * b = (n1 n2) / (d1 d2)                 L(n) <= L(n1) + L(n2),      L(d) <= L(d1) + L(d2)
//   a / b = (n1 d2) / (d1 n2)                 L(n) <= L(n1) + L(d2),      L(d) <= L(d1) + L(n2)
//   a + b = (n1 d2 + n2 d1) / (d1 d2)         L(n) <= log2(2^(L(n1)+L(d2)) + 2^(L(n2)+L(d1))),
//                                             L(d) <= L(d1) + L(d2)
//   a^k   = n1^k / d1^k                       L(n) <= k L(n1),            L(d) <= k L(d1)
// (canonicalisation only shrinks them). A part of value 0 counts as log2 1 = 0 (its products
// are 0, its sums the other term). The bit count of a part is floor(L) + 1 <= L + 1.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

#include "selgrad/program/program.hpp"
#include "selgrad/reference/scalars.hpp"

namespace selgrad::reference::detail {

namespace size_bound_detail {
/// Rounds a log2 bound up past the double arithmetic's error (sizes stay far below 2^53 bits).
inline double up(double x) { return x + 1e-9 * (1.0 + std::abs(x)); }
inline std::size_t to_bits(double log2_bound) {
  const double b = std::floor(log2_bound) + 1;
  return b >= 1.8e19 ? std::numeric_limits<std::size_t>::max() : static_cast<std::size_t>(b);
}
/// log2 of an integer's magnitude, rounded up (0 for 0).
inline double log2_of(mpz_srcptr z) {
  if (mpz_sgn(z) == 0) return 0;
  signed long e = 0;
  const double m = std::abs(mpz_get_d_2exp(&e, z));  // |z| = m 2^e, 1/2 <= m < 1 (m rounded toward 0)
  // m is truncated to 53 bits: |z| < (m + 2^-53) 2^e.
  return up(static_cast<double>(e) + std::log2(m + 0x1p-53));
}
}  // namespace size_bound_detail

/// Upper bounds of log2 |numerator| and log2 denominator.
struct Bits {
  double num = 0, den = 0;
  /// Bits of numerator plus denominator (what bit_size() counts).
  std::size_t total() const { return sat_add(size_bound_detail::to_bits(num), size_bound_detail::to_bits(den)); }

  static std::size_t sat_add(std::size_t a, std::size_t b) {
    return a > std::numeric_limits<std::size_t>::max() - b ? std::numeric_limits<std::size_t>::max() : a + b;
  }
  static std::size_t sat_mul(std::size_t a, std::size_t b) {
    return b != 0 && a > std::numeric_limits<std::size_t>::max() / b ? std::numeric_limits<std::size_t>::max()
                                                                       : a * b;
  }
};

inline Bits bits_of(const Rational& r) {
  mpq_srcptr q = r.backend().data();
  return {size_bound_detail::log2_of(mpq_numref(q)), size_bound_detail::log2_of(mpq_denref(q))};
}

inline Bits times(Bits a, Bits b) {
  using size_bound_detail::up;
  return {up(a.num + b.num), up(a.den + b.den)};
}
inline Bits over(Bits a, Bits b) {
  using size_bound_detail::up;
  return {up(a.num + b.den), up(a.den + b.num)};
}
inline Bits plus(Bits a, Bits b) {
  using size_bound_detail::up;
  const double x = a.num + b.den, y = b.num + a.den, hi = std::max(x, y), lo = std::min(x, y);
  return {up(hi + std::log2(1 + std::exp2(lo - hi))), up(a.den + b.den)};
}
/// a^|k| (a^k for k < 0 swaps numerator and denominator: the same total).
inline Bits power(Bits a, std::uint64_t k) {
  using size_bound_detail::up;
  return {up(a.num * static_cast<double>(k)), up(a.den * static_cast<double>(k))};
}

/// What evaluating one node in exact arithmetic may produce: the largest single value (the
/// node's value or one of its partials) and the total size of the value and all its partials.
struct NodeBound {
  std::size_t largest = 0;
  std::size_t total = 0;
  void add(Bits b) {
    largest = std::max(largest, b.total());
    total = Bits::sat_add(total, b.total());
  }
};

/// Bound for a smooth op of the exact field (add, sub, neg, mul, div, powi, lin) at arguments
/// `a`, following op_rules.hpp's smooth_value and smooth_partials step by step. Other ops (the
/// selections, whose values and partials are copies or 0/1) cost their arguments' sizes.
inline NodeBound smooth_bound(const Node& n, std::span<const Rational* const> a) {
  NodeBound b;
  const Bits one{0, 0};  // the constants 1 and -1
  switch (n.op) {
    case Op::Add: {
      Bits y = bits_of(*a[0]);
      for (std::size_t i = 1; i < a.size(); ++i) {
        y = plus(y, bits_of(*a[i]));
        b.add(y);  // every partial sum is a value computed
      }
      b.add(y);
      for (std::size_t i = 0; i < a.size(); ++i) b.add(one);
      return b;
    }
    case Op::Sub:
      b.add(plus(bits_of(*a[0]), bits_of(*a[1])));
      b.add(one);
      b.add(one);
      return b;
    case Op::Neg:
      b.add(bits_of(*a[0]));
      b.add(one);
      return b;
    case Op::Mul: {
      // The value, every prefix and suffix product, and each partial (a prefix times a suffix)
      // are products of some of the factors: each is at most the product of all of them.
      Bits all{0, 0};  // the empty product 1
      for (const Rational* x : a) all = times(all, bits_of(*x));
      for (std::size_t i = 0; i <= a.size(); ++i) b.add(all);                  // value, partials
      b.total = Bits::sat_add(b.total, Bits::sat_mul(2, all.total()));  // prefix, suffix
      return b;
    }
    case Op::Div: {
      const Bits x = bits_of(*a[0]), y = bits_of(*a[1]);
      const Bits q = over(x, y), inv = over(one, y);
      b.add(q);
      b.add(inv);
      b.add(times(q, inv));
      return b;
    }
    case Op::Powi: {
      const auto k = static_cast<std::uint64_t>(n.power < 0 ? -n.power : n.power);
      const Bits x = bits_of(*a[0]);
      b.add(power(x, k));
      b.add(times(power(x, k == 0 ? 0 : k - 1), Bits{64, 0}));  // k a^(k-1), |k| < 2^64
      return b;
    }
    case Op::Lin: {
      Bits y = bits_of(*a[0]);
      b.add(one);
      for (std::size_t i = 1; i + 1 < a.size(); i += 2) {
        const Bits c = bits_of(*a[i]), x = bits_of(*a[i + 1]);
        y = plus(y, times(c, x));
        b.add(y);
        b.add(c);  // the partials are copies of the coefficients and arguments
        b.add(x);
      }
      return b;
    }
    default:
      for (const Rational* x : a) b.add(bits_of(*x));
      return b;
  }
}

/// Bound for an update acc + x * y of an adjoint or tangent (Algorithm 2).
inline Bits update_bound(const Rational& acc, const Rational& x, const Rational& y) {
  return plus(bits_of(acc), times(bits_of(x), bits_of(y)));
}

}  // namespace selgrad::reference::detail
