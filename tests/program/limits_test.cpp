// ParseLimits: every size cap of the text format refuses its input before storing it, as a
// located Error (Resource) that names the cap's option; the sort statement's storage is O(k);
// long chains parse and print without recursion.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "selgrad/program/error.hpp"
#include "selgrad/program/parse.hpp"

namespace selgrad {
namespace {

template <class F>
Error error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return Error(ErrorKind::Usage, {}, "none");
}

TEST(ParseLimits, EachCapIsALocatedResourceErrorNamingItsOption) {
  const std::string text = "input x y\na = add x y\nb = mul a a x\noutput b\n";
  struct Case {
    ParseLimits limits;
    const char* option;
    std::uint32_t line;
  };
  ParseLimits bytes, line, name, nodes, args;
  bytes.max_bytes = 10;
  line.max_line_bytes = 10;
  name.max_name_bytes = 0;
  nodes.max_nodes = 3;
  args.max_arguments = 4;
  for (const Case& c : {Case{bytes, "--max-file-bytes", 1}, Case{line, "--max-line-bytes", 2},
                        Case{name, "--max-name-bytes", 1}, Case{nodes, "--max-nodes", 3},
                        Case{args, "--max-args", 3}}) {
    const Error e = error_of([&] { parse_program(text, c.limits); });
    EXPECT_EQ(e.kind(), ErrorKind::Resource) << e.what();
    EXPECT_EQ(e.where().line, c.line) << e.what();
    EXPECT_GE(e.where().column, 1u) << e.what();
    EXPECT_NE(std::string(e.what()).find(c.option), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("ParseLimits::"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(parse_program(text));  // within the defaults
}

TEST(ParseLimits, LongNamesAndTokensAreRefusedWithAShortMessage) {
  const std::string name(5000, 'n');
  const Error e = error_of([&] { parse_program("input x\n" + name + " = neg x\noutput x\n"); });
  EXPECT_EQ(e.kind(), ErrorKind::Resource);
  EXPECT_LT(std::string(e.what()).size(), 300u) << "the message quotes at most 64 characters of the name";
  const Error u = error_of([&] { parse_program("input x\ny = neg " + name + "\noutput y\n"); });
  EXPECT_EQ(u.kind(), ErrorKind::Parse);
  EXPECT_LT(std::string(u.what()).size(), 300u);
}

TEST(ParseLimits, AFileIsNotReadPastTheCap) {
  // /dev/zero never ends: the reader stops after max_bytes + 1 bytes and refuses it.
  ParseLimits small;
  small.max_bytes = 1000;
  const Error e = error_of([&] { parse_program_file("/dev/zero", small); });
  EXPECT_EQ(e.kind(), ErrorKind::Resource) << e.what();
  EXPECT_NE(std::string(e.what()).find("--max-file-bytes"), std::string::npos) << e.what();
}

TEST(ParseLimits, ADirectoryOrAMissingFileIsAUsageError) {
  const Error d = error_of([&] { parse_program_file(std::filesystem::temp_directory_path().string()); });
  EXPECT_EQ(d.kind(), ErrorKind::Usage);
  EXPECT_NE(std::string(d.what()).find("is a directory"), std::string::npos) << d.what();
  const Error m = error_of([&] { parse_program_file("/nonexistent/x.sgp"); });
  EXPECT_EQ(m.kind(), ErrorKind::Usage);
}

TEST(SortStorage, ASortStatementStoresItsArgumentsOnce) {
  std::string text = "input x\nr0";
  const int k = 30000;
  for (int i = 1; i < k; ++i) text += " r" + std::to_string(i);
  text += " = sort";
  for (int i = 0; i < k; ++i) text += i % 2 ? " x" : " " + std::to_string(i);
  text += "\noutput r0 r29999\n";
  const Program p = parse_program(text);
  ASSERT_EQ(p.m(), 1u + k);
  for (std::uint32_t r = 1; r < k; ++r)
    ASSERT_TRUE(p.nodes[1 + r].args.shares_storage_with(p.nodes[1].args)) << "rank " << r;
  EXPECT_EQ(p.nodes[k].args.size(), static_cast<std::size_t>(k));
  // Copies share too; modifying one gives it its own list and leaves the others alone.
  Program q = p;
  EXPECT_TRUE(q.nodes[5].args.shares_storage_with(p.nodes[5].args));
  q.nodes[5].args[0] = Arg::node(0);
  EXPECT_FALSE(q.nodes[5].args.shares_storage_with(p.nodes[5].args));
  EXPECT_FALSE(p.nodes[5].args[0].is_node());  // 0 is a literal in p
  EXPECT_EQ(parse_program(print_program(p)), p);
}

TEST(DeepPrograms, AMillionNodeChainParsesValidatesAndPrintsWithoutRecursion) {
  std::string text = "input x\n";
  text.reserve(20 << 20);
  const int depth = 1000000;
  for (int i = 1; i <= depth; ++i)
    text += "n" + std::to_string(i) + " = neg " + (i == 1 ? std::string("x") : "n" + std::to_string(i - 1)) + "\n";
  text += "output n" + std::to_string(depth) + "\n";
  const Program p = parse_program(text);
  EXPECT_EQ(p.m(), static_cast<std::size_t>(depth) + 1);
  EXPECT_NO_THROW(validate(p));
  EXPECT_EQ(print_program(p), text);
}

}  // namespace
}  // namespace selgrad
