// FAST: the double engine (fast/: compile, BatchEvaluator, PointEvaluator) against the exact
// reference and against itself.
//
//  * FAST.exact: where double arithmetic is exact, the double engine is the reference. Programs
//    of the piecewise-affine family (add, sub, neg, lin with 1 to 6 terms, mul and div by a
//    literal, relu, abs, max, min, sort, select, clamp) plus div by a node (|b| + c), with dyadic
//    literals only (ProgramShape::dyadic_literals), at batches of
//    1 to 20 dyadic kink-biased points (k/d, d in {1, 2, 4, 8}, |k/d| <= 3: exactly doubles,
//    ties often). Each point is evaluated by the reference in exact rationals; when every node
//    value and every Jacobian entry it computes is a double (ExactResult::node_values), the
//    double operations of the engine have exact results (the criterion takes the partial sums
//    of a lin and the partial adjoint sums of a sweep, which are not node values, to be doubles
//    too: small dyadic numbers), so the engine must return the reference's outputs, Jacobian,
//    pieces and tie flags exactly: in JacobianMode::Reverse and Forward,
//    batch (default tiles, or tiles of 8 lanes so that a batch spans several tiles) and
//    single-point. Points whose exact values are not all doubles, or where a divisor's
//    reciprocal is not one, are skipped (the tags give how many cases skip some or all of their
//    points).
//    Values are compared as numbers: -0.0 and 0.0 are the rational 0.
//  * FAST.lanes: per-lane independence. A random program P (rational family or the whole op
//    table) gets one more input w and two more outputs, P_1 / w and log w
//    (with_failing_input); a batch of 1 to 24 points mixes good lanes (w > 0) with failing ones
//    (w = 0: division by zero; w < 0: log of a negative; a NaN or infinite input), in one tile or
//    in tiles of 8 lanes, in a random JacobianMode. Every lane must give exactly (bit for bit)
//    what the same evaluator gives for that point alone (a batch of one): outputs, Jacobian,
//    pieces, ties, and for a failing lane the same failing node and reason; every lane of a
//    failing kind fails; and the single-point engine (PointEvaluator) throws exactly on the
//    lanes the batch flags.
//  * FAST.point: the same batches, P rational or from the whole op table: on the good lanes the
//    batch gives exactly (bit for bit) the single-point engine's outputs, Jacobian, pieces and
//    ties. Both paths map exp / log / log1p / tanh through the same SLEEF vector functions, so
//    this holds with those ops inside P too.
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <sstream>
#include <span>

#include "gen/program.hpp"
#include "gen/rational.hpp"
#include "selgrad/fast/evaluate.hpp"
#include "suite.hpp"
#include "support/engine.hpp"
#include "support/tie_rules.hpp"

