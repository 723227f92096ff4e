// Every error of the spec's Errors section, and every malformed statement the parser knows
// about, gives an Error of kind Parse at the right line and column with a message saying what is
// wrong ("line L, column C: ...").
#include <gtest/gtest.h>

#include <string>

#include "selgrad/program/error.hpp"
#include "selgrad/program/literal.hpp"
#include "selgrad/program/parse.hpp"

namespace selgrad {
namespace {

struct Case {
  const char* what;  // test label
  std::string text;
  std::uint32_t line;
  std::uint32_t column;
  std::string says;  // substring of the reason
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.what; }

class ParseError : public ::testing::TestWithParam<Case> {};

TEST_P(ParseError, LineColumnAndReason) {
  const Case& c = GetParam();
  try {
    parse_program(c.text);
    FAIL() << c.what << ": accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Parse) << c.what;
    EXPECT_EQ(e.where().line, c.line) << c.what << ": " << e.what();
    EXPECT_EQ(e.where().column, c.column) << c.what << ": " << e.what();
    EXPECT_TRUE(e.where().node.empty());
    EXPECT_NE(e.reason().find(c.says), std::string::npos)
        << c.what << ": '" << e.reason() << "' does not say '" << c.says << "'";
    const std::string prefix =
        "line " + std::to_string(c.line) + ", column " + std::to_string(c.column) + ": ";
    EXPECT_EQ(std::string(e.what()).rfind(prefix, 0), 0u) << e.what();
    EXPECT_EQ(std::string(e.what()), prefix + e.reason());
  }
}

const std::string kHuge(kMaxLiteralDigits + 1, '9');

INSTANTIATE_TEST_SUITE_P(
    Spec, ParseError,
    ::testing::Values(
        // unknown name
        Case{"unknown name", "input x\ny = add x q\noutput y\n", 2, 11, "unknown name 'q'"},
        Case{"unknown output", "input x\ny = neg x\noutput y z\n", 3, 10, "unknown name 'z'"},
        Case{"unknown output is not 'used before definition'", "input x\noutput y\n", 2, 8,
             "unknown name 'y'"},
        Case{"name only on a broken line is unknown", "input x\ny = neg q\nq r\noutput y\n", 2, 9,
             "unknown name 'q'"},
        // name defined twice
        Case{"defined twice", "input x\ny = neg x\ny = neg x\noutput y\n", 3, 1,
             "'y' is already defined on line 2"},
        Case{"input defined twice", "input x y x\ny = neg x\noutput y\n", 1, 11,
             "'x' is already defined on line 1"},
        Case{"computed node redefines an input", "input x\n\nx = neg x\noutput x\n", 3, 1,
             "'x' is already defined on line 1"},
        Case{"sort defines a name twice", "input x y\na a = sort x y\noutput a\n", 2, 3,
             "'a' is already defined on line 2"},
        // use before definition
        Case{"use before definition", "input x\ny = add x z\nz = neg x\noutput y\n", 2, 11,
             "'z' is used before its definition (line 3)"},
        Case{"self reference", "input x\ny = add y x\noutput y\n", 2, 9,
             "'y' is used before its definition (line 2)"},
        Case{"use of a later sort name", "input x\ny = neg b\na b = sort x y\noutput a\n", 2, 9,
             "'b' is used before its definition (line 3)"},
        // wrong number of arguments
        Case{"too few", "input x\ny = sub x\noutput y\n", 2, 5, "sub takes 2 arguments, got 1"},
        Case{"too many", "input x\ny = neg x x\noutput y\n", 2, 5, "neg takes 1 argument, got 2"},
        Case{"no arguments", "input x\ny = add\noutput y\n", 2, 5, "add takes at least 1 argument, got 0"},
        Case{"select arity", "input x\ny = select le x x x\noutput y\n", 2, 5,
             "select takes 4 arguments, got 3"},
        Case{"lin even count", "input x\ny = lin 0 1\noutput y\n", 2, 5, "odd number of arguments, got 2"},
        Case{"lin no arguments", "input x\ny = lin\noutput y\n", 2, 5, "lin takes at least 1 argument"},
        Case{"powi arity", "input x\ny = powi x\noutput y\n", 2, 5, "powi takes 2 arguments (a k), got 1"},
        Case{"powi too many", "input x\ny = powi x 2 3\noutput y\n", 2, 5, "got 3"},
        // bad literal
        Case{"bad decimal", "input x\ny = add x 1.2.3\noutput y\n", 2, 11, "bad literal '1.2.3'"},
        Case{"zero denominator", "input x\ny = mul x 1/0\noutput y\n", 2, 11, "zero denominator"},
        Case{"double sign", "input x\ny = mul x --1\noutput y\n", 2, 11, "bad literal '--1'"},
        Case{"huge exponent", "input x\ny = mul x 1e99999\noutput y\n", 2, 11, "exponent out of range"},
        Case{"too many digits", "input x\ny = mul x " + kHuge + "\noutput y\n", 2, 11, "too many digits"},
        Case{"leading dot", "input x\ny = mul x .5\noutput y\n", 2, 11, "bad literal '.5'"},
        Case{"bad lin coefficient literal", "input x\ny = lin 0 1/0 x\noutput y\n", 2, 11, "zero denominator"},
        // unknown op
        Case{"unknown op", "input x\ny = frob x\noutput y\n", 2, 5, "unknown op 'frob'"},
        Case{"input is not an op", "input x\ny = input x\noutput y\n", 2, 5, "unknown op 'input'"},
        Case{"ops are lower case", "input x\ny   =   Relu x\noutput y\n", 2, 9, "unknown op 'Relu'"},
        // missing input statement / input not first
        Case{"missing input", "y = lin 1\noutput y\n", 1, 1, "missing input statement"},
        Case{"empty text", "", 1, 1, "missing input statement"},
        Case{"only comments", "# nothing\n\n   # here\n", 1, 1, "missing input statement"},
        Case{"input not first", "# c\nz = lin 1\ninput x\ny = neg x\noutput y\n", 2, 1,
             "missing input statement (it must be the first statement)"},
        Case{"output before input", "output y\ninput y\n", 1, 1, "missing input statement"},
        Case{"second input statement", "input x\ny = neg x\n  input z\noutput y\n", 3, 3,
             "the input statement must be the first statement"},
        // missing output statement / statement after output
        Case{"missing output", "input x\ny = neg x\n", 2, 1, "missing output statement"},
        Case{"missing output, trailing comment", "input x\n  y = neg x\n# end\n\n", 2, 1,
             "missing output statement"},
        Case{"only input", "input x", 1, 1, "missing output statement"},
        Case{"statement after output", "input x\ny = neg x\noutput y\nz = neg y\n", 4, 1,
             "statement after the output statement"},
        Case{"two outputs", "input x\ny = neg x\noutput y\n\n\toutput x\n", 5, 2,
             "statement after the output statement"},
        // p = 0, q = 0
        Case{"p = 0", "input\ny = lin 1\noutput y\n", 1, 1, "p = 0"},
        Case{"p = 0 with a comment", "  input # no names\noutput\n", 1, 3, "p = 0"},
        Case{"q = 0", "input x\ny = neg x\noutput\n", 3, 1, "q = 0"},
        Case{"q = 0 with a comment", "input x\ny = neg x\noutput   # none\n", 3, 1, "q = 0"},
        // sort name count
        Case{"sort: too many names", "input x y\na b c = sort x y\noutput a\n", 2, 1,
             "sort of 2 arguments needs 2 result names, got 3"},
        Case{"sort: too few names", "input x y\n a = sort x y\noutput a\n", 2, 2,
             "sort of 2 arguments needs 2 result names, got 1"},
        Case{"sort: no arguments", "input x\na = sort\noutput a\n", 2, 5, "sort takes at least 1 argument"},
        // several names on a non-sort op
        Case{"several names on neg", "input x\na b = neg x\noutput a\n", 2, 3,
             "only sort defines several names; neg defines one"},
        // lin coefficient not a literal
        Case{"lin c0 is a name", "input x y\na = lin x 1 y\noutput a\n", 2, 9,
             "lin coefficients must be number literals"},
        Case{"lin ci is a name", "input x y\na = lin 0 x y\noutput a\n", 2, 11,
             "lin coefficients must be number literals"},
        Case{"lin later ci is a name", "input x y\na = lin 0 1 x y x\noutput a\n", 2, 15,
             "lin coefficients must be number literals"},
        // select comparison
        Case{"select without comparison", "input x\na = select x x x x\noutput a\n", 2, 12,
             "select needs a comparison first"},
        Case{"select with unknown comparison", "input x\na = select eq x x x x\noutput a\n", 2, 12,
             "lt, le, gt or ge"},
        Case{"select with nothing", "input x\na = select\noutput a\n", 2, 5, "select needs a comparison"},
        Case{"select comparison is case sensitive", "input x\na = select LE x x x x\noutput a\n", 2, 12,
             "select needs a comparison"},
        // powi exponent
        Case{"powi fraction", "input x\na = powi x 1/2\noutput a\n", 2, 12, "integer literal"},
        Case{"powi decimal", "input x\na = powi x 0.5\noutput a\n", 2, 12, "integer literal"},
        Case{"powi unreduced", "input x\na = powi x 4/2\noutput a\n", 2, 12, "integer literal"},
        Case{"powi name", "input x\na = powi x x\noutput a\n", 2, 12, "integer literal"},
        Case{"powi too large", "input x\na = powi x 1e7\noutput a\n", 2, 12, "|k| <= 1048576"},
        Case{"powi too small", "input x\na = powi x -1048577\noutput a\n", 2, 12, "|k| <= 1048576"},
        Case{"powi bad literal", "input x\na = powi x 1/0\noutput a\n", 2, 12, "integer literal"},
        // invalid names
        Case{"input name starts with a digit", "input 1x\noutput 1x\n", 1, 7, "invalid name '1x'"},
        Case{"input name with a dash", "input a b-c\noutput a\n", 1, 9, "invalid name 'b-c'"},
        Case{"keyword as a name", "input x output\noutput x\n", 1, 9, "'output' is a keyword"},
        Case{"defined name starts with a digit", "input x\n9a = neg x\noutput x\n", 2, 1,
             "invalid name '9a'"},
        Case{"defined name is a number", "input x\n2 = neg x\noutput x\n", 2, 1, "invalid name '2'"},
        Case{"sort name with a slash", "input x y\na b/c = sort x y\noutput a\n", 2, 3, "invalid name 'b/c'"},
        Case{"argument is neither", "input x\ny = add x $\noutput y\n", 2, 11,
             "bad argument '$': not a name or a number"},
        Case{"output a number", "input x\noutput 1\n", 2, 8, "output takes node names, not numbers"},
        // statement shape
        Case{"no '='", "input x\ny neg x\noutput y\n", 2, 1, "no '=' found"},
        Case{"glued '='", "input x\ny=neg x\noutput y\n", 2, 1, "no '=' found"},
        Case{"no name", "input x\n = neg x\noutput x\n", 2, 2, "missing name before '='"},
        Case{"no op", "input x\ny =\noutput y\n", 2, 3, "missing op after '='"},
        Case{"second '='", "input x\ny = add x = x\noutput y\n", 2, 11, "unexpected '='"},
        // non-ASCII and control bytes (outside comments)
        Case{"utf-8 in a name", "input x\ny = add x \xc3\xa9\noutput y\n", 2, 11, "byte 0xc3"},
        Case{"utf-8 inside a name", "input x\xc3\xa9y\noutput x\n", 1, 8, "byte 0xc3"},
        Case{"NUL byte", std::string("input x") + '\0' + "\noutput x\n", 1, 8, "byte 0x00"},
        Case{"high byte", "input x\ny = neg x\n\xff\noutput y\n", 3, 1, "byte 0xff"},
        Case{"DEL byte", "input x\ny = neg\x7f x\noutput y\n", 2, 8, "byte 0x7f"},
        Case{"vertical tab", "input x\ny = neg x\v\noutput y\n", 2, 10, "byte 0x0b"},
        Case{"form feed", "input x\n\fy = neg x\noutput y\n", 2, 1, "byte 0x0c"},
        // A lone CR is blank space, not a line end: this is one input statement naming '='.
        Case{"CR-only line ends are one line", "input x\ry = neg x\routput y\r", 1, 11,
             "invalid name '='"}));

TEST(ParseErrorLines, CrlfAndCommentsDoNotShiftLineNumbers) {
  try {
    parse_program("# c\r\n\r\ninput x\r\n\ty = add x q\r\noutput y\r\n");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.where().line, 4u);
    EXPECT_EQ(e.where().column, 12u);  // a tab is one byte column
    EXPECT_NE(std::string(e.what()).find("line 4, column 12:"), std::string::npos) << e.what();
  }
}

TEST(ParseErrorLines, TheFirstErrorIsReported) {
  try {
    parse_program("input x\ny = add x 1/0\nz = add q\noutput y\n");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.where().line, 2u);
    EXPECT_NE(e.reason().find("zero denominator"), std::string::npos) << e.what();
  }
}

