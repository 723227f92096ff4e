// A tied select appended to a program (see jump.hpp).
#include "support/jump.hpp"

#include <ostream>

#include "selgrad/program/builder.hpp"
#include "selgrad/program/op.hpp"
#include "support/compose.hpp"

namespace selgrad::properties {

void showValue(const JumpRecipe& r, std::ostream& os) {
  os << "select " << cmp_name(r.cmp) << " (input or output " << r.u << ") "
     << (r.u_with_itself ? "(the same)" : "(its value at x)") << " (input or output " << r.a << ") (its value at x + "
     << reference::to_string(r.jump) << ")";
}

Program with_select_at(const Program& p, const std::vector<reference::Rational>& inputs,
                       const std::vector<reference::Rational>& outputs, const JumpRecipe& r) {
  ProgramBuilder b;
  std::vector<Arg> in;
  for (std::size_t i = 0; i < p.p(); ++i) in.push_back(b.input(p.nodes[i].name));
  const std::vector<Arg> out = b.append(p, in, "");
  // The candidates: inputs then outputs, with their exact values at x.
  std::vector<Arg> args = in;
  args.insert(args.end(), out.begin(), out.end());
  std::vector<reference::Rational> values = inputs;
  values.insert(values.end(), outputs.begin(), outputs.end());
  const std::size_t n = args.size();
  const Arg u = args[r.u % n];
  const Arg v = r.u_with_itself ? u : exact_literal(b, values[r.u % n]);
  const Arg a = args[r.a % n];
  const Arg bb = exact_literal(b, values[r.a % n] + r.jump);
  const Arg sel = b.select(kJumpNode, r.cmp, u, v, a, bb);
  for (Arg o : out) b.output(o);
  b.output(sel);
  return b.build();
}

}  // namespace selgrad::properties