namespace selgrad::properties {
namespace {

bool representable(const Rational& v) {
  const double d = v.convert_to<double>();
  return std::isfinite(d) && Rational(d) == v;
}

/// Every node value and Jacobian entry of the exact evaluation is a double, and so is the
/// reciprocal 1/b of every divisor (div's partials are 1/b and -(y * (1/b)), rules/div.hpp).
bool double_exact(const Program& p, const ExactResult& r) {
  for (const auto& v : r.node_values)
    if (!representable(v)) return false;
  for (const Node& n : p.nodes)
    if (n.op == Op::Div) {
      const Arg b = n.args[1];
      const Rational d = b.is_node() ? r.node_values[b.index] : reference::to_rational(p.literals[b.index]);
      if (d == 0 || !representable(Rational(1) / d)) return false;
    }
  for (const auto& row : r.jacobian)
    for (const auto& v : row)
      if (!representable(v)) return false;
  return true;
}

/// One point's results, from a batch lane or from the point engine.
struct LaneResult {
  bool ok = true;
  std::uint32_t error_node = fast::kNoError;
  fast::LaneError error = fast::LaneError::None;
  std::vector<double> outputs, jacobian;
  std::vector<std::uint32_t> pieces;
  std::vector<std::uint8_t> ties;
};

LaneResult lane_of(const fast::BatchResult& b, std::size_t l) {
  LaneResult r;
  r.ok = b.ok(l);
  r.error_node = b.error_node[l];
  r.error = b.error[l];
  r.outputs.assign(b.outputs.begin() + static_cast<std::ptrdiff_t>(l * b.q),
                   b.outputs.begin() + static_cast<std::ptrdiff_t>((l + 1) * b.q));
  r.jacobian.assign(b.jacobian.begin() + static_cast<std::ptrdiff_t>(l * b.q * b.p),
                    b.jacobian.begin() + static_cast<std::ptrdiff_t>((l + 1) * b.q * b.p));
  r.pieces.assign(b.pieces.begin() + static_cast<std::ptrdiff_t>(l * b.selections),
                  b.pieces.begin() + static_cast<std::ptrdiff_t>((l + 1) * b.selections));
  r.ties.assign(b.ties.begin() + static_cast<std::ptrdiff_t>(l * b.selections),
                b.ties.begin() + static_cast<std::ptrdiff_t>((l + 1) * b.selections));
  return r;
}

LaneResult point_result(fast::PointEvaluator& pe, std::span<const double> x) {
  fast::PointResult p;
  pe.evaluate(x, p);
  LaneResult r;
  r.outputs = p.outputs;
  r.jacobian = p.jacobian;
  r.pieces = p.pieces;
  r.ties = p.ties;
  return r;
}

std::string text(double d) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}

/// "" when `got` is the exact result `e`, else what differs first.
std::string differs_from_exact(const Program& p, const fast::Tape& tape, const LaneResult& got, const ExactResult& e) {
  if (!got.ok) return "the lane failed: " + fast::describe_lane_error(tape, got.error_node, got.error);
  for (std::size_t j = 0; j < p.q(); ++j) {
    if (Rational(got.outputs[j]) != e.outputs[j])
      return "output " + std::to_string(j) + ": " + text(got.outputs[j]) + ", exact " + reference::to_string(e.outputs[j]);
    for (std::size_t i = 0; i < p.p(); ++i)
      if (Rational(got.jacobian[j * p.p() + i]) != e.jacobian[j][i])
        return "J(" + std::to_string(j) + "," + std::to_string(i) + "): " + text(got.jacobian[j * p.p() + i]) +
               ", exact " + reference::to_string(e.jacobian[j][i]);
  }
  if (got.pieces.size() != e.branches.decisions.size()) return "different numbers of selection nodes";
  for (std::size_t s = 0; s < got.pieces.size(); ++s) {
    const auto& d = e.branches.decisions[s];
    if (tape.selection_node[s] != d.node) return "selection " + std::to_string(s) + " is another node";
    if (got.pieces[s] != d.choice.piece || (got.ties[s] != 0) != d.choice.tie)
      return "node " + p.nodes[d.node].name + ": piece " + std::to_string(got.pieces[s]) + (got.ties[s] ? " (tie)" : "") +
             ", exact " + std::to_string(d.choice.piece) + (d.choice.tie ? " (tie)" : "");
  }
  return "";
}

std::vector<double> to_doubles(const std::vector<Rational>& x) {
  std::vector<double> d;
  for (const auto& v : x) d.push_back(v.convert_to<double>());
  return d;
}

/// Runs `prog` over `points` in both modes, in the batch engine (tiles of 8 lanes when
/// `small_tiles`) and the point engine, and fails on the first lane whose result differs from
/// its exact result `ref[l]` (lanes without one are skipped).
void expect_exact_in_both_engines(const Program& prog, const std::vector<Point>& points,
                                  const std::vector<std::optional<ExactResult>>& ref, bool small_tiles) {
  const std::size_t n = points.size(), p = prog.p();
  std::vector<double> xs;
  for (const auto& pt : points) {
    const auto xd = to_doubles(pt.x);
    xs.insert(xs.end(), xd.begin(), xd.end());
  }
  const fast::Tape tape = fast::compile(prog);
  for (const auto mode : {fast::JacobianMode::Reverse, fast::JacobianMode::Forward}) {
    const std::string mode_name = mode == fast::JacobianMode::Reverse ? "reverse" : "forward";
    fast::BatchOptions o;
    o.mode = mode;
    if (small_tiles) o.tile_bytes = 1;
    fast::BatchEvaluator batch(tape, o);
    fast::BatchResult b;
    batch.evaluate(xs, n, b);
    fast::PointEvaluator point(tape, mode);
    for (std::size_t l = 0; l < n; ++l) {
      if (!ref[l]) continue;
      const std::string where = " at point " + std::to_string(l) + " (--at=" + point_text(points[l].x) + "), " + mode_name;
      const std::string batch_diff = differs_from_exact(prog, tape, lane_of(b, l), *ref[l]);
      if (!batch_diff.empty()) RC_FAIL("batch" + where + ": " + batch_diff);
      LaneResult single;
      try {
        single = point_result(point, std::span<const double>(xs).subspan(l * p, p));
      } catch (const Error& err) {
        RC_FAIL("point engine" + where + " threw: " + err.what());
      }
      const std::string point_diff = differs_from_exact(prog, tape, single, *ref[l]);
      if (!point_diff.empty()) RC_FAIL("point engine" + where + ": " + point_diff);
    }
  }
}

const Register exact_agreement(
    "FAST.exact", "dyadic piecewise affine: fast == reference bit for bit (values, J, pieces, ties), both modes", 5000,
    [] {
      auto shape = ProgramShape::of(Family::PiecewiseAffine, 3, 3);
      shape.dyadic_literals = true;
      shape.mix[static_cast<int>(StatementKind::Div)] = 1;  // a / (|b| + c): exact when |b| + c is 2^k
      const Program prog = *genProgram(shape).as("program");
      const auto points = *rc::gen::resize(
                               20, rc::gen::nonEmpty(rc::gen::container<std::vector<Point>>(genDyadicPointNearKinks(prog.p()))))
                               .as("points");
      const bool small_tiles = *rc::gen::arbitrary<bool>().as("tiles of 8 lanes");
      const std::size_t n = points.size();
      std::vector<std::optional<ExactResult>> ref(n);
      std::size_t skipped = 0, ties = 0;
      for (std::size_t l = 0; l < n; ++l) {
        ExactResult e = exact(prog, points[l].x);
        if (!double_exact(prog, e)) {
          ++skipped;
          continue;
        }
        ties += e.branches.tie_count();
        ref[l] = std::move(e);
      }
      RC_TAG(skipped == 0 ? "every point compared" : (skipped == n ? "every point skipped" : "some points skipped"));
      RC_TAG(ties > 0 ? "ties" : "no tie");
      expect_exact_in_both_engines(prog, points, ref, small_tiles);
    });

const Register conventions_agreement(
    "FAST.conventions", "dyadic piecewise affine with random tie rules: fast == reference bit for bit", 2000, [] {
      auto shape = ProgramShape::of(Family::PiecewiseAffine, 3, 2);
      shape.dyadic_literals = true;
      const Program prog = with_random_tie_rules(*genProgram(shape).as("program"), /*dyadic_splits=*/true);
      RC_LOG() << print_program(prog);
      const auto points = *rc::gen::resize(
                               12, rc::gen::nonEmpty(rc::gen::container<std::vector<Point>>(genDyadicPointNearKinks(prog.p()))))
                               .as("points");
      const std::size_t n = points.size();
      std::vector<std::optional<ExactResult>> ref(n);
      bool ruled_tie = false;
      for (std::size_t l = 0; l < n; ++l) {
        ExactResult e = exact(prog, points[l].x);
        if (!double_exact(prog, e)) continue;
        for (const auto& d : e.branches.decisions) ruled_tie |= d.choice.tie && prog.nodes[d.node].tie.changes_ties();
        ref[l] = std::move(e);
      }
      RC_TAG(ruled_tie ? "a rule acted" : "no rule acted");
      expect_exact_in_both_engines(prog, points, ref, false);
    });

// ---- FAST.lanes ---------------------------------------------------------------------------

/// P with one more input w (after P's inputs) and the outputs P_1 / w and log w appended.
Program with_failing_input(const Program& prog) {
  const auto p = static_cast<std::uint32_t>(prog.p());
  Program out;
  out.input_count = p + 1;
  for (std::uint32_t i = 0; i < p; ++i) out.nodes.push_back(prog.nodes[i]);
  Node w;
  w.op = Op::Input;
  w.name = "w";
  out.nodes.push_back(w);
  out.literals = prog.literals;
  const auto moved = [&](std::uint32_t k) { return k < p ? k : k + 1; };
  for (std::size_t k = p; k < prog.m(); ++k) {
    Node n = prog.nodes[k];
    for (Arg& a : n.args)
      if (a.is_node()) a.index = moved(a.index);
    if (n.op == Op::Sort) n.group_first = moved(n.group_first);
    out.nodes.push_back(std::move(n));
  }
  for (auto o : prog.outputs) out.outputs.push_back(moved(o));
  const auto emit = [&](const char* name, Op op, std::vector<Arg> args) {
    Node n;
    n.name = name;
    n.op = op;
    n.args = std::move(args);
    out.nodes.push_back(std::move(n));
    out.outputs.push_back(static_cast<std::uint32_t>(out.nodes.size() - 1));
  };
  emit("wdiv", Op::Div, {Arg::node(moved(prog.outputs[0])), Arg::node(p)});
  emit("wlog", Op::Log, {Arg::node(p)});
  validate(out);
  return out;
}

enum class LaneKind : int { Good, DivisionByZero, LogOfNegative, NanInput, InfiniteInput };

struct Lane {
  LaneKind kind = LaneKind::Good;
  std::vector<double> x;  ///< P's inputs, then w
};

void showValue(const Lane& l, std::ostream& os) {
  static const char* const kNames[] = {"good", "w = 0", "w < 0", "NaN input", "infinite input"};
  os << kNames[static_cast<int>(l.kind)] << ": --at=";
  for (std::size_t i = 0; i < l.x.size(); ++i) os << (i ? "," : "") << text(l.x[i]);
}

rc::Gen<Lane> genLane(std::size_t p) {
  return rc::gen::apply(
      [p](int kind, const Point& x, const Rational& w, std::size_t bad) {
        Lane l;
        l.kind = static_cast<LaneKind>(kind);
        l.x = to_doubles(x.x);
        const double wd = w.convert_to<double>();
        switch (l.kind) {
          case LaneKind::Good: l.x.push_back(std::fabs(wd) + 0.25); break;
          case LaneKind::DivisionByZero: l.x.push_back(0.0); break;
          case LaneKind::LogOfNegative: l.x.push_back(-(std::fabs(wd) + 0.125)); break;
          case LaneKind::NanInput:
          case LaneKind::InfiniteInput:
            l.x.push_back(std::fabs(wd) + 1);
            l.x[bad % (p + 1)] = l.kind == LaneKind::NanInput ? std::numeric_limits<double>::quiet_NaN()
                                                                : -std::numeric_limits<double>::infinity();
            break;
        }
        return l;
      },
      rc::gen::weightedElement<int>({{5, 0}, {1, 1}, {1, 2}, {1, 3}, {1, 4}}),
      rc::gen::oneOf(genPointNearKinks(p), genContinuousPoint(p)), genKinkRational(),
      rc::gen::resize(100, rc::gen::inRange<std::size_t>(0, 8)));
}

bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

/// "" when the two results are bit for bit the same (`skip_output`: an output not compared), else
/// the first difference.
std::string differs(const LaneResult& a, const LaneResult& b) {
  if (a.ok != b.ok || a.error_node != b.error_node || a.error != b.error)
    return std::string("failure ") + (a.ok ? "none" : fast::lane_error_text(a.error)) + " at node " +
           std::to_string(a.error_node) + " vs " + (b.ok ? "none" : fast::lane_error_text(b.error)) + " at node " +
           std::to_string(b.error_node);
  if (!a.ok) return "";
  for (std::size_t j = 0; j < a.outputs.size(); ++j)
    if (!same_bits(a.outputs[j], b.outputs[j]))
      return "output " + std::to_string(j) + ": " + text(a.outputs[j]) + " vs " + text(b.outputs[j]);
  for (std::size_t i = 0; i < a.jacobian.size(); ++i)
    if (!same_bits(a.jacobian[i], b.jacobian[i]))
      return "Jacobian entry " + std::to_string(i) + ": " + text(a.jacobian[i]) + " vs " + text(b.jacobian[i]);
  if (a.pieces != b.pieces) return "pieces differ";
  if (a.ties != b.ties) return "tie flags differ";
  return "";
}

/// A batch of good and failing lanes for a random program P (with_failing_input), evaluated.
struct LanesCase {
  Program base, prog;
  std::vector<Lane> lanes;
  fast::JacobianMode mode = fast::JacobianMode::Auto;
  std::vector<double> xs;
  std::optional<fast::Tape> tape;
  fast::BatchResult batch;

