// Exact literal reading: every spec form becomes sign / numerator / denominator digits, exactly
// (0.1 is 1/10, never the nearest double), and malformed or oversized literals are refused.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "selgrad/program/error.hpp"
#include "selgrad/program/literal.hpp"
#include "selgrad/program/parse.hpp"

namespace selgrad {
namespace {

struct Exact {
  const char* text;
  bool negative;
  const char* num;
  const char* den;
};

class LiteralReadsExactly : public ::testing::TestWithParam<Exact> {};

TEST_P(LiteralReadsExactly, SignNumeratorDenominator) {
  const Exact& c = GetParam();
  std::string why;
  const auto lit = parse_literal(c.text, &why);
  ASSERT_TRUE(lit.has_value()) << c.text << ": " << why;
  EXPECT_EQ(lit->text, c.text);
  EXPECT_EQ(lit->negative, c.negative) << c.text;
  EXPECT_EQ(lit->numerator, c.num) << c.text;
  EXPECT_EQ(lit->denominator, c.den) << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    SpecForms, LiteralReadsExactly,
    ::testing::Values(Exact{"3", false, "3", "1"}, Exact{"-3", true, "3", "1"},
                      Exact{"+3", false, "3", "1"}, Exact{"1/3", false, "1", "3"},
                      Exact{"-2/7", true, "2", "7"}, Exact{"0.25", false, "25", "100"},
                      Exact{"0.1", false, "1", "10"}, Exact{"1e-3", false, "1", "1000"},
                      Exact{"-2.5E3", true, "2500", "1"}, Exact{"2.5e+1", false, "25", "1"},
                      Exact{"1E0", false, "1", "1"}, Exact{"12.50", false, "1250", "100"},
                      Exact{"0", false, "0", "1"}, Exact{"-0", false, "0", "1"},
                      Exact{"-0.000", false, "0", "1"}, Exact{"0e7", false, "0", "1"},
                      Exact{"007", false, "7", "1"}, Exact{"-007/010", true, "7", "10"},
                      Exact{"000.5", false, "5", "10"}, Exact{"0/5", false, "0", "5"},
                      Exact{"3.14159", false, "314159", "100000"},
                      Exact{"6/4", false, "6", "4"},  // not reduced
                      Exact{"1.5e-2", false, "15", "1000"}));

TEST(Literal, PointOneIsExactlyOneTenth) {
  const auto lit = parse_literal("0.1");
  ASSERT_TRUE(lit);
  EXPECT_EQ(lit->as_fraction(), "1/10");
  EXPECT_FALSE(lit->is_integer());
  EXPECT_FALSE(lit->is_zero());
}

struct Bad {
  std::string text;
  const char* why_contains;
};

class LiteralRejects : public ::testing::TestWithParam<Bad> {};

TEST_P(LiteralRejects, WithAReason) {
  const Bad& c = GetParam();
  std::string why;
  EXPECT_FALSE(parse_literal(c.text, &why).has_value()) << c.text.substr(0, 40);
  EXPECT_NE(why.find(c.why_contains), std::string::npos) << c.text.substr(0, 40) << ": " << why;
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, LiteralRejects,
    ::testing::Values(
        Bad{"1/0", "zero denominator"}, Bad{"-3/000", "zero denominator"},
        Bad{"1.2.3", "bad decimal"}, Bad{"e5", "start with a digit"},
        Bad{"--1", "start with a digit"}, Bad{"+-1", "start with a digit"},
        Bad{"", "empty"}, Bad{"-", "empty"}, Bad{".5", "start with a digit"},
        Bad{"1.", "bad decimal"}, Bad{"1e", "bad exponent"}, Bad{"1e+", "bad exponent"},
        Bad{"1e1.5", "bad exponent"}, Bad{"1/2/3", "fraction"}, Bad{"1/", "fraction"},
        Bad{"1/-2", "fraction"}, Bad{"1/2e3", "fraction"}, Bad{"1.5/2", "fraction"},
        Bad{"12a", "bad number"}, Bad{"1 2", "bad number"}, Bad{"0x10", "bad number"},
        Bad{"1e99999", "exponent out of range"}, Bad{"1e-99999", "exponent out of range"},
        Bad{"1e10001", "exponent out of range"}, Bad{"1e1234567890", "exponent out of range"},
        Bad{std::string(kMaxLiteralDigits + 1, '1'), "too many digits"},
        Bad{"1/" + std::string(kMaxLiteralDigits + 1, '3'), "too many digits"},
        Bad{std::string(kMaxLiteralDigits + 1, '2') + "/3", "too many digits"},
        Bad{"0." + std::string(kMaxLiteralDigits, '5'), "too many digits"},
        Bad{std::string(100000, '9'), "too many digits"}));

TEST(Literal, LimitsAreInclusive) {
  EXPECT_TRUE(parse_literal(std::string(kMaxLiteralDigits, '9')));
  EXPECT_TRUE(parse_literal("1/" + std::string(kMaxLiteralDigits, '9')));
  const auto big = parse_literal("1e" + std::to_string(kMaxLiteralExponent));
  ASSERT_TRUE(big);
  EXPECT_EQ(big->numerator.size(), static_cast<std::size_t>(kMaxLiteralExponent) + 1);
  const auto small = parse_literal("-1e-" + std::to_string(kMaxLiteralExponent));
  ASSERT_TRUE(small);
  EXPECT_TRUE(small->negative);
  EXPECT_EQ(small->numerator, "1");
  EXPECT_EQ(small->denominator.size(), static_cast<std::size_t>(kMaxLiteralExponent) + 1);
}

TEST(Literal, EqualityIsOnTheUnreducedDigits) {
  EXPECT_EQ(*parse_literal("0.5"), *parse_literal("5/10"));
  EXPECT_EQ(*parse_literal("-2.5E3"), *parse_literal("-2500"));
  EXPECT_EQ(*parse_literal("007"), *parse_literal("7"));
  EXPECT_EQ(*parse_literal("-0"), *parse_literal("0"));
  EXPECT_FALSE(*parse_literal("1/2") == *parse_literal("0.5"));  // same value, other digits
  EXPECT_FALSE(*parse_literal("1") == *parse_literal("-1"));
}

TEST(Literal, AsFractionAndInt64) {
  EXPECT_EQ(parse_literal("-2/7")->as_fraction(), "-2/7");
  EXPECT_EQ(parse_literal("-2.5E3")->as_fraction(), "-2500");
  EXPECT_EQ(parse_literal("-2.5E3")->as_int64(), -2500);
  EXPECT_EQ(parse_literal("4/2")->as_int64(), std::nullopt);  // not reduced: not an integer
  EXPECT_EQ(parse_literal("9223372036854775807")->as_int64(),
            std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(parse_literal("9223372036854775808")->as_int64(), std::nullopt);
  EXPECT_EQ(parse_literal("-9223372036854775807")->as_int64(),
            -std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(parse_literal("123456789012345678901")->as_int64(), std::nullopt);
  EXPECT_TRUE(parse_literal("-0.0")->is_zero());
  EXPECT_TRUE(parse_literal("3e2")->is_integer());
}

TEST(Literal, FromInt) {
  for (std::int64_t v : {std::int64_t{0}, std::int64_t{1}, std::int64_t{-1}, std::int64_t{42},
                         std::numeric_limits<std::int64_t>::max(),
                         std::numeric_limits<std::int64_t>::min()}) {
    const Literal l = Literal::from_int(v);
    EXPECT_EQ(l.text, std::to_string(v));
    EXPECT_EQ(l.negative, v < 0);
    EXPECT_EQ(l.denominator, "1");
    const auto back = parse_literal(l.text);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, l);
  }
  EXPECT_EQ(Literal::from_int(std::numeric_limits<std::int64_t>::min()).numerator,
            "9223372036854775808");
}

TEST(ParsePoint, CommaSeparatedExactLiterals) {
  const auto pt = parse_point("1/2,-3, 0.25 ,1e-3");
  ASSERT_EQ(pt.size(), 4u);
  EXPECT_EQ(pt[0].as_fraction(), "1/2");
  EXPECT_EQ(pt[1].as_fraction(), "-3");
  EXPECT_EQ(pt[2].as_fraction(), "25/100");
  EXPECT_EQ(pt[3].as_fraction(), "1/1000");
}

TEST(ParsePoint, BadItemIsAUsageErrorNamingIt) {
  for (const char* bad : {"1,,2", "1,x", "", "1/0", "1,2,"}) {
    try {
      parse_point(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Usage) << bad;
      EXPECT_NE(e.reason().find("bad number"), std::string::npos) << e.what();
      EXPECT_NE(e.reason().find("position"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace selgrad
