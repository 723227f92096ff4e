// Tie rules in program text (`@split`, `@a`, `@first`, ...) and the framework profiles
// (program/tie_rule.hpp, conventions.hpp).
#include <gtest/gtest.h>

#include "selgrad/program/conventions.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/program/parse.hpp"

namespace selgrad {
namespace {

const Node& node(const Program& p, const std::string& name) { return p.nodes[static_cast<std::size_t>(p.find(name))]; }

TEST(TieRules, ParsedPrintedAndParsedBackEqual) {
  const std::string text =
      "input x y\nm = max x y @split\nn = min x y @first\nr = relu x @a\na = abs y @-a\nc = clamp x 0 1 @hi\n"
      "s1 s2 = sort x y @stable\nz = add m n r a c s1\noutput z\n";
  const Program p = parse_program(text);
  EXPECT_EQ(node(p, "m").tie, TieRule::split());
  EXPECT_EQ(node(p, "n").tie, TieRule::op_rule());
  EXPECT_EQ(node(p, "r").tie, TieRule::take(1));
  EXPECT_EQ(node(p, "a").tie, TieRule::take(2));
  EXPECT_EQ(node(p, "c").tie, TieRule::take(2));
  EXPECT_EQ(node(p, "s2").tie, TieRule::op_rule());
  const std::string printed = print_program(p);
  EXPECT_NE(printed.find("m = max x y @split\n"), std::string::npos) << printed;
  EXPECT_NE(printed.find("r = relu x @a\n"), std::string::npos) << printed;
  EXPECT_EQ(parse_program(printed), p);
}

TEST(TieRules, WeightedRulesKeepTheirExactWeightAsALiteral) {
  const Program p = parse_program("input x\ny = relu x @a=1/4\nz = clamp y 0 1 @hi=0.5\noutput z\n");
  const Node& y = node(p, "y");
  EXPECT_EQ(y.tie.kind, TieRule::Kind::Weight);
  EXPECT_EQ(y.tie.piece, 1u);
  EXPECT_EQ(p.literals[y.tie.weight].as_fraction(), "1/4");
  const std::string printed = print_program(p);
  EXPECT_NE(printed.find("y = relu x @a=1/4\n"), std::string::npos) << printed;
  EXPECT_NE(printed.find("z = clamp y 0 1 @hi=0.5\n"), std::string::npos) << printed;
  EXPECT_EQ(parse_program(printed), p);
  EXPECT_NE(parse_program("input x\ny = relu x @a=3/4\noutput y\n"), parse_program("input x\ny = relu x @a=1/4\noutput y\n"));
}

TEST(TieRules, AProgramWithoutRulesPrintsAsBefore) {
  const std::string text = "input x y\nm = max x y\noutput m\n";
  EXPECT_EQ(print_program(parse_program(text)), text);
  EXPECT_FALSE(has_tie_conventions(parse_program(text)));
}

TEST(TieRules, BadRulesAreErrorsWithLineAndColumn) {
  const auto fails_with = [](const std::string& text, const std::string& part, std::uint32_t column) {
    try {
      parse_program(text);
      ADD_FAILURE() << "accepted: " << text;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
      EXPECT_EQ(e.where().line, 2u);
      EXPECT_EQ(e.where().column, column) << e.what();
    }
  };
  fails_with("input x y\nm = add x y @split\noutput m\n", "smooth", 13);
  fails_with("input x y\nm = max x y @b\noutput m\n", "unknown tie rule '@b' for max", 13);
  fails_with("input x\nm = relu x @1\noutput m\n", "expected default, split, 0, a", 12);
  fails_with("input u v x y\nm = select lt u v x y @split\noutput m\n", "select takes no tie rule", 23);
  fails_with("input x\nm = relu x @a=3/2\noutput m\n", "must be in [0, 1]", 12);
  fails_with("input x\nm = relu x @a=-1/2\noutput m\n", "must be in [0, 1]", 12);
  fails_with("input x\nm = relu x @a=x\noutput m\n", "bad weight 'x'", 12);
  fails_with("input x y\nm = max x y @a=1/2\noutput m\n", "unknown tie rule", 13);
}

TEST(TieRules, ValidationRefusesAPieceTheOpDoesNotHave) {
  Program p = parse_program("input x\nr = relu x\noutput r\n");
  p.nodes[1].tie = TieRule::take(2);
  EXPECT_THROW(validate(p), Error);
  p.nodes[1].tie = TieRule::split();
  EXPECT_NO_THROW(validate(p));
  p.nodes[0].tie = TieRule::split();  // an input
  EXPECT_THROW(validate(p), Error);
}

TEST(Conventions, ProfilesGiveEachFrameworksRules) {
  const Program p = parse_program(
      "input x y z\nr = relu x\na = abs x\nm = max x y\nm3 = max x y z\nc = clamp x 0 1\no = add r a m m3 c\noutput o\n");
  const auto rules = [&](Conventions c) {
    const Program q = with_conventions(p, c);
    return std::vector<TieRule>{node(q, "r").tie, node(q, "a").tie, node(q, "m").tie, node(q, "m3").tie,
                                node(q, "c").tie};
  };
  const TieRule op = TieRule::op_rule(), split = TieRule::split();
  // relu'(0) = 0 everywhere; abs'(0): JAX 1; maximum: torch and jax split, tf first; reductions
  // split; clamp: torch and tf pass the gradient at a bound, jnp.clip splits it.
  EXPECT_EQ(rules(Conventions::Default), (std::vector<TieRule>{op, op, op, op, op}));
  EXPECT_EQ(rules(Conventions::Torch), (std::vector<TieRule>{op, op, split, split, TieRule::take(1)}));
  EXPECT_EQ(rules(Conventions::Jax), (std::vector<TieRule>{op, TieRule::take(1), split, split, split}));
  EXPECT_EQ(rules(Conventions::Tf), (std::vector<TieRule>{op, op, op, split, TieRule::take(1)}));
}

TEST(Conventions, WrittenRulesAreKeptAndCanBeRemoved) {
  const Program p = parse_program("input x y\nm = max x y @first\nn = max x y\no = add m n\noutput o\n");
  const Program t = with_conventions(p, Conventions::Torch);
  EXPECT_EQ(node(t, "m").tie, TieRule::op_rule());
  EXPECT_EQ(node(t, "n").tie, TieRule::split());
  const Program none = without_conventions(t);
  EXPECT_EQ(node(none, "m").tie.kind, TieRule::Kind::Unset);
  EXPECT_EQ(node(none, "n").tie.kind, TieRule::Kind::Unset);
}

TEST(Conventions, NamesAreReadAndUnknownNamesAreNot) {
  EXPECT_EQ(conventions_by_name("torch"), Conventions::Torch);
  EXPECT_EQ(conventions_by_name("pytorch"), Conventions::Torch);
  EXPECT_EQ(conventions_by_name("tensorflow"), Conventions::Tf);
  EXPECT_EQ(conventions_by_name("default"), Conventions::Default);
  EXPECT_FALSE(conventions_by_name("Torch").has_value());
  EXPECT_FALSE(conventions_by_name("").has_value());
}

}  // namespace
}  // namespace selgrad
