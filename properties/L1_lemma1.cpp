// L1 (Lemma 1): the backward sweep of Algorithm 2 returns exactly the forward-mode result.
//
//  * L1.matrix: the identity itself, for random 0 < p < m <= 30 and random exact rational
//      d_{p+1}, ..., d_m in Q^m (dense, any support):
//      P_p (I - e_{p+1} e_{p+1}^T + d_{p+1} e_{p+1}^T) ... (I - e_m e_m^T + d_m e_m^T)
//        = P_p (I + d_{p+1} e_{p+1}^T) ... (I + d_m e_m^T).
//    Right-multiplying M by (I + d e_i^T) adds M d to column i; by (I - e_i e_i^T + d e_i^T)
//    replaces column i by M d. Both products are computed that way, exactly.
//  * L1.program: at program level, evaluate_exact in forward and backward mode returns equal
//    Jacobians, outputs and branch signatures, for random rational programs with several inputs
//    and outputs at kink-biased points.
//  * L1.real: the same over the whole op table in MPFR, where the two modes round differently:
//    equal branch signatures and overlapping certified enclosures of the Jacobian.
#include "gen/program.hpp"
#include "gen/rational.hpp"
#include "suite.hpp"
#include "support/engine.hpp"
#include "support/interval.hpp"

namespace selgrad::properties {
namespace {

using Matrix = std::vector<std::vector<Rational>>;

/// A small random rational: n/d with |n| <= 9, 1 <= d <= 9 (0 with probability about 1/4).
rc::Gen<Rational> genEntry() {
  return rc::gen::apply([](int n, int d, bool zero) { return zero ? Rational(0) : Rational(n - 9, d); },
                        rc::gen::resize(100, rc::gen::inRange(0, 19)),
                        rc::gen::resize(100, rc::gen::inRange(1, 10)),
                        rc::gen::weightedElement<bool>({{1, true}, {3, false}}));
}

/// M := M F_i for F_i = I + d e_i^T (reset = false) or I - e_i e_i^T + d e_i^T (reset = true).
void right_multiply(Matrix& M, std::size_t i, const std::vector<Rational>& d, bool reset) {
  const std::size_t m = d.size();
  for (auto& row : M) {
    Rational md = 0;
    for (std::size_t j = 0; j < m; ++j) md += row[j] * d[j];
    row[i] = reset ? md : Rational(row[i] + md);
  }
}

const Register matrix_identity(
    "L1.matrix", "Lemma 1 as a matrix identity, exact rationals, 0 < p < m <= 30", 3000, [] {
      const int m = *rc::gen::resize(100, rc::gen::inRange(2, 31)).as("m");
      const int p = *rc::gen::resize(100, rc::gen::inRange(1, m)).as("p");
      const auto ds = *rc::gen::container<std::vector<std::vector<Rational>>>(
                           static_cast<std::size_t>(m - p),
                           rc::gen::container<std::vector<Rational>>(static_cast<std::size_t>(m), genEntry()))
                           .as("d_{p+1}..d_m");
      // P_p keeps the first p rows; the other rows of both products stay zero.
      Matrix with_reset(static_cast<std::size_t>(p), std::vector<Rational>(static_cast<std::size_t>(m), Rational(0)));
      for (int r = 0; r < p; ++r) with_reset[static_cast<std::size_t>(r)][static_cast<std::size_t>(r)] = 1;
      Matrix without = with_reset;
      for (int i = p; i < m; ++i) {
        const auto& d = ds[static_cast<std::size_t>(i - p)];
        right_multiply(with_reset, static_cast<std::size_t>(i), d, true);
        right_multiply(without, static_cast<std::size_t>(i), d, false);
      }
      RC_TAG("m in [" + std::to_string(m / 10 * 10) + ", " + std::to_string(m / 10 * 10 + 10) + ")");
      RC_ASSERT(with_reset == without);
    });

const Register program_modes(
    "L1.program", "forward mode == backward mode exactly (Jacobian, outputs, branches)", 15000, [] {
      auto shape = ProgramShape::of(Family::Rational, 4, 3);
      const Program prog = *genProgram(shape).as("program");
      const Point x = *genPointNearKinks(prog.p()).as("point");
      log_command("grad", x.x, " --mode forward   (and --mode backward)");
      const ExactResult b = exact(prog, x.x, Mode::Backward);
      const ExactResult f = exact(prog, x.x, Mode::Forward);
      RC_TAG(b.branches.tie_count() > 0 ? "tie" : "no tie");
      RC_ASSERT(b.outputs == f.outputs);
      RC_ASSERT(b.branches == f.branches);
      RC_ASSERT(b.jacobian == f.jacobian);
    });

const Register program_modes_real(
    "L1.real", "forward and backward mode agree in MPFR (signature; Jacobian enclosures overlap)", 8000, [] {
      const Program prog = *genProgram(ProgramShape::of(Family::Full, 4, 3)).as("program");
      const Point x = *genPointNearKinks(prog.p()).as("point");
      log_command("grad", x.x, " --mode forward   (and --mode backward)");
      const RealResult b = real(prog, x.x, Mode::Backward);
      const RealResult f = real(prog, x.x, Mode::Forward);
      RC_TAG(prog.transcendental() ? "transcendental" : "rational");
      RC_ASSERT(b.branches == f.branches);
      for (std::size_t o = 0; o < prog.q(); ++o)
        for (std::size_t i = 0; i < prog.p(); ++i) RC_ASSERT(overlaps(b.jacobian_enclosures[o][i], f.jacobian_enclosures[o][i]));
    });

}  // namespace
}  // namespace selgrad::properties
