// Composition, sum and the T1 perturbation of programs (see compose.hpp).
#include "support/compose.hpp"

#include <stdexcept>
#include <string>

#include "selgrad/program/parse.hpp"

namespace selgrad::properties {
namespace {

/// Appends the computed nodes of `part` to `out`, prefixing names; part's input i becomes the
/// node inputs[i] of `out`. Returns the new indices of all of part's nodes.
std::vector<std::uint32_t> append(Program& out, const Program& part, const std::string& prefix,
                                  const std::vector<std::uint32_t>& inputs) {
  std::vector<std::uint32_t> index(part.m());
  for (std::size_t i = 0; i < part.p(); ++i) index[i] = inputs[i];
  const auto lit_base = static_cast<std::uint32_t>(out.literals.size());
  out.literals.insert(out.literals.end(), part.literals.begin(), part.literals.end());
  for (std::size_t k = part.p(); k < part.m(); ++k) {
    Node n = part.nodes[k];
    n.name = prefix + n.name;
    n.line = 0;
    for (Arg& a : n.args) a.index = a.is_node() ? index[a.index] : lit_base + a.index;
    index[k] = static_cast<std::uint32_t>(out.nodes.size());
    if (n.op == Op::Sort) n.group_first = index[n.group_first];
    out.nodes.push_back(std::move(n));
  }
  return index;
}

Program inputs_of(const Program& f) {
  Program out;
  out.input_count = f.input_count;
  for (std::size_t i = 0; i < f.p(); ++i) {
    Node n = f.nodes[i];
    n.line = 0;
    out.nodes.push_back(n);
  }
  return out;
}

std::vector<std::uint32_t> identity(std::size_t n) {
  std::vector<std::uint32_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint32_t>(i);
  return v;
}


std::uint32_t emit(Program& out, const std::string& name, Op op, std::vector<Arg> args) {
  return append_node(out, name, op, std::move(args)).index;
}

}  // namespace

Arg append_literal(Program& out, const reference::Rational& v) {
  out.literals.push_back(*parse_literal(reference::to_string(v)));
  return Arg::literal(static_cast<std::uint32_t>(out.literals.size() - 1));
}

Program compose(const Program& f, const Program& g) {
  if (g.p() != f.q()) throw std::invalid_argument("compose: G needs as many inputs as F has outputs");
  Program out = inputs_of(f);
  const auto fi = append(out, f, "f.", identity(f.p()));
  std::vector<std::uint32_t> feed;
  for (auto o : f.outputs) feed.push_back(fi[o]);
  const auto gi = append(out, g, "g.", feed);
  for (auto o : g.outputs) out.outputs.push_back(gi[o]);
  validate(out);
  return out;
}

Program sum(const Program& f, const Program& g) {
  if (f.p() != g.p() || f.q() != g.q()) throw std::invalid_argument("sum: F and G need the same p and q");
  Program out = inputs_of(f);
  const auto fi = append(out, f, "f.", identity(f.p()));
  const auto gi = append(out, g, "g.", identity(f.p()));
  for (std::size_t o = 0; o < f.q(); ++o)
    out.outputs.push_back(emit(out, "y" + std::to_string(o + 1), Op::Add,
                               {Arg::node(fi[f.outputs[o]]), Arg::node(gi[g.outputs[o]])}));
  validate(out);
  return out;
}

Program add_zero_kink(const Program& f, const reference::Rational& r, const reference::Rational& s) {
  if (f.p() != 1 || f.q() != 1) throw std::invalid_argument("add_zero_kink: f needs one input and one output");
  Program out = inputs_of(f);
  const auto fi = append(out, f, "f.", {0});
  const Arg t = Arg::node(0);
  // zero(u) = relu(-u) + u - relu(u), u = t - s  (examples/zero.sgp, shifted)
  const Arg u = Arg::node(emit(out, "z.u", Op::Sub, {t, append_literal(out, s)}));
  const Arg a = Arg::node(emit(out, "z.a", Op::Neg, {u}));
  const Arg b = Arg::node(emit(out, "z.b", Op::Relu, {a}));
  const Arg c = Arg::node(emit(out, "z.c", Op::Add, {b, u}));
  const Arg d = Arg::node(emit(out, "z.d", Op::Relu, {u}));
  const Arg z = Arg::node(emit(out, "z.zero", Op::Sub, {c, d}));
  const Arg zero_lit = append_literal(out, 0);
  const Arg one_lit = append_literal(out, 1);
  const Arg r_lit = append_literal(out, r);
  out.outputs.push_back(emit(out, "y", Op::Lin, {zero_lit, one_lit, Arg::node(fi[f.outputs[0]]), r_lit, z}));
  validate(out);
  return out;
}

}  // namespace selgrad::properties
