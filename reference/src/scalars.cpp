// The reference engine's scalars (see scalars.hpp): exact rationals over GMP, MPFR points
// rounded to nearest, and MPFI enclosures with outward rounding, all at a per-thread working
// precision.
#include <algorithm>
#include "selgrad/reference/scalars.hpp"

#include <cstring>
#include <utility>

#include "selgrad/program/error.hpp"

namespace selgrad::reference {
namespace {

thread_local mpfr_prec_t g_precision = 256;
thread_local unsigned g_slack_ulps = 0;

[[noreturn]] void not_rational(const char* op) {
  throw Error(ErrorKind::Unsupported, {},
              std::string(op) + " is not rational: use the MPFR instance");
}

// Magnitude of k as an unsigned long without overflowing at INT64_MIN.
unsigned long magnitude(std::int64_t k) {
  return k < 0 ? static_cast<unsigned long>(-(k + 1)) + 1UL : static_cast<unsigned long>(k);
}

}  // namespace

// ------------------------------------------------------------------------------------------
// Rational

Rational to_rational(const Literal& lit) {
  Rational r;
  mpq_ptr q = r.backend().data();
  const std::string text = lit.as_fraction();
  if (mpq_set_str(q, text.c_str(), 10) != 0 || mpz_sgn(mpq_denref(q)) == 0)
    throw Error(ErrorKind::Usage, {}, "malformed literal '" + lit.text + "'");
  // The digits are not reduced ("25/100"); every other operation expects canonical form.
  mpq_canonicalize(q);
  return r;
}

std::size_t bit_size(const Rational& r) {
  mpq_srcptr q = r.backend().data();
  return mpz_sizeinbase(mpq_numref(q), 2) + mpz_sizeinbase(mpq_denref(q), 2);
}

std::string to_string(const Rational& r) {
  mpq_srcptr q = r.backend().data();
  // mpq_get_str needs room for both parts, the sign, the slash and the terminator.
  std::string out(mpz_sizeinbase(mpq_numref(q), 10) + mpz_sizeinbase(mpq_denref(q), 10) + 3,
                  '\0');
  mpq_get_str(out.data(), 10, q);
  out.resize(std::strlen(out.c_str()));
  return out;
}

// ------------------------------------------------------------------------------------------
// Working precision

mpfr_prec_t working_precision() { return g_precision; }

PrecisionScope::PrecisionScope(mpfr_prec_t bits) : saved_(g_precision) {
  // MPFR aborts on an invalid precision; refuse it here instead, as a reportable error.
  if (bits < MPFR_PREC_MIN || bits > MPFR_PREC_MAX)
    throw Error(ErrorKind::Usage, {}, "precision of " + std::to_string(bits) +
                                          " bits is outside MPFR's range");
  g_precision = bits;
}

PrecisionScope::~PrecisionScope() { g_precision = saved_; }

TranscendentalSlack::TranscendentalSlack(unsigned ulps) : saved_(g_slack_ulps) { g_slack_ulps = ulps; }
TranscendentalSlack::~TranscendentalSlack() { g_slack_ulps = saved_; }

// ------------------------------------------------------------------------------------------
// Real

Real::Real() {
  mpfr_init2(v_, g_precision);
  mpfr_set_zero(v_, 1);
}

Real::Real(long v) {
  mpfr_init2(v_, g_precision);
  mpfr_set_si(v_, v, MPFR_RNDN);
}

Real::Real(const Rational& q) {
  mpfr_init2(v_, g_precision);
  mpfr_set_q(v_, q.backend().data(), MPFR_RNDN);
}

Real::Real(const Real& o) {
  mpfr_init2(v_, mpfr_get_prec(o.v_));
  mpfr_set(v_, o.v_, MPFR_RNDN);  // exact: same precision
}

// The moved-from object is left as a valid zero, like a default-constructed Real.
Real::Real(Real&& o) noexcept {
  mpfr_init2(v_, g_precision);
  mpfr_set_zero(v_, 1);
  mpfr_swap(v_, o.v_);
}

Real& Real::operator=(const Real& o) {
  if (this != &o) {
    if (mpfr_get_prec(v_) != mpfr_get_prec(o.v_)) mpfr_set_prec(v_, mpfr_get_prec(o.v_));
    mpfr_set(v_, o.v_, MPFR_RNDN);
  }
  return *this;
}

Real& Real::operator=(Real&& o) noexcept {
  mpfr_swap(v_, o.v_);
  return *this;
}

Real::~Real() { mpfr_clear(v_); }

// Compound assignment rounds to the working precision, not to this object's precision (which
// may be that of an older scope).
Real& Real::operator+=(const Real& o) {
  Real r;
  mpfr_add(r.v_, v_, o.v_, MPFR_RNDN);
  mpfr_swap(v_, r.v_);
  return *this;
}

Real& Real::operator-=(const Real& o) {
  Real r;
  mpfr_sub(r.v_, v_, o.v_, MPFR_RNDN);
  mpfr_swap(v_, r.v_);
  return *this;
}

Real& Real::operator*=(const Real& o) {
  Real r;
  mpfr_mul(r.v_, v_, o.v_, MPFR_RNDN);
  mpfr_swap(v_, r.v_);
  return *this;
}

Real operator+(const Real& a, const Real& b) {
  Real r;
  mpfr_add(r.v_, a.v_, b.v_, MPFR_RNDN);
  return r;
}

Real operator-(const Real& a, const Real& b) {
  Real r;
  mpfr_sub(r.v_, a.v_, b.v_, MPFR_RNDN);
  return r;
}

Real operator*(const Real& a, const Real& b) {
  Real r;
  mpfr_mul(r.v_, a.v_, b.v_, MPFR_RNDN);
  return r;
}

Real operator/(const Real& a, const Real& b) {
  Real r;
  mpfr_div(r.v_, a.v_, b.v_, MPFR_RNDN);
  return r;
}

Real operator-(const Real& a) {
  Real r;
  mpfr_neg(r.v_, a.v_, MPFR_RNDN);
  return r;
}

std::string Real::to_string() const {
  // Enough significant digits that reading the text back at this precision gives this value.
  return to_string(mpfr_get_str_ndigits(10, mpfr_get_prec(v_)));
}

std::string Real::to_string(std::size_t digits) const {
  if (mpfr_nan_p(v_)) return "nan";
  if (mpfr_inf_p(v_)) return mpfr_sgn(v_) > 0 ? "inf" : "-inf";
  if (mpfr_zero_p(v_)) return "0";
  digits = std::max<std::size_t>(digits, 1);
  mpfr_exp_t exp10 = 0;
  char* raw = mpfr_get_str(nullptr, &exp10, 10, digits, v_, MPFR_RNDN);
  const std::string s(raw);
  mpfr_free_str(raw);
  // raw is [-]d1d2...dn denoting 0.d1d2...dn * 10^exp10; print d1.d2...dn e(exp10 - 1).
  const std::size_t first = s[0] == '-' ? 1 : 0;
  std::string out = s.substr(0, first + 1);
  if (s.size() > first + 1) {
    out += '.';
    out.append(s, first + 1, std::string::npos);
  }
  const long e = static_cast<long>(exp10) - 1;
  out += e < 0 ? "e-" : "e+";
  out += std::to_string(e < 0 ? -e : e);
  return out;
}

Rational Real::to_rational() const {
  if (!is_finite())
    throw Error(ErrorKind::Usage, {}, "a non-finite number has no rational value");
  Rational r;
  if (mpfr_zero_p(v_)) return r;
  mpz_t m;
  mpz_init(m);
  const mpfr_exp_t e = mpfr_get_z_2exp(m, v_);  // v_ = m * 2^e exactly
  mpq_ptr q = r.backend().data();
  mpq_set_z(q, m);
  mpz_clear(m);
  if (e >= 0)
    mpq_mul_2exp(q, q, static_cast<mp_bitcnt_t>(e));
  else
    mpq_div_2exp(q, q, static_cast<mp_bitcnt_t>(-(e + 1)) + 1);  // canonicalises
  return r;
}

// ------------------------------------------------------------------------------------------
// Interval

Interval::Interval() {
  mpfi_init2(v_, g_precision);
  mpfi_set_si(v_, 0);
}

Interval::Interval(long v) {
  mpfi_init2(v_, g_precision);
  mpfi_set_si(v_, v);
}

Interval::Interval(const Rational& q) {
  mpfi_init2(v_, g_precision);
  mpfi_set_q(v_, q.backend().data());
}

Interval::Interval(const Interval& o) {
  mpfi_init2(v_, mpfi_get_prec(o.v_));
  mpfi_set(v_, o.v_);  // exact: same precision
}

// The moved-from object is left as [0, 0], like a default-constructed Interval.
Interval::Interval(Interval&& o) noexcept {
  mpfi_init2(v_, g_precision);
  mpfi_set_si(v_, 0);
  mpfi_swap(v_, o.v_);
}

Interval& Interval::operator=(const Interval& o) {
  if (this != &o) {
    if (mpfi_get_prec(v_) != mpfi_get_prec(o.v_)) mpfi_set_prec(v_, mpfi_get_prec(o.v_));
    mpfi_set(v_, o.v_);
  }
  return *this;
}

Interval& Interval::operator=(Interval&& o) noexcept {
  mpfi_swap(v_, o.v_);
  return *this;
}

Interval::~Interval() { mpfi_clear(v_); }

Interval& Interval::operator+=(const Interval& o) {
  Interval r;
  mpfi_add(r.v_, v_, o.v_);
  mpfi_swap(v_, r.v_);
  return *this;
}

Interval& Interval::operator-=(const Interval& o) {
  Interval r;
  mpfi_sub(r.v_, v_, o.v_);
  mpfi_swap(v_, r.v_);
  return *this;
}

Interval& Interval::operator*=(const Interval& o) {
  Interval r;
  mpfi_mul(r.v_, v_, o.v_);
  mpfi_swap(v_, r.v_);
  return *this;
}

Interval operator+(const Interval& a, const Interval& b) {
  Interval r;
  mpfi_add(r.v_, a.v_, b.v_);
  return r;
}

Interval operator-(const Interval& a, const Interval& b) {
  Interval r;
  mpfi_sub(r.v_, a.v_, b.v_);
  return r;
}

Interval operator*(const Interval& a, const Interval& b) {
  Interval r;
  mpfi_mul(r.v_, a.v_, b.v_);
  return r;
}

Interval operator/(const Interval& a, const Interval& b) {
  Interval r;
  mpfi_div(r.v_, a.v_, b.v_);
  return r;
}

Interval operator-(const Interval& a) {
  Interval r;
  mpfi_neg(r.v_, a.v_);
  return r;
}

std::optional<Sign> Interval::certified_sign() const {
  // NaN and empty intervals certify nothing (and the predicates below assume neither).
  if (mpfi_nan_p(v_) || mpfi_is_empty(v_)) return std::nullopt;
  if (mpfi_is_strictly_pos(v_)) return Sign::Positive;
  if (mpfi_is_strictly_neg(v_)) return Sign::Negative;
  if (mpfr_zero_p(&v_->left) && mpfr_zero_p(&v_->right)) return Sign::Zero;
  return std::nullopt;
}

bool Interval::is_bounded() const { return mpfi_bounded_p(v_) && !mpfi_nan_p(v_); }

Real Interval::lower() const {
  Real r;
  mpfr_set_prec(r.get(), mpfr_get_prec(&v_->left));
  mpfi_get_left(r.get(), v_);  // exact: same precision
  return r;
}

Real Interval::upper() const {
  Real r;
  mpfr_set_prec(r.get(), mpfr_get_prec(&v_->right));
  mpfi_get_right(r.get(), v_);
  return r;
}

double Interval::width() const {
  mpfr_t d;
  mpfr_init2(d, mpfi_get_prec(v_));
  mpfi_diam_abs(d, v_);  // rounded up
  const double w = mpfr_get_d(d, MPFR_RNDU);
  mpfr_clear(d);
  return w;
}

}  // namespace selgrad::reference

