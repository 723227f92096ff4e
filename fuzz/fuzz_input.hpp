// What the fuzz targets share: splitting an input into a program and a point, and the one rule
// every target checks: a selgrad entry point either returns or throws selgrad::Error (with a
// reason); anything else (a crash, a sanitizer report, another exception, a hang past
// -timeout, memory past -rss_limit_mb) is a finding.
//
// Input format of the targets that take a program and a point:
//
//   <program text (.sgp)>
//   %%
//   <point: comma-separated exact numbers, as --at takes them>
//
// Without a "%%" line the whole input is the program and the point is all zeros.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "selgrad/program/error.hpp"
#include "selgrad/program/literal.hpp"
#include "selgrad/program/parse.hpp"
#include "selgrad/program/program.hpp"

namespace selgrad::fuzz {

struct ProgramAndPoint {
  std::string_view program;
  std::string_view point;  ///< empty: all zeros
};

inline ProgramAndPoint split_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const auto sep = all.find("\n%%\n");
  if (sep == std::string_view::npos) return {all, {}};
  return {all.substr(0, sep), all.substr(sep + 4)};
}

/// Caps that keep one execution well inside -timeout=10 and -rss_limit_mb=2048 on a fuzzer's
/// small inputs: the parser's defaults, which the targets exercise as they are.
inline ParseLimits fuzz_parse_limits() { return {}; }

/// Parses the program, or nullopt when the text is refused with a selgrad::Error.
inline std::optional<Program> parse_or_refuse(std::string_view text) {
  try {
    return parse_program(text, fuzz_parse_limits());
  } catch (const Error& e) {
    if (e.reason().empty()) std::abort();  // every error says why
    return std::nullopt;
  }
}

/// The point's literals: `p` of them, from the text (refused: nullopt) or zeros.
inline std::optional<std::vector<Literal>> point_literals(std::string_view text, std::size_t p) {
  if (text.empty()) return std::vector<Literal>(p, Literal::from_int(0));
  try {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    std::vector<Literal> lits = parse_point(text);
    if (lits.size() != p) return std::nullopt;
    return lits;
  } catch (const Error&) {
    return std::nullopt;
  }
}

/// Runs `f`; a selgrad::Error is an accepted outcome (it must carry a reason), any other
/// exception escapes to libFuzzer as a finding.
template <class F>
void expect_result_or_error(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    if (e.reason().empty()) std::abort();
  }
}

/// A broken invariant found by a target: report and abort (libFuzzer saves the input).
[[noreturn]] inline void finding(const std::string& what) {
  std::cerr << "selgrad fuzz finding: " << what << "\n";
  std::abort();
}

}  // namespace selgrad::fuzz
