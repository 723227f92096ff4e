// IMP (implicit rule): at a solution of F(x, y) = 0 with a selection Jacobian [A B] of F, the
// rule returns -B^{-1} A. Checked on problems whose solution map is known exactly
// (support/implicit_problem.hpp): F(x, y) = M (y - H(x)), H a random piecewise-affine program
// (gen/program.hpp), M a random invertible rational matrix (entries n/d, |n| <= 3, d <= 3; made
// invertible by adding c I when singular). Then G = H and y = H(x) solves F(x, y) = 0 exactly.
//
//  * IMP.affine: at kink-biased points x, reference::implicit_jacobian(F, n, x, H(x)) returns
//    B = M, A = -M J_H and -B^{-1} A = J_H, the selection Jacobian of H at x that AD returns,
//    exactly, with F's branch signature equal to H's. Over the tie closure
//    (reference::implicit_closure), the set of -B_i^{-1} A_i is the tie closure of H at x,
//    no B_i is singular (every B_i is M) and the hypothesis of IMP holds for conv(closure).
//  * IMP.fast (properties/fast/IMP_fast.cpp): the double engine's implicit rule on the same
//    family, within a derived bound.
#include <algorithm>

#include "gen/program.hpp"
#include "gen/rational.hpp"
#include "selgrad/reference/implicit.hpp"
#include "suite.hpp"
#include "support/engine.hpp"
#include "support/implicit_problem.hpp"

namespace selgrad::properties {
namespace {

/// n/d with |n| <= 3, 1 <= d <= 3; shrinks towards 0.
rc::Gen<Rational> genMatrixEntry() {
  return rc::gen::apply([](int n, int d) { return Rational(n % 2 ? -(n + 1) / 2 : n / 2, d); },
                        rc::gen::resize(100, rc::gen::inRange(0, 7)), rc::gen::resize(100, rc::gen::inRange(1, 4)));
}

std::vector<RationalMatrix> sorted(std::vector<RationalMatrix> v) {
  std::sort(v.begin(), v.end());
  return v;
}

const Register affine_exact(
    "IMP.affine", "F = M (y - H(x)): -B^{-1} A == J_H exactly; over the tie closure too", 5000, [] {
      const Program h = *genProgram(ProgramShape::of(Family::PiecewiseAffine, 3, 3)).as("H");
      const std::size_t n = h.p(), m = h.q();
      const auto entries =
          *rc::gen::container<std::vector<Rational>>(m * m, genMatrixEntry()).as("entries of M (row-major)");
      RationalMatrix mat(m, std::vector<Rational>(m));
      for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < m; ++j) mat[i][j] = entries[i * m + j];
      mat = make_invertible(std::move(mat));
      const Point x = *genPointNearKinks(n).as("x");
      const Program f = implicit_problem(h, mat);
      RC_LOG() << "F:\n" << print_program(f);
      const ExactResult eh = exact(h, x.x);
      const std::vector<Rational>& y = eh.outputs;
      RC_LOG() << "  selgrad implicit F.sgp --params " << n << " --at=" << point_text(x.x) << " --solution=" << point_text(y)
               << "\n";
      reference::ImplicitResult r;
      try {
        r = reference::implicit_jacobian(f, n, x.x, y);
      } catch (const Error& e) {
        if (e.kind() == ErrorKind::Resource) discard_resource(e);
        RC_FAIL(std::string("implicit_jacobian threw: ") + e.what());
      }
      RC_TAG(eh.branches.tie_count() > 0 ? "tie" : "no tie");
      for (const auto& v : r.outputs) RC_ASSERT(v == 0);
      RC_ASSERT(r.b == mat);
      for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) {
          Rational mj = 0;
          for (std::size_t k = 0; k < m; ++k) mj += mat[i][k] * eh.jacobian[k][j];
          RC_ASSERT(r.a[i][j] == -mj);
        }
      RC_ASSERT(r.jacobian == eh.jacobian);
      // F's selection nodes are H's (moved up by the m unknowns), deciding alike.
      RC_ASSERT(r.branches.decisions.size() == eh.branches.decisions.size());
      for (std::size_t k = 0; k < eh.branches.decisions.size(); ++k)
        RC_ASSERT(r.branches.decisions[k].choice == eh.branches.decisions[k].choice);

      // Closures of more than 2^12 branch combinations are discarded (they cost seconds).
      reference::Options capped;
      capped.max_closure_combinations = 4096;
      reference::ImplicitClosure c;
      reference::TieClosure hc;
      try {
        c = reference::implicit_closure(f, n, x.x, y, capped);
        hc = reference::tie_closure(h, x.x, capped);
      } catch (const Error& e) {
        if (e.kind() == ErrorKind::Resource) discard_resource(e);
        RC_FAIL(std::string("implicit_closure threw: ") + e.what());
      }
      std::vector<RationalMatrix> implicit;
      for (const auto& j : c.jacobians) {
        RC_ASSERT(j.has_value());
        implicit.push_back(*j);
      }
      RC_ASSERT(!implicit.empty() && implicit.front() == eh.jacobian);  // the first is AD's
      RC_ASSERT(sorted(implicit) == sorted(hc.jacobians));
      RC_ASSERT(c.singular.empty());
      RC_LOG() << "hypothesis: " << reference::verdict_name(c.hypothesis.verdict) << ": " << c.hypothesis.reason << "\n";
      RC_ASSERT(c.hypothesis.verdict == reference::Verdict::Holds);
    });

}  // namespace
}  // namespace selgrad::properties