// ------------------------------------------------------------------------------------------
// ScalarOps

namespace selgrad {

using reference::Interval;
using reference::Rational;
using reference::Real;

// Rational: exact a^k on numerator and denominator separately; p^n / q^n stays canonical.
Rational ScalarOps<Rational>::powi(const Rational& a, std::int64_t k) {
  if (k == 0) return Rational(1);  // including 0^0
  if (k < 0 && a == 0) throw Error(ErrorKind::Domain, {}, "negative power of zero");
  const unsigned long n = reference::magnitude(k);
  Rational r;
  mpq_ptr q = r.backend().data();
  mpq_srcptr x = a.backend().data();
  mpz_pow_ui(mpq_numref(q), mpq_numref(x), n);
  mpz_pow_ui(mpq_denref(q), mpq_denref(x), n);
  if (k < 0) mpq_inv(q, q);  // moves the sign to the numerator
  return r;
}

Rational ScalarOps<Rational>::exp(const Rational&) { reference::not_rational("exp"); }
Rational ScalarOps<Rational>::log(const Rational&) { reference::not_rational("log"); }
Rational ScalarOps<Rational>::sqrt(const Rational&) { reference::not_rational("sqrt"); }
Rational ScalarOps<Rational>::softplus(const Rational&) { reference::not_rational("softplus"); }
Rational ScalarOps<Rational>::sigmoid(const Rational&) { reference::not_rational("sigmoid"); }
Rational ScalarOps<Rational>::tanh(const Rational&) { reference::not_rational("tanh"); }

// Real: each MPFR function rounds to nearest into a fresh value at the working precision.
Real ScalarOps<Real>::powi(const Real& a, std::int64_t k) {
  Real r;
  mpfr_pow_si(r.get(), a.get(), static_cast<long>(k), MPFR_RNDN);
  return r;
}

Real ScalarOps<Real>::exp(const Real& a) {
  Real r;
  mpfr_exp(r.get(), a.get(), MPFR_RNDN);
  return r;
}

Real ScalarOps<Real>::log(const Real& a) {
  Real r;
  mpfr_log(r.get(), a.get(), MPFR_RNDN);
  return r;
}

Real ScalarOps<Real>::sqrt(const Real& a) {
  Real r;
  mpfr_sqrt(r.get(), a.get(), MPFR_RNDN);
  return r;
}

// log1p(exp(a)) overflows for large a; a + log1p(exp(-a)) is the same function and does not.
Real ScalarOps<Real>::softplus(const Real& a) {
  const bool positive = a.sign() > 0;
  Real e;
  if (positive)
    mpfr_neg(e.get(), a.get(), MPFR_RNDN);
  else
    mpfr_set(e.get(), a.get(), MPFR_RNDN);
  mpfr_exp(e.get(), e.get(), MPFR_RNDN);
  Real r;
  mpfr_log1p(r.get(), e.get(), MPFR_RNDN);
  if (positive) mpfr_add(r.get(), r.get(), a.get(), MPFR_RNDN);
  return r;
}

Real ScalarOps<Real>::sigmoid(const Real& a) {
  Real e;
  mpfr_neg(e.get(), a.get(), MPFR_RNDN);
  mpfr_exp(e.get(), e.get(), MPFR_RNDN);
  mpfr_add_ui(e.get(), e.get(), 1, MPFR_RNDN);
  Real r;
  mpfr_ui_div(r.get(), 1, e.get(), MPFR_RNDN);
  return r;
}

Real ScalarOps<Real>::tanh(const Real& a) {
  Real r;
  mpfr_tanh(r.get(), a.get(), MPFR_RNDN);
  return r;
}

namespace {

// Sets r to [lo, hi] given at r's precision (mpfi_interv_fr normalises signed zeros).
void set_interval(Interval& r, mpfr_srcptr lo, mpfr_srcptr hi) { mpfi_interv_fr(r.get(), lo, hi); }

// An enclosure of a monotone increasing f over a, from enclosures of f at the two endpoints:
// f(a) lies in [lower end of f(lo), upper end of f(hi)].
template <class PointEnclosure>
Interval increasing(const Interval& a, PointEnclosure f) {
  // mpfi_set_fr rounds outward, so an endpoint with more bits than the working precision is
  // still enclosed.
  Interval lo, hi;
  mpfi_set_fr(lo.get(), &a.get()->left);
  mpfi_set_fr(hi.get(), &a.get()->right);
  const Interval flo = f(lo), fhi = f(hi);
  Interval r;
  set_interval(r, &flo.get()->left, &fhi.get()->right);
  return r;
}

}  // namespace

namespace {
/// Widens an enclosure by the active TranscendentalSlack (ulps at the working precision).
reference::Interval widened(reference::Interval r) {
  for (unsigned i = 0; i < reference::g_slack_ulps; ++i) {
    mpfr_nextbelow(&r.get()->left);
    mpfr_nextabove(&r.get()->right);
  }
  return r;
}
}  // namespace

// Integer powers from the endpoints with directed rounding: x^k is monotone on each sign of x,
// so this is the tightest enclosure at the working precision (repeated products would not be:
// x * x^4 over [-2, 3] gives [-162, 243] for a range of [-32, 243]).
Interval ScalarOps<Interval>::powi(const Interval& a, std::int64_t k) {
  if (k == 0) return Interval(1L);
  const unsigned long n = reference::magnitude(k);
  mpfr_srcptr alo = &a.get()->left;
  mpfr_srcptr ahi = &a.get()->right;
  Real lo, hi;
  if (n % 2 == 1 || mpfr_sgn(alo) >= 0) {  // increasing over a
    mpfr_pow_ui(lo.get(), alo, n, MPFR_RNDD);
    mpfr_pow_ui(hi.get(), ahi, n, MPFR_RNDU);
  } else if (mpfr_sgn(ahi) <= 0) {  // even power, decreasing over a
    mpfr_pow_ui(lo.get(), ahi, n, MPFR_RNDD);
    mpfr_pow_ui(hi.get(), alo, n, MPFR_RNDU);
  } else {  // even power over an interval around 0: the minimum is 0 at x = 0
    mpfr_set_zero(lo.get(), 1);
    Real l, h;
    mpfr_pow_ui(l.get(), alo, n, MPFR_RNDU);
    mpfr_pow_ui(h.get(), ahi, n, MPFR_RNDU);
    mpfr_max(hi.get(), l.get(), h.get(), MPFR_RNDU);
  }
  if (mpfr_nan_p(alo) || mpfr_nan_p(ahi)) {
    mpfr_set_nan(lo.get());
    mpfr_set_nan(hi.get());
  }
  Interval r;
  set_interval(r, lo.get(), hi.get());
  if (k < 0) mpfi_inv(r.get(), r.get());
  return widened(std::move(r));
}

Interval ScalarOps<Interval>::exp(const Interval& a) {
  Interval r;
  mpfi_exp(r.get(), a.get());
  return widened(std::move(r));
}

Interval ScalarOps<Interval>::log(const Interval& a) {
  Interval r;
  mpfi_log(r.get(), a.get());
  return widened(std::move(r));
}

Interval ScalarOps<Interval>::sqrt(const Interval& a) {
  Interval r;
  mpfi_sqrt(r.get(), a.get());
  return r;
}

// softplus is increasing; at each endpoint the overflow-free form is enclosed with MPFI.
Interval ScalarOps<Interval>::softplus(const Interval& a) {
  return widened(increasing(a, [](const Interval& p) {
    const bool positive = mpfr_sgn(&p.get()->left) > 0;
    Interval e;
    if (positive)
      mpfi_neg(e.get(), p.get());
    else
      mpfi_set(e.get(), p.get());
    mpfi_exp(e.get(), e.get());
    Interval r;
    mpfi_log1p(r.get(), e.get());
    if (positive) mpfi_add(r.get(), r.get(), p.get());
    return r;
  }));
}

// sigmoid is increasing; at each endpoint 1/(1+exp(-p)) for p >= 0 and exp(p)/(1+exp(p)) for
// p < 0, so exp never overflows.
Interval ScalarOps<Interval>::sigmoid(const Interval& a) {
  return widened(increasing(a, [](const Interval& p) {
    const bool negative = mpfr_sgn(&p.get()->left) < 0;
    Interval e;
    if (negative)
      mpfi_set(e.get(), p.get());
    else
      mpfi_neg(e.get(), p.get());
    mpfi_exp(e.get(), e.get());
    Interval d;
    mpfi_add_ui(d.get(), e.get(), 1);
    Interval r;
    if (negative)
      mpfi_div(r.get(), e.get(), d.get());
    else
      mpfi_inv(r.get(), d.get());
    return r;
  }));
}

Interval ScalarOps<Interval>::tanh(const Interval& a) {
  Interval r;
  mpfi_tanh(r.get(), a.get());
  return widened(std::move(r));
}

}  // namespace selgrad
