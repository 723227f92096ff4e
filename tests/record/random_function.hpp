// Random recorded functions for the recorder's tests: a sequence of operations on the values so
// far (affine ones often, so that fusion has chains, shared values and scalings to work on), with
// three of the last values as outputs.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "selgrad/record.hpp"

namespace selgrad::testing {

/// Which operations a random function draws from.
enum class RandomOps {
  /// Piecewise-affine ops and rare products over dyadic constants: on dyadic points every double
  /// operation stays exact, so the double engine can be compared with the exact reference.
  Dyadic,
  /// Every op of the table, symbolic constants (1/3, 0.1) and sums wider than a node takes.
  Every
};

inline std::vector<Var> random_function(std::span<const Var> x, std::uint64_t seed, RandomOps ops = RandomOps::Dyadic) {
  const bool every = ops == RandomOps::Every;
  std::mt19937_64 rng(seed);
  std::vector<Var> v(x.begin(), x.end());
  std::vector<Var> consts = {0.5, -2, 3, 0.25, -1, 1.5};
  if (every) consts.insert(consts.end(), {constant("1/3"), constant("-7/10"), 0.1});
  const auto pick = [&] { return v[v.size() - 1 - rng() % std::min<std::size_t>(v.size(), 6)]; };
  const auto c = [&] { return consts[rng() % consts.size()]; };
  for (int i = 0; i < (every ? 40 : 24); ++i) {
    const Var a = pick(), b = pick();
    switch (rng() % (every ? 24 : 12)) {
      case 0: v.push_back(a + b); break;
      case 1: v.push_back(a - b); break;
      case 2: v.push_back(c() * a); break;
      case 3: v.push_back(a / 4 + c()); break;
      case 4: v.push_back(-a + c() * b); break;
      case 5: v.push_back(relu(a)); break;
      case 6: v.push_back(abs(a - c())); break;
      case 7: v.push_back(max(a, b)); break;
      case 8: v.push_back(min({a, b, c()})); break;
      case 9:
        if (every) {
          const std::vector<Var> s = sort({a, b, pick(), c()});
          v.push_back(s[1]);
          v.push_back(s[3]);
        } else {
          v.push_back(sort({a, b, pick()})[1]);
        }
        break;
      case 10: {  // continuous (D3): both branches are 2t where a = b
        const Var t = pick();
        v.push_back(select(a >= b, a - b + 2 * t, 2 * t));
        break;
      }
      case 12: v.push_back(a / (abs(b) + 1)); break;
      case 13: v.push_back(exp(a / 8)); break;
      case 14: v.push_back(log(abs(a) + 1)); break;
      case 15: v.push_back(sqrt(abs(a) + 0.5)); break;
      case 16: v.push_back(softplus(a)); break;
      case 17: v.push_back(sigmoid(a)); break;
      case 18: v.push_back(tanh(a)); break;
      case 19: v.push_back(powi(a, rng() % 2 ? 2 : 3)); break;
      case 20: v.push_back(clamp(a, -1, rng() % 2 ? 3 : 0.5)); break;
      case 21: {
        const Var cs[] = {c(), 2, c()};
        const Var xs[] = {a, b, pick()};
        v.push_back(lin(c(), cs, xs));
        break;
      }
      case 22: {  // a sum wider than one node takes: split into a tree of nodes
        Var s = a;
        for (int t = 0; t < 300; ++t) s += (t % 2 ? a : b) * (t % 7 + 1);
        v.push_back(s);
        break;
      }
      case 23: v.push_back(exp(-a * a) * c() + constant("2/3")); break;
      default: v.push_back(i % 3 == 0 ? a * b : a + b); break;  // products rarely: bit sizes stay small
    }
  }
  return {v.back(), v[v.size() - 2], v[v.size() - (every ? 7 : 5)]};
}

}  // namespace selgrad::testing
