// Exact literal parsing (see literal.hpp): decimal and fraction forms to sign/num/den digits.
#include "selgrad/program/literal.hpp"

#include <bit>
#include <cctype>
#include <charconv>
#include <cmath>
#include <vector>

namespace selgrad {
namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

std::string strip_zeros(std::string_view s) {
  std::size_t i = 0;
  while (i + 1 < s.size() && s[i] == '0') ++i;
  return std::string(s.substr(i));
}

/// n * 2^k in decimal, by repeated multiplication of base-1e9 limbs (least significant first).
std::string times_pow2(std::uint64_t n, int k) {
  constexpr std::uint64_t kBase = 1000000000;
  std::vector<std::uint64_t> limbs;
  do {
    limbs.push_back(n % kBase);
    n /= kBase;
  } while (n != 0);
  while (k > 0) {
    const int step = k < 29 ? k : 29;  // limb * 2^29 + carry stays below 2^64
    std::uint64_t carry = 0;
    for (auto& limb : limbs) {
      const std::uint64_t v = (limb << step) + carry;
      limb = v % kBase;
      carry = v / kBase;
    }
    while (carry != 0) {
      limbs.push_back(carry % kBase);
      carry /= kBase;
    }
    k -= step;
  }
  std::string out = std::to_string(limbs.back());
  for (std::size_t i = limbs.size() - 1; i-- > 0;) {
    const std::string part = std::to_string(limbs[i]);
    out += std::string(9 - part.size(), '0') + part;
  }
  return out;
}

/// A nonnegative integer in decimal digits as base-1e9 limbs, least significant first.
std::vector<std::uint64_t> limbs_of(const std::string& digits) {
  std::vector<std::uint64_t> out;
  for (std::size_t end = digits.size(); end > 0;) {
    const std::size_t begin = end >= 9 ? end - 9 : 0;
    std::uint64_t v = 0;
    for (std::size_t i = begin; i < end; ++i) v = v * 10 + static_cast<std::uint64_t>(digits[i] - '0');
    out.push_back(v);
    end = begin;
  }
  return out;
}

/// Schoolbook product of limb vectors (values below 1e9 each: a product and a carry fit 64 bits).
std::vector<std::uint64_t> times(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  constexpr std::uint64_t kBase = 1000000000;
  std::vector<std::uint64_t> out(a.size() + b.size(), 0);
  for (std::size_t i = 0; i < a.size(); ++i) {
    std::uint64_t carry = 0;
    for (std::size_t j = 0; j < b.size(); ++j) {
      const std::uint64_t v = out[i + j] + a[i] * b[j] + carry;
      out[i + j] = v % kBase;
      carry = v / kBase;
    }
    for (std::size_t k = i + b.size(); carry != 0; ++k) {
      const std::uint64_t v = out[k] + carry;
      out[k] = v % kBase;
      carry = v / kBase;
    }
  }
  while (out.size() > 1 && out.back() == 0) out.pop_back();
  return out;
}

int compare_magnitudes(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  for (std::size_t i = a.size(); i-- > 0;)
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

std::optional<Literal> fail(std::string* why, const char* reason) {
  if (why) *why = reason;
  return std::nullopt;
}

}  // namespace

std::string Literal::as_fraction() const {
  std::string s = negative ? "-" : "";
  s += numerator;
  if (denominator != "1") s += "/" + denominator;
  return s;
}

std::optional<std::int64_t> Literal::as_int64() const {
  if (!is_integer() || numerator.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  auto r = std::from_chars(numerator.data(), numerator.data() + numerator.size(), v);
  if (r.ec != std::errc{}) return std::nullopt;
  if (v > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
  return negative ? -static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v);
}

Literal Literal::from_int(std::int64_t v) {
  Literal l;
  l.text = std::to_string(v);
  l.negative = v < 0;
  const std::uint64_t mag =
      v < 0 ? static_cast<std::uint64_t>(-(v + 1)) + 1 : static_cast<std::uint64_t>(v);
  l.numerator = std::to_string(mag);
  l.denominator = "1";
  return l;
}

int compare(const Literal& a, const Literal& b) {
  const int sa = a.is_zero() ? 0 : (a.negative ? -1 : 1), sb = b.is_zero() ? 0 : (b.negative ? -1 : 1);
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  // Same sign: compare |a| = n/d with |b| = m/e by n e against m d.
  const int c = compare_magnitudes(times(limbs_of(a.numerator), limbs_of(b.denominator)),
                                   times(limbs_of(b.numerator), limbs_of(a.denominator)));
  return sa > 0 ? c : -c;
}

std::optional<Literal> Literal::from_double(double v) {
  if (!std::isfinite(v)) return std::nullopt;
  if (v == 0.0) return from_int(0);
  int e = 0;
  const double m = std::frexp(std::abs(v), &e);  // |v| = m 2^e, m in [1/2, 1)
  auto n = static_cast<std::uint64_t>(std::ldexp(m, 53));  // |v| = n 2^(e - 53), n < 2^53
  e -= 53;
  const int z = std::countr_zero(n);
  n >>= z;
  e += z;
  Literal l;
  l.negative = v < 0;
  l.numerator = e >= 0 ? times_pow2(n, e) : std::to_string(n);
  l.denominator = e >= 0 ? "1" : times_pow2(1, -e);
  l.text = l.as_fraction();
  return l;
}

std::optional<Literal> parse_literal(std::string_view text, std::string* why) {
  Literal lit;
  lit.text = std::string(text);
  std::string_view s = text;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return fail(why, "empty number");
  if (!std::isdigit(static_cast<unsigned char>(s[0]))) return fail(why, "a number must start with a digit");

  const auto slash = s.find('/');
  if (slash != std::string_view::npos) {
    const auto num = s.substr(0, slash), den = s.substr(slash + 1);
    if (!all_digits(num) || !all_digits(den)) return fail(why, "a fraction is digits/digits");
    if (num.size() > kMaxLiteralDigits || den.size() > kMaxLiteralDigits)
      return fail(why, "too many digits");
    lit.numerator = strip_zeros(num);
    lit.denominator = strip_zeros(den);
    if (lit.denominator == "0") return fail(why, "zero denominator");
  } else {
    // mantissa [. fraction] [e exponent]
    std::size_t epos = s.find_first_of("eE");
    std::string_view mant = s.substr(0, epos);
    std::int64_t exponent = 0;
    if (epos != std::string_view::npos) {
      std::string_view e = s.substr(epos + 1);
      bool eneg = false;
      if (!e.empty() && (e[0] == '-' || e[0] == '+')) {
        eneg = e[0] == '-';
        e.remove_prefix(1);
      }
      if (!all_digits(e)) return fail(why, "bad exponent");
      if (e.size() > 6) return fail(why, "exponent out of range");
      std::from_chars(e.data(), e.data() + e.size(), exponent);
      if (exponent > kMaxLiteralExponent) return fail(why, "exponent out of range");
      if (eneg) exponent = -exponent;
    }
    std::string digits;
    const auto dot = mant.find('.');
    if (dot != std::string_view::npos) {
      const auto ip = mant.substr(0, dot), fp = mant.substr(dot + 1);
      if (!all_digits(ip) || !all_digits(fp)) return fail(why, "bad decimal number");
      digits = std::string(ip) + std::string(fp);
      exponent -= static_cast<std::int64_t>(fp.size());
    } else {
      if (!all_digits(mant)) return fail(why, "bad number");
      digits = std::string(mant);
    }
    if (digits.size() > kMaxLiteralDigits) return fail(why, "too many digits");
    digits = strip_zeros(digits);
    if (digits == "0") {
      lit.numerator = "0";
      lit.denominator = "1";
    } else if (exponent >= 0) {
      lit.numerator = digits + std::string(static_cast<std::size_t>(exponent), '0');
      lit.denominator = "1";
    } else {
      lit.numerator = digits;
      lit.denominator = "1" + std::string(static_cast<std::size_t>(-exponent), '0');
    }
  }
  lit.negative = neg && lit.numerator != "0";
  return lit;
}

}  // namespace selgrad
