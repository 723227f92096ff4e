// Recording programs from C++: an active scalar type, Var, and a Recorder.
//
// A function written in C++ over Var, the way one writes it for ADOL-C, CppAD or CoDiPack, is
// recorded once into a Program (the IR parse_program returns); both engines then evaluate and
// differentiate that program, and the reference engine does so exactly.
//
//   selgrad::Recorder rec;
//   std::vector<selgrad::Var> x = rec.inputs(3);          // x0 x1 x2, or rec.inputs({"a", "b", "c"})
//   selgrad::Var p = x[0] * x[1];
//   selgrad::Var y = max(p, relu(x[2] - 1.5));
//   y += abs(x[0]) / 2;
//   rec.outputs({y});
//   selgrad::Program p = rec.program();                   // the IR parse_program returns
//
// prints (print_program) as
//
//   input x0 x1 x2
//   v0 = mul x0 x1
//   v1 = sub x2 3/2
//   v2 = relu v1
//   v3 = max v0 v2
//   v4 = abs x0
//   v5 = lin 0 1 v3 1/2 v4
//   output v5
//
// Operations are recorded in the order C++ evaluates them. The arguments of one call or the
// operands of one `+` are unsequenced (`max(x[0] * x[1], relu(x[2] - 1.5)) + abs(x[0]) / 2` is
// the same function, with its nodes in an order the compiler picks): write separate statements
// where the order of the nodes matters to you.
//
// What a Var is. A Var is either a value recorded by one Recorder (an input, or the result of an
// operation on recorded values) or a *constant*: an exact number attached to no recorder.
// `Var(1.5)`, `Var(3)` and `constant("1/3")` are constants; they need no recorder and become
// literals of the program when combined with a recorded value. A Var is 16 bytes, trivially
// copyable, and recording an operation appends one entry to its recorder's tape (no allocation
// per Var). A Var must not outlive its Recorder.
//
// Constants are exact. A double converts to its exact value (every finite double is a dyadic
// rational); an infinite or NaN double is an Error at once. Integers convert exactly.
// `constant(text)` reads a literal as the .sgp format does ("1/3", "0.1" = 1/10, "1e-3") and keeps
// its text. Arithmetic among constants folds when the exact result is a double (1.5 * 2 is the
// constant 3; relu, abs, max, min, sort and decided selects fold too) and otherwise stays
// symbolic: 0.1 * 3 (whose exact value is no double), exp(1) or constant("1/3") + 1 become
// nodes over literals (`v = mul 0.1 3`) in the program of the first recorder they meet, so no
// value is ever rounded. Symbolic constants live in a process-wide table (a few dozen bytes
// each, capped: see kMaxSymbolicConstants); they are meant for parameters, not for loops. An
// operation whose constant arguments are outside its domain (division by the constant 0, log or
// sqrt of a constant <= 0, a negative power of the constant 0) is an Error (Domain) at once:
// the program would fail at every point.
//
// Branches. Comparing two Vars (<, <=, >, >=) gives a Comparison, which is deliberately not
// convertible to bool: a recorded value has no value while recording, and a C++ `if` would fix
// one branch into the program for every point. A branch is recorded as a selection,
//
//   if (x > 0) y = x * x; else y = 0;        // does not compile
//   Var y = select(x > 0, x * x, 0);         // select gt x 0 (x^2) 0: both branches recorded
//
// and, like every selection, it must be continuous (D3): where the comparison is an equality
// (x = 0 here) both branches must have the same value, which the engines check at evaluation.
//
// Affine fusion. Sums, differences, negations, products and quotients by constants and `lin` are
// recorded as they are written, and when the program is made (program()), an affine result used
// exactly once, by another affine operation, is folded into it: `2*x + 3*y - z` becomes one
// `lin 0 2 x 3 y -1 z` node, and Eigen's `W.cast<Var>() * x` one lin node per output entry (see
// selgrad/record/eigen.hpp). An affine node used twice, used by a non-affine operation or marked
// as an output stays a node, so fusion never duplicates work. An operation that absorbed others
// becomes `add` when every coefficient is 1, else `lin`; one that absorbed none is printed as
// written (`sub x2 3/2`). Folding is exact (coefficients multiply exactly or the node stays a
// node); it changes the order of the double engine's floating-point sums, not the function or its
// selection derivative (affine maps are smooth). RecorderOptions::fuse_affine turns it off.
//
// Only values an output (or a named node) depends on are written to the program; every input is.
//
// Misuse is an Error (kind Usage) at the call that causes it: an operation on Vars of two
// different recorders, recording with a Recorder whose program() was already taken, a program
// without inputs or outputs.
#pragma once