  std::span<const double> x(std::size_t l) const {
    return std::span<const double>(xs).subspan(l * prog.p(), prog.p());
  }
};

LanesCase genLanesCase(bool whole_table) {
  LanesCase c;
  c.base = *genProgram(ProgramShape::of(whole_table ? Family::Full : Family::Rational, 3, 2)).as("program P");
  c.prog = with_failing_input(c.base);
  RC_LOG() << "with w:\n" << print_program(c.prog);
  c.lanes = *rc::gen::resize(24, rc::gen::nonEmpty(rc::gen::container<std::vector<Lane>>(genLane(c.base.p())))).as("lanes");
  c.mode = static_cast<fast::JacobianMode>(*rc::gen::inRange(0, 3).as("Jacobian mode (0 auto, 1 reverse, 2 forward)"));
  const bool small_tiles = *rc::gen::arbitrary<bool>().as("tiles of 8 lanes");
  for (const auto& l : c.lanes) c.xs.insert(c.xs.end(), l.x.begin(), l.x.end());
  c.tape = fast::compile(c.prog);
  fast::BatchOptions o;
  o.mode = c.mode;
  if (small_tiles) o.tile_bytes = 1;
  fast::BatchEvaluator batch(*c.tape, o);
  batch.evaluate(c.xs, c.lanes.size(), c.batch);
  return c;
}

/// Where and why a lane of a failing kind must fail first (see with_failing_input): w = 0 at the
/// quotient P_1 / w, w < 0 at log w, a bad input at that input.
std::pair<std::uint32_t, fast::LaneError> expected_failure(const LanesCase& c, const Lane& lane) {
  const auto m = static_cast<std::uint32_t>(c.prog.m());
  switch (lane.kind) {
    case LaneKind::DivisionByZero: return {m - 2, fast::LaneError::DivisionByZero};
    case LaneKind::LogOfNegative: return {m - 1, fast::LaneError::LogDomain};
    default: break;
  }
  for (std::uint32_t i = 0; i < lane.x.size(); ++i)
    if (!std::isfinite(lane.x[i])) return {i, fast::LaneError::NanInput};
  return {fast::kNoError, fast::LaneError::None};
}

const Register lane_independence(
    "FAST.lanes", "failing lanes (x / 0, log of a negative, NaN) leave the other lanes bit-identical to the point alone",
    3000, [] {
      const bool whole_table = *rc::gen::weightedElement<bool>({{1, false}, {1, true}}).as("whole op table");
      const LanesCase c = genLanesCase(whole_table);
      fast::BatchOptions o;
      o.mode = c.mode;
      fast::BatchEvaluator alone_batch(*c.tape, o);
      fast::BatchResult alone;
      fast::PointEvaluator point(*c.tape, c.mode);
      std::size_t failed = 0;
      for (std::size_t l = 0; l < c.lanes.size(); ++l) {
        const LaneResult in_batch = lane_of(c.batch, l);
        alone_batch.evaluate(c.x(l), 1, alone);
        const std::string where = "lane " + std::to_string(l);
        const std::string d = differs(in_batch, lane_of(alone, 0));
        if (!d.empty()) RC_FAIL(where + " in the batch vs alone: " + d);
        failed += in_batch.ok ? 0 : 1;
        if (c.lanes[l].kind != LaneKind::Good && in_batch.ok) RC_FAIL(where + " should have failed");
        // A failing lane fails where its kind says, for that reason; P itself (the whole op
        // table) may overflow first, at one of its own nodes.
        if (c.lanes[l].kind != LaneKind::Good && !in_batch.ok) {
          const auto [node, reason] = expected_failure(c, c.lanes[l]);
          const bool p_overflow = in_batch.error == fast::LaneError::Overflow && in_batch.error_node < node &&
                                  in_batch.error_node > c.base.p();
          if (!p_overflow && (in_batch.error_node != node || in_batch.error != reason))
            RC_FAIL(where + " fails with " + fast::describe_lane_error(*c.tape, in_batch.error_node, in_batch.error) +
                    ", expected " + fast::describe_lane_error(*c.tape, node, reason));
        }
        // The single-point engine fails on the same points.
        bool threw = false;
        try {
          point_result(point, c.x(l));
        } catch (const Error& e) {
          threw = true;
          if (e.kind() != ErrorKind::Domain) RC_FAIL(where + ": the point engine threw " + e.what());
        }
        if (threw != !in_batch.ok)
          RC_FAIL(where + (threw ? " fails in the point engine only"
                                 : " fails in the batch only: " +
                                       fast::describe_lane_error(*c.tape, in_batch.error_node, in_batch.error)));
      }
      RC_TAG(failed == 0 ? "no failing lane" : (failed == c.lanes.size() ? "every lane fails" : "good and failing lanes"));
    });

const Register point_agreement(
    "FAST.point", "good lanes of a batch with failing lanes == the point engine, bit for bit", 3000, [] {
      const bool whole_table = *rc::gen::weightedElement<bool>({{1, false}, {1, true}}).as("whole op table");
      const LanesCase c = genLanesCase(whole_table);
      fast::PointEvaluator point(*c.tape, c.mode);
      std::size_t good = 0;
      for (std::size_t l = 0; l < c.lanes.size(); ++l) {
        LaneResult in_batch = lane_of(c.batch, l);
        if (!in_batch.ok) continue;
        ++good;
        const std::string where = "lane " + std::to_string(l) + " (--at=" + [&] {
          std::ostringstream os;
          showValue(c.lanes[l], os);
          return os.str();
        }() + ")";
        LaneResult single;
        try {
          single = point_result(point, c.x(l));
        } catch (const Error& e) {
          RC_FAIL(where + ": the point engine threw " + e.what());
        }
        const std::string d = differs(in_batch, single);
        if (!d.empty()) RC_FAIL(where + " in the batch vs the point engine: " + d);
      }
      RC_TAG(good == c.lanes.size() ? "every lane good" : (good == 0 ? "every lane fails" : "good and failing lanes"));
    });

}  // namespace
}  // namespace selgrad::properties
