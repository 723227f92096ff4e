// Scalars of the reference engine: exact literal conversion, canonical printing, exact integer
// powers, MPFR accuracy, value semantics, and the rigour of MPFI enclosures.
#include "selgrad/reference/scalars.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>

#include "selgrad/program/error.hpp"
#include "selgrad/program/literal.hpp"

namespace selgrad::reference {
namespace {

using RO = ScalarOps<Rational>;
using RE = ScalarOps<Real>;
using IV = ScalarOps<Interval>;

Rational lit(const char* text) {
  auto l = parse_literal(text);
  EXPECT_TRUE(l.has_value()) << text;
  return to_rational(*l);
}

Rational q(long p, long d) { return Rational(p) / Rational(d); }

// 2^e as an exact rational (e may be negative).
Rational pow2(long e) { return RO::powi(Rational(2), e); }

Rational abs_diff(const Rational& a, const Rational& b) { return a > b ? a - b : b - a; }

// The interval [lo, hi] with integer ends.
Interval hull(long lo, long hi) {
  Interval x;
  mpfi_interv_si(x.get(), lo, hi);
  return x;
}

bool contains(const Interval& x, const Rational& v) {
  return x.lower().to_rational() <= v && v <= x.upper().to_rational();
}

bool contains(const Interval& x, const Real& v) {
  return mpfr_lessequal_p(x.lower().get(), v.get()) && mpfr_lessequal_p(v.get(), x.upper().get());
}

// ---- Rational ------------------------------------------------------------------------------

TEST(RationalLiteral, DecimalIsExactNotNearestDouble) {
  EXPECT_EQ(lit("0.1"), q(1, 10));
  EXPECT_EQ(lit("-2.5E3"), Rational(-2500));
  EXPECT_EQ(lit("1e-3"), q(1, 1000));
  EXPECT_EQ(lit("-3/7"), q(-3, 7));
}

TEST(RationalLiteral, UnreducedDigitsAreCanonicalised) {
  const Rational r = lit("25/100");
  EXPECT_EQ(r, q(1, 4));
  EXPECT_EQ(to_string(r), "1/4");
  EXPECT_EQ(to_string(lit("0.50")), "1/2");
}

TEST(RationalLiteral, LongDigitStringsConvertExactly) {
  const std::string digits(9000, '7');
  const Rational r = lit(("1/" + digits).c_str());
  EXPECT_EQ(to_string(r), "1/" + digits);
}

TEST(RationalToString, CanonicalForms) {
  EXPECT_EQ(to_string(q(-1, 2)), "-1/2");
  EXPECT_EQ(to_string(Rational(0)), "0");
  EXPECT_EQ(to_string(lit("-0")), "0");
  EXPECT_EQ(to_string(Rational(5)), "5");
  EXPECT_EQ(to_string(q(6, -4)), "-3/2");
}

TEST(RationalBitSize, CountsNumeratorAndDenominatorBits) {
  EXPECT_EQ(bit_size(Rational(0)), 2u);       // "0" and "1" take one bit each
  EXPECT_EQ(bit_size(q(3, 4)), 5u);           // 2 + 3
  EXPECT_EQ(bit_size(q(-255, 256)), 17u);     // 8 + 9
  EXPECT_EQ(bit_size(pow2(100)), 102u);       // 101 + 1
}

TEST(RationalPowi, ExactForPositiveAndNegativeExponents) {
  EXPECT_EQ(RO::powi(q(-2, 3), 3), q(-8, 27));
  EXPECT_EQ(RO::powi(q(-2, 3), -3), q(-27, 8));
  EXPECT_EQ(RO::powi(q(-2, 3), -2), q(9, 4));
  EXPECT_EQ(RO::powi(q(5, 7), 1), q(5, 7));
  EXPECT_EQ(to_string(RO::powi(q(-2, 3), -3)), "-27/8");  // sign on the numerator
}

TEST(RationalPowi, ZeroToTheZeroIsOne) {
  EXPECT_EQ(RO::powi(Rational(0), 0), Rational(1));
  EXPECT_EQ(RO::powi(q(-7, 3), 0), Rational(1));
  EXPECT_EQ(RO::powi(Rational(0), 5), Rational(0));
}

TEST(RationalPowi, NegativePowerOfZeroIsADomainError) {
  try {
    RO::powi(Rational(0), -1);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Domain);
  }
}

TEST(RationalTranscendentals, ThrowUnsupportedNamingTheOp) {
  const std::pair<const char*, Rational (*)(const Rational&)> ops[] = {
      {"exp", RO::exp},           {"log", RO::log},         {"sqrt", RO::sqrt},
      {"softplus", RO::softplus}, {"sigmoid", RO::sigmoid}, {"tanh", RO::tanh}};
  for (const auto& [name, f] : ops) {
    try {
      f(Rational(1));
      ADD_FAILURE() << name << ": no error";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Unsupported) << name;
      EXPECT_EQ(e.reason().rfind(std::string(name) + " ", 0), 0u) << e.reason();
    }
  }
}