#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "selgrad/program/op.hpp"
#include "selgrad/program/program.hpp"
#include "selgrad/record/detail/tape.hpp"

namespace selgrad {

class Recorder;
namespace detail {
struct VarOps;
}
namespace fast {  // the double engine's tape (selgrad/fast/tape.hpp), made by Recorder::compile
struct Tape;
struct CompileLimits;
}  // namespace fast

/// The active scalar: a recorded value or an exact constant (see the file comment).
class Var {
 public:
  /// The constant 0.
  constexpr Var() noexcept : value_(0.0), index_(0), kind_(Kind::Double) {}
  /// The exact value of a finite double; Error (Usage) for an infinite or NaN value.
  Var(double value);
  /// The exact value of an integer.
  template <std::integral I>
    requires(!std::same_as<I, bool>)
  Var(I value);
  /// A long double would be rounded to a double: convert it explicitly if that is meant.
  Var(long double) = delete;
  Var(bool) = delete;

  /// Not recorded: an exact number, attached to no recorder.
  bool is_constant() const noexcept { return kind_ != Kind::Recorded; }
  /// The recorder of a recorded value; nullptr for a constant.
  Recorder* recorder() const noexcept { return kind_ == Kind::Recorded ? rec_ : nullptr; }
  /// Whether this is a constant whose exact value is a double, and that double.
  bool is_double() const noexcept { return kind_ == Kind::Double; }
  double as_double() const noexcept { return kind_ == Kind::Double ? value_ : 0.0; }

  Var& operator+=(const Var& b);
  Var& operator-=(const Var& b);
  Var& operator*=(const Var& b);
  Var& operator/=(const Var& b);

 private:
  friend class Recorder;
  friend struct detail::VarOps;
  enum class Kind : std::uint32_t { Double, Symbolic, Recorded };
  Var(Recorder* rec, std::uint32_t index) noexcept : rec_(rec), index_(index), kind_(Kind::Recorded) {}
  static Var symbolic(std::uint32_t id) noexcept {
    Var v;
    v.index_ = id;
    v.kind_ = Kind::Symbolic;
    return v;
  }

  union {
    double value_;   ///< Kind::Double
    Recorder* rec_;  ///< Kind::Recorded
  };
  std::uint32_t index_;  ///< Recorded: the tape entry; Symbolic: the symbolic-constant table entry
  Kind kind_;
};
static_assert(sizeof(Var) == 16 && std::is_trivially_copyable_v<Var>);

/// An exact constant from literal text, read as the .sgp format reads it ("1/3", "-2/7", "0.1",
/// "1e-3"); its text is kept for the printed program. Error (Usage) if the text is not a literal.
Var constant(std::string_view text);

/// Most symbolic constants (constant(), and constant arithmetic whose exact result is no double)
/// a process creates; one more is an Error (Resource).
inline constexpr std::size_t kMaxSymbolicConstants = std::size_t{1} << 20;

/// Most arguments a node of a recorded program has: the double engine's limit per node. A longer
/// max, min, sum or lin (recorded, or made by affine fusion) is written as a tree of nodes of at
/// most this many arguments (the same value, and for max and min the same selected argument).
inline constexpr std::size_t kMaxNodeArguments = 65535;
/// Most values one sort takes: a sort statement of k values is k nodes of k arguments each, so
/// the program grows as k^2; one more is an Error (Resource), checked before recording.
inline constexpr std::size_t kMaxSortArguments = 4096;

/// `u CMP v`, the condition of a select. Not convertible to bool (see the file comment).
class Comparison {
 public:
  Comparison(const Var& u, Cmp cmp, const Var& v) noexcept : u_(u), v_(v), cmp_(cmp) {}
  const Var& lhs() const noexcept { return u_; }
  const Var& rhs() const noexcept { return v_; }
  Cmp cmp() const noexcept { return cmp_; }

