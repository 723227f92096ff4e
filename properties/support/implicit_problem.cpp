// F(x, y) = M (y - H(x)) (see implicit_problem.hpp).
#include "support/implicit_problem.hpp"

#include <stdexcept>
#include <string>

#include "support/compose.hpp"
#include "selgrad/reference/implicit.hpp"

namespace selgrad::properties {

Program implicit_problem(const Program& h, const RationalMatrix& mat) {
  const auto n = static_cast<std::uint32_t>(h.p());
  const auto m = static_cast<std::uint32_t>(h.q());
  if (mat.size() != m) throw std::invalid_argument("implicit_problem: M must be q x q");
  Program out;
  out.input_count = n + m;
  for (std::uint32_t i = 0; i < n; ++i) {
    Node x = h.nodes[i];
    x.line = 0;
    out.nodes.push_back(std::move(x));
  }
  for (std::uint32_t i = 0; i < m; ++i) {
    Node y;
    y.op = Op::Input;
    y.name = "y" + std::to_string(i + 1);
    out.nodes.push_back(std::move(y));
  }
  out.literals = h.literals;
  // H's computed nodes move up by the m unknowns.
  const auto moved = [&](std::uint32_t k) { return k < n ? k : k + m; };
  for (std::size_t k = n; k < h.m(); ++k) {
    Node node = h.nodes[k];
    node.line = 0;
    for (Arg& a : node.args)
      if (a.is_node()) a.index = moved(a.index);
    if (node.op == Op::Sort) node.group_first = moved(node.group_first);
    out.nodes.push_back(std::move(node));
  }
  const auto literal = [&](const reference::Rational& v) { return append_literal(out, v); };
  const auto emit = [&](std::string name, Op op, std::vector<Arg> args) {
    return append_node(out, std::move(name), op, std::move(args));
  };
  std::vector<Arg> d;
  for (std::uint32_t i = 0; i < m; ++i)
    d.push_back(emit("d" + std::to_string(i + 1), Op::Sub, {Arg::node(n + i), Arg::node(moved(h.outputs[i]))}));
  const Arg zero = literal(0);
  for (std::uint32_t i = 0; i < m; ++i) {
    std::vector<Arg> args{zero};
    for (std::uint32_t j = 0; j < m; ++j) {
      args.push_back(literal(mat[i][j]));
      args.push_back(d[j]);
    }
    out.outputs.push_back(emit("f" + std::to_string(i + 1), Op::Lin, std::move(args)).index);
  }
  validate(out);
  return out;
}

RationalMatrix make_invertible(RationalMatrix mat) {
  for (int step = 0;; ++step) {
    const int c = (step + 1) / 2 * (step % 2 ? 1 : -1);  // 0, 1, -1, 2, -2, ...
    RationalMatrix shifted = mat;
    for (std::size_t i = 0; i < shifted.size(); ++i) shifted[i][i] += c;
    if (reference::determinant(shifted) != 0) return shifted;
  }
}

}  // namespace selgrad::properties
