// Random programs: recipes, their interpretation, and the generators (see program.hpp).
#include "gen/program.hpp"

#include <algorithm>
#include <map>
#include <ostream>
#include <string>

#include "selgrad/program/builder.hpp"
#include "selgrad/program/parse.hpp"

namespace selgrad {
void showValue(const Program& p, std::ostream& os) { os << "\n" << print_program(p); }
}  // namespace selgrad

namespace selgrad::properties {

std::string_view family_name(Family f) {
  switch (f) {
    case Family::PiecewiseAffine: return "piecewise-affine";
    case Family::Rational: return "rational";
    case Family::ExpLog: return "exp-log";
    case Family::Full: return "full";
  }
  return "?";
}

OpMix default_mix(Family f) {
  //              add sub neg lin scl divl relu abs max min sort sel clamp mul div powi exp log sqrt sp sg tanh
  OpMix affine = {3,  2,  1,  4,  1,  1,   3,   2,  3,  2,  2,   3,  2,    0,  0,  0,   0,  0,  0,   0, 0, 0};
  switch (f) {
    case Family::PiecewiseAffine: return affine;
    case Family::Rational: {
      OpMix m = affine;
      m[static_cast<int>(StatementKind::Mul)] = 3;
      m[static_cast<int>(StatementKind::Div)] = 1;
      m[static_cast<int>(StatementKind::Powi)] = 1;
      return m;
    }
    case Family::ExpLog: {
      OpMix m = affine;
      m[static_cast<int>(StatementKind::Mul)] = 1;
      m[static_cast<int>(StatementKind::Div)] = 1;
      for (auto k : {StatementKind::Exp, StatementKind::Log, StatementKind::Sqrt, StatementKind::Softplus,
                     StatementKind::Sigmoid, StatementKind::Tanh})
        m[static_cast<int>(k)] = 1;
      m[static_cast<int>(StatementKind::Exp)] = 2;
      m[static_cast<int>(StatementKind::Log)] = 2;
      return m;
    }
    case Family::Full: {
      OpMix m = default_mix(Family::ExpLog);
      m[static_cast<int>(StatementKind::Mul)] = 2;
      m[static_cast<int>(StatementKind::Div)] = 1;
      m[static_cast<int>(StatementKind::Powi)] = 1;
      return m;
    }
  }
  return affine;
}

ProgramShape ProgramShape::of(Family f, std::uint32_t max_inputs, std::uint32_t max_outputs) {
  ProgramShape s;
  s.family = f;
  s.mix = default_mix(f);
  s.max_inputs = max_inputs;
  s.max_outputs = max_outputs;
  return s;
}

namespace {

const char* const kCoefficients[] = {"1", "-1", "2", "1/2", "-1/2", "3", "-2", "1/3", "-3/4", "5/2"};
const char* const kOffsets[] = {"0", "1", "-1", "1/2", "-1/2", "2", "1/3", "-3/2"};
// The same tables with every literal dyadic (ProgramShape::dyadic_literals).
const char* const kDyadicCoefficients[] = {"1", "-1", "2", "1/2", "-1/2", "3", "-2", "1/4", "-3/4", "5/2"};
const char* const kDyadicOffsets[] = {"0", "1", "-1", "1/2", "-1/2", "2", "1/4", "-3/2"};
const char* const kPositive[] = {"1", "1/2", "2", "3/2"};
// Literal divisors: nonzero; the dyadic ones powers of two, so a quotient of doubles is exact.
const char* const kDivisors[] = {"2", "-2", "1/2", "3", "-1/3", "4", "-3/2"};
const char* const kDyadicDivisors[] = {"2", "-2", "1/2", "4", "-1/4", "8", "-1/8"};
const std::int64_t kPowers[] = {2, -1, 3, -2};

template <std::size_t N>
const char* pick(const char* const (&table)[N], std::uint32_t i) {
  return table[i % N];
}

std::uint32_t power_cost(std::int64_t k) {
  std::uint32_t c = 0;
  for (std::int64_t a = k < 0 ? -k : k; a > 1; a = (a + 1) / 2) ++c;
  return c;
}

class Builder {
 public:
  Builder(const ProgramRecipe& r, const ProgramShape& s) : recipe_(r), shape_(s) {}