// ---- Precision -----------------------------------------------------------------------------

TEST(PrecisionScope, DefaultIs256AndScopesNestAndRestore) {
  EXPECT_EQ(working_precision(), 256);
  {
    PrecisionScope a(64);
    EXPECT_EQ(working_precision(), 64);
    {
      PrecisionScope b(1000);
      EXPECT_EQ(working_precision(), 1000);
      EXPECT_EQ(mpfr_get_prec(Real().get()), 1000);
      EXPECT_EQ(mpfi_get_prec(Interval().get()), 1000);
    }
    EXPECT_EQ(working_precision(), 64);
  }
  EXPECT_EQ(working_precision(), 256);
}

TEST(PrecisionScope, RejectsPrecisionOutsideMpfrRange) {
  EXPECT_THROW(PrecisionScope(0), Error);
  EXPECT_EQ(working_precision(), 256);
}

// ---- Real ----------------------------------------------------------------------------------

TEST(RealScalar, ExpOfLogTwoIsWithin2ToMinus250OfTwo) {
  // At p = 256 bits, l = log(2) rounded to nearest is ln 2 (1 + d1) with |d1| <= 2^-256, so
  // exp(l) = 2 exp(d1 ln 2) is within 2 ln 2 2^-256 (1 + tiny) < 1.4 * 2^-256 of 2. Rounding
  // exp to nearest adds at most half an ulp of a value near 2, i.e. 2^-255 (or 2^-256 just
  // below 2). The total is below 3.4 * 2^-256 < 2^-254, well inside 2^-250.
  const Real two(2L);
  const Real y = RE::exp(RE::log(two));
  EXPECT_LE(abs_diff(y.to_rational(), Rational(2)), pow2(-250));
}

TEST(RealScalar, ArithmeticRoundsToNearestAtWorkingPrecision) {
  const Real third(q(1, 3));
  // |third - 1/3| <= half an ulp of a number in [1/4, 1/2): 2^-258.
  EXPECT_LE(abs_diff(third.to_rational(), q(1, 3)), pow2(-258));
  const Real sum = third + third + third;
  EXPECT_LE(abs_diff(sum.to_rational(), Rational(1)), pow2(-250));
  EXPECT_EQ((Real(6L) / Real(4L)).to_rational(), q(3, 2));
  EXPECT_EQ((-Real(3L)).to_rational(), Rational(-3));
  Real x(5L);
  x -= Real(2L);
  x *= Real(4L);
  x += Real(1L);
  EXPECT_EQ(x.to_rational(), Rational(13));
}

TEST(RealScalar, DyadicValuesConvertExactlyToRational) {
  EXPECT_EQ(Real(q(3, 8)).to_rational(), q(3, 8));
  EXPECT_EQ(Real(q(-5, 1024)).to_rational(), q(-5, 1024));
  EXPECT_EQ(Real(1L << 40).to_rational(), pow2(40));
  EXPECT_EQ(Real().to_rational(), Rational(0));
}

