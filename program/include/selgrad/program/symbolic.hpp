// A symbolic scalar for reading the op rules: evaluating a rule over Sym, with argument i given
// as Sym::arg(i), tells what a value or a partial *is* without computing it: an argument, minus
// an argument, a small integer constant, the op's own value, or something to compute.
//
// The double engine uses it to lay out its tape (a partial that is an argument's row, the
// value's row, or the constant row of 0, 1 or -1 needs no storage and no work: d(a*b)/da is the
// row of b), and the reference uses it to number values (max(a, b) taking a *is* a). Only
// identities that hold bit for bit in IEEE arithmetic are applied: 1 * x = x * 1 = x and
// -(constant); everything else is Other.
#pragma once

#include <cstdint>

#include "selgrad/program/rules/common.hpp"

namespace selgrad {

struct Sym {
  enum class Kind : std::uint8_t { Constant, Arg, NegArg, Value, Other };
  Kind kind = Kind::Other;
  std::int64_t constant = 0;  ///< Constant: the integer
  std::uint32_t arg = 0;      ///< Arg, NegArg: the argument position

  static Sym of_constant(std::int64_t c) { return {Kind::Constant, c, 0}; }
  static Sym of_arg(std::uint32_t i) { return {Kind::Arg, 0, i}; }
  static Sym value() { return {Kind::Value, 0, 0}; }
  static Sym other() { return {}; }

  bool is_constant(std::int64_t c) const { return kind == Kind::Constant && constant == c; }
  friend bool operator==(const Sym&, const Sym&) = default;

  friend Sym operator*(const Sym& a, const Sym& b) {
    if (a.is_constant(1)) return b;
    if (b.is_constant(1)) return a;
    return other();
  }
  friend Sym operator-(const Sym& a) {
    switch (a.kind) {
      case Kind::Constant: return of_constant(-a.constant);
      case Kind::Arg: return {Kind::NegArg, 0, a.arg};
      case Kind::NegArg: return of_arg(a.arg);
      default: return other();
    }
  }
  friend Sym operator+(const Sym&, const Sym&) { return other(); }
  friend Sym operator-(const Sym&, const Sym&) { return other(); }
  friend Sym operator/(const Sym&, const Sym&) { return other(); }
  Sym& operator*=(const Sym& o) { return *this = *this * o; }
  Sym& operator+=(const Sym& o) { return *this = *this + o; }
  Sym& operator-=(const Sym& o) { return *this = *this - o; }
};

template <>
struct ScalarOps<Sym> {
  static Sym from_int(std::int64_t v) { return Sym::of_constant(v); }
  static Sym powi(const Sym&, std::int64_t) { return Sym::other(); }
  static Sym exp(const Sym&) { return Sym::other(); }
  static Sym log(const Sym&) { return Sym::other(); }
  static Sym sqrt(const Sym&) { return Sym::other(); }
  static Sym softplus(const Sym&) { return Sym::other(); }
  static Sym sigmoid(const Sym&) { return Sym::other(); }
  static Sym tanh(const Sym&) { return Sym::other(); }
};

/// Operand view of a node's shape whose argument i is Sym::arg(i).
template <class Shape>
struct SymArgs {
  Shape shape;
  std::size_t size() const { return shape.size(); }
  Sym operator[](std::size_t i) const { return Sym::of_arg(static_cast<std::uint32_t>(i)); }
  std::int64_t power() const { return shape.power(); }
  Cmp cmp() const { return shape.cmp(); }
};

}  // namespace selgrad
