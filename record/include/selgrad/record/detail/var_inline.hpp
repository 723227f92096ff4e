// Inline part of selgrad/record.hpp: the recording hot path. An operation on two recorded Vars
// checks that they share a recorder and appends one TapeEntry; everything else (constants,
// folding, n-ary operations, errors) is out of line in record/src/.
#pragma once

#include <cmath>
#include <limits>

namespace selgrad {
namespace detail {

[[noreturn]] void throw_non_finite(double value);
Var integer_constant(std::int64_t value);
Var integer_constant(std::uint64_t value);

// Operations none of whose arguments is recorded (record/src/fold.cpp): exact folding, or a
// symbolic constant.
Var fold_unary(Op op, const Var& a);
Var fold_binary(Op op, const Var& a, const Var& b);

// Out-of-line entry points (record/src/recorder.cpp).
Var nary(Op op, std::span<const Var> args);
std::vector<Var> sort(std::span<const Var> args);
Var powi(const Var& a, std::int64_t k);
Var select(const Comparison& c, const Var& a, const Var& b);
Var lin(const Var& c0, std::span<const Var> c, std::span<const Var> x);

/// The access the out-of-line code needs to a Var's representation.
struct VarOps {
  using Kind = Var::Kind;
  static Kind kind(const Var& v) noexcept { return v.kind_; }
  static bool recorded(const Var& v) noexcept { return v.kind_ == Kind::Recorded; }
  static Recorder* recorder(const Var& v) noexcept { return v.rec_; }
  static std::uint32_t index(const Var& v) noexcept { return v.index_; }
  static double value(const Var& v) noexcept { return v.value_; }
  static Var symbolic(std::uint32_t id) noexcept { return Var::symbolic(id); }
  static Var make_recorded(Recorder* rec, std::uint32_t index) noexcept { return Var(rec, index); }
  /// Same representation: the same recorded value, the same double, the same symbolic constant.
  static bool same(const Var& a, const Var& b) noexcept {
    if (a.kind_ != b.kind_) return false;
    if (a.kind_ == Kind::Double) return a.value_ == b.value_;
    return a.index_ == b.index_ && (a.kind_ == Kind::Symbolic || a.rec_ == b.rec_);
  }

  static Var unary(Op op, const Var& a) {
    if (a.kind_ == Kind::Recorded) return a.rec_->record_unary(op, a);
    return fold_unary(op, a);
  }
  static Var binary(Op op, const Var& a, const Var& b) {
    if (a.kind_ == Kind::Recorded) return a.rec_->record_binary(op, a, b);
    if (b.kind_ == Kind::Recorded) return b.rec_->record_binary(op, a, b);
    return fold_binary(op, a, b);
  }

