// Reading and writing the .sgp program text format (docs/program-format.md).
//
// parse_program reads a whole program and reports the first error with its line and column;
// print_program writes the canonical text, which parses back to an equal program.
#pragma once

#include <string>
#include <string_view>

#include "selgrad/program/program.hpp"

namespace selgrad {

/// Parses .sgp text. Throws Error(ErrorKind::Parse) with line and column on any malformed
/// input: unknown name, name defined twice, use before definition, wrong number of arguments,
/// bad literal, unknown op, missing or misplaced input/output statement, p = 0 or q = 0.
Program parse_program(std::string_view text);

/// Reads and parses a file. Throws Error(ErrorKind::Usage) if the file cannot be read.
Program parse_program_file(const std::string& path);

/// Canonical text of a program: one statement per line, single spaces, literals as written.
std::string print_program(const Program& program);

/// Parses a comma-separated list of exact literals, as `--at` takes them ("1/2,-3,0.25").
/// Throws Error(ErrorKind::Usage) naming the bad item.
std::vector<Literal> parse_point(std::string_view text);

}  // namespace selgrad
