// Reading and writing the .sgp program text format (docs/program-format.md).
//
// parse_program reads a whole program and reports the first error with its line and column;
// print_program writes the canonical text, which parses back to an equal program.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "selgrad/program/program.hpp"

namespace selgrad {

/// Caps on the size of a program text, each checked before the memory it bounds is allocated
/// (a file is not read past max_bytes; a line's tokens are not stored past max_line_bytes; a
/// node is not added past max_nodes). Reading costs about 150 bytes per node or argument
/// (names, tokens, literals), so the defaults bound the parser at about 1 GiB, and the engines'
/// own memory grows with the same counts (README, "Limits"). Exceeding a cap is an
/// Error(ErrorKind::Resource) at the line and column where it happened, naming the cap and the
/// `selgrad` option that raises it.
struct ParseLimits {
  std::size_t max_bytes = std::size_t{1} << 26;       ///< whole text: 64 MiB (--max-file-bytes)
  std::size_t max_line_bytes = std::size_t{1} << 20;  ///< one line: 1 MiB (--max-line-bytes)
  std::size_t max_name_bytes = 1024;                  ///< one name (--max-name-bytes)
  std::size_t max_nodes = std::size_t{1} << 20;       ///< inputs + computed nodes (--max-nodes)
  std::size_t max_arguments = std::size_t{1} << 22;   ///< argument positions, all nodes (--max-args)
};

/// Parses .sgp text. Throws Error(ErrorKind::Parse) with line and column on any malformed
/// input: unknown name, name defined twice, use before definition, wrong number of arguments,
/// bad literal, unknown op, missing or misplaced input/output statement, p = 0 or q = 0; and
/// Error(ErrorKind::Resource) with line and column when the text exceeds a cap of `limits`.
Program parse_program(std::string_view text, const ParseLimits& limits = {});

/// Reads and parses a file. Throws Error(ErrorKind::Usage) if the path is not a readable regular
/// file (a directory, a missing file), Error(ErrorKind::Resource) if it is longer than
/// limits.max_bytes (it is not read further).
Program parse_program_file(const std::string& path, const ParseLimits& limits = {});

/// Canonical text of a program: one statement per line, single spaces, literals as written.
std::string print_program(const Program& program);

/// Parses a comma-separated list of exact literals, as `--at` takes them ("1/2,-3,0.25").
/// Throws Error(ErrorKind::Usage) naming the bad item.
std::vector<Literal> parse_point(std::string_view text);

}  // namespace selgrad
