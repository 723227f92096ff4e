// Recorder::program() and Recorder::compile(): from the recorder's tape to a Program, through
// ProgramBuilder, or to the double engine's tape, through fast::detail::TapeBuilder (one emitter).
//
// Passes over the tape (entries are in recording order, so arguments come before their users):
//  1. keep, backwards from the outputs and named entries: what the program needs (a sort
//     statement is kept whole);
//  2. uses: how often each kept entry is an argument (0, 1, or more);
//  3. affine fusion, backwards (RecorderOptions::fuse_affine): an affine entry (add, sub, neg,
//     lin, mul or div by a literal constant) used exactly once, by an affine entry, and not an
//     output or named, is *fused*: it becomes part of that entry's sum instead of a node. Its
//     terms enter the sum multiplied by the product of the coefficients on the way (its
//     multiplier); fusion needs every such product to be exact, so an entry whose coefficients
//     would not multiply exactly by its multiplier stays a node. Each entry is offered to its
//     only user once, so the whole pass is linear;
//  4. layout, forwards then backwards: every entry that absorbs others (a *gathering* root) gets
//     a block of a flat array with one slot per term of its expanded sum, and every entry fused
//     into it the sub-block of its own terms, in the order the sum is written (depth first:
//     `x - (y + z)` is x, y, z). Counting sizes forwards and handing out offsets backwards keeps
//     every pass sequential over the tape: a chain of a million sums is one lin node, and Eigen's
//     products (whose partial sums are recorded interleaved across rows) are gathered without
//     chasing the chains through memory;
//  5. emit, forwards: the inputs, then every kept entry: a fused entry writes its terms (times
//     its multiplier) into its slots; a gathering root writes its own and reads its block,
//     merging terms over the same node when the coefficients add exactly, and becomes `add` when
//     every coefficient is 1, else `lin`; every other entry is written as recorded; then the
//     outputs.
// Symbolic constants (symbolic.hpp) become literals, or nodes over literals the first time an
// entry uses them.
#include "emit.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <vector>

#include "exact_double.hpp"
#include "selgrad/fast/detail/tape_builder.hpp"
#include "selgrad/program/builder.hpp"
#include "selgrad/program/mutant.hpp"
#include "symbolic.hpp"

namespace selgrad::detail {
namespace {

constexpr std::uint32_t kNoLiteral = ~std::uint32_t{0};

/// A coefficient of an affine term: a double, or a literal of the symbolic table. Coefficients
/// only multiply exactly: two doubles by exact_product, a literal by 0 or +-1.
struct Coef {
  double value = 1;
  std::uint32_t literal = kNoLiteral;
  bool is_double() const { return literal == kNoLiteral; }
};

enum EntryFlag : std::uint8_t {
  kKept = 1,       ///< an output or a named entry depends on it
  kPinned = 2,     ///< an output or named: always a node
  kAffine = 4,     ///< an affine operation
  kOffered = 8,    ///< its only user is affine and may absorb it (with multiplier mult_)
  kFused = 16,     ///< absorbed by its user: no node of its own
  kGathering = 32  ///< a node that absorbed others: its terms are gathered in the flat layout
};

bool unary(Op op) {
  switch (op) {
    case Op::Neg: case Op::Exp: case Op::Log: case Op::Powi: case Op::Sqrt: case Op::Softplus:
    case Op::Sigmoid: case Op::Tanh: case Op::Relu: case Op::Abs:
      return true;
    default:
      return false;
  }
}

/// The passes above, writing the nodes into a Builder: ProgramBuilder (a Program) or
/// fast::detail::TapeBuilder (a tape), which share one interface.
template <class Builder>
class Emitter {
 public:
  Emitter(const RecordTape& tape, const RecorderOptions& options, Builder builder = {})
      : t_(tape), options_(options), symbols_(SymbolicTable::instance()), b_(std::move(builder)) {}

