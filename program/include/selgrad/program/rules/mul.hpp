// mul a b ...: the product of its arguments, left to right. d/da_i is the product of the other
// factors, computed as prefix times suffix products: no division, so a zero factor is exact,
// and for two factors d/da = b, d/db = a (1 * b and a * 1, exactly).
#pragma once

#include "selgrad/program/rules/common.hpp"

namespace selgrad::rules {

struct Mul : Smooth {
  static constexpr OpInfo info{.op = Op::Mul, .name = "mul", .min_args = 1, .max_args = -1, .selection = false,
                               .transcendental = false, .domain = "all", .tie_rule = "", .syntax = "mul a b ...",
                               .meaning = "product (n-ary)", .tie_derivative = "", .commutative = true};
  template <class T, class A>
  static T value(const A& a, std::uint32_t = 0) {
    T y = a[0];
    for (std::size_t i = 1; i < a.size(); ++i) y *= a[i];
    return y;
  }
  template <class T, class A, class D>
  static void partials(const A& a, std::uint32_t, const T&, D& d) {
    const std::size_t k = a.size();
    T prefix = one<T>();
    for (std::size_t i = 0; i < k; ++i) {
      d[i] = prefix;
      prefix *= a[i];
    }
    T suffix = one<T>();
    for (std::size_t i = k; i-- > 0;) {
      d[i] *= suffix;
      suffix *= a[i];
    }
  }
};

}  // namespace selgrad::rules
