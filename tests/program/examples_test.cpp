// Every examples/*.sgp parses, validates and round-trips through print_program; the paper's
// programs are all there, each opening with a comment that says what it is.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "selgrad/program/error.hpp"
#include "selgrad/program/parse.hpp"

namespace selgrad {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> example_files() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(SELGRAD_SOURCE_DIR) / "examples"))
    if (e.is_regular_file() && e.path().extension() == ".sgp") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Examples, EveryFileParsesAndRoundTrips) {
  const auto files = example_files();
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) {
    SCOPED_TRACE(f.filename().string());
    const std::string text = read(f);
    EXPECT_EQ(text.rfind("# ", 0), 0u) << "an example opens with a comment saying what it is";
    Program p;
    try {
      p = parse_program(text);
    } catch (const Error& e) {
      ADD_FAILURE() << e.what();
      continue;
    }
    EXPECT_NO_THROW(validate(p));
    EXPECT_EQ(parse_program_file(f.string()), p);
    const std::string printed = print_program(p);
    const Program back = parse_program(printed);
    EXPECT_EQ(back, p) << printed;
    EXPECT_EQ(print_program(back), printed);
  }
}

TEST(Examples, ThePapersProgramsArePresent) {
  struct Shape {
    std::size_t p, q;
    bool transcendental;
  };
  const std::map<std::string, Shape> expected = {
      {"relu.sgp", {1, 1, false}},       {"relu2.sgp", {1, 1, false}},
      {"relu3.sgp", {1, 1, false}},      {"zero.sgp", {1, 1, false}},
      {"identity_minus_zero.sgp", {1, 1, false}},
      {"clarke.sgp", {2, 2, false}},     {"mlp.sgp", {2, 1, false}},
      {"sort_layer.sgp", {4, 1, false}}, {"logsumexp.sgp", {2, 1, true}},
      {"selection.sgp", {1, 1, false}}};
  const fs::path dir = fs::path(SELGRAD_SOURCE_DIR) / "examples";
  for (const auto& [name, shape] : expected) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(fs::exists(dir / name));
    const Program p = parse_program_file((dir / name).string());
    EXPECT_EQ(p.p(), shape.p);
    EXPECT_EQ(p.q(), shape.q);
    EXPECT_EQ(p.transcendental(), shape.transcendental);
  }
}

TEST(Examples, SpecExamplesAreTheFilesVerbatimInStructure) {
  // The spec's two examples, as written there, equal the example files.
  const fs::path dir = fs::path(SELGRAD_SOURCE_DIR) / "examples";
  EXPECT_EQ(parse_program_file((dir / "relu2.sgp").string()),
            parse_program("input t\na = neg t\nb = relu a\ny = add b t\noutput y\n"));
  EXPECT_EQ(parse_program_file((dir / "clarke.sgp").string()),
            parse_program("input x y\nax = abs x\nay = abs y\nu = add ax y\n"
                          "v = lin 0 2 x 1 ay\noutput u v\n"));
}

TEST(Examples, SelectionsSitWhereTheHeadersSay) {
  const fs::path dir = fs::path(SELGRAD_SOURCE_DIR) / "examples";
  const auto count = [&](const std::string& file, Op op) {
    const Program p = parse_program_file((dir / file).string());
    return std::count_if(p.nodes.begin(), p.nodes.end(), [&](const Node& n) { return n.op == op; });
  };
  EXPECT_EQ(count("relu.sgp", Op::Relu), 1);
  EXPECT_EQ(count("relu3.sgp", Op::Relu), 2);
  EXPECT_EQ(count("zero.sgp", Op::Relu), 2);
  EXPECT_EQ(count("identity_minus_zero.sgp", Op::Relu), 2);
  EXPECT_EQ(count("clarke.sgp", Op::Abs), 2);
  EXPECT_EQ(count("mlp.sgp", Op::Relu), 3);
  EXPECT_EQ(count("sort_layer.sgp", Op::Sort), 4);
  EXPECT_EQ(count("logsumexp.sgp", Op::Max), 1);
  EXPECT_EQ(count("selection.sgp", Op::Select), 1);
}

}  // namespace
}  // namespace selgrad
