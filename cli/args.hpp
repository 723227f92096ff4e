// Command-line arguments of `selgrad`: parsing, validation and the engine options they set.
#pragma once

#include <initializer_list>
#include <map>
#include <string>

#include "selgrad/program/parse.hpp"
#include "selgrad/reference/evaluate.hpp"

namespace selgrad::cli {

/// The usage text printed on --help and after a usage error.
extern const char* const kUsage;

/// A usage error: exit status 2, message and usage on stderr.
struct UsageError {
  std::string message;
};

struct Args {
  std::string command, file;
  std::map<std::string, std::string> options;  // --name -> value ("" for flags)
};

/// Parses argv. An option's value is the next argument even when it starts with '-'
/// (`--at -1/2,3`), or follows '=' (`--at=-1/2,3`).
Args parse_args(int argc, char** argv);
/// Throws UsageError for an option outside `names`.
void allow_only(const Args& a, std::initializer_list<const char*> names);
/// The value of a required option.
std::string need(const Args& a, const std::string& name);
/// An integer option in [lo, hi], or `fallback` when absent.
std::size_t number_option(const Args& a, const std::string& name, std::size_t fallback, std::size_t lo,
                          std::size_t hi);
/// The reference engine's options from --prec, --max-prec, --max-bits and --max-total-bits.
reference::Options engine_options(const Args& a);
/// The program size caps from --max-file-bytes, --max-line-bytes, --max-name-bytes, --max-nodes
/// and --max-args (every command takes them).
ParseLimits parse_limits(const Args& a);
/// The program of FILE, read within parse_limits(a).
Program read_program(const Args& a);

}  // namespace selgrad::cli
