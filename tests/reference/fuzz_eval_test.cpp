// No input crashes or hangs the reference engine: 10,000 random and mutated program texts
// (fixed seed) go through the parser and, when they parse, through exact or certified MPFR
// evaluation in both modes and the tie closure, at points biased to kinks. The only acceptable
// failures are selgrad::Errors that say where they come from.
#include <cstdio>
#include <random>

#include "fixtures.hpp"
#include "program/program_text_gen.hpp"

namespace selgrad::testing {
namespace {

std::vector<Rational> kinky_point(std::mt19937_64& rng, std::size_t p) {
  // Small-denominator values: 0 and +-1 often, so relu/abs/max/sort ties are hit.
  static const char* values[] = {"0", "0", "1", "-1", "1/2", "-1/2", "2", "3/4", "-5/3", "7"};
  std::vector<Rational> x;
  for (std::size_t i = 0; i < p; ++i) x.push_back(q(values[rng() % std::size(values)]));
  return x;
}

/// An evaluation error must name its node: "op (line L, node N): reason".
void expect_located(const Error& e, const std::string& text) {
  const std::string what = e.what();
  const bool located = what.find("(line ") != std::string::npos && what.find("node ") != std::string::npos;
  const bool global = e.kind() == ErrorKind::Resource;  // e.g. the closure's combination cap
  EXPECT_TRUE(located || global) << what << "\nprogram:\n" << text;
  EXPECT_NE(e.kind(), ErrorKind::Usage) << what << "\nprogram:\n" << text;
}

TEST(Fuzz, RandomAndMutatedProgramsGiveResultsOrLocatedErrors) {
  std::mt19937_64 rng(0x5e19ad);
  testgen::TextGenOptions gen;
  reference::Options opt;
  opt.max_precision = 512;            // keep undecidable ties cheap
  opt.max_operand_bits = 1 << 16;     // and runaway products quick to refuse
  opt.max_closure_combinations = 256;
  std::size_t parsed = 0, evaluated = 0, exact_runs = 0, mpfr_runs = 0;
  for (int i = 0; i < 10000; ++i) {
    std::string text = testgen::random_program_text(rng, gen);
    if (i % 2 == 1) text = testgen::mutate_program_text(text, rng);
    Program p;
    try {
      p = parse_program(text);
    } catch (const Error& e) {
      EXPECT_TRUE(e.kind() == ErrorKind::Parse || e.kind() == ErrorKind::Resource) << e.what();
      continue;
    }
    ++parsed;
    const std::vector<Rational> x = kinky_point(rng, p.p());
    try {
      if (!p.transcendental()) {
        ++exact_runs;
        exact_both_modes(p, x);  // asserts L1: forward == backward exactly
        reference::tie_closure(p, x, opt);
      } else {
        ++mpfr_runs;
        reference::Options fwd = opt;
        fwd.mode = reference::Mode::Forward;
        const auto b = reference::evaluate_real(p, x, opt);
        const auto f = reference::evaluate_real(p, x, fwd);
        EXPECT_EQ(b.branches, f.branches) << text;
      }
      ++evaluated;
    } catch (const Error& e) {
      expect_located(e, text);
    }
  }
  std::printf("fuzz: %zu parsed, %zu evaluated (%zu exact, %zu mpfr)\n", parsed, evaluated, exact_runs, mpfr_runs);
  // The stream must exercise the evaluator, not only the parser's error paths.
  EXPECT_GT(parsed, 5000u);
  EXPECT_GT(evaluated, 2500u);
  EXPECT_GT(exact_runs, 500u);
  EXPECT_GT(mpfr_runs, 500u);
}

// The same stream at the engine's default caps (reference::Options{}: precision escalation to
// 4096 bits, operands up to 2^20 bits, closures up to 2^16 combinations), which the test above
// lowers to stay quick: the paths a user's call takes. Fewer programs, to stay within budget.
TEST(Fuzz, AtTheDefaultCapsProgramsGiveResultsOrLocatedErrors) {
  std::mt19937_64 rng(0x5e19ad);
  testgen::TextGenOptions gen;
  const reference::Options opt;  // the defaults
  std::size_t parsed = 0, evaluated = 0, exact_runs = 0, mpfr_runs = 0;
  for (int i = 0; i < 1500; ++i) {
    std::string text = testgen::random_program_text(rng, gen);
    if (i % 2 == 1) text = testgen::mutate_program_text(text, rng);
    Program p;
    try {
      p = parse_program(text);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Parse) << e.what();
      continue;
    }
    ++parsed;
    const std::vector<Rational> x = kinky_point(rng, p.p());
    try {
      if (!p.transcendental()) {
        ++exact_runs;
        exact_both_modes(p, x);
        reference::tie_closure(p, x, opt);
      } else {
        ++mpfr_runs;
        reference::Options fwd = opt;
        fwd.mode = reference::Mode::Forward;
        const auto b = reference::evaluate_real(p, x, opt);
        const auto f = reference::evaluate_real(p, x, fwd);
        EXPECT_EQ(b.branches, f.branches) << text;
      }
      ++evaluated;
    } catch (const Error& e) {
      expect_located(e, text);
    }
  }
  std::printf("fuzz at the default caps: %zu parsed, %zu evaluated (%zu exact, %zu mpfr)\n", parsed, evaluated,
              exact_runs, mpfr_runs);
  EXPECT_GT(parsed, 750u);
  EXPECT_GT(evaluated, 375u);
  EXPECT_GT(exact_runs, 75u);
  EXPECT_GT(mpfr_runs, 75u);
}

}  // namespace
}  // namespace selgrad::testing