  Program build() {
    const std::uint32_t p = std::max<std::uint32_t>(1, recipe_.inputs);
    for (std::uint32_t i = 0; i < p; ++i) {
      b_.input();
      depth_.push_back(0);
    }
    for (const auto& st : recipe_.statements) statement(st);
    if (size() == p) emit(Op::Add, {Arg::node(0)});  // at least one computed node
    const std::uint32_t q = std::clamp<std::uint32_t>(recipe_.outputs, 1, size() - p);
    for (std::uint32_t r = q; r > 0; --r) b_.output(Arg::node(size() - r));
    // Only what the outputs depend on, the nodes named after their position.
    return live_part(b_.build(), [](std::uint32_t i, const Node& n) {
      return (n.op == Op::Input ? "x" : n.op == Op::Sort ? "s" : "v") + std::to_string(i + 1);
    });
  }

 private:
  const char* coefficient(std::uint32_t i) const {
    return shape_.dyadic_literals ? pick(kDyadicCoefficients, i) : pick(kCoefficients, i);
  }
  const char* offset(std::uint32_t i) const {
    return shape_.dyadic_literals ? pick(kDyadicOffsets, i) : pick(kOffsets, i);
  }
  bool allowed(StatementKind k) const { return shape_.mix[static_cast<int>(k)] > 0; }
  std::uint32_t size() const { return static_cast<std::uint32_t>(b_.size()); }
  /// Operand choice r: three times in four one of the last three nodes (deep programs), else
  /// any node; r = 0 is the first input.
  Arg ref(std::uint32_t r) const {
    const std::uint32_t k = size();
    if (r % 4 == 0) return Arg::node((r / 4) % k);
    return Arg::node(k - 1 - (r / 4) % std::min<std::uint32_t>(k, 3));
  }
  /// Operand choices for the arguments of one op: distinct nodes while there are enough.
  std::vector<Arg> refs(const std::array<std::uint32_t, 6>& r, std::uint32_t count) const {
    std::vector<Arg> out;
    for (std::uint32_t i = 0; i < count; ++i) {
      Arg a = ref(r[i]);
      for (std::uint32_t tries = 0; tries < size() && std::find(out.begin(), out.end(), a) != out.end(); ++tries)
        a.index = (a.index + 1) % size();
      out.push_back(a);
    }
    return out;
  }

  Arg lit(const std::string& text) { return b_.literal(text); }

  std::uint32_t depth_of(const std::vector<Arg>& args) const {
    std::uint32_t d = 0;
    for (Arg a : args)
      if (a.is_node()) d = std::max(d, depth_[a.index]);
    return d;
  }

  Arg emit(Op op, std::vector<Arg> args, std::uint32_t extra_depth = 0, Cmp cmp = Cmp::Lt,
           std::int64_t power = 0) {
    const std::uint32_t d = depth_of(args) + extra_depth;
    const Arg out = op == Op::Powi     ? b_.powi("", args.at(0), power)
                    : op == Op::Select ? b_.select("", cmp, args.at(0), args.at(1), args.at(2), args.at(3))
                                       : b_.node("", op, std::move(args));
    depth_.push_back(d);
    return out;
  }

  /// |a| + c, c > 0: a positive denominator, logarithm or square-root argument.
  Arg positive(Arg a, std::uint32_t lit_choice) {
    const Arg ab = emit(Op::Abs, {a});
    return emit(Op::Add, {ab, lit(pick(kPositive, lit_choice))});
  }

  bool fits(const std::vector<Arg>& args, std::uint32_t extra) const {
    return depth_of(args) + extra <= shape_.max_mul_depth;
  }

