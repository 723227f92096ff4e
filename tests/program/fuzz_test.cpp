// Fuzzing the parser with a fixed seed: valid programs from the text generator, mutations of
// them, and random bytes. No input may crash, hang, or throw anything but a selgrad::Error of
// kind Parse located at a line; every accepted text is a valid program that round-trips.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <exception>
#include <random>
#include <string>

#include "program_text_gen.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/program/parse.hpp"

namespace selgrad {
namespace {

enum class Outcome { Accepted, Rejected, Failed };

/// Feeds one text to the parser and checks that the outcome is one of the two acceptable ones.
/// Returns Failed (after recording a test failure) otherwise.
Outcome check(const std::string& text) {
  const auto show = [&] { return ::testing::PrintToString(text.substr(0, 300)); };
  try {
    const Program p = parse_program(text);
    try {
      validate(p);
    } catch (const Error& e) {
      ADD_FAILURE() << "parsed program fails validate: " << e.what() << "\n" << show();
      return Outcome::Failed;
    }
    const std::string printed = print_program(p);
    Program back;
    try {
      back = parse_program(printed);
    } catch (const Error& e) {
      ADD_FAILURE() << "printed text does not parse: " << e.what() << "\n" << printed;
      return Outcome::Failed;
    }
    if (!(back == p)) {
      ADD_FAILURE() << "round trip changes the program\n" << show() << "\n" << printed;
      return Outcome::Failed;
    }
    if (print_program(back) != printed) {
      ADD_FAILURE() << "printing is not idempotent\n" << printed;
      return Outcome::Failed;
    }
    return Outcome::Accepted;
  } catch (const Error& e) {
    const std::string what = e.what();
    // A malformed text is a parse error; a text over a size cap (ParseLimits) a resource error;
    // both located.
    const bool kind_ok = e.kind() == ErrorKind::Parse || e.kind() == ErrorKind::Resource;
    if (!kind_ok || what.rfind("line ", 0) != 0 || e.where().line < 1 ||
        e.where().column < 1 || e.reason().empty()) {
      ADD_FAILURE() << "bad error (kind " << static_cast<int>(e.kind()) << "): " << what << "\n"
                    << show();
      return Outcome::Failed;
    }
    return Outcome::Rejected;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "unexpected exception: " << e.what() << "\n" << show();
    return Outcome::Failed;
  } catch (...) {
    ADD_FAILURE() << "unexpected non-standard exception\n" << show();
    return Outcome::Failed;
  }
}

TEST(Fuzz, GeneratedProgramsParseAndRoundTrip) {
  std::mt19937_64 rng(20200611);
  testgen::TextGenOptions opt;
  opt.max_statements = 20;
  int failures = 0;
  for (int i = 0; i < 2000 && failures < 10; ++i) {
    const std::string text = testgen::random_program_text(rng, opt);
    const Outcome o = check(text);
    if (o == Outcome::Rejected) ADD_FAILURE() << "generated program rejected:\n" << text;
    failures += o != Outcome::Accepted;
  }
}

TEST(Fuzz, GeneratorOptionsAreHonoured) {
  std::mt19937_64 rng(7);
  testgen::TextGenOptions opt;
  opt.transcendental = false;
  opt.selections = false;
  opt.decoration = false;
  opt.min_inputs = opt.max_inputs = 2;
  opt.min_statements = opt.max_statements = 5;
  for (int i = 0; i < 200; ++i) {
    const std::string text = testgen::random_program_text(rng, opt);
    const Program p = parse_program(text);
    EXPECT_EQ(p.p(), 2u);
    EXPECT_FALSE(p.transcendental()) << text;
    for (const Node& n : p.nodes) EXPECT_FALSE(op_info(n.op).selection) << text;
    EXPECT_EQ(text.find('#'), std::string::npos);
    EXPECT_EQ(text.find('\r'), std::string::npos);
  }
}

TEST(Fuzz, GeneratorCoversTheOpTable) {
  std::mt19937_64 rng(11);
  std::array<int, kOpCount> seen{};
  std::array<int, 4> cmps{};
  bool negative_powi = false, multi_sort = false, literal_arg = false;
  for (int i = 0; i < 300; ++i) {
    const Program p = parse_program(testgen::random_program_text(rng));
    for (const Node& n : p.nodes) {
      ++seen[static_cast<std::size_t>(n.op)];
      if (n.op == Op::Select) ++cmps[static_cast<std::size_t>(n.cmp)];
      negative_powi = negative_powi || (n.op == Op::Powi && n.power < 0);
      multi_sort = multi_sort || (n.op == Op::Sort && n.group_size > 1);
      for (const Arg& a : n.args) literal_arg = literal_arg || (!a.is_node() && n.op != Op::Lin);
    }
  }
  for (const auto& info : kOpTable) EXPECT_GT(seen[static_cast<std::size_t>(info.op)], 0) << info.name;
  for (int c : cmps) EXPECT_GT(c, 0);
  EXPECT_TRUE(negative_powi);
  EXPECT_TRUE(multi_sort);
  EXPECT_TRUE(literal_arg);
}

TEST(Fuzz, MutatedAndRandomTexts) {
  const auto start = std::chrono::steady_clock::now();
  std::mt19937_64 rng(0x5e16ad2020ull);
  testgen::TextGenOptions opt;
  opt.max_statements = 8;
  int accepted = 0, rejected = 0, failures = 0, total = 0;
  const auto run = [&](const std::string& text) {
    ++total;
    switch (check(text)) {
      case Outcome::Accepted: ++accepted; break;
      case Outcome::Rejected: ++rejected; break;
      case Outcome::Failed: ++failures; break;
    }
  };
  for (int i = 0; i < 12000 && failures < 10; ++i)
    run(testgen::mutate_program_text(testgen::random_program_text(rng, opt), rng));
  for (int i = 0; i < 2000 && failures < 10; ++i) run(testgen::random_bytes_text(rng));
  // Hand-picked degenerate texts.
  for (const std::string& text :
       {std::string(), std::string("\n\n\n"), std::string(1, '\0'), std::string(5000, '='),
        std::string(5000, '#'), std::string(5000, ' '), std::string("input"),
        std::string("output"), std::string("input x\noutput x"), std::string("input x\r\noutput x\r\n"),
        std::string("input x\noutput x\n") + std::string(1, '\0'),
        std::string("input x\n") + std::string(20000, 'y') + " = neg x\noutput x\n",
        std::string("input x\ny = add x") + std::string(1000, ' ') + "1\noutput y\n"})
    run(text);
  EXPECT_EQ(failures, 0);
  EXPECT_GE(total, 14000);
  // The mutations must exercise both outcomes.
  EXPECT_GT(accepted, 500);
  EXPECT_GT(rejected, 7000);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  RecordProperty("accepted", accepted);
  RecordProperty("rejected", rejected);
  RecordProperty("seconds_x1000", static_cast<int>(secs * 1000));
}

// The same at the text generator's default options (the test above keeps programs shorter to
// run 12000 mutations): longer programs, longer lin and n-ary statements.
TEST(Fuzz, MutatedTextsAtTheGeneratorDefaults) {
  std::mt19937_64 rng(0xdefa017ull);
  const testgen::TextGenOptions opt;  // the defaults
  int accepted = 0, rejected = 0, failures = 0;
  for (int i = 0; i < 4000 && failures < 10; ++i) {
    switch (check(testgen::mutate_program_text(testgen::random_program_text(rng, opt), rng))) {
      case Outcome::Accepted: ++accepted; break;
      case Outcome::Rejected: ++rejected; break;
      case Outcome::Failed: ++failures; break;
    }
  }
  EXPECT_EQ(failures, 0);
  EXPECT_GT(accepted, 100);
  EXPECT_GT(rejected, 2000);
}

TEST(Fuzz, LargeProgramParsesInLinearTime) {
  // 100,000 statements: the parser has no quadratic step (and no recursion to overflow).
  std::string text = "input x0\n";
  for (int i = 1; i <= 100000; ++i)
    text += "x" + std::to_string(i) + " = add x" + std::to_string(i - 1) + " 1/2\n";
  text += "output x100000\n";
  const Program p = parse_program(text);
  EXPECT_EQ(p.m(), 100001u);
  EXPECT_EQ(p.literals.size(), 100000u);
  EXPECT_EQ(parse_program(print_program(p)), p);
}

}  // namespace
}  // namespace selgrad