  auto run() {
    const std::size_t n = t_.entries.size();
    flags_.assign(n, 0);
    for (const auto& [entry, name] : t_.names) names_.emplace(entry, name);
    keep();
    count_uses();
    if (options_.fuse_affine) {
      plan_fusion();
      lay_out();
    }
    arg_.assign(n, Arg{});
    std::size_t nodes = 0;
    for (std::uint8_t f : flags_) nodes += (f & kKept) && !(f & kFused);
    b_.reserve(t_.inputs.size() + nodes);
    for (std::size_t i = 0; i < t_.inputs.size(); ++i) arg_[t_.inputs[i]] = b_.input(t_.input_names[i]);
    for (std::uint32_t e = 0; e < n; ++e) {
      const std::uint8_t f = flags_[e];
      const TapeEntry& x = t_.entries[e];
      if (!(f & kKept) || x.op == Op::Input) continue;
      if (f & kFused) {
        place_terms(e);
      } else if (x.op == Op::Sort) {
        if (x.c == 0) emit_sort(e);
      } else if (f & kGathering) {
        place_terms(e);
        emit_gathered(e);
      } else {
        emit_as_recorded(e);
      }
    }
    for (Operand o : t_.outputs) b_.output(output_arg(o));
    return b_.build();
  }

 private:
  struct Term {
    Coef c;
    Arg arg;
  };
  struct Slot {  ///< a term of a gathered sum, before its operand is made an argument
    Coef c;
    Operand o;
  };

  // ---- entries ---------------------------------------------------------------------------------
  std::uint32_t operand_count(const TapeEntry& x) const {
    if (x.nary) return x.b;
    if (x.op == Op::Input) return 0;
    return unary(x.op) ? 1 : 2;
  }
  Operand operand_at(const TapeEntry& x, std::uint32_t i) const {
    if (x.nary) return t_.arena[x.a + i];
    return i == 0 ? x.a : x.b;
  }
  static bool is_entry(Operand o) { return operand_kind(o) == kOperandEntry; }

  /// A double or a literal of the symbolic table: a value that can be a coefficient.
  bool literal_operand(Operand o) const {
    if (operand_kind(o) == kOperandDouble) return true;
    return operand_kind(o) == kOperandSymbolic && symbols_.get(operand_index(o)).is_literal();
  }
  Coef coef_of(Operand o) const {
    if (operand_kind(o) == kOperandDouble) return Coef{t_.constants[operand_index(o)]};
    return Coef{0, operand_index(o)};
  }

  bool affine(const TapeEntry& x) const {
    switch (x.op) {
      case Op::Add: case Op::Sub: case Op::Neg: case Op::Lin:
        return true;
      case Op::Mul:  // exactly one factor is a number
        return !x.nary && literal_operand(x.a) != literal_operand(x.b);
      case Op::Div:  // by a double whose reciprocal is a double: x / 4 is x * 1/4, exactly
        return !x.nary && !literal_operand(x.a) && operand_kind(x.b) == kOperandDouble &&
               exact_quotient(1.0, t_.constants[operand_index(x.b)]).has_value();
      default:
        return false;
    }
  }
  /// Terms of an affine entry: c0 + sum c_i o_i, where an o_i may itself be a constant.
  std::uint32_t term_count(const TapeEntry& x) const {
    switch (x.op) {
      case Op::Sub: return 2;
      case Op::Neg: case Op::Mul: case Op::Div: return 1;
      case Op::Lin: return 1 + (x.b - 1) / 2;
      default: return operand_count(x);  // add
    }
  }
  std::pair<Coef, Operand> term(const TapeEntry& x, std::uint32_t i) const {
    switch (x.op) {
      case Op::Sub:  // mutant 47: the subtracted term enters with coefficient +1
        return i == 0 ? std::pair{Coef{1}, x.a} : std::pair{Coef{SELGRAD_MUTANT(47) ? 1.0 : -1.0}, x.b};
      case Op::Neg: return {Coef{-1}, x.a};
      case Op::Mul: return literal_operand(x.a) ? std::pair{coef_of(x.a), x.b} : std::pair{coef_of(x.b), x.a};
      case Op::Div: return {Coef{*exact_quotient(1.0, t_.constants[operand_index(x.b)])}, x.a};
      case Op::Lin:
        if (i == 0) return {Coef{1}, t_.arena[x.a]};
        return {coef_of(t_.arena[x.a + 2 * i - 1]), t_.arena[x.a + 2 * i]};
      default: return {Coef{1}, operand_at(x, i)};
    }
  }