  void statement(const StatementRecipe& st) {
    const auto& r = st.refs;
    const auto& l = st.lits;
    const std::uint32_t f = st.form;
    switch (st.kind) {
      case StatementKind::Add: {
        std::vector<Arg> args{ref(r[0]), ref(r[1])};
        if (f % 2) args.push_back(ref(r[2]));
        emit(Op::Add, args);
        return;
      }
      case StatementKind::Sub: emit(Op::Sub, refs(r, 2)); return;
      case StatementKind::Neg: emit(Op::Neg, {ref(r[0])}); return;
      case StatementKind::Lin: {  // c0 + c1 a1 + ... with 1 to 6 terms
        const std::uint32_t terms = 1 + f % 6;
        std::vector<Arg> args{lit(offset(l[0]))};
        for (std::uint32_t i = 0; i < terms; ++i) {
          args.push_back(lit(coefficient(l[1 + i])));
          args.push_back(ref(r[i]));
        }
        emit(Op::Lin, args);
        return;
      }
      case StatementKind::Scale: emit(Op::Mul, {ref(r[0]), lit(coefficient(l[0]))}); return;
      case StatementKind::DivLit:
        emit(Op::Div, {ref(r[0]), lit(shape_.dyadic_literals ? pick(kDyadicDivisors, l[0]) : pick(kDivisors, l[0]))});
        return;
      case StatementKind::Relu: emit(Op::Relu, {ref(r[0])}); return;
      case StatementKind::Abs: emit(Op::Abs, {ref(r[0])}); return;
      case StatementKind::Max:
      case StatementKind::Min: {
        std::vector<Arg> args = refs(r, 2 + f % 2);
        if ((f / 2) % 2) args.back() = lit(offset(l[0]));
        emit(st.kind == StatementKind::Max ? Op::Max : Op::Min, args);
        return;
      }
      case StatementKind::Sort: {
        const std::uint32_t k = 2 + f % 3;
        const std::vector<Arg> args = refs(r, k);
        const std::uint32_t d = depth_of(args);
        b_.sort({}, args);
        depth_.insert(depth_.end(), k, d);
        return;
      }
      case StatementKind::Clamp: {  // clamp a lo hi: two offsets in order
        std::string lo = offset(l[0]), hi = offset(l[1]);
        if (compare(*parse_literal(lo), *parse_literal(hi)) > 0) std::swap(lo, hi);
        emit(Op::Clamp, {ref(r[0]), lit(lo), lit(hi)});
        return;
      }
      case StatementKind::Select: select(st); return;
      case StatementKind::Mul: {
        std::vector<Arg> args{ref(r[0]), ref(r[1])};
        emit(fits(args, 1) ? Op::Mul : Op::Add, args, fits(args, 1) ? 1 : 0);
        return;
      }
      case StatementKind::Div: {
        if (!fits({ref(r[0]), ref(r[1])}, 1)) {
          emit(Op::Add, {ref(r[0]), ref(r[1])});
          return;
        }
        const Arg num = ref(r[0]);
        const Arg den = positive(ref(r[1]), l[0]);
        emit(Op::Div, {num, den}, 1);
        return;
      }
      case StatementKind::Powi: {
        std::int64_t k = kPowers[f % 4];
        if (!fits({ref(r[0])}, power_cost(k))) k = -1;
        const Arg base = k < 0 ? positive(ref(r[0]), l[0]) : ref(r[0]);
        emit(Op::Powi, {base}, power_cost(k), Cmp::Lt, k);
        return;
      }
      case StatementKind::Exp: {
        Arg a = ref(r[0]);
        if (f % 2) {  // exp of a value clamped to [-3, 3]
          a = emit(Op::Max, {a, lit("-3")});
          a = emit(Op::Min, {a, lit("3")});
        }
        emit(Op::Exp, {a});
        return;
      }
      case StatementKind::Log: emit(Op::Log, {positive(ref(r[0]), l[0])}); return;
      case StatementKind::Sqrt: emit(Op::Sqrt, {positive(ref(r[0]), l[0])}); return;
      case StatementKind::Softplus: emit(Op::Softplus, {ref(r[0])}); return;
      case StatementKind::Sigmoid: emit(Op::Sigmoid, {ref(r[0])}); return;
      case StatementKind::Tanh: emit(Op::Tanh, {ref(r[0])}); return;
      case StatementKind::Count_: return;
    }
  }

  /// A select that is continuous by construction (D3): both branches agree where u = v.
  void select(const StatementRecipe& st) {
    const auto& r = st.refs;
    const std::uint32_t f = st.form;
    const Cmp cmp = static_cast<Cmp>(f % 4);
    const bool products = allowed(StatementKind::Mul);
    const std::uint32_t shape = (f / 4) % (products ? 5 : 4);
    const std::vector<Arg> uv = refs(r, 2);
    const Arg u = uv[0];
    const Arg v = (f / 20) % 2 ? lit(offset(st.lits[0])) : uv[1];
    const bool swap = (f / 40) % 2;
    const auto sel = [&](Arg a, Arg b) {
      if (swap) std::swap(a, b);
      emit(Op::Select, {u, v, a, b}, 0, cmp);
    };
    switch (shape) {
      case 0: sel(u, v); return;
      case 1: sel(v, u); return;
      case 2: {
        const Arg a = ref(r[2]);
        emit(Op::Select, {u, v, a, a}, 0, cmp);
        return;
      }
      case 4: {  // a = w + (u - v) w2: a kink along a curve, with a nonlinear branch
        const Arg w = ref(r[2]), w2 = ref(r[3]);
        const Arg d = emit(Op::Sub, {u, v});
        if (fits({d, w2}, 1)) {
          const Arg m = emit(Op::Mul, {d, w2}, 1);
          sel(emit(Op::Add, {w, m}), w);
          return;
        }
        sel(emit(Op::Lin, {lit("0"), lit("1"), w, lit(coefficient(st.lits[1])), d}), w);
        return;
      }
      default: {  // a = w + c (u - v): a kink of slope c
        const Arg w = ref(r[2]);
        const Arg d = emit(Op::Sub, {u, v});
        sel(emit(Op::Lin, {lit("0"), lit("1"), w, lit(coefficient(st.lits[1])), d}), w);
        return;
      }
    }
  }

