// powi a k: a^k for an integer literal k (stored as the node's power); a != 0 when k < 0.
// d/da = k a^(k-1), and 0 for k = 0.
#pragma once

#include "selgrad/program/rules/common.hpp"

namespace selgrad::rules {

struct Powi : Smooth {
  static constexpr OpInfo info{.op = Op::Powi, .name = "powi", .min_args = 2, .max_args = 2, .selection = false,
                               .transcendental = false, .domain = "a != 0 when k < 0", .tie_rule = "",
                               .syntax = "powi a k", .meaning = "a^k, k an integer literal", .tie_derivative = ""};
  /// Written with two arguments, a node has one: k is its power.
  static constexpr std::size_t node_arity = 1;
  template <class A>
  static constexpr std::optional<DomainRule> domain(const A& a) {
    if (a.power() >= 0) return kEverywhere;
    return DomainRule{0, DomainRule::Need::NonZero, "negative power of zero", "argument", "must be != 0 when k < 0"};
  }
  template <class T, class A>
  static T value(const A& a, std::uint32_t = 0) {
    return ScalarOps<T>::powi(a[0], a.power());
  }
  template <class T, class A, class D>
  static void partials(const A& a, std::uint32_t, const T&, D& d) {
    const std::int64_t k = a.power();
    d[0] = k == 0 ? zero<T>() : T(ScalarOps<T>::from_int(k) * ScalarOps<T>::powi(a[0], k - 1));
  }
};

}  // namespace selgrad::rules
