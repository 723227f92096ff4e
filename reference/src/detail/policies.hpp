// How the reference decides branches: three policies for detail::run_forward.
//
//  * ExactPolicy:    exact rational signs (evaluate_exact, tie closure, exact fallback).
//  * IntervalPolicy: certified signs from MPFI enclosures, with an exact rational fallback
//                    for rational values and a precision-escalation signal when undecided.
//  * ReplayPolicy:   replays the decisions of an earlier pass (the MPFR point pass).
#pragma once

#include <map>
#include <optional>

#include "size_bound.hpp"
#include "sweep.hpp"

namespace selgrad::reference::detail {

inline Sign to_sign(int s) { return s > 0 ? Sign::Positive : (s < 0 ? Sign::Negative : Sign::Zero); }

[[noreturn]] void throw_domain(const Program& p, std::uint32_t k, const DomainRule& c,
                               const std::string& value, const std::string& extra = "");
[[noreturn]] void throw_discontinuous(const Program& p, std::uint32_t k, const std::string& a,
                                      const std::string& b);
[[noreturn]] void throw_too_big(const Program& p, std::uint32_t k, std::size_t bits, std::size_t cap);
[[noreturn]] void throw_over_budget(const Program& p, std::uint32_t k, std::size_t bits, std::size_t budget);

// ------------------------------------------------------------------------------------------

/// Exact signs of rational argument values.
struct ExactOracle {
  std::span<const Rational* const> a;
  Sign sign(std::uint32_t i) const { return to_sign(a[i]->sign()); }
  Sign sign_diff(std::uint32_t i, std::uint32_t j) const { return to_sign(a[i]->compare(*a[j])); }
};

class ExactPolicy {
 public:
  ExactPolicy(const Program& p, const Options& o)
      : p_(p), cap_(o.max_operand_bits), budget_(o.max_total_bits) {}

  Choice choose(std::uint32_t k, std::span<const Rational* const> a) const {
    ExactOracle o{a};
    const Node& n = p_.nodes[k];
    Choice c = choose_piece(n, o);
    if (SELGRAD_MUTANT(5) && n.op == Op::Relu && c.tie) c.piece = 1;  // relu'(0) = 1 in the reference
    // D3: a select must be continuous where its condition is decided at equality.
    if (c.tie && n.op == Op::Select && select_jump(o) != Sign::Zero && !SELGRAD_MUTANT(14))  // mutant 14: no D3
      throw_discontinuous(p_, k, to_string(*a[2]), to_string(*a[3]));
    return c;
  }
  void tied(std::uint32_t k, std::span<const Rational* const> a, Choice c, std::vector<std::uint32_t>& out) const {
    ExactOracle o{a};
    out = tied_pieces(p_.nodes[k], c, o);
  }
  void order(std::uint32_t k, std::span<const Rational* const> a, std::vector<std::uint32_t>& ord,
             std::vector<bool>& same) const {
    ExactOracle o{a};
    sort_order(p_.nodes[k].group_size, o, ord, same);
  }
  void precheck(std::uint32_t k, std::span<const Rational* const> a) {
    const Node& n = p_.nodes[k];
    if (auto c = domain_condition(n)) {
      if (!domain_satisfied(*c, to_sign(a[c->arg]->sign()))) throw_domain(p_, k, *c, to_string(*a[c->arg]));
    }
    // The value and partials of the node, bounded from the arguments' sizes (size_bound.hpp):
    // refused before they are computed.
    const NodeBound b = smooth_bound(n, a);
    if (b.largest > cap_) throw_too_big(p_, k, b.largest, cap_);
    spend(k, b.total);
  }
  /// Before an adjoint or tangent update acc + x * y of Algorithm 2.
  void check_update(std::uint32_t k, const Rational& acc, const Rational& x, const Rational& y) {
    const std::size_t bits = update_bound(acc, x, y).total();
    if (bits > cap_) throw_too_big(p_, k, bits, cap_);
    spend(k, bits);
  }
  void check(std::uint32_t k, const Rational& v) const {
    const std::size_t bits = bit_size(v);
    if (bits > cap_) throw_too_big(p_, k, bits, cap_);
  }
  Certainty last_certainty() const { return Certainty::Exact; }

 private:
  void spend(std::uint32_t k, std::size_t bits) {
    spent_ = Bits::sat_add(spent_, bits);
    if (spent_ > budget_) throw_over_budget(p_, k, spent_, budget_);
  }
  const Program& p_;
  std::size_t cap_;
  std::size_t budget_;
  std::size_t spent_ = 0;  // bits of the exact values computed so far
};

/// The exact sweeps' size guard: each adjoint or tangent update bounded before it is computed,
/// each result checked after (see check_before_update in sweep.hpp).
struct ExactSweepCheck {
  ExactPolicy& pol;
  void operator()(std::uint32_t k, const Rational& v) const { pol.check(k, v); }
  void operator()(std::uint32_t k, const Rational& acc, const Rational& x, const Rational& y) const {
    pol.check_update(k, acc, x, y);
  }
};

// ------------------------------------------------------------------------------------------

/// Exact values of the rational part of a program (nodes without exp/log ancestors), computed
/// only when an interval comparison needs them.
class LazyExact {
 public:
  LazyExact(const Program& p, const std::vector<Rational>& x, const Options& o);
  /// True if the argument has an exact rational value (computing it if needed).
  bool available(Arg a);
  const Rational& value(Arg a) const { return arg_value(t_, a); }

