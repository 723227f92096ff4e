// The op tables of docs/program-format.md are the rules' tables (op_docs.hpp): a document that
// drifts from the code fails here, and the failure prints the table to paste.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "selgrad/program/op.hpp"
#include "selgrad/program/op_docs.hpp"

namespace selgrad {
namespace {

std::string read_doc() {
  std::ifstream in(std::string(SELGRAD_SOURCE_DIR) + "/docs/program-format.md");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The text between the line starting "<!-- op table: NAME" and "<!-- end of op table -->".
std::string table_in_doc(const std::string& doc, const std::string& name) {
  const std::string open = "<!-- op table: " + name;
  const auto a = doc.find(open);
  if (a == std::string::npos) return "(no table '" + name + "' in the document)";
  const auto body = doc.find('\n', a) + 1;
  const auto b = doc.find("<!-- end of op table -->", body);
  return doc.substr(body, b - body);
}

TEST(OpDocs, TheSmoothOpTableIsTheRulesTable) {
  EXPECT_EQ(table_in_doc(read_doc(), "smooth"), smooth_op_table())
      << "docs/program-format.md drifted from the op rules; the table should read:\n"
      << smooth_op_table();
}

TEST(OpDocs, TheSelectionTableIsTheRulesTable) {
  EXPECT_EQ(table_in_doc(read_doc(), "selections"), selection_op_table())
      << "docs/program-format.md drifted from the op rules; the table should read:\n"
      << selection_op_table();
}

TEST(OpDocs, EveryOpHasARow) {
  const std::string doc = read_doc();
  for (const OpInfo& info : kOpTable) {
    if (info.op == Op::Input) continue;
    EXPECT_NE(doc.find("| `" + std::string(info.syntax) + "` |"), std::string::npos) << info.name;
  }
}

}  // namespace
}  // namespace selgrad