  const ProgramRecipe& recipe_;
  const ProgramShape& shape_;
  ProgramBuilder b_;
  std::vector<std::uint32_t> depth_;  ///< multiplicative depth of each node
};

}  // namespace

Program build_program(const ProgramRecipe& recipe, const ProgramShape& shape) {
  return Builder(recipe, shape).build();
}

rc::Gen<StatementKind> genOp(const OpMix& mix) {
  int total = 0;
  for (auto w : mix) total += w;
  if (total == 0) throw std::invalid_argument("genOp: empty op mix");
  return rc::gen::map(rc::gen::resize(100, rc::gen::inRange(0, total)), [mix](int at) {
    for (std::size_t k = 0; k < kStatementKinds; ++k) {
      if (at < mix[k]) return static_cast<StatementKind>(k);
      at -= mix[k];
    }
    return StatementKind::Add;
  });
}

rc::Gen<StatementRecipe> genNode(const OpMix& mix) {
  // The integers are drawn at full range whatever the size (the size only sets the statement
  // count) and shrink towards 0.
  const auto small = rc::gen::resize(100, rc::gen::inRange<std::uint32_t>(0, 1u << 16));
  constexpr std::size_t kRefs = std::tuple_size_v<decltype(StatementRecipe::refs)>;
  constexpr std::size_t kLits = std::tuple_size_v<decltype(StatementRecipe::lits)>;
  return rc::gen::apply(
      [](StatementKind kind, const std::vector<std::uint32_t>& v) {
        StatementRecipe s;
        s.kind = kind;
        for (std::size_t i = 0; i < kRefs; ++i) s.refs[i] = v[i];
        for (std::size_t i = 0; i < kLits; ++i) s.lits[i] = v[kRefs + i];
        s.form = v[kRefs + kLits];
        return s;
      },
      genOp(mix), rc::gen::container<std::vector<std::uint32_t>>(kRefs + kLits + 1, small));
}

rc::Gen<ProgramRecipe> genRecipe(const ProgramShape& shape) {
  return rc::gen::withSize([shape](int size) {
    const auto most = std::max<std::uint32_t>(1, 1 + shape.max_statements * static_cast<std::uint32_t>(size) / 100);
    return rc::gen::apply(
        [](std::uint32_t p, std::uint32_t q, std::vector<StatementRecipe> st) {
          return ProgramRecipe{p, q, std::move(st)};
        },
        rc::gen::resize(100, rc::gen::inRange(shape.min_inputs, shape.max_inputs + 1)),
        rc::gen::resize(100, rc::gen::inRange(shape.min_outputs, shape.max_outputs + 1)),
        rc::gen::resize(static_cast<int>(most),
                        rc::gen::nonEmpty(rc::gen::container<std::vector<StatementRecipe>>(genNode(shape.mix)))));
  });
}

rc::Gen<Program> genProgram(const ProgramShape& shape) {
  return rc::gen::map(genRecipe(shape), [shape](const ProgramRecipe& r) { return build_program(r, shape); });
}

bool piecewise_affine(const Program& p) {
  for (const Node& n : p.nodes) {
    switch (n.op) {
      case Op::Div:
        if (n.args[1].is_node()) return false;
        break;
      case Op::Powi: return false;
      case Op::Mul: {
        int node_args = 0;
        for (Arg a : n.args) node_args += a.is_node() ? 1 : 0;
        if (node_args > 1) return false;
        break;
      }
      default:
        if (op_info(n.op).transcendental) return false;
    }
  }
  return true;
}

}  // namespace selgrad::properties
