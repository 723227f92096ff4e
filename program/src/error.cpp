// One formatter for every error message (see error.hpp).
#include "selgrad/program/error.hpp"

namespace selgrad {

std::string format_error(const Location& where, const std::string& message) {
  std::string out;
  if (!where.op.empty() || !where.node.empty()) {
    // "<op> (line L, node N): message" for errors about a node.
    if (!where.op.empty()) out += where.op + " ";
    out += "(";
    bool first = true;
    if (where.line != 0) {
      out += "line " + std::to_string(where.line);
      first = false;
    }
    if (!where.node.empty()) {
      out += first ? "" : ", ";
      out += "node " + where.node;
    }
    out += "): ";
  } else if (where.line != 0) {
    out += "line " + std::to_string(where.line);
    if (where.column != 0) out += ", column " + std::to_string(where.column);
    out += ": ";
  }
  return out + message;
}

}  // namespace selgrad
