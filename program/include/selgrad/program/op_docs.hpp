// The op tables of docs/program-format.md, generated from the op rules: one row per op, from its
// rule's `info` (syntax, meaning, domain, pieces and tie rule, derivative at the tie). A test
// (tests/program/op_docs_test.cpp) checks that the document holds exactly these tables, and
// another (tests/reference/op_docs_ties_test.cpp) evaluates every documented tie through the
// rule, so the documentation cannot drift from the code.
#pragma once

#include <string>

namespace selgrad {

/// `| op | meaning | domain |` and a row per smooth op.
std::string smooth_op_table();
/// `| op | value | pieces and tie rule | derivative at the tie |` and a row per selection.
std::string selection_op_table();

}  // namespace selgrad