TEST(RealScalar, NonFiniteHasNoRationalValue) {
  const Real inf = Real(1L) / Real(0L);
  EXPECT_FALSE(inf.is_finite());
  try {
    (void)inf.to_rational();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
  }
}

TEST(RealScalar, ToStringSpecialsAndScientificForm) {
  EXPECT_EQ(Real().to_string(), "0");
  EXPECT_EQ((Real(1L) / Real(0L)).to_string(), "inf");
  EXPECT_EQ((Real(-1L) / Real(0L)).to_string(), "-inf");
  EXPECT_EQ(RE::log(Real(-1L)).to_string(), "nan");
  PrecisionScope p(53);  // 17 significant digits
  EXPECT_EQ(Real(q(1, 2)).to_string(), "5.0000000000000000e-1");
  EXPECT_EQ(Real(-1500L).to_string(), "-1.5000000000000000e+3");
}

TEST(RealScalar, ToStringRoundTripsAtItsPrecision) {
  for (mpfr_prec_t bits : {53, 256, 1000}) {
    PrecisionScope p(bits);
    for (const Real& v : {Real(q(1, 3)), RE::exp(Real(1L)), Real(q(-22, 7)), RE::exp(Real(-900L))}) {
      const std::string s = v.to_string();
      Real back;
      ASSERT_EQ(mpfr_set_str(back.get(), s.c_str(), 10, MPFR_RNDN), 0) << s;
      EXPECT_TRUE(mpfr_equal_p(back.get(), v.get())) << bits << " bits: " << s;
    }
  }
}

TEST(RealScalar, CopyKeepsTheSourcePrecision) {
  Real low = [] {
    PrecisionScope p(64);
    return Real(q(1, 3));
  }();
  EXPECT_EQ(mpfr_get_prec(low.get()), 64);
  const Real copy(low);
  EXPECT_EQ(mpfr_get_prec(copy.get()), 64);
  EXPECT_TRUE(mpfr_equal_p(copy.get(), low.get()));
  Real assigned;  // 256 bits
  assigned = low;
  EXPECT_EQ(mpfr_get_prec(assigned.get()), 64);
  EXPECT_TRUE(mpfr_equal_p(assigned.get(), low.get()));
  const Real& alias = low;
  low = alias;  // self-assignment keeps the value
  EXPECT_EQ(low.to_rational(), copy.to_rational());
}

TEST(RealScalar, MovedFromCanBeReassignedAndDestroyed) {
  Real a(q(7, 2));
  Real b(std::move(a));
  EXPECT_EQ(b.to_rational(), q(7, 2));
  a = Real(9L);
  EXPECT_EQ(a.to_rational(), Rational(9));
  Real c;
  c = std::move(b);
  EXPECT_EQ(c.to_rational(), q(7, 2));
  b = c;
  EXPECT_EQ(b.to_rational(), q(7, 2));
}

TEST(RealScalar, CompoundAssignmentRoundsAtWorkingPrecision) {
  Real x = [] {
    PrecisionScope p(16);
    return Real(1L);
  }();
  x += Real(pow2(-100));  // 1 + 2^-100 needs 101 bits: kept at 256, lost at 16
  EXPECT_EQ(mpfr_get_prec(x.get()), 256);
  EXPECT_EQ(x.to_rational(), Rational(1) + pow2(-100));
}

TEST(RealScalar, PowiHandlesNegativeExponents) {
  EXPECT_EQ(RE::powi(Real(2L), 10).to_rational(), Rational(1024));
  EXPECT_EQ(RE::powi(Real(2L), -3).to_rational(), q(1, 8));
  EXPECT_EQ(RE::powi(Real(0L), 0).to_rational(), Rational(1));
}

