// The MPFR engine's decisions and their certainty marks (reference::evaluate_real): every
// branch is decided by an MPFI enclosure (certified), by exact rationals or value numbers when
// the enclosure straddles 0 (exact), or, still undecided at the precision cap, by the tie rule
// (uncertified). Each mark is checked against a decision made independently of the engine.
//
//  * REAL.marks: random programs over the whole op table at kink-biased points. For every relu,
//    abs and select decision (one comparison each), the enclosure of the compared quantity is
//    recomputed at the engine's final precision by interval evaluation of the frozen program
//    (support/frozen.hpp, the pieces the engine took): when it certifies a nonzero sign, the
//    mark must be `certified` and the piece the one that sign gives (an exact zero of a
//    difference may also be found first by value numbers: `exact`); when it does not and the
//    compared values are rational (no exp/log upstream), the mark must be `exact` and the piece
//    the one of the exact sign (exact rationals of the same frozen program); otherwise `exact`
//    (equal value numbers) or, at the precision cap only, `uncertified`, with the tie rule's
//    piece. A select decided at u = v also checks a = b (D3), and its mark is the worse of the
//    two. For programs without exp/log, every decision must be the exact engine's and none
//    uncertified. The MPFR point values (outputs, Jacobian) must lie in their enclosures.
//  * REAL.escalation: a random exp/log program P, y = P(x) + log 3 (so y has an exp/log
//    ancestor: no exact fallback), and `max y c` with c = y(x) + s 2^-k (k from 8 to 800): the
//    comparison needs about k bits, so starting at 64 bits the engine must raise its precision
//    (cap 1024) and decide it certified, the piece given by s. With c = y(x) to 1152 bits the
//    comparison is undecidable at the cap: it must be marked uncertified, with the tie rule's
//    piece.
//  * REAL.numbering: value numbers (equal computations compare equal exactly). For a random
//    exp/log program P with two outputs e1, e2: `max y1 y2` for two copies of P must be an exact
//    tie (piece 0); the same with the second copy's add and mul arguments reversed; and
//    `max (e1 - e2) (e2 - e1)`, where swapping a subtraction's arguments changes the value, must
//    take the piece of the sign of e1 - e2 certified at 2048 bits, and not be called a tie.
#include <algorithm>
#include <stdexcept>

#include <mpfr.h>

#include "gen/program.hpp"
#include "gen/rational.hpp"
#include "selgrad/program/builder.hpp"
#include "suite.hpp"
#include "support/compose.hpp"
#include "support/engine.hpp"
#include "support/frozen.hpp"
#include "support/interval.hpp"

