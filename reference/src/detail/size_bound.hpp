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
#include <vector>

#include "selgrad/program/error.hpp"
#include "selgrad/program/op_rules.hpp"
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

/// A scalar that is a size bound: the op rules evaluated over it follow the exact computation
/// operation by operation, and every value an operation makes is counted in the active NodeBound
/// (copies of existing values are not: they make nothing larger). So a node's bound comes from
/// its rule, the same code the exact engine runs, and cannot drift from it.
struct SizeBound {
  Bits bits;
  static NodeBound*& sink() {
    thread_local NodeBound* s = nullptr;
    return s;
  }
  static SizeBound made(Bits b) {
    if (sink()) sink()->add(b);
    return {b};
  }
  friend SizeBound operator+(const SizeBound& x, const SizeBound& y) { return made(plus(x.bits, y.bits)); }
  friend SizeBound operator-(const SizeBound& x, const SizeBound& y) { return made(plus(x.bits, y.bits)); }
  friend SizeBound operator*(const SizeBound& x, const SizeBound& y) { return made(times(x.bits, y.bits)); }
  friend SizeBound operator/(const SizeBound& x, const SizeBound& y) { return made(over(x.bits, y.bits)); }
  friend SizeBound operator-(const SizeBound& x) { return made(x.bits); }
  SizeBound& operator+=(const SizeBound& o) { return *this = *this + o; }
  SizeBound& operator-=(const SizeBound& o) { return *this = *this - o; }
  SizeBound& operator*=(const SizeBound& o) { return *this = *this * o; }
};

}  // namespace selgrad::reference::detail

namespace selgrad {
template <>
struct ScalarOps<reference::detail::SizeBound> {
  using S = reference::detail::SizeBound;
  static S from_int(std::int64_t v) {
    const double m = v < 0 ? -static_cast<double>(v) : static_cast<double>(v);
    return S::made({m > 0 ? reference::detail::size_bound_detail::up(std::log2(m)) : 0.0, 0.0});
  }
  static S powi(const S& a, std::int64_t k) {  // a^k for k < 0 swaps numerator and denominator
    return S::made(reference::detail::power(a.bits, k < 0 ? static_cast<std::uint64_t>(-(k + 1)) + 1
                                                           : static_cast<std::uint64_t>(k)));
  }
  // Outside the rational field: the exact engine rejects such programs before evaluating them.
  static S unsupported() { throw Error(ErrorKind::Unsupported, {}, "no exact size bound for exp/log"); }
  static S exp(const S&) { return unsupported(); }
  static S log(const S&) { return unsupported(); }
  static S sqrt(const S&) { return unsupported(); }
  static S softplus(const S&) { return unsupported(); }
  static S sigmoid(const S&) { return unsupported(); }
  static S tanh(const S&) { return unsupported(); }
};
}  // namespace selgrad

namespace selgrad::reference::detail {

/// Bound of everything evaluating smooth node `n` at arguments `a` in exact arithmetic makes:
/// its value, its partials and every intermediate value, by running the node's rule over
/// SizeBound.
inline NodeBound smooth_bound(const Node& n, std::span<const Rational* const> a) {
  NodeBound b;
  NodeBound* const saved = SizeBound::sink();
  SizeBound::sink() = &b;
  struct Restore {
    NodeBound* saved;
    ~Restore() { SizeBound::sink() = saved; }
  } restore{saved};
  std::vector<SizeBound> args;
  args.reserve(a.size());
  for (const Rational* x : a) args.push_back({bits_of(*x)});
  std::vector<const SizeBound*> ptrs;
  for (const auto& x : args) ptrs.push_back(&x);
  const std::span<const SizeBound* const> view(ptrs);
  const SizeBound y = op_value<SizeBound>(n, 0, view);
  std::vector<SizeBound> d(a.size());
  op_partials<SizeBound>(n, 0, view, y, std::span<SizeBound>(d));
  return b;
}

/// Bound for an update acc + x * y of an adjoint or tangent (Algorithm 2).
inline Bits update_bound(const Rational& acc, const Rational& x, const Rational& y) {
  return plus(bits_of(acc), times(bits_of(x), bits_of(y)));
}

}  // namespace selgrad::reference::detail
