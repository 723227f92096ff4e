// The scalar types of the reference engine.
//
//  * Rational: exact rationals, Boost.Multiprecision over GMP (mpq_rational).
//  * Real:     an MPFR floating-point number at the working precision (a point value).
//  * Interval: an MPFI interval at the working precision (a rigorous enclosure).
//
// Real and Interval are small value types over mpfr_t / mpfi_t. New values take the current
// thread's working precision, set by a PrecisionScope; the reference engine raises it when a
// branch decision cannot be certified (see evaluate.hpp).
#pragma once

#include <boost/multiprecision/gmp.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <mpfi.h>
#include <mpfr.h>

#include "selgrad/program/literal.hpp"
#include "selgrad/program/op_rules.hpp"

namespace selgrad::reference {

using Rational = boost::multiprecision::mpq_rational;

/// Exact value of a literal.
Rational to_rational(const Literal& lit);
/// Bits needed to store a rational (numerator plus denominator); used by the operand size cap.
std::size_t bit_size(const Rational& r);
/// "p/q" or "p", as the command-line contract prints exact numbers.
std::string to_string(const Rational& r);

/// The working precision (bits) for new Real and Interval values on this thread.
mpfr_prec_t working_precision();

/// Sets the working precision for its lifetime and restores the previous one after.
class PrecisionScope {
 public:
  explicit PrecisionScope(mpfr_prec_t bits);
  ~PrecisionScope();
  PrecisionScope(const PrecisionScope&) = delete;
  PrecisionScope& operator=(const PrecisionScope&) = delete;

 private:
  mpfr_prec_t saved_;
};

/// While alive, every Interval result of exp, log, powi, softplus, sigmoid and tanh is widened
/// by `ulps` units in the last place (at the working precision) on each side. Used to enclose
/// a double computation whose elementary functions are faithful to within a few ulps rather
/// than correctly rounded (the double engine's certification).
class TranscendentalSlack {
 public:
  explicit TranscendentalSlack(unsigned ulps);
  ~TranscendentalSlack();
  TranscendentalSlack(const TranscendentalSlack&) = delete;
  TranscendentalSlack& operator=(const TranscendentalSlack&) = delete;

 private:
  unsigned saved_;
};

/// An MPFR number. Every operation rounds to nearest at the working precision.
class Real {
 public:
  Real();  ///< zero at the working precision
  explicit Real(long v);
  explicit Real(const Rational& q);
  Real(const Real& o);
  Real(Real&& o) noexcept;
  Real& operator=(const Real& o);
  Real& operator=(Real&& o) noexcept;
  ~Real();

  mpfr_ptr get() { return v_; }
  mpfr_srcptr get() const { return v_; }

  Real& operator+=(const Real& o);
  Real& operator-=(const Real& o);
  Real& operator*=(const Real& o);
  friend Real operator+(const Real& a, const Real& b);
  friend Real operator-(const Real& a, const Real& b);
  friend Real operator*(const Real& a, const Real& b);
  friend Real operator/(const Real& a, const Real& b);
  friend Real operator-(const Real& a);

  bool is_finite() const { return mpfr_number_p(v_) != 0; }
  int sign() const { return mpfr_sgn(v_); }
  /// Decimal digits: as many significant digits as the precision justifies to round-trip.
  std::string to_string() const;
  /// `digits` significant decimal digits, rounded to nearest: "d.ddde+N".
  std::string to_string(std::size_t digits) const;
  /// Exact value (finite only): every MPFR number is a dyadic rational.
  Rational to_rational() const;

 private:
  mpfr_t v_;
};

/// An MPFI interval: a closed interval guaranteed to contain the exact result of the
/// operations that produced it (outward rounding).
class Interval {
 public:
  Interval();  ///< [0, 0]
  explicit Interval(long v);
  explicit Interval(const Rational& q);  ///< the tightest enclosure of q
  Interval(const Interval& o);
  Interval(Interval&& o) noexcept;
  Interval& operator=(const Interval& o);
  Interval& operator=(Interval&& o) noexcept;
  ~Interval();

  mpfi_ptr get() { return v_; }
  mpfi_srcptr get() const { return v_; }

  Interval& operator+=(const Interval& o);
  Interval& operator-=(const Interval& o);
  Interval& operator*=(const Interval& o);
  friend Interval operator+(const Interval& a, const Interval& b);
  friend Interval operator-(const Interval& a, const Interval& b);
  friend Interval operator*(const Interval& a, const Interval& b);
  friend Interval operator/(const Interval& a, const Interval& b);
  friend Interval operator-(const Interval& a);

  /// Certified sign: Positive / Negative when the whole interval is on one side of 0, Zero
  /// when it is exactly [0, 0], and std::nullopt when it straddles 0 (undecided).
  std::optional<Sign> certified_sign() const;
  bool is_bounded() const;  ///< both ends finite and not NaN
  Real lower() const;
  Real upper() const;
  /// Upper bound (rounded up) of the width, as a double, for reports.
  double width() const;

 private:
  mpfi_t v_;
};

}  // namespace selgrad::reference

namespace selgrad {

template <>
struct ScalarOps<reference::Rational> {
  using T = reference::Rational;
  static T from_literal(const Literal& l) { return reference::to_rational(l); }
  static T from_int(std::int64_t v) { return T(v); }
  static T powi(const T& a, std::int64_t k);
  // Outside the rational field: the exact engine rejects transcendental programs before
  // evaluation, so these are never reached from it; they throw ErrorKind::Unsupported.
  static T exp(const T&);
  static T log(const T&);
  static T sqrt(const T&);
  static T softplus(const T&);
  static T sigmoid(const T&);
  static T tanh(const T&);
};

template <>
struct ScalarOps<reference::Real> {
  using T = reference::Real;
  static T from_literal(const Literal& l) { return T(reference::to_rational(l)); }
  static T from_int(std::int64_t v) { return T(static_cast<long>(v)); }
  static T powi(const T& a, std::int64_t k);
  static T exp(const T& a);
  static T log(const T& a);
  static T sqrt(const T& a);
  static T softplus(const T& a);  ///< log1p(exp(a))
  static T sigmoid(const T& a);   ///< 1 / (1 + exp(-a))
  static T tanh(const T& a);
};

template <>
struct ScalarOps<reference::Interval> {
  using T = reference::Interval;
  static T from_literal(const Literal& l) { return T(reference::to_rational(l)); }
  static T from_int(std::int64_t v) { return T(static_cast<long>(v)); }
  static T powi(const T& a, std::int64_t k);
  static T exp(const T& a);
  static T log(const T& a);
  static T sqrt(const T& a);
  static T softplus(const T& a);
  static T sigmoid(const T& a);
  static T tanh(const T& a);
};

}  // namespace selgrad
