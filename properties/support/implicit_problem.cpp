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
  ProgramBuilder b;
  std::vector<Arg> x, y;
  for (std::uint32_t i = 0; i < n; ++i) x.push_back(b.input(h.nodes[i].name));
  for (std::uint32_t i = 0; i < m; ++i) y.push_back(b.input("y" + std::to_string(i + 1)));
  const auto hx = b.append(h, x, "");
  std::vector<Arg> d;
  for (std::uint32_t i = 0; i < m; ++i) d.push_back(b.node("d" + std::to_string(i + 1), Op::Sub, {y[i], hx[i]}));
  for (std::uint32_t i = 0; i < m; ++i) {
    std::vector<Arg> args{b.literal(0)};
    for (std::uint32_t j = 0; j < m; ++j) {
      args.push_back(exact_literal(b, mat[i][j]));
      args.push_back(d[j]);
    }
    b.output(b.node("f" + std::to_string(i + 1), Op::Lin, std::move(args)));
  }
  return b.build();
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
