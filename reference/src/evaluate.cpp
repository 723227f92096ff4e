// The reference engine's entry points (see evaluate.hpp) and its branch-deciding policies
// (see detail/policies.hpp).
#include "selgrad/reference/evaluate.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "detail/policies.hpp"

namespace selgrad::reference {
namespace detail {

void throw_domain(const Program& p, std::uint32_t k, const DomainRule& c, const std::string& value,
                  const std::string& extra) {
  throw Error(ErrorKind::Domain, node_location(p, k), domain_message(c, value) + extra);
}

void throw_discontinuous(const Program& p, std::uint32_t k, const std::string& a, const std::string& b) {
  throw Error(ErrorKind::Continuity, node_location(p, k),
              "discontinuous selection: u = v here but the branches differ (a = " + a + ", b = " + b +
                  "); a select must be continuous (D3)");
}

void throw_too_big(const Program& p, std::uint32_t k, std::size_t bits, std::size_t cap) {
  throw Error(ErrorKind::Resource, node_location(p, k),
              "exact value would need up to " + std::to_string(bits) + " bits, above the operand size cap of " +
                  std::to_string(cap) + " bits (raise it with --max-bits or Options::max_operand_bits)");
}

void throw_over_budget(const Program& p, std::uint32_t k, std::size_t bits, std::size_t budget) {
  throw Error(ErrorKind::Resource, node_location(p, k),
              "the exact values computed so far would reach " + std::to_string(bits) +
                  " bits in total, above the evaluation's size budget of " + std::to_string(budget) +
                  " bits (raise it with --max-total-bits or Options::max_total_bits)");
}

// ---- LazyExact ------------------------------------------------------------------------------

LazyExact::LazyExact(const Program& p, const std::vector<Rational>& x, const Options& o)
    : p_(p), policy_(p, o) {
  init_tape(p, t_);
  state_.assign(p.m(), Unknown);
  for (std::size_t i = 0; i < p.p(); ++i) {
    t_.values[i] = x[i];
    state_[i] = Available;
  }
}

bool LazyExact::available(Arg a) { return !a.is_node() || ensure(a.index); }

bool LazyExact::ensure(std::uint32_t k) {
  if (state_[k] == Available || state_[k] == Unavailable) return state_[k] == Available;
  // Collect the unknown ancestors of k (iteratively: programs can be deep), then evaluate them
  // in node order. A sort node pulls in its whole group, which is evaluated together.
  std::vector<std::uint32_t> todo, stack{k};
  while (!stack.empty()) {
    const std::uint32_t u = stack.back();
    stack.pop_back();
    if (state_[u] != Unknown) continue;
    state_[u] = Pending;
    todo.push_back(u);
    const Node& n = p_.nodes[u];
    if (n.op == Op::Sort) {
      for (std::uint32_t g = n.group_first; g < n.group_first + n.group_size; ++g)
        if (state_[g] == Unknown) stack.push_back(g);
      if (u != n.group_first) continue;  // the lead pulls in the group's arguments
    }
    for (Arg a : n.args)
      if (a.is_node() && state_[a.index] == Unknown) stack.push_back(a.index);
  }
  std::sort(todo.begin(), todo.end());
  std::vector<const Rational*> args;
  std::vector<std::uint32_t> order;
  std::vector<bool> same;
  for (std::uint32_t u : todo) {
    const Node& n = p_.nodes[u];
    bool rational = !op_info(n.op).transcendental;
    if (n.op == Op::Sort && u != n.group_first)
      rational = state_[n.group_first] == Available;  // the group's arguments, checked at the lead
    else
      for (Arg a : n.args)
        if (a.is_node() && state_[a.index] != Available) rational = false;
    if (rational) eval_node(p_, u, t_, policy_, args, order, same);
    state_[u] = rational ? Available : Unavailable;
  }
  return state_[k] == Available;
}

// ---- value numbering -----------------------------------------------------------------------

std::uint32_t ValueNumbering::intern(std::string key) {
  return ids_.emplace(std::move(key), static_cast<std::uint32_t>(ids_.size())).first->second;
}

std::uint32_t ValueNumbering::number(Arg a) {
  if (!a.is_node()) return intern("literal " + to_string(to_rational(p_.literals[a.index])));
  std::vector<std::string> parts;
  while (number_.size() <= a.index) {
    const auto k = static_cast<std::uint32_t>(number_.size());
    const Node& n = p_.nodes[k];
    if (n.op == Op::Input) {
      number_.push_back(intern("input " + std::to_string(k)));
      continue;
    }
    const auto arg_key = [&](std::uint32_t i) { return "#" + std::to_string(number(n.args[i])); };
    if (op_info(n.op).selection && SELGRAD_MUTANT(22)) {  // mutant 22: a selection is a value of its own
      number_.push_back(intern("node " + std::to_string(k)));
      continue;
    }
    if (op_info(n.op).selection) {
      // The value of the piece taken, as the rule says: an argument, its negation, a constant.
      const Sym v = symbolic_value(n, choices_[k].piece);
      switch (v.kind) {
        case Sym::Kind::Arg: number_.push_back(number(n.args[v.arg])); break;
        case Sym::Kind::NegArg: number_.push_back(intern("neg 0 " + arg_key(v.arg))); break;
        case Sym::Kind::Constant: number_.push_back(intern("literal " + std::to_string(v.constant))); break;
        default: number_.push_back(intern("node " + std::to_string(k)));  // a value of its own
      }
      continue;
    }
    parts.clear();
    for (std::uint32_t i = 0; i < n.args.size(); ++i) parts.push_back(arg_key(i));
    if (op_info(n.op).commutative || SELGRAD_MUTANT(21)) std::sort(parts.begin(), parts.end());  // mutant 21
    std::string key = std::string(op_name(n.op)) + " " + std::to_string(n.power);
    for (const auto& part : parts) key += " " + part;
    number_.push_back(intern(std::move(key)));
  }
  return number_[a.index];
}

// ---- IntervalPolicy -------------------------------------------------------------------------

Sign IntervalPolicy::query(std::uint32_t k, std::span<const Interval* const> a, std::uint32_t i, int j) {
  const Node& n = p_.nodes[k];
  const Arg ai = n.args[i];
  // The same value compared with itself: equal, whatever the enclosure says.
  const auto same_value = [&](Arg x, Arg y) {
    return x == y || numbers_.number(x) == numbers_.number(y);
  };
  if (j >= 0 && same_value(ai, n.args[static_cast<std::uint32_t>(j)])) {
    note(Certainty::Exact);
    return Sign::Zero;
  }
  const Interval diff = j < 0 ? *a[i] : Interval(*a[i] - *a[static_cast<std::uint32_t>(j)]);
  if (auto s = diff.certified_sign()) {
    note(Certainty::Certified);
    return *s;
  }
  // The enclosure straddles 0: decide exactly if both values are rational.
  if (!SELGRAD_MUTANT(17) &&  // mutant 17: never falls back to exact rationals
      exact_.available(ai) && (j < 0 || exact_.available(n.args[static_cast<std::uint32_t>(j)]))) {
    note(SELGRAD_MUTANT(19) ? Certainty::Certified : Certainty::Exact);  // mutant 19: marked certified
    const Rational& x = exact_.value(ai);
    return j < 0 ? to_sign(x.sign()) : to_sign(x.compare(exact_.value(n.args[static_cast<std::uint32_t>(j)])));
  }
  if (!at_cap_) throw NeedMorePrecision{};
  note(SELGRAD_MUTANT(20) ? Certainty::Certified : Certainty::Uncertified);  // mutant 20: marked certified
  return Sign::Zero;  // undecided at the cap: the tie rule's branch
}

namespace {
// Adapts IntervalPolicy::query to the oracle interface of the op rules.
struct IntervalOracle {
  IntervalPolicy& pol;
  std::uint32_t k;
  std::span<const Interval* const> a;
  Sign sign(std::uint32_t i) { return pol.query(k, a, i, -1); }
  Sign sign_diff(std::uint32_t i, std::uint32_t j) { return pol.query(k, a, i, static_cast<int>(j)); }
};

std::string enclosure_text(const Interval& v) {
  return "[" + v.lower().to_string() + ", " + v.upper().to_string() + "]";
}
}  // namespace

Choice IntervalPolicy::choose(std::uint32_t k, std::span<const Interval* const> a) {
  worst_ = Certainty::Exact;
  IntervalOracle o{*this, k, a};
  const Node& n = p_.nodes[k];
  Choice c = choose_piece(n, o);
  if (SELGRAD_MUTANT(5) && n.op == Op::Relu && c.tie) c.piece = 1;  // relu'(0) = 1 in the reference
  if (c.tie && n.op == Op::Select) {
    const Sign jump = select_jump(o);  // Zero also when undecided at the cap (then Uncertified)
    if (jump != Sign::Zero && !SELGRAD_MUTANT(15)) throw_discontinuous(p_, k, enclosure_text(*a[2]), enclosure_text(*a[3]));
  }
  return c;
}

void IntervalPolicy::tied(std::uint32_t k, std::span<const Interval* const> a, Choice c,
                          std::vector<std::uint32_t>& out) {
  IntervalOracle o{*this, k, a};
  out = tied_pieces(p_.nodes[k], c, o);
}

void IntervalPolicy::order(std::uint32_t k, std::span<const Interval* const> a,
                           std::vector<std::uint32_t>& ord, std::vector<bool>& same) {
  worst_ = Certainty::Exact;
  IntervalOracle o{*this, k, a};
  sort_order(p_.nodes[k].group_size, o, ord, same);
}

void IntervalPolicy::precheck(std::uint32_t k, std::span<const Interval* const> a) {
  const auto c = domain_condition(p_.nodes[k]);
  if (!c) return;
  worst_ = Certainty::Exact;
  const Sign s = query(k, a, c->arg, -1);
  if (worst_ == Certainty::Uncertified)
    throw_domain(p_, k, *c, enclosure_text(*a[c->arg]),
                 " (cannot be certified at " + std::to_string(working_precision()) + " bits)");
  if (!domain_satisfied(*c, s)) throw_domain(p_, k, *c, enclosure_text(*a[c->arg]));
}

void IntervalPolicy::check(std::uint32_t k, const Interval& v) const {
  if (!v.is_bounded())
    throw Error(ErrorKind::Domain, node_location(p_, k),
                "overflow: the value leaves MPFR's exponent range");
}

template <>
void ReplayPolicy<Real>::check(std::uint32_t k, const Real& v) const {
  if (!v.is_finite())
    throw Error(ErrorKind::Domain, node_location(p_, k),
                "overflow: the value leaves MPFR's exponent range");
}

template <>
void ReplayPolicy<Interval>::check(std::uint32_t k, const Interval& v) const {
  if (!v.is_bounded())
    throw Error(ErrorKind::Domain, node_location(p_, k),
                "overflow: the value leaves MPFR's exponent range");
}

void replay_precheck(const Program& p, std::uint32_t k, std::span<const Interval* const> a) {
  const auto c = domain_condition(p.nodes[k]);
  if (!c) return;
  const auto s = a[c->arg]->certified_sign();
  if (!s || !domain_satisfied(*c, *s))
    throw_domain(p, k, *c, enclosure_text(*a[c->arg]), s ? "" : " (not certified for these branches)");
}

}  // namespace detail

// ---- entry points ---------------------------------------------------------------------------

bool BranchSignature::all_certified() const {
  for (const auto& d : decisions)
    if (d.certainty == Certainty::Uncertified) return false;
  return true;
}

std::size_t BranchSignature::tie_count() const {
  std::size_t n = 0;
  for (const auto& d : decisions) n += d.choice.tie ? 1 : 0;
  return n;
}

std::vector<Rational> to_point(const std::vector<Literal>& literals) {
  std::vector<Rational> x;
  x.reserve(literals.size());
  for (const auto& l : literals) x.push_back(to_rational(l));
  return x;
}

std::string_view certainty_name(Certainty c) {
  switch (c) {
    case Certainty::Exact: return "exact";
    case Certainty::Certified: return "certified";
    case Certainty::Uncertified: return "uncertified";
  }
  return "?";
}

std::string piece_name(const Program& p, const BranchDecision& d) {
  const Node& n = p.nodes[d.node];
  return selgrad::piece_name(n, d.choice.piece, [&](std::uint32_t i) {
    const Arg a = n.args[i];
    return a.is_node() ? p.nodes[a.index].name : p.literals[a.index].text;
  });
}

namespace {

void check_point(const Program& p, std::size_t n) {
  if (n != p.p())
    throw Error(ErrorKind::Usage, {},
                "the program has " + std::to_string(p.p()) + " input" + (p.p() == 1 ? "" : "s") +
                    " but the point has " + std::to_string(n) + " value" + (n == 1 ? "" : "s"));
}

/// Refuses, before anything is allocated, an evaluation whose tapes alone exceed the size
/// budget (Options::max_total_bits): every value, partial, literal, adjoint or tangent and
/// Jacobian entry is a number of at least 768 bits in exact arithmetic (`precision` 0: a GMP
/// rational's 32-byte header and its two one-limb allocations, 32 bytes each with malloc's
/// overhead, measured), or of the precision plus its header three times over in
/// MPFR (the enclosure and the point). The sweeps of Algorithm 2 visit every node once per
/// output (backward) or once in all (forward); each visit counts as 128 bits of the budget, so
/// that q outputs over m nodes cannot run for q * m steps unbounded.
void check_tape_size(const Program& p, const Options& o, std::size_t precision, Mode mode) {
  using detail::Bits;
  std::size_t partials = 0;
  for (const Node& n : p.nodes) partials += detail::partial_count(n);
  const std::size_t sweep_rows = mode == Mode::Forward ? Bits::sat_mul(p.m(), p.p()) : p.m();
  std::size_t entries = Bits::sat_add(Bits::sat_add(p.m(), partials), Bits::sat_add(p.literals.size(), sweep_rows));
  entries = Bits::sat_add(entries, Bits::sat_mul(p.q(), p.p()));
  const bool exact = precision == 0;
  const std::size_t per = exact ? 768 : Bits::sat_mul(3, precision + 256);
  std::size_t bits = Bits::sat_mul(entries, per);
  if (!exact) {
    // exp, log and the other elementary functions cost far more than their result's size at a
    // high precision (measured: one exp at 2^20 bits about 0.5 s, at 2^22 bits about 3 s; an
    // evaluation calls each about four times): count each as 8 p log2(p)^2 bits.
    std::size_t elementary = 0;
    for (const Node& n : p.nodes) elementary += op_info(n.op).transcendental ? 1 : 0;
    const auto lg = static_cast<std::size_t>(std::log2(static_cast<double>(precision)) + 1);
    bits = Bits::sat_add(bits, Bits::sat_mul(elementary, Bits::sat_mul(8 * precision, lg * lg)));
  }
  // Each of the q backward sweeps (the one tangent sweep) visits every node, often with a
  // rational multiply-add (about 100 ns): each visit counts as 128 bits.
  const std::size_t steps = Bits::sat_mul(128, Bits::sat_mul(mode == Mode::Forward ? 1 : p.q(), p.m()));
  if (bits > o.max_total_bits || steps > o.max_total_bits)
    throw Error(ErrorKind::Resource, {},
                std::string(exact ? "an exact" : "an MPFR") + " evaluation of this program" +
                    (exact ? "" : " at " + std::to_string(precision) + " bits") + " holds " + std::to_string(entries) +
                    " numbers (" + std::to_string(p.m()) + " nodes, " + std::to_string(p.p()) + " inputs, " +
                    std::to_string(p.q()) + " outputs" + (mode == Mode::Forward ? ", forward mode" : "") +
                    "), at least " + std::to_string(std::max(bits, steps)) +
                    " bits, above the evaluation's size budget of " + std::to_string(o.max_total_bits) +
                    " bits (raise it with --max-total-bits or Options::max_total_bits" +
                    (exact ? "" : ", or lower the precision") + ")");
}

template <class T>
BranchSignature signature(const Program& p, const detail::Tape<T>& t) {
  BranchSignature s;
  for (std::uint32_t k = static_cast<std::uint32_t>(p.p()); k < p.m(); ++k)
    if (op_info(p.nodes[k].op).selection) s.decisions.push_back({k, t.choices[k], t.certainty[k]});
  return s;
}

}  // namespace

ExactResult evaluate_exact(const Program& p, const std::vector<Rational>& x, const Options& o) {
  validate(p);  // a program built in code gets the parser's guarantees before anything reads it
  for (std::uint32_t k = 0; k < p.m(); ++k)
    if (op_info(p.nodes[k].op).transcendental)
      throw Error(ErrorKind::Unsupported, detail::node_location(p, k),
                  "not a rational function: exact rational evaluation is impossible; use the MPFR "
                  "instance (evaluate_real, or selgrad without exactness for this program)");
  check_point(p, x.size());
  check_tape_size(p, o, 0, o.mode);
  detail::Tape<Rational> t;
  detail::ExactPolicy pol(p, o);
  detail::run_forward(p, x, pol, t);
  ExactResult r;
  for (auto out : p.outputs) r.outputs.push_back(t.values[out]);
  r.jacobian = detail::jacobian(p, t, o.mode, detail::ExactSweepCheck{pol});
  r.branches = signature(p, t);
  r.node_values = std::move(t.values);
  return r;
}

PieceEnclosure enclose_with_pieces(const Program& p, const std::vector<Rational>& x,
                                   const std::vector<std::uint32_t>& pieces, mpfr_prec_t precision,
                                   unsigned slack_ulps, Mode mode) {
  validate(p);
  check_point(p, x.size());
  std::vector<Choice> choices(p.m());
  std::size_t s = 0;
  for (std::uint32_t k = static_cast<std::uint32_t>(p.p()); k < p.m(); ++k) {
    const Node& n = p.nodes[k];
    if (!op_info(n.op).selection) continue;
    if (s >= pieces.size())
      throw Error(ErrorKind::Usage, {}, "enclose_with_pieces: fewer pieces than selection nodes");
    const std::uint32_t piece = pieces[s++];
    if (piece >= piece_count(n))
      throw Error(ErrorKind::Usage, detail::node_location(p, k), "no piece " + std::to_string(piece) + " here");
    choices[k].piece = piece;
  }
  if (s != pieces.size())
    throw Error(ErrorKind::Usage, {}, "enclose_with_pieces: more pieces than selection nodes");
  Options sized;
  check_tape_size(p, sized, static_cast<std::size_t>(std::max<mpfr_prec_t>(precision, 1)), mode);  // MPFR
  PrecisionScope scope(precision);
  TranscendentalSlack slack(slack_ulps);
  std::vector<Interval> xi;
  for (const auto& v : x) xi.emplace_back(v);
  detail::Tape<Interval> t;
  detail::ReplayPolicy<Interval> replay(p, std::move(choices));
  detail::run_forward(p, xi, replay, t);
  PieceEnclosure r;
  r.jacobian = detail::jacobian(p, t, mode, [](std::uint32_t, const Interval&) {});
  r.nodes = std::move(t.values);
  r.literals = std::move(t.literal_values);
  return r;
}

RealResult evaluate_real(const Program& p, const std::vector<Rational>& x, const Options& o) {
  validate(p);
  check_point(p, x.size());
  if (o.precision < MPFR_PREC_MIN || o.max_precision < o.precision || o.max_precision > (1 << 24))
    throw Error(ErrorKind::Usage, {},
                "precision must satisfy 2 <= precision <= max_precision <= 16777216 bits");
  mpfr_prec_t prec = o.precision;
  // Decide every branch on enclosures, doubling the precision while some decision is undecided.
  detail::Tape<Interval> ti;
  while (true) {
    check_tape_size(p, o, static_cast<std::size_t>(prec), o.mode);  // before allocating at prec
    PrecisionScope scope(prec);
    std::vector<Interval> xi;
    for (const auto& v : x) xi.emplace_back(v);
    // mutant 18: no escalation, undecided at the starting precision is final
    detail::IntervalPolicy pol(p, x, o, prec >= o.max_precision || SELGRAD_MUTANT(18), ti);
    try {
      detail::run_forward(p, xi, pol, ti);
      break;
    } catch (const detail::NeedMorePrecision&) {
      prec = std::min<mpfr_prec_t>(2 * prec, o.max_precision);
    }
  }
  PrecisionScope scope(prec);
  RealResult r;
  r.precision = prec;
  const auto no_check = [](std::uint32_t, const Interval&) {};
  for (auto out : p.outputs) r.output_enclosures.push_back(ti.values[out]);
  r.jacobian_enclosures = detail::jacobian(p, ti, o.mode, no_check);
  // The point values: the same decisions, in MPFR round-to-nearest.
  std::vector<Real> xr;
  for (const auto& v : x) xr.emplace_back(v);
  detail::Tape<Real> tr;
  detail::ReplayPolicy<Real> replay(p, ti);
  detail::run_forward(p, xr, replay, tr);
  for (auto out : p.outputs) r.outputs.push_back(tr.values[out]);
  r.jacobian = detail::jacobian(p, tr, o.mode, [&](std::uint32_t k, const Real& v) { replay.check(k, v); });
  r.branches = signature(p, ti);
  return r;
}

}  // namespace selgrad::reference
