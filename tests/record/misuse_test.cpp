// Misuse of the recorder is an Error at the call that causes it, never a silent mix: Vars of two
// recorders, recording after program(), non-finite numbers, constants outside an op's domain;
// and a comparison cannot be used as a bool (a C++ branch would fix one branch into the program).
#include <gtest/gtest.h>

#include <cmath>
#include <concepts>
#include <limits>
#include <type_traits>
#include <vector>

#include "selgrad/program/error.hpp"
#include "selgrad/record.hpp"

namespace selgrad {
namespace {

// ---- a comparison is not a bool (compile time; tests/record/compile_fail checks `if (x > 0)`) --
template <class C>
concept UsableAsCondition = requires(C c) { c ? 1 : 0; };
template <class C>
concept Negatable = requires(C c) { !c; };
template <class C>
concept AndableWithBool = requires(C c) { c && true; };

static_assert(!std::is_convertible_v<Comparison, bool>);
static_assert(!std::is_constructible_v<bool, Comparison>, "not even explicitly: if (x > 0) must not compile");
static_assert(!UsableAsCondition<Comparison>);
static_assert(!Negatable<Comparison>);
static_assert(!AndableWithBool<Comparison>);
static_assert(std::same_as<decltype(std::declval<Var>() < 0), Comparison>);
static_assert(std::same_as<decltype(1.5 >= std::declval<Var>()), Comparison>);
// Var is the cheap value the hot path needs: an index and a recorder pointer, trivially copyable.
static_assert(sizeof(Var) == 16 && std::is_trivially_copyable_v<Var>);
// Doubles and integers convert implicitly (Eigen's cast<Var>() needs it); long double would round.
static_assert(std::is_convertible_v<double, Var> && std::is_convertible_v<int, Var> &&
              std::is_convertible_v<std::uint64_t, Var>);
static_assert(!std::is_convertible_v<long double, Var> && !std::is_convertible_v<bool, Var>);

template <class F>
ErrorKind kind_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no Error thrown";
  return ErrorKind::Parse;
}

TEST(RecordMisuse, VarsOfTwoRecordersDoNotMix) {
  Recorder a, b;
  const Var x = a.input(), y = b.input();
  EXPECT_EQ(kind_of([&] { (void)(x + y); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { (void)(y * x); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { (void)max(x, y); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { (void)max({x, 1, y}); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { (void)sort({x, y}); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { (void)select(x > 0, x, y); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { (void)select(x > y, 1, 2); }), ErrorKind::Usage);
  const double c[] = {1, 1};
  const Var xs[] = {x, y};
  EXPECT_EQ(kind_of([&] { (void)lin(0, c, xs); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { b.output(x); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { b.name(relu(x), "r"); }), ErrorKind::Usage);
  // Each recorder still makes its own program.
  a.output(x + 1);
  b.output(relu(y));
  EXPECT_EQ(a.program().m(), 2u);
  EXPECT_EQ(b.program().m(), 2u);
}

TEST(RecordMisuse, RecordingAfterProgramIsAnError) {
  Recorder rec;
  const Var x = rec.input();
  const Var y = relu(x);
  rec.output(y);
  (void)rec.program();
  EXPECT_TRUE(rec.finished());
  EXPECT_EQ(kind_of([&] { (void)(x + y); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { (void)(x + 1); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { (void)exp(x); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { (void)max({x, y, 0}); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { (void)powi(x, 2); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { (void)rec.input(); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { rec.output(x); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { (void)rec.program(); }), ErrorKind::Usage);
}

TEST(RecordMisuse, NonFiniteDoublesAreAnErrorAtOnce) {
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(kind_of([&] { (void)Var(inf); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { (void)Var(-inf); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { (void)Var(nan); }), ErrorKind::Usage);
  Recorder rec;
  const Var x = rec.input();
  EXPECT_EQ(kind_of([&] { (void)(x * nan); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { (void)max(x, -inf); }), ErrorKind::Usage);
  EXPECT_EQ(rec.size(), 1u) << "nothing was recorded";
}

TEST(RecordMisuse, EqualityIsExactOnConstantsAndAnErrorOnRecordedValues) {
  EXPECT_TRUE(Var(0.5) == Var(1) / 2);
  EXPECT_FALSE(Var(0.5) == Var(0.25));
  const Var third = constant("1/3");
  EXPECT_TRUE(third == third);
  EXPECT_EQ(kind_of([&] { (void)(third == constant("2/6")); }), ErrorKind::Usage);
  Recorder rec;
  const Var x = rec.input();
  EXPECT_EQ(kind_of([&] { (void)(x == 0); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { (void)(x != x); }), ErrorKind::Usage);
}

TEST(RecordMisuse, ConstantsOutsideAnOpsDomainAreAnErrorAtOnce) {
  Recorder rec;
  const Var x = rec.input();
  EXPECT_EQ(kind_of([&] { (void)(x / 0); }), ErrorKind::Domain);
  EXPECT_EQ(kind_of([&] { (void)(x / constant("0/7")); }), ErrorKind::Domain);
  EXPECT_EQ(kind_of([&] { (void)(Var(1) / 0.0); }), ErrorKind::Domain);
  EXPECT_EQ(kind_of([&] { (void)log(Var(-1)); }), ErrorKind::Domain);
  EXPECT_EQ(kind_of([&] { (void)log(Var(0)); }), ErrorKind::Domain);
  EXPECT_EQ(kind_of([&] { (void)sqrt(Var(0)); }), ErrorKind::Domain);
  EXPECT_EQ(kind_of([&] { (void)log(constant("-1/3")); }), ErrorKind::Domain);
  EXPECT_EQ(kind_of([&] { (void)powi(Var(0), -2); }), ErrorKind::Domain);
  EXPECT_EQ(kind_of([&] { (void)select(Var(1) <= 1, 2, 3); }), ErrorKind::Continuity);
  // A recorded argument's domain is the engines' business, at each point.
  EXPECT_NO_THROW((void)log(x));
  EXPECT_NO_THROW((void)(1 / x));
}

TEST(RecordMisuse, BadArgumentsAreUsageErrors) {
  Recorder rec;
  const std::vector<Var> x = rec.inputs(2);
  const Var c[] = {x[0], 1};
  EXPECT_EQ(kind_of([&] { (void)lin(0, c, x); }), ErrorKind::Usage) << "a recorded coefficient";
  const Var e[] = {exp(Var(1)), 1};
  EXPECT_EQ(kind_of([&] { (void)lin(0, e, x); }), ErrorKind::Usage) << "a symbolic coefficient is no literal";
  const double one[] = {1};
  EXPECT_EQ(kind_of([&] { (void)lin(0, one, x); }), ErrorKind::Usage) << "lengths differ";
  EXPECT_EQ(kind_of([&] { (void)powi(x[0], kMaxPowiExponent + 1); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { (void)max(std::span<const Var>()); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { (void)sort(std::span<const Var>()); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { (void)constant("1/0"); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { (void)constant("abc"); }), ErrorKind::Usage);
}

TEST(RecordMisuse, NamesAreCheckedWhenGiven) {
  Recorder rec;
  const Var a = rec.input("a");
  EXPECT_EQ(kind_of([&] { (void)rec.input("a"); }), ErrorKind::Usage) << "given twice";
  EXPECT_EQ(kind_of([&] { (void)rec.input("2x"); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { (void)rec.input("output"); }), ErrorKind::Usage) << "a keyword";
  const Var r = relu(a);
  EXPECT_EQ(kind_of([&] { rec.name(r, "a"); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { rec.name(a, "b"); }), ErrorKind::Usage) << "inputs are named when created";
  EXPECT_EQ(kind_of([&] { rec.name(Var(1), "one"); }), ErrorKind::Usage);
  rec.name(r, "r");
  EXPECT_EQ(kind_of([&] { rec.name(r, "s"); }), ErrorKind::Usage) << "named twice";
  const Var x1 = rec.input();  // x1: the default name of the second input
  rec.output(r + x1);
  EXPECT_EQ(rec.program().nodes[1].name, "x1");
}

TEST(RecordMisuse, AProgramNeedsInputsAndOutputs) {
  Recorder none;
  none.output(Var(1));
  EXPECT_EQ(kind_of([&] { (void)none.program(); }), ErrorKind::Usage);
  Recorder no_outputs;
  (void)no_outputs.inputs(2);
  EXPECT_EQ(kind_of([&] { (void)no_outputs.program(); }), ErrorKind::Usage);
  EXPECT_FALSE(no_outputs.finished()) << "a usage error leaves the recording open";
}

}  // namespace
}  // namespace selgrad