TEST(RealScalar, SoftplusAndSigmoidStayFiniteForLargeArguments) {
  const Real big(100000L);
  const Real sp = RE::softplus(big);
  ASSERT_TRUE(sp.is_finite());
  EXPECT_LE(abs_diff(sp.to_rational(), Rational(100000)), pow2(-200));
  const Real s = RE::sigmoid(-big);
  ASSERT_TRUE(s.is_finite());
  EXPECT_GT(s.sign(), 0);
  EXPECT_LE(abs_diff(RE::sigmoid(Real()).to_rational(), q(1, 2)), pow2(-250));
  // softplus(0) = log 2.
  EXPECT_LE(abs_diff(RE::softplus(Real()).to_rational(), RE::log(Real(2L)).to_rational()),
            pow2(-250));
}

TEST(RealScalar, TanhMatchesTheExpDefinition) {
  const Real a(q(3, 4));
  const Real e = RE::exp(Real(2L) * a);
  const Real def = (e - Real(1L)) / (e + Real(1L));
  EXPECT_LE(abs_diff(RE::tanh(a).to_rational(), def.to_rational()), pow2(-250));
}

// ---- Interval ------------------------------------------------------------------------------

TEST(IntervalScalar, RationalEnclosureContainsTheValueAndIsOneUlpWide) {
  const Interval third(q(1, 3));
  EXPECT_TRUE(contains(third, q(1, 3)));
  EXPECT_LT(third.lower().to_rational(), q(1, 3));  // 1/3 is not dyadic
  // 1/3 lies in [1/4, 1/2), where an ulp at 256 bits is 2^-257.
  EXPECT_LE(third.width(), std::ldexp(1.0, -255));
  EXPECT_GT(third.width(), 0.0);
  EXPECT_EQ(Interval(q(3, 8)).width(), 0.0);  // dyadic: exact
}

TEST(IntervalScalar, EndpointsHaveTheIntervalPrecision) {
  const Interval x = [] {
    PrecisionScope p(80);
    return Interval(q(1, 3));
  }();
  EXPECT_EQ(mpfr_get_prec(x.lower().get()), 80);
  EXPECT_EQ(mpfr_get_prec(x.upper().get()), 80);
  EXPECT_EQ(mpfi_get_prec(Interval(x).get()), 80);
}

TEST(IntervalScalar, ExpOfOneContainsTheMpfrValue) {
  const Interval e = IV::exp(Interval(1L));
  EXPECT_TRUE(contains(e, RE::exp(Real(1L))));
  EXPECT_TRUE(e.is_bounded());
}

TEST(IntervalScalar, SelfSubtractionOfAnInexactValueContainsZero) {
  // [l, u] - [l, u] = [l - u, u - l]: the rigorous answer contains 0 but cannot certify it.
  const Interval d = Interval(q(1, 3)) - Interval(q(1, 3));
  EXPECT_TRUE(contains(d, Rational(0)));
  EXPECT_FALSE(d.certified_sign().has_value());
}

TEST(IntervalScalar, ExactZeroIsCertifiedZero) {
  const Interval d = Interval(q(1, 2)) - Interval(q(1, 2));
  ASSERT_TRUE(d.certified_sign().has_value());
  EXPECT_EQ(*d.certified_sign(), Sign::Zero);
  EXPECT_EQ(*Interval().certified_sign(), Sign::Zero);
}

TEST(IntervalScalar, ExpOneMinus2718IsCertifiedPositive) {
  const Interval d = IV::exp(Interval(1L)) - Interval(lit("2.718"));
  ASSERT_TRUE(d.certified_sign().has_value());
  EXPECT_EQ(*d.certified_sign(), Sign::Positive);
  EXPECT_EQ(*(-d).certified_sign(), Sign::Negative);
}

TEST(IntervalScalar, RaisingPrecisionNarrowsWidth) {
  auto width_at = [](mpfr_prec_t bits) {
    PrecisionScope p(bits);
    return (IV::exp(Interval(q(1, 3))) * Interval(q(2, 7))).width();
  };
  const double w64 = width_at(64), w256 = width_at(256), w1024 = width_at(1024);
  EXPECT_GT(w64, 0.0);
  EXPECT_LT(w256, w64);
  EXPECT_LT(w1024, w256);
}