 private:
  Var u_, v_;
  Cmp cmp_;
};

// ---- arithmetic -------------------------------------------------------------------------------
Var operator+(const Var& a, const Var& b);
Var operator-(const Var& a, const Var& b);
Var operator*(const Var& a, const Var& b);
Var operator/(const Var& a, const Var& b);
Var operator-(const Var& a);
inline Var operator+(const Var& a) { return a; }

Comparison operator<(const Var& u, const Var& v);
Comparison operator<=(const Var& u, const Var& v);
Comparison operator>(const Var& u, const Var& v);
Comparison operator>=(const Var& u, const Var& v);
/// Exact equality of two constants (doubles, or the same symbolic constant). On a recorded value
/// it is an Error (Usage) when evaluated: a recorded value has no value while recording, and
/// equality is no selection. (It exists, instead of being deleted, because Eigen's matrix-vector
/// kernel contains an `alpha == 0` test for complex scalars that must compile.)
bool operator==(const Var& a, const Var& b);

// ---- elementary functions (found by argument-dependent lookup) --------------------------------
Var exp(const Var& a);
Var log(const Var& a);
Var sqrt(const Var& a);
Var softplus(const Var& a);
Var sigmoid(const Var& a);
Var tanh(const Var& a);
/// a^k, k an integer (|k| <= kMaxPowiExponent, else Error (Usage)).
Var powi(const Var& a, std::int64_t k);

// ---- selections (D3) ---------------------------------------------------------------------------
Var relu(const Var& a);
Var abs(const Var& a);
/// The largest argument; at a tie the first (lowest position) maximal one.
Var max(const Var& a, const Var& b);
Var max(std::span<const Var> args);
Var max(std::initializer_list<Var> args);
/// The smallest argument; at a tie the first minimal one.
Var min(const Var& a, const Var& b);
Var min(std::span<const Var> args);
Var min(std::initializer_list<Var> args);
/// The arguments in decreasing order (one sort statement); among equal values the lower position
/// comes first (the stable tie rule).
std::vector<Var> sort(std::span<const Var> args);
std::vector<Var> sort(std::initializer_list<Var> args);
/// `a` where the comparison holds, else `b` (`select CMP u v a b`). Continuous only if a = b where
/// u = v (D3); the engines check it.
Var select(const Comparison& condition, const Var& a, const Var& b);

/// v limited to [lo, hi]: one `clamp v lo hi` node. lo and hi are constants whose value is a
/// number literal (doubles, integers, constant("...")) with lo <= hi, else an Error (Usage). At a
/// bound the constant piece is taken (the op table's tie rule: the derivative is 0 there).
Var clamp(const Var& v, const Var& lo, const Var& hi);

// ---- affine combinations -----------------------------------------------------------------------
/// The sum of the arguments (one `add` node, n-ary).
Var sum(std::span<const Var> args);
Var sum(std::initializer_list<Var> args);
/// c0 + sum_i c[i] * x[i] (one `lin` node). The coefficients are constants whose value is a
/// literal (doubles, integers, constant("...")): Error (Usage) for a recorded or symbolic one, or
/// for spans of different lengths.
Var lin(const Var& c0, std::span<const Var> c, std::span<const Var> x);
Var lin(double c0, std::span<const double> c, std::span<const Var> x);

// Unqualified calls on plain numbers inside namespace selgrad would otherwise find the functions
// above by ordinary lookup and build a constant Var through the implicit conversion; these
// overloads make such a call a compile error instead. (Calls on Vars, and calls with std::
// versions in scope, are not affected: a non-template exact match is preferred.)
template <class T>
  requires std::is_arithmetic_v<T>
void exp(T) = delete;
template <class T>
  requires std::is_arithmetic_v<T>
void log(T) = delete;
template <class T>
  requires std::is_arithmetic_v<T>
void sqrt(T) = delete;
template <class T>
  requires std::is_arithmetic_v<T>
void tanh(T) = delete;
template <class T>
  requires std::is_arithmetic_v<T>
void abs(T) = delete;
template <class T, class U>
  requires(std::is_arithmetic_v<T> && std::is_arithmetic_v<U>)
void max(T, U) = delete;
template <class T, class U>
  requires(std::is_arithmetic_v<T> && std::is_arithmetic_v<U>)
void min(T, U) = delete;

// ---- the recorder ------------------------------------------------------------------------------
struct RecorderOptions {
  /// Fold single-use affine operations into the affine operation that uses them (see the file
  /// comment). Off: every operation is one node, as written.
  bool fuse_affine = true;
};

/// Records operations on its Vars and makes the Program. Not copyable or movable (its Vars point
/// to it). Not thread-safe: one thread records at a time.
class Recorder {
 public:
  explicit Recorder(RecorderOptions options = {});
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;
  ~Recorder();