namespace selgrad::properties {
namespace {

using reference::Certainty;
using reference::certainty_name;

/// Exact values of the nodes with no exp/log upstream, for the pieces given; nullopt elsewhere.
std::vector<std::optional<Rational>> rational_values(const Program& p, const std::vector<Rational>& x,
                                                     const std::vector<std::uint32_t>& pieces) {
  std::vector<std::optional<Rational>> v(p.m());
  std::vector<Rational> lits;
  for (const auto& l : p.literals) lits.push_back(reference::to_rational(l));
  for (std::size_t i = 0; i < p.p(); ++i) v[i] = x[i];
  std::vector<const Rational*> args;
  for (std::size_t k = p.p(); k < p.m(); ++k) {
    const Node& n = p.nodes[k];
    if (op_info(n.op).transcendental) continue;
    args.clear();
    bool ok = true;
    for (Arg a : n.args) {
      if (a.is_node() && !v[a.index]) ok = false;
      args.push_back(a.is_node() ? (v[a.index] ? &*v[a.index] : nullptr) : &lits[a.index]);
    }
    if (!ok) continue;
    try {
      v[k] = op_value<Rational>(n, pieces[k], std::span<const Rational* const>(args));
    } catch (const std::exception&) {
      // outside a domain at these pieces: no exact value
    }
  }
  return v;
}

Sign sign_of(const Rational& r) { return r > 0 ? Sign::Positive : (r < 0 ? Sign::Negative : Sign::Zero); }

unsigned mark_bit(Certainty c) { return 1u << static_cast<unsigned>(c); }

/// The marks a combination of two queries can get: the worst of the two (Exact < Certified <
/// Uncertified), for every mark each query allows.
unsigned combined(unsigned a, unsigned b) {
  unsigned out = 0;
  for (unsigned i = 0; i < 3; ++i)
    for (unsigned j = 0; j < 3; ++j)
      if ((a & (1u << i)) && (b & (1u << j))) out |= 1u << std::max(i, j);
  return out;
}

/// One sign query of a decision, judged independently: the argument i against 0 (j < 0) or
/// against argument j. `marks`: the certainty marks the engine may give it; `sign`: the sign
/// it must decide.
struct Query {
  unsigned marks = 0;
  Sign sign = Sign::Zero;
  std::string text;
};

Query query(const Program& p, std::uint32_t k, std::uint32_t i, int j, const std::vector<Interval>& values,
            const std::vector<Interval>& lits, const std::vector<std::optional<Rational>>& exact_values,
            const std::vector<Rational>& lit_values, bool at_cap) {
  const Node& n = p.nodes[k];
  const auto enclosure = [&](std::uint32_t a) -> const Interval& {
    return n.args[a].is_node() ? values[n.args[a].index] : lits[n.args[a].index];
  };
  const auto exact = [&](std::uint32_t a) -> std::optional<Rational> {
    return n.args[a].is_node() ? exact_values[n.args[a].index] : std::optional<Rational>(lit_values[n.args[a].index]);
  };
  Query q;
  if (j >= 0 && n.args[i] == n.args[static_cast<std::uint32_t>(j)]) {  // the same value: equal, exactly
    q.marks = mark_bit(Certainty::Exact);
    q.text = "the same argument twice";
    return q;
  }
  const Interval diff = j < 0 ? enclosure(i) : Interval(enclosure(i) - enclosure(static_cast<std::uint32_t>(j)));
  q.text = "enclosure [" + diff.lower().to_string(20) + ", " + diff.upper().to_string(20) + "]";
  if (const auto s = diff.certified_sign()) {
    q.sign = *s;
    // A sign the enclosure certifies; an exact zero of a difference may be found first by
    // value numbers (exact).
    q.marks = mark_bit(Certainty::Certified) | (j >= 0 && *s == Sign::Zero ? mark_bit(Certainty::Exact) : 0u);
    return q;
  }
  const auto a = exact(i);
  const auto b = j < 0 ? std::optional<Rational>(Rational(0)) : exact(static_cast<std::uint32_t>(j));
  if (a && b) {  // rational values: the exact fallback
    q.sign = sign_of(Rational(*a - *b));
    q.marks = mark_bit(Certainty::Exact);
    q.text += ", exactly " + reference::to_string(Rational(*a - *b));
    return q;
  }
  // Undecided and not rational: equal value numbers (exact), or undecided at the cap; either way
  // the tie rule's branch.
  q.marks = (j >= 0 ? mark_bit(Certainty::Exact) : 0u) | (at_cap ? mark_bit(Certainty::Uncertified) : 0u);
  return q;
}

std::uint32_t piece_for(const Node& n, Sign s) {
  if (n.op == Op::Relu) return relu_piece(s);
  if (n.op == Op::Abs) return abs_piece(s);
  return select_piece(n.cmp, s);
}

reference::Options options(mpfr_prec_t start, mpfr_prec_t cap) {
  reference::Options o;
  o.precision = start;
  o.max_precision = cap;
  return o;
}

RealResult real_at(const Program& p, const std::vector<Rational>& x, const reference::Options& o) {
  try {
    return reference::evaluate_real(p, x, o);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Resource) discard_resource(e);
    if (e.kind() == ErrorKind::Domain) RC_DISCARD(std::string("domain: ") + e.what());
    RC_FAIL(std::string("evaluate_real threw: ") + e.what());
    throw;
  }
}

const Register marks(
    "REAL.marks", "MPFR certainty marks match an independent decision; point values lie in their enclosures", 4000,
    [] {
      const Program prog = *genProgram(ProgramShape::of(Family::Full, 3, 2)).as("program");
      const Point x = *genPointNearKinks(prog.p()).as("point");
      log_command("grad", x.x);
      const reference::Options o = options(256, 1024);
      const RealResult r = real_at(prog, x.x, o);
      const auto pieces = pieces_of(prog, r.branches);
      RC_TAG(prog.transcendental() ? "exp/log" : "rational");

      // The enclosures the engine decided on: the frozen program at its final precision.
      reference::PrecisionScope scope(r.precision);
      std::vector<Interval> xi, lits;
      for (const auto& v : x.x) xi.emplace_back(v);
      for (const auto& l : prog.literals) lits.push_back(ScalarOps<Interval>::from_literal(l));
      const std::vector<Interval> enclosures = eval_frozen<Interval>(prog, xi, pieces);
      const auto exact_values = rational_values(prog, x.x, pieces);
      std::vector<Rational> lit_values;
      for (const auto& l : prog.literals) lit_values.push_back(reference::to_rational(l));
      const bool at_cap = r.precision == o.max_precision;
      for (const auto& d : r.branches.decisions) {
        const Node& n = prog.nodes[d.node];
        if (n.op != Op::Relu && n.op != Op::Abs && n.op != Op::Select) continue;
        // The decision's comparison, and for a select decided at u = v its continuity check
        // (a against b), which the engine's mark also covers.
        const Query decision = query(prog, d.node, 0, n.op == Op::Select ? 1 : -1, enclosures, lits, exact_values,
                                     lit_values, at_cap);
        RC_LOG() << "node " << n.name << ": piece " << d.choice.piece << (d.choice.tie ? " (tie)" : "") << ", "
                 << certainty_name(d.certainty) << "; " << decision.text << "\n";
        RC_ASSERT(d.choice.piece == piece_for(n, decision.sign));
        unsigned allowed = decision.marks;
        if (n.op == Op::Select && d.choice.tie) {
          const Query jump = query(prog, d.node, 2, 3, enclosures, lits, exact_values, lit_values, at_cap);
          RC_LOG() << "  continuity check: " << jump.text << "\n";
          allowed = combined(decision.marks, jump.marks);
        }
        if (!(allowed & mark_bit(d.certainty))) RC_FAIL("node " + n.name + " is marked " + std::string(certainty_name(d.certainty)));
      }
      if (!prog.transcendental()) {
        const ExactResult e = exact(prog, x.x);
        RC_ASSERT(e.branches.decisions.size() == r.branches.decisions.size());
        for (std::size_t i = 0; i < e.branches.decisions.size(); ++i) {
          RC_ASSERT(r.branches.decisions[i].choice == e.branches.decisions[i].choice);
          RC_ASSERT(r.branches.decisions[i].certainty != Certainty::Uncertified);
        }
      }
      // The MPFR point values are computed with the decisions of the enclosures: inside them.
      for (std::size_t o2 = 0; o2 < prog.q(); ++o2) {
        RC_ASSERT(contains(r.output_enclosures[o2], r.outputs[o2].to_rational()));
        for (std::size_t i = 0; i < prog.p(); ++i)
          RC_ASSERT(contains(r.jacobian_enclosures[o2][i], r.jacobian[o2][i].to_rational()));
      }
    });

/// P's first output plus log 3, then `max y c`: outputs y and the max.
Program near_tie(const Program& p, const Rational& c) {
  ProgramBuilder b;
  std::vector<Arg> in;
  for (std::size_t i = 0; i < p.p(); ++i) in.push_back(b.input(p.nodes[i].name));
  const auto out = b.append(p, in, "p.");
  const Arg log3 = b.node("log3", Op::Log, {b.literal("3")});
  const Arg y = b.node("y", Op::Add, {out[0], log3});
  const Arg m = b.node("m", Op::Max, {y, exact_literal(b, c)});
  b.output(y);
  b.output(m);
  return b.build();
}

const Register escalation(
    "REAL.escalation", "a comparison needing k bits is certified after raising the precision; beyond the cap, uncertified",
    1500, [] {
      auto shape = ProgramShape::of(Family::ExpLog, 2, 1);
      shape.max_statements = 12;
      const Program p = *genProgram(shape).as("program P");
      const Point x = *genPointNearKinks(p.p()).as("point");
      const int k = *rc::gen::inRange(8, 801).as("bits needed (k)");
      const bool above = *rc::gen::arbitrary<bool>().as("c above y (else below)");
      const bool beyond_cap = *rc::gen::weightedElement<bool>({{3, false}, {1, true}}).as("beyond the cap");
      // y(x) to 1152 bits.
      const Program y_only = near_tie(p, Rational(0));
      const RealResult fine = real_at(y_only, x.x, options(1152, 1152));
      RC_PRE(fine.branches.all_certified());
      // The comparison needs about log2|y| + k bits, and the claim is about k: |y| stays below
      // 2^128, so that k <= 800 bits fit under the 1024-bit cap. (A campaign found
      // exp(exp(exp x)) at x = 3, y about 2^(7.6e8): no precision under the cap decides it,
      // and c has no literal shorter than the parser's cap.) Read off MPFR's exponent, before
      // the enclosure's end becomes a rational of that many bits.
      const auto below_2_128 = [](const reference::Real& v) {
        return mpfr_zero_p(v.get()) != 0 || mpfr_get_exp(v.get()) <= 128;
      };
      RC_PRE(below_2_128(fine.output_enclosures[0].lower()) && below_2_128(fine.output_enclosures[0].upper()));
      const Rational mid = fine.output_enclosures[0].lower().to_rational();
      Rational c = mid;
      if (!beyond_cap) {
        Rational step(1);
        for (int i = 0; i < k; ++i) step /= 2;
        c = above ? Rational(mid + step) : Rational(mid - step);
      }
      const Program q = near_tie(p, c);
      RC_LOG() << print_program(q);
      log_command("grad", x.x, " --prec 64 --max-prec 1024");
      const reference::Options o = options(64, 1024);
      const RealResult r = real_at(q, x.x, o);
      const auto& d = r.branches.decisions.back();
      RC_LOG() << "max: piece " << d.choice.piece << (d.choice.tie ? " (tie)" : "") << ", "
               << certainty_name(d.certainty) << " at " << r.precision << " bits\n";
      if (beyond_cap) {
        RC_TAG("beyond the cap");
        RC_ASSERT(d.certainty == Certainty::Uncertified);
        RC_ASSERT(d.choice.piece == 0u);  // the tie rule: the first maximal argument
        RC_ASSERT(r.precision == o.max_precision);
      } else {
        RC_TAG(k > 64 ? "escalated" : "decided at the start");
        RC_ASSERT(d.certainty == Certainty::Certified);
        RC_ASSERT(d.choice.piece == (above ? 1u : 0u));
        RC_ASSERT(!d.choice.tie);
      }
    });

/// A copy of p with the arguments of every add and mul reversed (the same value).
Program commuted(Program p) {
  for (Node& n : p.nodes)
    if (n.op == Op::Add || n.op == Op::Mul) std::reverse(n.args.begin(), n.args.end());
  validate(p);
  return p;
}

const Register numbering(
    "REAL.numbering", "copies of a computation tie exactly; a - b against b - a is decided by its sign", 2000, [] {
      auto shape = ProgramShape::of(Family::ExpLog, 2, 2);
      shape.min_outputs = 2;
      shape.max_statements = 12;
      const Program p = *genProgram(shape).as("program P");
      RC_PRE(p.q() >= 2u);
      const Point x = *genPointNearKinks(p.p()).as("point");
      ProgramBuilder b;
      std::vector<Arg> in;
      for (std::size_t i = 0; i < p.p(); ++i) in.push_back(b.input(p.nodes[i].name));
      const auto y1 = b.append(p, in, "a.");
      const auto y2 = b.append(p, in, "b.");
      const auto y3 = b.append(commuted(p), in, "c.");
      const Arg copies = b.node("copies", Op::Max, {y1[0], y2[0]});
      const Arg commutes = b.node("commutes", Op::Max, {y1[0], y3[0]});
      const Arg d12 = b.node("d12", Op::Sub, {y1[0], y1[1]});
      const Arg d21 = b.node("d21", Op::Sub, {y1[1], y1[0]});
      const Arg swapped = b.node("swapped", Op::Max, {d12, d21});
      b.output(copies);
      b.output(commutes);
      b.output(swapped);
      const Program q = b.build();
      RC_LOG() << print_program(q);
      log_command("grad", x.x);
      const RealResult r = real_at(q, x.x, options(256, 1024));
      const auto decision = [&](const char* name) {
        for (const auto& d : r.branches.decisions)
          if (q.nodes[d.node].name == name) return d;
        throw std::logic_error("no decision of the node");
      };
      for (const char* name : {"copies", "commutes"}) {
        const auto d = decision(name);
        RC_LOG() << name << ": piece " << d.choice.piece << (d.choice.tie ? " (tie)" : "") << ", "
                 << certainty_name(d.certainty) << "\n";
        RC_ASSERT(d.certainty == Certainty::Exact);
        RC_ASSERT(d.choice.tie);
        RC_ASSERT(d.choice.piece == 0u);
      }
      // The sign of e1 - e2, independently: the frozen program in intervals at 2048 bits.
      const auto d = decision("swapped");
      reference::PrecisionScope scope(2048);
      std::vector<Interval> xi;
      for (const auto& v : x.x) xi.emplace_back(v);
      const auto values = eval_frozen<Interval>(q, xi, pieces_of(q, r.branches));
      const Interval diff = values[d12.index] - values[d21.index];
      RC_LOG() << "swapped: piece " << d.choice.piece << (d.choice.tie ? " (tie)" : "") << ", "
               << certainty_name(d.certainty) << "; (e1 - e2) - (e2 - e1) in [" << diff.lower().to_string(20) << ", "
               << diff.upper().to_string(20) << "]\n";
      const auto s = diff.certified_sign();
      RC_TAG(s && *s != Sign::Zero ? "e1 != e2" : "e1 = e2 or undecided");
      if (s && *s != Sign::Zero && d.certainty == Certainty::Uncertified) {
        // Undecided at the 1024-bit cap: legitimate only when e1 - e2 is below that precision's
        // resolution of the values it is computed from. 2^-800 of the largest value leaves 224
        // bits for what the enclosures lose over at most 12 statements. (A 100x campaign found
        // softplus(732) - 732 = e^-732, 2^-1056 of the values: undecidable at 1024 bits.)
        RC_TAG("undecided at the precision cap");
        Rational scale = 1;
        for (const Interval& v : values) {
          if (!moderate(v) || !moderate(diff)) RC_DISCARD("values beyond 2^512: no exact scale to compare with");
          scale = std::max(scale, magnitude(v));
        }
        RC_ASSERT(magnitude(diff) < scale / Rational(boost::multiprecision::mpz_int(1) << 800));
      } else if (s && *s != Sign::Zero) {
        RC_ASSERT(!d.choice.tie);
        RC_ASSERT(d.choice.piece == (*s == Sign::Positive ? 0u : 1u));
      }
    });

}  // namespace
}  // namespace selgrad::properties