  std::optional<Coef> multiply(Coef x, Coef y) {
    if (x.is_double() && y.is_double()) {
      const auto p = exact_product(x.value, y.value);
      return p ? std::optional<Coef>(Coef{*p}) : std::nullopt;
    }
    if (!x.is_double() && !y.is_double()) return std::nullopt;
    const Coef d = x.is_double() ? x : y, l = x.is_double() ? y : x;
    if (d.value == 0) return Coef{0};
    if (d.value == 1) return l;
    if (d.value == -1) return Coef{0, symbols_.negated_literal(l.literal)};
    return std::nullopt;
  }

  // ---- passes 1-3 ------------------------------------------------------------------------------
  void keep() {
    for (Operand o : t_.outputs)
      if (is_entry(o)) flags_[o] |= kKept | kPinned;
    for (const auto& [entry, name] : t_.names) flags_[entry] |= kKept | kPinned;
    for (std::uint32_t e = static_cast<std::uint32_t>(t_.entries.size()); e-- > 0;) {
      if (!(flags_[e] & kKept)) continue;
      const TapeEntry& x = t_.entries[e];
      if (x.op == Op::Sort)
        for (std::uint32_t r = 0; r < x.b; ++r) flags_[e - x.c + r] |= kKept;
      for (std::uint32_t i = 0, k = operand_count(x); i < k; ++i)
        if (const Operand o = operand_at(x, i); is_entry(o)) flags_[o] |= kKept;
    }
  }

  void count_uses() {
    uses_.assign(t_.entries.size(), 0);
    for (std::uint32_t e = 0; e < t_.entries.size(); ++e) {
      const TapeEntry& x = t_.entries[e];
      if (!(flags_[e] & kKept) || (x.op == Op::Sort && x.c != 0)) continue;  // a sort's arguments once
      for (std::uint32_t i = 0, k = operand_count(x); i < k; ++i)
        if (const Operand o = operand_at(x, i); is_entry(o) && uses_[o] < 2) ++uses_[o];
    }
  }

  void plan_fusion() {
    mult_.assign(t_.entries.size(), Coef{});
    for (std::uint32_t e = static_cast<std::uint32_t>(t_.entries.size()); e-- > 0;) {
      const TapeEntry& x = t_.entries[e];
      if (!(flags_[e] & kKept) || !affine(x)) continue;
      flags_[e] |= kAffine;
      const std::uint32_t terms = term_count(x);
      bool fused = (flags_[e] & kOffered) != 0;
      for (std::uint32_t i = 0; fused && i < terms; ++i) fused = multiply(mult_[e], term(x, i).first).has_value();
      if (fused)
        flags_[e] |= kFused;
      else
        mult_[e] = Coef{};  // a node of its own: its terms enter with their own coefficients
      // Offer the affine entries used only here. mult_[e] times any of e's coefficients is exact
      // (checked just above, or mult_[e] = 1).
      for (std::uint32_t i = 0; i < terms; ++i) {
        const auto [k, o] = term(x, i);
        if (!is_entry(o) || uses_[o] != 1 || (flags_[o] & kPinned) || !affine(t_.entries[o])) continue;
        mult_[o] = *multiply(mult_[e], k);
        flags_[o] |= kOffered;
      }
    }
  }

  bool fused_entry(Operand o) const { return is_entry(o) && (flags_[o] & kFused); }