  /// A new input. An empty name gives `x<i>` (i counting inputs from 0) unless that name is
  /// taken. Error (Usage) for an invalid name or one given twice. Inputs may be created at any
  /// time; the program lists them first, in creation order.
  Var input(std::string_view name = {});
  /// n new inputs named x<i>.
  std::vector<Var> inputs(std::size_t n);
  std::vector<Var> inputs(std::initializer_list<std::string_view> names);
  std::vector<Var> inputs(std::span<const std::string> names);

  /// Marks y as the next output. A constant output becomes a `lin c` node.
  void output(const Var& y);
  void outputs(std::initializer_list<Var> ys);
  /// Any range of Vars (std::vector, std::span, an Eigen vector of Vars).
  template <std::ranges::input_range R>
    requires std::convertible_to<std::ranges::range_reference_t<const R&>, Var>
  void outputs(const R& ys) {
    for (auto&& y : ys) output(Var(y));
  }

  /// Names the node of the recorded value v in the program (else it gets a fresh name v<k>). A
  /// named value is always a node of its own (never fused) and is kept in the program even if
  /// no output depends on it. Error (Usage) for a constant, an input (name inputs when creating
  /// them), an invalid name, a name given twice, or a name v<digits> (the fresh names).
  void name(const Var& v, std::string_view name);

  /// The recorded program, validated. The recorder is finished afterwards: recording more, or a
  /// second program() or compile(), is an Error (Usage). Error (Usage) without inputs or outputs.
  Program program();

  /// Finishes the recording like program() and compiles it for the double engine at once: the
  /// tape fast::compile(program()) makes (the same instructions, rows, sweeps and node names),
  /// without building the Program and validating it again on the way (a recording is valid by
  /// construction). For a function recorded to be evaluated: a tape is what BatchEvaluator and
  /// PointEvaluator take (include selgrad/fast/evaluate.hpp). Keep program() for printing, or
  /// for the exact engine. Error (Resource) as fast::compile for the sweep cap.
  fast::Tape compile();
  fast::Tape compile(const fast::CompileLimits& limits);

  std::size_t size() const noexcept { return tape_.entries.size(); }  ///< operations recorded (inputs too)
  std::size_t input_count() const noexcept { return tape_.inputs.size(); }
  bool finished() const noexcept { return finished_; }

 private:
  friend struct detail::VarOps;
  /// Ends the recording (program(), compile()): its tape, checked to have inputs and outputs.
  detail::RecordTape take_recording();
  detail::Operand operand(const Var& v);
  detail::Operand constant_operand(const Var& v);
  Var push(const detail::TapeEntry& e);
  Var record_unary(Op op, const Var& a);
  Var record_binary(Op op, const Var& a, const Var& b);
  Var record_binary_with_constant(Op op, const Var& a, const Var& b);
  Var record_nary(Op op, std::span<const Var> args);
  std::vector<Var> record_sort(std::span<const Var> args);
  Var record_powi(const Var& a, std::int64_t k);
  Var record_select(const Comparison& c, const Var& a, const Var& b);
  Var record_lin(const Var& c0, std::span<const Var> c, std::span<const Var> x);
  [[noreturn]] void fail_foreign() const;
  [[noreturn]] void fail_finished() const;
  [[noreturn]] void fail_too_large() const;

  detail::RecordTape tape_;
  RecorderOptions options_;
  bool finished_ = false;
};

/// Records f over p inputs x0..x(p-1): f takes std::span<const Var> and returns a Var (one
/// output) or a range of Vars (one output each).
template <class F>
Program record(F&& f, std::size_t p, RecorderOptions options = {}) {
  Recorder rec(options);
  const std::vector<Var> x = rec.inputs(p);
  using R = std::invoke_result_t<F&, std::span<const Var>>;
  if constexpr (std::is_convertible_v<R, Var>)
    rec.output(Var(f(std::span<const Var>(x))));
  else
    rec.outputs(f(std::span<const Var>(x)));
  return rec.program();
}

}  // namespace selgrad

#include "selgrad/record/detail/var_inline.hpp"
