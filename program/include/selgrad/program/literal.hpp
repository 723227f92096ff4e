// Exact number literals.
//
// The .sgp format reads every number literal exactly as a rational: `0.1` is 1/10, never the
// nearest double. program/ depends on the standard library only, so a literal is kept as its
// source text plus an unreduced sign / numerator / denominator in decimal digits; each engine
// converts it to its own scalar type (exact rational, MPFR, double) from those digits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace selgrad {

struct Literal {
  std::string text;         ///< the literal as written (the printer writes it back verbatim)
  bool negative = false;    ///< sign of the value (false for zero)
  std::string numerator;    ///< decimal digits, no leading zeros ("0" for zero)
  std::string denominator;  ///< decimal digits, no leading zeros, never "0"

  /// Same value representation: sign, numerator and denominator digits agree.
  /// (Not reduced: 1/2 and 0.5 are different literals that denote the same number.)
  friend bool operator==(const Literal& a, const Literal& b) {
    return a.negative == b.negative && a.numerator == b.numerator &&
           a.denominator == b.denominator;
  }

  bool is_integer() const { return denominator == "1"; }
  bool is_zero() const { return numerator == "0"; }
  /// "-n/d" or "n" (denominator 1), the form GMP's mpq_set_str reads.
  std::string as_fraction() const;
  /// The value as an int64 if it is an integer within range.
  std::optional<std::int64_t> as_int64() const;

  static Literal from_int(std::int64_t v);
  /// The exact value of a finite double (a dyadic rational: `n` or `n/2^k`, reduced), or
  /// std::nullopt for an infinite or NaN value.
  static std::optional<Literal> from_double(double v);
};

/// The sign of a - b for the exact values of two literals (-1, 0 or 1).
int compare(const Literal& a, const Literal& b);

/// Limits on literal size: a literal is text, and text must not become a denial of service.
inline constexpr std::size_t kMaxLiteralDigits = 10000;   ///< digits of mantissa, numerator or denominator
inline constexpr std::int64_t kMaxLiteralExponent = 10000; ///< |e| in 1e<e>
inline constexpr std::int64_t kMaxPowiExponent = 1 << 20;  ///< |k| in powi a k

/// Parses `3`, `-3`, `1/3`, `-2/7`, `0.25`, `1e-3`, `-2.5E3` exactly: an optional sign, then
/// either `D/D` or `D[.D][(e|E)[+-]D]` where D is a run of decimal digits.
/// Returns std::nullopt and sets `why` when the text is not a literal.
std::optional<Literal> parse_literal(std::string_view text, std::string* why = nullptr);

}  // namespace selgrad
