// Errors as values with a location.
//
// Every failure selgrad reports (a bad program text, a domain error during evaluation, an
// exhausted resource cap) is a selgrad::Error carrying where it happened: the source line and
// column for parse errors, the source line and node name for evaluation errors. The message is
// formatted in one place (format_error) so that every component speaks the same way:
//
//   line 3, column 9: unknown name 'q'
//   log (line 7, node y): argument is -1, must be > 0
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace selgrad {

/// Where an error comes from. Zero means "not known" for line and column; an empty node name
/// means the error is not tied to one node.
struct Location {
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string node;  ///< name of the program node, when the error is about one node
  std::string op;    ///< op name, when the error is about an op's rule (domain, continuity)
};

enum class ErrorKind {
  Parse,       ///< the program text is malformed (line and column known)
  Program,     ///< a programmatically built program violates an invariant
  Domain,      ///< an op was applied outside its domain (division by zero, log of x <= 0, ...)
  Continuity,  ///< a select is discontinuous at the point (D3 is violated)
  Resource,    ///< a configured cap (operand size, precision, closure size) was exceeded
  Unsupported, ///< the request is valid but this engine or instance cannot do it
  Usage        ///< a caller passed inconsistent arguments (wrong point dimension, ...)
};

/// Formats "<op> (line L, node N): message" or "line L, column C: message".
std::string format_error(const Location& where, const std::string& message);

/// The exception every selgrad component throws for a reportable failure.
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, Location where, std::string message)
      : std::runtime_error(format_error(where, message)),
        kind_(kind),
        where_(std::move(where)),
        reason_(std::move(message)) {}

  ErrorKind kind() const noexcept { return kind_; }
  const Location& where() const noexcept { return where_; }
  /// The reason alone, without the location prefix.
  const std::string& reason() const noexcept { return reason_; }

 private:
  ErrorKind kind_;
  Location where_;
  std::string reason_;
};

}  // namespace selgrad
