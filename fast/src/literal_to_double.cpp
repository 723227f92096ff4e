// A literal's exact value rounded to the nearest double, once (see tape.hpp).
//
// A literal is an exact rational n/d (program/literal.hpp). Rounding n and d to doubles and
// dividing rounds up to three times (9007199254740993/3 lands half an ulp off); strtod of a
// decimal text rounds once but only for decimal forms. Here the exact rational goes through
// MPFR at 53 bits in double's exponent range, with mpfr_subnormalize for the subnormal range:
// MPFR's documented recipe for emulating IEEE double rounding, which corrects the double
// rounding of the subnormal case through the ternary value. Values beyond the largest double
// round to infinity, as IEEE round to nearest does.
#include <gmp.h>
#include <mpfr.h>

#include "selgrad/fast/tape.hpp"
#include "selgrad/program/error.hpp"

namespace selgrad::fast {
namespace {

/// Double's exponent range in MPFR's convention (x = m 2^e with 1/2 <= m < 1): the largest
/// finite double is below 2^1024, the smallest subnormal 2^-1074 = 0.5 * 2^-1073. Restores the
/// caller's range on exit.
class DoubleExponentRange {
 public:
  DoubleExponentRange() : emin_(mpfr_get_emin()), emax_(mpfr_get_emax()) {
    mpfr_set_emin(-1073);
    mpfr_set_emax(1024);
  }
  ~DoubleExponentRange() {
    mpfr_set_emin(emin_);
    mpfr_set_emax(emax_);
  }
  DoubleExponentRange(const DoubleExponentRange&) = delete;
  DoubleExponentRange& operator=(const DoubleExponentRange&) = delete;

 private:
  mpfr_exp_t emin_, emax_;
};

struct Mpq {
  mpq_t q;
  Mpq() { mpq_init(q); }
  ~Mpq() { mpq_clear(q); }
  Mpq(const Mpq&) = delete;
  Mpq& operator=(const Mpq&) = delete;
};

struct Mpfr53 {
  mpfr_t x;
  Mpfr53() { mpfr_init2(x, 53); }
  ~Mpfr53() { mpfr_clear(x); }
  Mpfr53(const Mpfr53&) = delete;
  Mpfr53& operator=(const Mpfr53&) = delete;
};

}  // namespace

double literal_to_double(const Literal& lit) {
  Mpq value;
  if (mpq_set_str(value.q, lit.as_fraction().c_str(), 10) != 0 || mpz_sgn(mpq_denref(value.q)) == 0)
    throw Error(ErrorKind::Usage, {}, "malformed literal '" + lit.text + "'");
  mpq_canonicalize(value.q);
  const DoubleExponentRange range;
  Mpfr53 rounded;
  const int ternary = mpfr_set_q(rounded.x, value.q, MPFR_RNDN);
  mpfr_subnormalize(rounded.x, ternary, MPFR_RNDN);
  return mpfr_get_d(rounded.x, MPFR_RNDN);  // exact: a double in double's range
}

}  // namespace selgrad::fast
