// D3 in the double engine: a select decided at u = v whose branches differ there is not an
// elementary selection, and the double engine must flag it.
//
//  * D3.fast: a random piecewise-affine program P with dyadic literals at a dyadic kink-biased
//    point x (every value a double, computed exactly) gets one more output, `jump = select CMP
//    u v a b` (support/jump.hpp), tied at x, with b = a(x) + c, c a nonzero dyadic number. In a
//    batch where x is one lane among other points (one tile or tiles of 8 lanes), x's lane must
//    fail with LaneError::Discontinuous at the node `jump`, and the single-point engine must
//    throw a Domain error naming that node. With c = 0 (continuous at x) the lane and the
//    point evaluate.
#include <cmath>

#include "gen/program.hpp"
#include "gen/rational.hpp"
#include "selgrad/fast/evaluate.hpp"
#include "suite.hpp"
#include "support/engine.hpp"
#include "support/jump.hpp"

namespace selgrad::properties {
namespace {

bool representable(const Rational& v) {
  const double d = v.convert_to<double>();
  return std::isfinite(d) && Rational(d) == v;
}

struct Evaluated {
  fast::BatchResult batch;
  std::size_t lane = 0;
  std::string point_error;  ///< empty: the point engine returned a result
  ErrorKind point_kind = ErrorKind::Usage;
  std::string point_node;
};

Evaluated evaluate_at(const Program& prog, const std::vector<double>& x, const std::vector<Point>& others,
                      std::size_t lane, bool small_tiles) {
  Evaluated r;
  std::vector<double> xs;
  const std::size_t n = others.size() + 1;
  r.lane = lane % n;
  for (std::size_t l = 0, o = 0; l < n; ++l) {
    if (l == r.lane) {
      xs.insert(xs.end(), x.begin(), x.end());
    } else {
      for (const auto& v : others[o].x) xs.push_back(v.convert_to<double>());
      ++o;
    }
  }
  const fast::Tape tape = fast::compile(prog);
  fast::BatchOptions o;
  if (small_tiles) o.tile_bytes = 1;
  fast::BatchEvaluator batch(tape, o);
  batch.evaluate(xs, n, r.batch);
  fast::PointEvaluator point(tape);
  fast::PointResult pr;
  try {
    point.evaluate(x, pr);
  } catch (const Error& e) {
    r.point_error = e.what();
    r.point_kind = e.kind();
    r.point_node = e.where().node;
  }
  return r;
}

const Register fast_continuity(
    "D3.fast", "a select tied at x with different branches fails x's lane (Discontinuous) and the point engine", 2000,
    [] {
      auto shape = ProgramShape::of(Family::PiecewiseAffine, 3, 3);
      shape.dyadic_literals = true;
      const Program base = *genProgram(shape).as("program P");
      const Point x = *genDyadicPointNearKinks(base.p()).as("point");
      const auto others =
          *rc::gen::resize(12, rc::gen::container<std::vector<Point>>(genDyadicPointNearKinks(base.p()))).as("other lanes");
      const std::size_t lane = *rc::gen::inRange<std::size_t>(0, 16).as("lane of x");
      const bool small_tiles = *rc::gen::arbitrary<bool>().as("tiles of 8 lanes");
      const JumpRecipe recipe = *rc::gen::apply(
                                     [](std::uint32_t u, bool same, std::uint32_t a, const Rational& c, int cmp) {
                                       return JumpRecipe{u, same, a, c, static_cast<Cmp>(cmp)};
                                     },
                                     rc::gen::inRange<std::uint32_t>(0, 8), rc::gen::arbitrary<bool>(),
                                     rc::gen::inRange<std::uint32_t>(0, 8),
                                     rc::gen::suchThat(genDyadicKinkRational(), [](const Rational& c) { return c != 0; }),
                                     rc::gen::inRange(0, 4))
                                     .as("select");
      const ExactResult e = exact(base, x.x);
      for (const auto& v : e.node_values) RC_PRE(representable(v));
      const Program jump = with_select_at(base, x.x, e.outputs, recipe);
      RC_LOG() << "with the select:\n" << print_program(jump);
      std::vector<double> xd;
      for (const auto& v : x.x) xd.push_back(v.convert_to<double>());
      const auto node = static_cast<std::uint32_t>(jump.m() - 1);

      const Evaluated bad = evaluate_at(jump, xd, others, lane, small_tiles);
      RC_LOG() << "x is lane " << bad.lane << " of " << others.size() + 1 << "\n";
      if (bad.batch.error_node[bad.lane] != node || bad.batch.error[bad.lane] != fast::LaneError::Discontinuous)
        RC_FAIL("the batch lane of x: " + (bad.batch.ok(bad.lane) ? std::string("no error")
                                                                 : std::string(fast::lane_error_text(bad.batch.error[bad.lane])) +
                                                                       " at node " + std::to_string(bad.batch.error_node[bad.lane])));
      if (bad.point_error.empty()) RC_FAIL("the point engine returned a result");
      RC_LOG() << "point engine: " << bad.point_error << "\n";
      RC_ASSERT(bad.point_kind == ErrorKind::Domain);
      RC_ASSERT(bad.point_node == std::string(kJumpNode));

      JumpRecipe same = recipe;
      same.jump = 0;
      const Program continuous = with_select_at(base, x.x, e.outputs, same);
      const Evaluated good = evaluate_at(continuous, xd, others, lane, small_tiles);
      if (!good.batch.ok(good.lane))
        RC_FAIL(std::string("continuous at x, yet the lane failed: ") + fast::lane_error_text(good.batch.error[good.lane]));
      if (!good.point_error.empty()) RC_FAIL("continuous at x, yet the point engine threw " + good.point_error);
      RC_TAG(recipe.u_with_itself ? "select u u" : "select u u(x)");
    });

}  // namespace
}  // namespace selgrad::properties