  /// Pass 4: sizes forwards (the terms of an entry's expanded sum), blocks for the gathering
  /// roots, then offsets backwards (a parent's offset is known before its children's).
  void lay_out() {
    const std::size_t n = t_.entries.size();
    size_.assign(n, 0);
    offset_.assign(n, 0);
    std::size_t total = 0;
    for (std::uint32_t e = 0; e < n; ++e) {
      if (!(flags_[e] & kAffine)) continue;
      const TapeEntry& x = t_.entries[e];
      bool absorbs = false;
      std::size_t size = 0;
      for (std::uint32_t i = 0, k = term_count(x); i < k; ++i) {
        const Operand o = term(x, i).second;
        absorbs = absorbs || fused_entry(o);
        size += fused_entry(o) ? size_[o] : 1;
      }
      size_[e] = size;
      if (!(flags_[e] & kFused) && absorbs) {
        flags_[e] |= kGathering;
        offset_[e] = total;
        total += size;
      }
    }
    for (std::uint32_t e = static_cast<std::uint32_t>(n); e-- > 0;) {
      if (!(flags_[e] & (kFused | kGathering))) continue;
      const TapeEntry& x = t_.entries[e];
      std::size_t cursor = offset_[e];
      for (std::uint32_t i = 0, k = term_count(x); i < k; ++i) {
        const Operand o = term(x, i).second;
        if (fused_entry(o)) {
          offset_[o] = cursor;
          cursor += size_[o];
        } else {
          ++cursor;
        }
      }
    }
    slots_.resize(total);
  }

  /// Writes the terms of a fused or gathering entry that are not themselves fused into its slots,
  /// times its multiplier (exact: see plan_fusion).
  void place_terms(std::uint32_t e) {
    const TapeEntry& x = t_.entries[e];
    const bool fused = flags_[e] & kFused;
    std::size_t cursor = offset_[e];
    for (std::uint32_t i = 0, k = term_count(x); i < k; ++i) {
      const auto [c, o] = term(x, i);
      if (fused_entry(o)) {
        cursor += size_[o];
      } else {
        slots_[cursor++] = {fused ? *multiply(mult_[e], c) : c, o};
      }
    }
  }

  // ---- emission --------------------------------------------------------------------------------
  std::string name_of(std::uint32_t e) const {
    if (names_.empty()) return {};
    const auto it = names_.find(e);
    return it == names_.end() ? std::string() : it->second;
  }

  Arg double_literal(double v) {
    std::uint64_t bits;
    static_assert(sizeof bits == sizeof v);
    std::memcpy(&bits, &v, sizeof v);
    if (const auto it = doubles_.find(bits); it != doubles_.end()) return it->second;
    const Arg a = b_.literal(v);
    doubles_.emplace(bits, a);
    return a;
  }

  /// The literal, or the node, of a symbolic constant; its arguments first.
  Arg symbolic_arg(std::uint32_t id) {
    if (const auto it = symbolic_.find(id); it != symbolic_.end()) return it->second;
    std::vector<std::uint32_t> stack{id};
    while (!stack.empty()) {
      const std::uint32_t s = stack.back();
      if (symbolic_.count(s)) {
        stack.pop_back();
        continue;
      }
      const SymbolicConstant& c = symbols_.get(s);
      if (c.is_literal()) {
        symbolic_.emplace(s, b_.literal(c.literal));
        stack.pop_back();
        continue;
      }
      bool ready = true;
      for (const SymbolicArg& a : c.args)
        if (a.symbolic && !symbolic_.count(a.id)) {
          stack.push_back(a.id);
          ready = false;
        }
      if (!ready) continue;
      std::vector<Arg> args;
      for (const SymbolicArg& a : c.args) args.push_back(a.symbolic ? symbolic_.at(a.id) : double_literal(a.value));
      if (c.op == Op::Sort) {
        const std::vector<Arg> ranks = b_.sort({}, args);
        for (std::uint32_t r = 0; r < ranks.size(); ++r) symbolic_.emplace(s - c.rank + r, ranks[r]);
      } else if (c.op == Op::Powi) {
        symbolic_.emplace(s, b_.powi("", args[0], c.power));
      } else if (c.op == Op::Select) {
        symbolic_.emplace(s, b_.select("", c.cmp, args[0], args[1], args[2], args[3]));
      } else {
        symbolic_.emplace(s, node("", c.op, std::move(args)));
      }
      stack.pop_back();
    }
    return symbolic_.at(id);
  }

  Arg arg(Operand o) {
    switch (operand_kind(o)) {
      case kOperandEntry: return arg_[o];
      case kOperandDouble: return double_literal(t_.constants[operand_index(o)]);
      default: return symbolic_arg(operand_index(o));
    }
  }

