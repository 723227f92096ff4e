// Bounds on the size of exact results from the sizes of their operands, so that the operand size
// cap (Options::max_operand_bits) and the evaluation's size budget (Options::max_total_bits) are
// checked *before* the arithmetic they bound: a product of two n-bit rationals is never computed
// to find out that it has 2n bits.
//
// Sizes are bit counts of numerator and denominator of a rational in lowest terms. For
// a = n1/d1 and b = n2/d2 (|n| < 2^N, d < 2^D):
//   a * b = (n1 n2) / (d1 d2)                 N <= N1 + N2,              D <= D1 + D2
//   a / b = (n1 d2) / (d1 n2)                 N <= N1 + D2,              D <= D1 + N2
//   a + b = (n1 d2 + n2 d1) / (d1 d2)         N <= max(N1 + D2, N2 + D1) + 1, D <= D1 + D2
//   a^k   = n1^k / d1^k                       N <= k N1,                 D <= k D1
// (canonicalisation only shrinks them). The arithmetic saturates, so no bound overflows.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

#include "selgrad/program/program.hpp"
#include "selgrad/reference/scalars.hpp"

namespace selgrad::reference::detail {

/// Bit counts of numerator and denominator (upper bounds).
struct Bits {
  std::size_t num = 1, den = 1;
  std::size_t total() const { return sat_add(num, den); }

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
  return {mpz_sizeinbase(mpq_numref(q), 2), mpz_sizeinbase(mpq_denref(q), 2)};
}

inline Bits times(Bits a, Bits b) { return {Bits::sat_add(a.num, b.num), Bits::sat_add(a.den, b.den)}; }
inline Bits over(Bits a, Bits b) { return {Bits::sat_add(a.num, b.den), Bits::sat_add(a.den, b.num)}; }
inline Bits plus(Bits a, Bits b) {
  return {Bits::sat_add(std::max(Bits::sat_add(a.num, b.den), Bits::sat_add(b.num, a.den)), 1),
          Bits::sat_add(a.den, b.den)};
}
/// a^|k| (a^k for k < 0 swaps numerator and denominator: the same total). A part of one bit is
/// 0 or 1, and so are its powers.
inline Bits power(Bits a, std::uint64_t k) {
  const auto part = [k](std::size_t bits) { return bits <= 1 ? bits : Bits::sat_mul(bits, k); };
  return {part(a.num), part(a.den)};
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
  const Bits one{1, 1};
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
      Bits all{0, 0};
      for (const Rational* x : a) all = times(all, bits_of(*x));
      for (std::size_t i = 0; i <= a.size(); ++i) b.add(all);                  // value, partials
      b.total = Bits::sat_add(b.total, Bits::sat_mul(2, all.total()));         // prefix, suffix
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
      b.add(times(power(x, k == 0 ? 0 : k - 1), Bits{64, 1}));  // k a^(k-1)
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
