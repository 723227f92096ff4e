// The op tables of the documentation, from the rules (see op_docs.hpp).
#include "selgrad/program/op_docs.hpp"

#include "selgrad/program/op.hpp"

namespace selgrad {

std::string smooth_op_table() {
  std::string s = "| op | meaning | domain |\n|---|---|---|\n";
  for (const OpInfo& info : kOpTable)
    if (info.op != Op::Input && !info.selection)
      s += "| `" + std::string(info.syntax) + "` | " + std::string(info.meaning) + " | " + std::string(info.domain) +
           " |\n";
  return s;
}

std::string selection_op_table() {
  std::string s = "| op | value | pieces and tie rule | derivative at the tie |\n|---|---|---|---|\n";
  for (const OpInfo& info : kOpTable)
    if (info.selection)
      s += "| `" + std::string(info.syntax) + "` | " + std::string(info.meaning) + " | " + std::string(info.tie_rule) +
           " | " + std::string(info.tie_derivative) + " |\n";
  return s;
}

}  // namespace selgrad