TEST(IntervalScalar, EvenPowerOfIntervalAroundZeroIsNonNegative) {
  const Interval y = IV::powi(hull(-2, 3), 2);
  EXPECT_GE(y.lower().to_rational(), Rational(0));
  EXPECT_EQ(y.lower().to_rational(), Rational(0));
  EXPECT_EQ(y.upper().to_rational(), Rational(9));
}

TEST(IntervalScalar, PowiIsTightOnEachSign) {
  const Interval odd = IV::powi(hull(-2, 3), 5);
  EXPECT_EQ(odd.lower().to_rational(), Rational(-32));
  EXPECT_EQ(odd.upper().to_rational(), Rational(243));
  const Interval neg_even = IV::powi(hull(-3, -2), 2);
  EXPECT_EQ(neg_even.lower().to_rational(), Rational(4));
  EXPECT_EQ(neg_even.upper().to_rational(), Rational(9));
  const Interval inv = IV::powi(Interval(q(1, 3)), -3);
  EXPECT_TRUE(contains(inv, Rational(27)));
  EXPECT_EQ(*IV::powi(hull(-5, 5), 0).certified_sign(), Sign::Positive);  // x^0 = 1
}

TEST(IntervalScalar, TranscendentalsContainTheMpfrPointValues) {
  for (const Rational& x : {q(-7, 3), q(0, 1), q(1, 3), Rational(40)}) {
    const Interval ix(x);
    const Real rx(x);
    EXPECT_TRUE(contains(IV::softplus(ix), RE::softplus(rx))) << to_string(x);
    EXPECT_TRUE(contains(IV::sigmoid(ix), RE::sigmoid(rx))) << to_string(x);
    EXPECT_TRUE(contains(IV::tanh(ix), RE::tanh(rx))) << to_string(x);
  }
  const Interval ix(q(5, 2));
  EXPECT_TRUE(contains(IV::log(ix), RE::log(Real(q(5, 2)))));
  EXPECT_TRUE(contains(IV::sqrt(ix), RE::sqrt(Real(q(5, 2)))));
}

TEST(IntervalScalar, SoftplusAndSigmoidAreBoundedForHugeArguments) {
  const Interval x = hull(-1000000, 1000000);
  const Interval sp = IV::softplus(x);
  EXPECT_TRUE(sp.is_bounded());
  EXPECT_TRUE(contains(sp, Rational(1000000)));
  const Interval s = IV::sigmoid(x);
  EXPECT_TRUE(s.is_bounded());
  EXPECT_GE(s.lower().to_rational(), Rational(0));
  EXPECT_LE(s.upper().to_rational(), Rational(1));
  EXPECT_TRUE(contains(s, q(1, 2)));
}

TEST(IntervalScalar, OutOfDomainInputsDoNotCertifyASign) {
  // The engine checks the domain first; these only must not crash or claim a sign.
  EXPECT_FALSE(IV::log(hull(-1, 2)).certified_sign() == Sign::Positive);
  EXPECT_FALSE(IV::sqrt(hull(-2, -1)).certified_sign().has_value());
  const Interval q0 = Interval(1L) / hull(-1, 1);
  EXPECT_FALSE(q0.is_bounded());
  EXPECT_FALSE(q0.certified_sign().has_value());
}

TEST(IntervalScalar, MovedFromCanBeReassigned) {
  Interval a(q(1, 3));
  Interval b(std::move(a));
  EXPECT_TRUE(contains(b, q(1, 3)));
  a = Interval(4L);
  EXPECT_EQ(*a.certified_sign(), Sign::Positive);
  Interval c;
  c = std::move(b);
  EXPECT_TRUE(contains(c, q(1, 3)));
  b = c;
  EXPECT_TRUE(contains(b, q(1, 3)));
  c += Interval(1L);
  c -= Interval(1L);
  c *= Interval(3L);
  EXPECT_TRUE(contains(c, Rational(1)));
}

}  // namespace
}  // namespace selgrad::reference