 private:
  enum : std::uint8_t { Unknown, Available, Unavailable, Pending };
  bool ensure(std::uint32_t k);
  const Program& p_;
  ExactPolicy policy_;
  Tape<Rational> t_;
  std::vector<std::uint8_t> state_;
};

/// Value numbers: two values with the same number are equal, whatever the arithmetic, because
/// they come from the same computation: the same op applied to arguments with the same numbers
/// (up to order for commutative ops), or a selection node and the argument its chosen piece
/// returns (max(a, b) taking a has a's number). Such values compare equal exactly even where no
/// enclosure can tell (exp(x) against another exp(x)). Numbers are assigned in node order, as
/// the evaluation's choices become known.
class ValueNumbering {
 public:
  ValueNumbering(const Program& p, const std::vector<Choice>& choices) : p_(p), choices_(choices) {}
  /// Number of an argument; node arguments must be already evaluated.
  std::uint32_t number(Arg a);

 private:
  std::uint32_t intern(std::string key);
  const Program& p_;
  const std::vector<Choice>& choices_;  // the evaluation's choices so far
  std::vector<std::uint32_t> number_;   // numbers of nodes 0 .. number_.size() - 1
  std::map<std::string, std::uint32_t> ids_;
};

/// Thrown by IntervalPolicy when a decision is undecided below the precision cap.
struct NeedMorePrecision {};

class IntervalPolicy {
 public:
  /// `t` is the tape being filled: the value numbering reads the choices made so far.
  IntervalPolicy(const Program& p, const std::vector<Rational>& x, const Options& o, bool at_cap,
                 const Tape<Interval>& t)
      : p_(p), exact_(p, x, o), numbers_(p, t.choices), at_cap_(at_cap) {}

  /// Sign of argument i (j < 0) or of argument i minus argument j of node k.
  Sign query(std::uint32_t k, std::span<const Interval* const> a, std::uint32_t i, int j);

  Choice choose(std::uint32_t k, std::span<const Interval* const> a);
  void tied(std::uint32_t k, std::span<const Interval* const> a, Choice c, std::vector<std::uint32_t>& out);
  void order(std::uint32_t k, std::span<const Interval* const> a, std::vector<std::uint32_t>& ord,
             std::vector<bool>& same);
  void precheck(std::uint32_t k, std::span<const Interval* const> a);
  void check(std::uint32_t k, const Interval& v) const;
  Certainty last_certainty() const { return worst_; }

 private:
  void note(Certainty c) {
    if (static_cast<int>(c) > static_cast<int>(worst_)) worst_ = c;
  }
  const Program& p_;
  LazyExact exact_;
  ValueNumbering numbers_;
  bool at_cap_;
  Certainty worst_ = Certainty::Exact;
};

// ------------------------------------------------------------------------------------------

/// Domain checks of a replay: none for MPFR point values (the decisions were certified on
/// enclosures), a certified check for enclosures (pieces given from outside may not be).
inline void replay_precheck(const Program&, std::uint32_t, std::span<const Real* const>) {}
void replay_precheck(const Program& p, std::uint32_t k, std::span<const Interval* const> a);

/// Replays decisions made elsewhere: recorded by an earlier pass, or given by a caller.
template <class T>
class ReplayPolicy {
 public:
  template <class U>
  ReplayPolicy(const Program& p, const Tape<U>& decided)
      : p_(p), choices_(decided.choices), same_(decided.same_as_prev), ruled_ties_(decided.ruled_ties) {}
  ReplayPolicy(const Program& p, std::vector<Choice> choices)
      : p_(p), choices_(std::move(choices)), same_(p.m(), false) {}
  Choice choose(std::uint32_t k, std::span<const T* const>) const { return choices_[k]; }
  /// The tied pieces the deciding pass found (a given decision was not taken at a tie).
  void tied(std::uint32_t k, std::span<const T* const>, Choice c, std::vector<std::uint32_t>& out) const {
    const auto it = ruled_ties_.find(k);
    out = it != ruled_ties_.end() ? it->second : std::vector<std::uint32_t>{c.piece};
  }
  void order(std::uint32_t k, std::span<const T* const>, std::vector<std::uint32_t>& ord,
             std::vector<bool>& same) const {
    const std::uint32_t size = p_.nodes[k].group_size;
    ord.resize(size);
    same.resize(size);
    for (std::uint32_t r = 0; r < size; ++r) {
      ord[r] = choices_[k + (SELGRAD_MUTANT(16) ? size - 1 - r : r)].piece;  // mutant 16: ranks reversed
      same[r] = same_[k + r];
    }
  }
  void precheck(std::uint32_t k, std::span<const T* const> a) const { replay_precheck(p_, k, a); }
  void check(std::uint32_t k, const T& v) const;
  Certainty last_certainty() const { return Certainty::Exact; }

 private:
  const Program& p_;
  std::vector<Choice> choices_;
  std::vector<bool> same_;
  std::map<std::uint32_t, std::vector<std::uint32_t>> ruled_ties_;
};

}  // namespace selgrad::reference::detail
