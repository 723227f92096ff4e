// Operations whose arguments are all constants: folded exactly when the result is a double,
// symbolic otherwise (see "Constants are exact" in selgrad/record.hpp).
#include <algorithm>
#include <string>
#include <vector>

#include "exact_double.hpp"
#include "fold.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/program/mutant.hpp"
#include "selgrad/program/op_rules.hpp"
#include "selgrad/record.hpp"
#include "symbolic.hpp"

namespace selgrad::detail {
namespace {

SymbolicArg symbolic_arg(const Var& v) {
  SymbolicArg a;
  if (VarOps::kind(v) == VarOps::Kind::Double)
    a.value = VarOps::value(v);
  else
    a = {0, VarOps::index(v), true};
  return a;
}

Var symbolic_operation(Op op, std::span<const Var> args, std::int64_t power = 0, Cmp cmp = Cmp::Lt) {
  SymbolicConstant c;
  c.op = op;
  c.power = power;
  c.cmp = cmp;
  c.args.reserve(args.size());
  for (const Var& v : args) c.args.push_back(symbolic_arg(v));
  return VarOps::symbolic(SymbolicTable::instance().operation(std::move(c)));
}

bool is_double(const Var& v) { return VarOps::kind(v) == VarOps::Kind::Double; }

}  // namespace

const Literal* literal_of(const Var& v) {
  if (VarOps::kind(v) != VarOps::Kind::Symbolic) return nullptr;
  const SymbolicConstant& c = SymbolicTable::instance().get(VarOps::index(v));
  return c.is_literal() ? &c.literal : nullptr;
}

std::optional<int> constant_sign(const Var& v) {
  if (is_double(v)) return VarOps::value(v) > 0 ? 1 : VarOps::value(v) < 0 ? -1 : 0;
  if (const Literal* l = literal_of(v)) return l->is_zero() ? 0 : l->negative ? -1 : 1;
  return std::nullopt;
}

bool is_literal_constant(const Var& v) { return is_double(v) || literal_of(v) != nullptr; }

void check_constant_domain(Op op, std::span<const Var> args, std::int64_t power) {
  // The rule's domain condition, on a constant argument whose sign is known.
  Node shape;
  shape.op = op;
  shape.power = power;
  shape.args.resize(args.size());
  const auto c = domain_condition(shape);
  if (!c || c->arg >= args.size() || VarOps::recorded(args[c->arg])) return;
  const auto s = constant_sign(args[c->arg]);
  if (!s || domain_satisfied(*c, static_cast<Sign>(*s))) return;
  Location where;
  where.op = std::string(op_name(op));
  const std::string value =
      is_double(args[c->arg]) ? Literal::from_double(VarOps::value(args[c->arg]))->text : literal_of(args[c->arg])->text;
  throw Error(ErrorKind::Domain, where,
              domain_message(*c, "the constant " + value) + ": the program would fail at every point");
}

Var fold_selection(Op op, std::span<const Var> args, Cmp cmp) {
  if (!std::all_of(args.begin(), args.end(), is_double)) return symbolic_operation(op, args, 0, cmp);
  // Doubles compare exactly: the rule's decision, and the value of the piece it takes, which is
  // an argument, its negation or a small constant (the rule read symbolically): exact.
  Node shape;
  shape.op = op;
  shape.cmp = cmp;
  shape.args.resize(args.size());
  struct Signs {
    std::span<const Var> a;
    Sign sign(std::uint32_t i) const { return sign_diff_of(VarOps::value(a[i]), 0.0); }
    Sign sign_diff(std::uint32_t i, std::uint32_t j) const { return sign_diff_of(VarOps::value(a[i]), VarOps::value(a[j])); }
    static Sign sign_diff_of(double x, double y) { return x > y ? Sign::Positive : (x < y ? Sign::Negative : Sign::Zero); }
  } signs{args};
  const Choice choice = choose_piece(shape, signs);
  if (op == Op::Select && choice.tie && select_jump(signs) != Sign::Zero) {
    Location where;
    where.op = "select";
    throw Error(ErrorKind::Continuity, where,
                "discontinuous selection of constants: u = v but the branches differ (D3)");
  }
  const Sym v = symbolic_value(shape, choice.piece);
  switch (v.kind) {
    case Sym::Kind::Arg: return args[v.arg];
    case Sym::Kind::NegArg:  // mutant 48: the negated argument folds without its sign
      return Var(SELGRAD_MUTANT(48) ? VarOps::value(args[v.arg]) : -VarOps::value(args[v.arg]));
    case Sym::Kind::Constant: return Var(static_cast<double>(v.constant));
    default: return symbolic_operation(op, args, 0, cmp);
  }
}

[[noreturn]] void throw_non_finite(double value) {
  throw Error(ErrorKind::Usage, {}, "a Var is an exact number: " + std::to_string(value) + " is not finite");
}

Var integer_constant(std::int64_t value) {
  return VarOps::symbolic(SymbolicTable::instance().literal(Literal::from_int(value)));
}

Var integer_constant(std::uint64_t value) {
  return VarOps::symbolic(SymbolicTable::instance().literal(*parse_literal(std::to_string(value))));
}

Var fold_unary(Op op, const Var& a) {
  const Var args[] = {a};
  check_constant_domain(op, args, 0);
  if (op_info(op).selection) return fold_selection(op, args, Cmp::Lt);
  if (is_double(a) && op == Op::Neg) return Var(-VarOps::value(a));  // exact; exp, log, ...: no double value
  if (op == Op::Neg && literal_of(a)) {
    return VarOps::symbolic(SymbolicTable::instance().negated_literal(VarOps::index(a)));
  }
  return symbolic_operation(op, args);
}

Var fold_binary(Op op, const Var& a, const Var& b) {
  const Var args[] = {a, b};
  check_constant_domain(op, args, 0);
  if (op_info(op).selection) return fold_selection(op, args, Cmp::Lt);
  if (is_double(a) && is_double(b)) {
    const double x = VarOps::value(a), y = VarOps::value(b);
    std::optional<double> r;
    switch (op) {
      case Op::Add: r = exact_sum(x, y); break;
      case Op::Sub: r = exact_sum(x, -y); break;
      case Op::Mul: r = exact_product(x, y); break;
      case Op::Div: r = exact_quotient(x, y); break;
      default: break;
    }
    if (r) return Var(*r);
  }
  return symbolic_operation(op, args);
}

Var fold_nary(Op op, std::span<const Var> args) {
  if (op_info(op).selection) return fold_selection(op, args, Cmp::Lt);
  if (op == Op::Add && std::all_of(args.begin(), args.end(), is_double)) {
    std::optional<double> r = VarOps::value(args[0]);
    for (std::size_t i = 1; r && i < args.size(); ++i) r = exact_sum(*r, VarOps::value(args[i]));
    if (r) return Var(*r);
  }
  return symbolic_operation(op, args);
}

std::vector<Var> fold_sort(std::span<const Var> args) {
  std::vector<Var> out(args.begin(), args.end());
  if (std::all_of(args.begin(), args.end(), is_double)) {
    // Equal doubles are the same constant, so the stable tie rule cannot be observed here.
    std::stable_sort(out.begin(), out.end(),
                     [](const Var& x, const Var& y) { return VarOps::value(x) > VarOps::value(y); });
    return out;
  }
  std::vector<SymbolicArg> sargs;
  for (const Var& v : args) sargs.push_back(symbolic_arg(v));
  const std::uint32_t first = SymbolicTable::instance().sort(sargs);
  for (std::uint32_t r = 0; r < out.size(); ++r) out[r] = VarOps::symbolic(first + r);
  return out;
}

Var fold_powi(const Var& a, std::int64_t k) {
  if (is_double(a))
    if (auto r = exact_power(VarOps::value(a), k)) return Var(*r);
  const Var args[] = {a};
  return symbolic_operation(Op::Powi, args, k);
}

Var fold_select(const Comparison& c, const Var& a, const Var& b) {
  const Var args[] = {c.lhs(), c.rhs(), a, b};
  return fold_selection(Op::Select, args, c.cmp());
}

Var fold_lin(std::span<const Var> args) {
  // args = c0 c1 x1 c2 x2 ...
  if (std::all_of(args.begin(), args.end(), is_double)) {
    std::optional<double> r = VarOps::value(args[0]);
    for (std::size_t i = 1; r && i + 1 < args.size(); i += 2) {
      const auto p = exact_product(VarOps::value(args[i]), VarOps::value(args[i + 1]));
      r = p ? exact_sum(*r, *p) : std::nullopt;
    }
    if (r) return Var(*r);
  }
  return symbolic_operation(Op::Lin, args);
}

}  // namespace selgrad::detail

namespace selgrad {

bool operator==(const Var& a, const Var& b) {
  using detail::VarOps;
  if (VarOps::recorded(a) || VarOps::recorded(b))
    throw Error(ErrorKind::Usage, {},
                "== on a recorded value: it has no value while recording (record a select on a comparison instead)");
  if (VarOps::kind(a) == VarOps::Kind::Double && VarOps::kind(b) == VarOps::Kind::Double)
    return VarOps::value(a) == VarOps::value(b);
  if (VarOps::same(a, b)) return true;
  throw Error(ErrorKind::Usage, {}, "== on a symbolic constant is not decided (its exact value is not a double)");
}

Var constant(std::string_view text) {
  std::string why;
  const auto lit = parse_literal(text, &why);
  if (!lit) throw Error(ErrorKind::Usage, {}, "bad constant '" + std::string(text) + "': " + why);
  if (const auto v = lit->as_int64(); v && *v >= -(std::int64_t{1} << 53) && *v <= (std::int64_t{1} << 53))
    return Var(static_cast<double>(*v));
  return detail::VarOps::symbolic(detail::SymbolicTable::instance().literal(*lit));
}

}  // namespace selgrad