TEST(ParseErrorLines, LineNumbersPastManyLines) {
  std::string text = "input x0\n";
  for (int i = 1; i <= 5000; ++i)
    text += "x" + std::to_string(i) + " = neg x" + std::to_string(i - 1) + "\n";
  text += "bad = neg nope\noutput bad\n";
  try {
    parse_program(text);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.where().line, 5002u);
    EXPECT_NE(std::string(e.what()).find("line 5002, column 11:"), std::string::npos) << e.what();
  }
}

TEST(FormatError, BothShapes) {
  Location parse_where;
  parse_where.line = 3;
  parse_where.column = 9;
  EXPECT_EQ(format_error(parse_where, "unknown name 'q'"), "line 3, column 9: unknown name 'q'");
  Location node_where;
  node_where.line = 7;
  node_where.node = "y";
  node_where.op = "log";
  EXPECT_EQ(format_error(node_where, "argument is -1, must be > 0"),
            "log (line 7, node y): argument is -1, must be > 0");
  Location line_only;
  line_only.line = 2;
  EXPECT_EQ(format_error(line_only, "m"), "line 2: m");
  EXPECT_EQ(format_error(Location{}, "m"), "m");
  Location node_only;
  node_only.node = "z";
  EXPECT_EQ(format_error(node_only, "m"), "(node z): m");
}

TEST(ErrorType, KeepsKindLocationAndReason) {
  Location w;
  w.line = 4;
  w.column = 2;
  const Error e(ErrorKind::Parse, w, "bad");
  EXPECT_EQ(e.kind(), ErrorKind::Parse);
  EXPECT_EQ(e.where().line, 4u);
  EXPECT_EQ(e.reason(), "bad");
  EXPECT_STREQ(e.what(), "line 4, column 2: bad");
  const std::runtime_error& base = e;  // catchable as a standard exception
  EXPECT_STREQ(base.what(), "line 4, column 2: bad");
}

}  // namespace
}  // namespace selgrad