  Arg coef_arg(Coef c) { return c.is_double() ? double_literal(c.value) : symbolic_arg(c.literal); }

  Arg output_arg(Operand o) {
    if (is_entry(o)) return arg_[o];
    const Arg a = arg(o);
    return a.is_node() ? a : b_.node("", Op::Lin, {a});  // a number output: `lin c`
  }

  /// `name = op args...`, as a tree of nodes of at most kMaxNodeArguments arguments when longer:
  /// max and min of the maxima (minima) of consecutive slices (the first extremal argument stays
  /// the one selected), a lin as the add of lin nodes over slices of its terms, an add likewise.
  Arg node(std::string name, Op op, const std::vector<Arg>& args) {
    if (args.size() <= kMaxNodeArguments) return b_.node(std::move(name), op, args);
    std::vector<Arg> parts;
    if (op == Op::Lin) {
      const std::size_t terms = (args.size() - 1) / 2, per = (kMaxNodeArguments - 1) / 2;
      for (std::size_t t = 0; t < terms; t += per) {
        std::vector<Arg> slice{t == 0 ? args[0] : double_literal(0)};
        slice.insert(slice.end(), args.begin() + static_cast<std::ptrdiff_t>(1 + 2 * t),
                     args.begin() + static_cast<std::ptrdiff_t>(1 + 2 * std::min(terms, t + per)));
        parts.push_back(b_.node("", Op::Lin, std::move(slice)));
      }
      return node(std::move(name), Op::Add, parts);
    }
    for (std::size_t i = 0; i < args.size(); i += kMaxNodeArguments) {
      const auto end = std::min(args.size(), i + kMaxNodeArguments);
      parts.push_back(b_.node("", op, std::vector<Arg>(args.begin() + static_cast<std::ptrdiff_t>(i),
                                                       args.begin() + static_cast<std::ptrdiff_t>(end))));
    }
    return node(std::move(name), op, parts);
  }

  void emit_as_recorded(std::uint32_t e) {
    const TapeEntry& x = t_.entries[e];
    std::vector<Arg>& args = args_;  // reused: no allocation per node
    args.clear();
    const std::uint32_t k = operand_count(x);
    for (std::uint32_t i = 0; i < k; ++i) args.push_back(arg(operand_at(x, i)));
    if (x.op == Op::Powi)
      arg_[e] = b_.powi(name_of(e), args[0], x.c);
    else if (x.op == Op::Select)
      arg_[e] = b_.select(name_of(e), x.cmp, args[0], args[1], args[2], args[3]);
    else
      arg_[e] = node(name_of(e), x.op, args);
  }

  void emit_sort(std::uint32_t e) {
    const TapeEntry& x = t_.entries[e];
    std::vector<Arg> args;
    for (std::uint32_t i = 0; i < x.b; ++i) args.push_back(arg(operand_at(x, i)));
    std::vector<std::string> names;
    if (!names_.empty()) {
      for (std::uint32_t r = 0; r < x.b; ++r) names.push_back(name_of(e + r));
      if (std::all_of(names.begin(), names.end(), [](const std::string& s) { return s.empty(); })) names.clear();
    }
    const std::vector<Arg> ranks = b_.sort(std::move(names), args);
    for (std::uint32_t r = 0; r < x.b; ++r) arg_[e + r] = ranks[r];
  }

  void add_constant(Coef c, Operand o) {
    if (c.is_double() && operand_kind(o) == kOperandDouble)
      if (const auto p = exact_product(c.value, t_.constants[operand_index(o)]))
        if (const auto s = exact_sum(c0_, *p)) {
          c0_ = *s;
          return;
        }
    terms_.push_back({c, arg(o)});  // c times a literal argument, computed by the engines
  }

