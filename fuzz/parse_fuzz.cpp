// Fuzz target: the .sgp parser and printer.
//
// Input: any bytes, read as a program text. A text is either refused with a located
// selgrad::Error (kind Parse or Resource, line >= 1) or parsed into a program that validate()
// accepts, whose printed text parses back to an equal program and prints identically.
#include <cstdint>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace selgrad;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Program p;
  try {
    p = parse_program(text);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Parse && e.kind() != ErrorKind::Resource) fuzz::finding("parse error of kind " + std::to_string(static_cast<int>(e.kind())));
    if (e.where().line < 1 || e.reason().empty()) fuzz::finding(std::string("unlocated parse error: ") + e.what());
    return 0;
  }
  try {
    validate(p);
  } catch (const Error& e) {
    fuzz::finding(std::string("a parsed program fails validate(): ") + e.what());
  }
  const std::string printed = print_program(p);
  Program back;
  try {
    back = parse_program(printed);
  } catch (const Error& e) {
    fuzz::finding(std::string("the printed program does not parse: ") + e.what() + "\n" + printed);
  }
  if (!(back == p)) fuzz::finding("print then parse changes the program:\n" + printed);
  if (print_program(back) != printed) fuzz::finding("printing is not idempotent:\n" + printed);
  // The point syntax of --at, on the same bytes.
  fuzz::expect_result_or_error([&] { parse_point(text); });
  return 0;
}
