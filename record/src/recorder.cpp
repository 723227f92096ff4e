// Recorder (see selgrad/record.hpp): inputs, outputs, names, the recording of operations with
// constant, n-ary or several arguments, and the entry points that decide between recording and
// folding.
#include <string>
#include <vector>

#include "emit.hpp"
#include "fold.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/program/names.hpp"
#include "selgrad/program/op_rules.hpp"
#include "selgrad/record.hpp"

namespace selgrad {
namespace detail {
namespace {

[[noreturn]] void usage(const std::string& why) { throw Error(ErrorKind::Usage, {}, why); }

/// The recorder of the first recorded Var, or nullptr.
Recorder* first_recorder(std::initializer_list<std::span<const Var>> groups) {
  for (auto g : groups)
    for (const Var& v : g)
      if (VarOps::recorded(v)) return VarOps::recorder(v);
  return nullptr;
}

}  // namespace

Var nary(Op op, std::span<const Var> args) {
  if (args.empty()) usage(std::string(op_name(op)) + " of no arguments");
  if (args.size() == 1) return args[0];
  if (Recorder* r = first_recorder({args})) return VarOps::record_nary(*r, op, args);
  return fold_nary(op, args);
}

std::vector<Var> sort(std::span<const Var> args) {
  if (args.empty()) usage("sort of no arguments");
  if (args.size() > kMaxSortArguments)
    throw Error(ErrorKind::Resource, {{}, {}, {}, "sort"},
                "a sort of " + std::to_string(args.size()) + " values is " + std::to_string(args.size()) +
                    " nodes of as many arguments each; at most " + std::to_string(kMaxSortArguments) + " values");
  if (args.size() == 1) return {args[0]};
  if (Recorder* r = first_recorder({args})) return VarOps::record_sort(*r, args);
  return fold_sort(args);
}

Var powi(const Var& a, std::int64_t k) {
  if (k < -kMaxPowiExponent || k > kMaxPowiExponent)
    usage("powi exponent " + std::to_string(k) + " is out of range (|k| <= " + std::to_string(kMaxPowiExponent) + ")");
  const Var args[] = {a};
  check_constant_domain(Op::Powi, args, k);
  if (VarOps::recorded(a)) return VarOps::record_powi(*VarOps::recorder(a), a, k);
  return fold_powi(a, k);
}

Var select(const Comparison& c, const Var& a, const Var& b) {
  const Var& u = c.lhs();
  const Var& v = c.rhs();
  // Selecting between the same value is that value, whatever the condition.
  if (VarOps::same(a, b)) return a;
  if (VarOps::kind(u) == VarOps::Kind::Double && VarOps::kind(v) == VarOps::Kind::Double) {
    const double x = VarOps::value(u), y = VarOps::value(v);
    if (x != y)  // decided, and not at a tie: the branch the rule takes at every point
      return rules::Select::piece_of(c.cmp(), x > y ? Sign::Positive : Sign::Negative) == 0 ? a : b;
    if (VarOps::kind(a) == VarOps::Kind::Double && VarOps::kind(b) == VarOps::Kind::Double)
      throw Error(ErrorKind::Continuity, {{}, {}, {}, "select"},
                  "a select between the different constants " + std::to_string(VarOps::value(a)) + " and " +
                      std::to_string(VarOps::value(b)) +
                      " on a comparison of equal constants is discontinuous (D3) at every point");
  }
  const Var args[] = {u, v, a, b};
  if (Recorder* r = first_recorder({args})) return VarOps::record_select(*r, c, a, b);
  return fold_select(c, a, b);
}

Var lin(const Var& c0, std::span<const Var> c, std::span<const Var> x) {
  if (c.size() != x.size())
    usage("lin: " + std::to_string(c.size()) + " coefficients for " + std::to_string(x.size()) + " values");
  const auto check = [](const Var& k) {
    if (VarOps::recorded(k)) usage("lin coefficients are constants (multiply by a recorded value instead)");
    if (!is_literal_constant(k))
      usage("lin coefficients are numbers (doubles, integers, constant(\"...\")), not constant expressions");
  };
  check(c0);
  for (const Var& k : c) check(k);
  if (Recorder* r = first_recorder({x})) return VarOps::record_lin(*r, c0, c, x);
  std::vector<Var> args{c0};
  for (std::size_t i = 0; i < c.size(); ++i) {
    args.push_back(c[i]);
    args.push_back(x[i]);
  }
  return fold_lin(args);
}

}  // namespace detail

Var clamp(const Var& v, const Var& lo, const Var& hi) {
  using namespace detail;
  for (const Var* b : {&lo, &hi})
    if (VarOps::recorded(*b) || !is_literal_constant(*b))
      usage("clamp's bounds are numbers (doubles, integers, constant(\"...\")), not recorded values or constant "
            "expressions");
  const Var args[] = {v, lo, hi};
  Node shape;
  shape.op = Op::Clamp;
  shape.args = {Arg::literal(0), Arg::literal(1), Arg::literal(2)};
  const auto literal = [](const Var& b) {
    return VarOps::kind(b) == VarOps::Kind::Double ? *Literal::from_double(VarOps::value(b)) : *literal_of(b);
  };
  // The rule's condition on its literal bounds (lo <= hi); argument 0 is not a literal.
  const std::vector<Literal> bounds{literal(lo), literal(lo), literal(hi)};
  if (auto why = literal_arguments_error(shape, bounds)) usage(*why);
  if (VarOps::recorded(v)) return VarOps::record_nary(*VarOps::recorder(v), Op::Clamp, args);
  return fold_selection(Op::Clamp, args, Cmp::Lt);
}


// ---- Recorder ------------------------------------------------------------------------------

Recorder::Recorder(RecorderOptions options) : options_(options) {}
Recorder::~Recorder() = default;

void Recorder::fail_foreign() const {
  throw Error(ErrorKind::Usage, {}, "an operation combines Vars of two different Recorders");
}

void Recorder::fail_finished() const {
  throw Error(ErrorKind::Usage, {},
              "this Recorder has finished (program() or compile() was called): record with a new Recorder");
}

void Recorder::fail_too_large() const {
  throw Error(ErrorKind::Resource, {},
              "the recording exceeds " + std::to_string(detail::kMaxTapeIndex) + " operations or constants");
}

detail::Operand Recorder::operand(const Var& v) {
  if (v.kind_ == Var::Kind::Recorded) {
    if (v.rec_ != this) fail_foreign();
    return v.index_;
  }
  return constant_operand(v);
}

detail::Operand Recorder::constant_operand(const Var& v) {
  if (v.kind_ == Var::Kind::Symbolic) return detail::kOperandSymbolic | v.index_;
  if (tape_.constants.size() > detail::kMaxTapeIndex) fail_too_large();
  tape_.constants.push_back(v.value_);
  return detail::kOperandDouble | static_cast<std::uint32_t>(tape_.constants.size() - 1);
}

Var Recorder::record_binary_with_constant(Op op, const Var& a, const Var& b) {
  const bool ra = a.kind_ == Var::Kind::Recorded, rb = b.kind_ == Var::Kind::Recorded;
  if ((ra && a.rec_ != this) || (rb && b.rec_ != this)) fail_foreign();
  if (finished_) fail_finished();
  const Var args[] = {a, b};
  detail::check_constant_domain(op, args, 0);
  // Identities with the constants 0 and 1 record nothing: Eigen's products start from 0 and
  // scale by 1, and x + 0 is x for the value and every derivative.
  const Var& k = ra ? b : a;
  if (k.kind_ == Var::Kind::Double) {
    const double c = k.value_;
    const Var& x = ra ? a : b;
    if (op == Op::Add && c == 0) return x;
    if (op == Op::Mul && c == 1) return x;
    if ((op == Op::Sub || op == Op::Div) && rb == false && c == (op == Op::Sub ? 0.0 : 1.0)) return a;
  }
  detail::TapeEntry e;
  e.op = op;
  e.a = operand(a);
  e.b = operand(b);
  return push(e);
}

Var Recorder::record_nary(Op op, std::span<const Var> args) {
  if (finished_) fail_finished();
  if (tape_.arena.size() + args.size() > UINT32_MAX) fail_too_large();
  detail::TapeEntry e;
  e.op = op;
  e.nary = 1;
  e.a = static_cast<std::uint32_t>(tape_.arena.size());
  e.b = static_cast<std::uint32_t>(args.size());
  for (const Var& v : args) tape_.arena.push_back(operand(v));
  return push(e);
}

std::vector<Var> Recorder::record_sort(std::span<const Var> args) {
  if (finished_) fail_finished();
  if (tape_.arena.size() + args.size() > UINT32_MAX) fail_too_large();
  detail::TapeEntry e;
  e.op = Op::Sort;
  e.nary = 1;
  e.a = static_cast<std::uint32_t>(tape_.arena.size());
  e.b = static_cast<std::uint32_t>(args.size());
  for (const Var& v : args) tape_.arena.push_back(operand(v));
  std::vector<Var> ranks;
  ranks.reserve(args.size());
  for (std::uint32_t r = 0; r < args.size(); ++r) {
    e.c = static_cast<std::int32_t>(r);
    ranks.push_back(push(e));
  }
  return ranks;
}

Var Recorder::record_powi(const Var& a, std::int64_t k) {
  detail::TapeEntry e;
  e.op = Op::Powi;
  e.a = operand(a);
  e.c = static_cast<std::int32_t>(k);  // |k| <= kMaxPowiExponent = 2^20
  return push(e);
}

Var Recorder::record_select(const Comparison& c, const Var& a, const Var& b) {
  const Var args[] = {c.lhs(), c.rhs(), a, b};
  Var y = record_nary(Op::Select, args);
  tape_.entries[y.index_].cmp = c.cmp();
  return y;
}

Var Recorder::record_lin(const Var& c0, std::span<const Var> c, std::span<const Var> x) {
  std::vector<Var> args{c0};
  args.reserve(1 + 2 * c.size());
  for (std::size_t i = 0; i < c.size(); ++i) {
    args.push_back(c[i]);
    args.push_back(x[i]);
  }
  return record_nary(Op::Lin, args);
}

Var Recorder::input(std::string_view name) {
  if (finished_) fail_finished();
  std::string n(name);
  if (n.empty()) {
    n = "x" + std::to_string(tape_.inputs.size());
    if (tape_.taken.count(n)) n.clear();  // a fresh name, given when the program is made
  } else if (!is_valid_name(n)) {
    throw Error(ErrorKind::Usage, {}, "invalid input name '" + n + "' (names match [A-Za-z_][A-Za-z0-9_.]*)");
  } else if (tape_.taken.count(n)) {
    throw Error(ErrorKind::Usage, {}, "name '" + n + "' given twice");
  }
  if (!n.empty()) tape_.taken.insert(n);
  detail::TapeEntry e;
  e.op = Op::Input;
  e.a = static_cast<std::uint32_t>(tape_.inputs.size());
  Var x = push(e);
  tape_.inputs.push_back(x.index_);
  tape_.input_names.push_back(std::move(n));
  return x;
}

std::vector<Var> Recorder::inputs(std::size_t n) {
  std::vector<Var> x;
  x.reserve(n);
  for (std::size_t i = 0; i < n; ++i) x.push_back(input());
  return x;
}

std::vector<Var> Recorder::inputs(std::initializer_list<std::string_view> names) {
  std::vector<Var> x;
  x.reserve(names.size());
  for (std::string_view n : names) x.push_back(input(n));
  return x;
}

std::vector<Var> Recorder::inputs(std::span<const std::string> names) {
  std::vector<Var> x;
  x.reserve(names.size());
  for (const std::string& n : names) x.push_back(input(n));
  return x;
}

void Recorder::output(const Var& y) {
  if (finished_) fail_finished();
  tape_.outputs.push_back(operand(y));
}

void Recorder::outputs(std::initializer_list<Var> ys) {
  for (const Var& y : ys) output(y);
}

void Recorder::name(const Var& v, std::string_view name) {
  if (finished_) fail_finished();
  if (v.kind_ != Var::Kind::Recorded) throw Error(ErrorKind::Usage, {}, "only a recorded value has a node to name");
  if (v.rec_ != this) fail_foreign();
  if (tape_.entries[v.index_].op == Op::Input)
    throw Error(ErrorKind::Usage, {}, "inputs are named when they are created");
  std::string n(name);
  if (!is_valid_name(n))
    throw Error(ErrorKind::Usage, {}, "invalid name '" + n + "' (names match [A-Za-z_][A-Za-z0-9_.]*)");
  if (tape_.taken.count(n)) throw Error(ErrorKind::Usage, {}, "name '" + n + "' given twice");
  if (n.size() > 1 && n[0] == 'v' && n.find_first_not_of("0123456789", 1) == std::string::npos)
    throw Error(ErrorKind::Usage, {}, "'" + n + "': names v<digits> are the program's fresh names");
  for (const auto& [entry, given] : tape_.names)
    if (entry == v.index_) throw Error(ErrorKind::Usage, {}, "this value is named '" + given + "' already");
  tape_.taken.insert(n);
  tape_.names.emplace_back(v.index_, std::move(n));
}

detail::RecordTape Recorder::take_recording() {
  if (finished_) fail_finished();
  if (tape_.inputs.empty()) throw Error(ErrorKind::Usage, {}, "a program needs at least one input (p = 0)");
  if (tape_.outputs.empty()) throw Error(ErrorKind::Usage, {}, "a program needs at least one output (q = 0)");
  finished_ = true;
  detail::RecordTape tape = std::move(tape_);
  tape_ = detail::RecordTape();
  return tape;
}

Program Recorder::program() { return detail::emit_program(take_recording(), options_); }

fast::Tape Recorder::compile() { return compile(fast::CompileLimits{}); }

fast::Tape Recorder::compile(const fast::CompileLimits& limits) {
  return detail::emit_tape(take_recording(), options_, limits);
}

}  // namespace selgrad