  void add_leaf(Coef c, Arg a) {
    if (a.index >= slot_.size()) {
      slot_.resize(std::max<std::size_t>(2 * slot_.size(), b_.size() + 1));
      slot_stamp_.resize(slot_.size(), 0);
    }
    if (slot_stamp_[a.index] == stamp_) {
      Term& t = terms_[slot_[a.index]];
      if (t.c.is_double() && c.is_double())
        if (const auto s = exact_sum(t.c.value, c.value)) {
          t.c.value = *s;
          return;
        }
    }
    // A new term over this node; later terms over it merge into this one.
    slot_stamp_[a.index] = stamp_;
    slot_[a.index] = static_cast<std::uint32_t>(terms_.size());
    terms_.push_back({c, a});
  }

  void emit_gathered(std::uint32_t root) {
    terms_.clear();
    c0_ = 0;
    ++stamp_;
    for (std::size_t i = offset_[root], end = i + size_[root]; i < end; ++i) {
      const Slot& s = slots_[i];
      if (literal_operand(s.o))
        add_constant(s.c, s.o);
      else
        add_leaf(s.c, arg(s.o));
    }
    std::erase_if(terms_, [](const Term& t) { return t.c.is_double() && t.c.value == 0; });
    // A constant that is no double (a literal, or a product that does not fold) is a term
    // `1 literal`; with no double constant it is the constant term itself.
    std::optional<Arg> c0_arg;
    if (c0_ == 0)
      for (auto it = terms_.begin(); it != terms_.end(); ++it)
        if (!it->arg.is_node() && it->c.is_double() && it->c.value == 1) {
          c0_arg = it->arg;
          terms_.erase(it);
          break;
        }

    const std::string name = name_of(root);
    const bool ones = std::all_of(terms_.begin(), terms_.end(), [](const Term& t) { return t.c.is_double() && t.c.value == 1; });
    std::vector<Arg>& args = args_;
    args.clear();
    const auto constant_term = [&] { return c0_arg ? *c0_arg : double_literal(c0_); };
    if (terms_.empty()) {
      args.push_back(constant_term());
      arg_[root] = b_.node(name, Op::Lin, args);
    } else if (ones) {
      if (terms_.size() == 1 && c0_ == 0 && !c0_arg && name.empty() && terms_[0].arg.is_node()) {
        arg_[root] = terms_[0].arg;  // the sum is one recorded value: (x + y) - y
        return;
      }
      for (const Term& t : terms_) args.push_back(t.arg);
      if (c0_ != 0 || c0_arg) args.push_back(constant_term());
      arg_[root] = node(name, Op::Add, args);
    } else {
      args.reserve(1 + 2 * terms_.size());
      args.push_back(constant_term());
      for (const Term& t : terms_) {
        args.push_back(coef_arg(t.c));
        args.push_back(t.arg);
      }
      arg_[root] = node(name, Op::Lin, args);
    }
  }

  const RecordTape& t_;
  const RecorderOptions& options_;
  SymbolicTable& symbols_;
  Builder b_;
  std::vector<std::uint8_t> flags_;
  std::vector<std::uint8_t> uses_;  ///< 0, 1, or 2 for "more than once"
  std::vector<Coef> mult_;
  std::vector<Arg> arg_;
  std::unordered_map<std::uint32_t, std::string> names_;
  std::unordered_map<std::uint64_t, Arg> doubles_;     ///< literal of a double, by its bits
  std::unordered_map<std::uint32_t, Arg> symbolic_;    ///< literal or node of a symbolic constant
  std::vector<std::size_t> size_, offset_;  ///< the layout of gathered sums (lay_out)
  std::vector<Slot> slots_;
  // emit_gathered's scratch, reused across entries
  std::vector<Term> terms_;
  std::vector<Arg> args_;  ///< the arguments of the node being written
  double c0_ = 0;
  std::vector<std::uint32_t> slot_, slot_stamp_;  ///< the term of a program node in this sum
  std::uint32_t stamp_ = 0;
};

}  // namespace

Program emit_program(const RecordTape& tape, const RecorderOptions& options) {
  return Emitter<ProgramBuilder>(tape, options).run();
}

fast::Tape emit_tape(const RecordTape& tape, const RecorderOptions& options, const fast::CompileLimits& limits) {
  return Emitter<fast::detail::TapeBuilder>(tape, options, fast::detail::TapeBuilder(limits)).run();
}

}  // namespace selgrad::detail