  // Recorder internals used by record/src/recorder.cpp.
  static Var record_nary(Recorder& r, Op op, std::span<const Var> args) { return r.record_nary(op, args); }
  static std::vector<Var> record_sort(Recorder& r, std::span<const Var> args) { return r.record_sort(args); }
  static Var record_powi(Recorder& r, const Var& a, std::int64_t k) { return r.record_powi(a, k); }
  static Var record_select(Recorder& r, const Comparison& c, const Var& a, const Var& b) {
    return r.record_select(c, a, b);
  }
  static Var record_lin(Recorder& r, const Var& c0, std::span<const Var> c, std::span<const Var> x) {
    return r.record_lin(c0, c, x);
  }
};

}  // namespace detail

inline Var::Var(double value) : value_(value == 0 ? 0.0 : value), index_(0), kind_(Kind::Double) {
  if (!std::isfinite(value)) [[unlikely]]
    detail::throw_non_finite(value);
}

template <std::integral I>
  requires(!std::same_as<I, bool>)
inline Var::Var(I value) : value_(0.0), index_(0), kind_(Kind::Double) {
  static_assert(std::numeric_limits<I>::digits <= 64, "integers wider than 64 bits are not supported");
  if constexpr (std::numeric_limits<I>::digits <= 53) {
    value_ = static_cast<double>(value);  // every such integer is a double
  } else {
    // Integers of magnitude <= 2^53 are doubles; larger ones become exact literals.
    constexpr I kExact = static_cast<I>(std::int64_t{1} << 53);
    bool small = value <= kExact;
    if constexpr (std::is_signed_v<I>) small = small && value >= -kExact;
    if (small)
      value_ = static_cast<double>(value);
    else if constexpr (std::is_signed_v<I>)
      *this = detail::integer_constant(static_cast<std::int64_t>(value));
    else
      *this = detail::integer_constant(static_cast<std::uint64_t>(value));
  }
}

inline Var& Var::operator+=(const Var& b) { return *this = detail::VarOps::binary(Op::Add, *this, b); }
inline Var& Var::operator-=(const Var& b) { return *this = detail::VarOps::binary(Op::Sub, *this, b); }
inline Var& Var::operator*=(const Var& b) { return *this = detail::VarOps::binary(Op::Mul, *this, b); }
inline Var& Var::operator/=(const Var& b) { return *this = detail::VarOps::binary(Op::Div, *this, b); }

inline Var operator+(const Var& a, const Var& b) { return detail::VarOps::binary(Op::Add, a, b); }
inline Var operator-(const Var& a, const Var& b) { return detail::VarOps::binary(Op::Sub, a, b); }
inline Var operator*(const Var& a, const Var& b) { return detail::VarOps::binary(Op::Mul, a, b); }
inline Var operator/(const Var& a, const Var& b) { return detail::VarOps::binary(Op::Div, a, b); }
inline Var operator-(const Var& a) { return detail::VarOps::unary(Op::Neg, a); }

inline Comparison operator<(const Var& u, const Var& v) { return Comparison(u, Cmp::Lt, v); }
inline Comparison operator<=(const Var& u, const Var& v) { return Comparison(u, Cmp::Le, v); }
inline Comparison operator>(const Var& u, const Var& v) { return Comparison(u, Cmp::Gt, v); }
inline Comparison operator>=(const Var& u, const Var& v) { return Comparison(u, Cmp::Ge, v); }

inline Var exp(const Var& a) { return detail::VarOps::unary(Op::Exp, a); }
inline Var log(const Var& a) { return detail::VarOps::unary(Op::Log, a); }
inline Var sqrt(const Var& a) { return detail::VarOps::unary(Op::Sqrt, a); }
inline Var softplus(const Var& a) { return detail::VarOps::unary(Op::Softplus, a); }
inline Var sigmoid(const Var& a) { return detail::VarOps::unary(Op::Sigmoid, a); }
inline Var tanh(const Var& a) { return detail::VarOps::unary(Op::Tanh, a); }
inline Var powi(const Var& a, std::int64_t k) { return detail::powi(a, k); }
inline Var relu(const Var& a) { return detail::VarOps::unary(Op::Relu, a); }
inline Var abs(const Var& a) { return detail::VarOps::unary(Op::Abs, a); }
inline Var max(const Var& a, const Var& b) { return detail::VarOps::binary(Op::Max, a, b); }
inline Var min(const Var& a, const Var& b) { return detail::VarOps::binary(Op::Min, a, b); }
inline Var max(std::span<const Var> args) { return detail::nary(Op::Max, args); }
inline Var min(std::span<const Var> args) { return detail::nary(Op::Min, args); }
inline Var max(std::initializer_list<Var> args) { return detail::nary(Op::Max, {args.begin(), args.size()}); }
inline Var min(std::initializer_list<Var> args) { return detail::nary(Op::Min, {args.begin(), args.size()}); }
inline std::vector<Var> sort(std::span<const Var> args) { return detail::sort(args); }
inline std::vector<Var> sort(std::initializer_list<Var> args) { return detail::sort({args.begin(), args.size()}); }
inline Var select(const Comparison& condition, const Var& a, const Var& b) { return detail::select(condition, a, b); }
inline Var sum(std::span<const Var> args) { return detail::nary(Op::Add, args); }
inline Var sum(std::initializer_list<Var> args) { return detail::nary(Op::Add, {args.begin(), args.size()}); }
inline Var lin(const Var& c0, std::span<const Var> c, std::span<const Var> x) { return detail::lin(c0, c, x); }
inline Var lin(double c0, std::span<const double> c, std::span<const Var> x) {
  const std::vector<Var> coefficients(c.begin(), c.end());
  return detail::lin(Var(c0), coefficients, x);
}

// ---- Recorder: the hot path -----------------------------------------------------------------

inline Var Recorder::push(const detail::TapeEntry& e) {
  if (finished_) [[unlikely]]
    fail_finished();
  const std::size_t index = tape_.entries.size();
  if (index > detail::kMaxTapeIndex) [[unlikely]]
    fail_too_large();
  tape_.entries.push_back(e);
  return Var(this, static_cast<std::uint32_t>(index));
}

inline Var Recorder::record_unary(Op op, const Var& a) {
  detail::TapeEntry e;
  e.op = op;
  e.a = a.index_;
  return push(e);
}

inline Var Recorder::record_binary(Op op, const Var& a, const Var& b) {
  if (a.kind_ == Var::Kind::Recorded && b.kind_ == Var::Kind::Recorded) [[likely]] {
    if (a.rec_ != b.rec_) [[unlikely]]
      fail_foreign();
    detail::TapeEntry e;
    e.op = op;
    e.a = a.index_;
    e.b = b.index_;
    return push(e);
  }
  return record_binary_with_constant(op, a, b);
}

}  // namespace selgrad
