// Composition, sum and the T1 perturbation of programs (see compose.hpp), on ProgramBuilder.
#include "support/compose.hpp"

#include <stdexcept>
#include <string>

namespace selgrad::properties {
namespace {

/// A builder holding f's inputs, with f's names.
ProgramBuilder with_inputs_of(const Program& f, std::vector<Arg>& inputs) {
  ProgramBuilder b;
  for (std::size_t i = 0; i < f.p(); ++i) inputs.push_back(b.input(f.nodes[i].name));
  return b;
}

}  // namespace

Arg exact_literal(ProgramBuilder& b, const reference::Rational& v) { return b.literal(reference::to_string(v)); }

Program compose(const Program& f, const Program& g) {
  if (g.p() != f.q()) throw std::invalid_argument("compose: G needs as many inputs as F has outputs");
  std::vector<Arg> x;
  ProgramBuilder b = with_inputs_of(f, x);
  const auto fo = b.append(f, x, "f.");
  for (Arg o : b.append(g, fo, "g.")) b.output(o);
  return b.build();
}

Program sum(const Program& f, const Program& g) {
  if (f.p() != g.p() || f.q() != g.q()) throw std::invalid_argument("sum: F and G need the same p and q");
  std::vector<Arg> x;
  ProgramBuilder b = with_inputs_of(f, x);
  const auto fo = b.append(f, x, "f.");
  const auto go = b.append(g, x, "g.");
  for (std::size_t o = 0; o < f.q(); ++o) b.output(b.node("y" + std::to_string(o + 1), Op::Add, {fo[o], go[o]}));
  return b.build();
}

Program add_zero_kink(const Program& f, const reference::Rational& r, const reference::Rational& s) {
  if (f.p() != 1 || f.q() != 1) throw std::invalid_argument("add_zero_kink: f needs one input and one output");
  std::vector<Arg> x;
  ProgramBuilder b = with_inputs_of(f, x);
  const Arg fy = b.append(f, x, "f.")[0];
  const Arg t = x[0];
  // zero(u) = relu(-u) + u - relu(u), u = t - s  (examples/zero.sgp, shifted)
  const Arg u = b.node("z.u", Op::Sub, {t, exact_literal(b, s)});
  const Arg a = b.node("z.a", Op::Neg, {u});
  const Arg c = b.node("z.c", Op::Add, {b.node("z.b", Op::Relu, {a}), u});
  const Arg z = b.node("z.zero", Op::Sub, {c, b.node("z.d", Op::Relu, {u})});
  b.output(b.node("y", Op::Lin, {b.literal(0), b.literal(1), fy, exact_literal(b, r), z}));
  return b.build();
}

}  // namespace selgrad::properties
