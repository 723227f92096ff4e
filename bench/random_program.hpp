// Random programs built in code, for benchmarks.
//
// random_program(seed, options) builds a deep DAG: every node takes its node operands from the
// last `window` nodes, so the longest path grows with m / window. The default op mix is
// piecewise affine (add, sub, neg, lin with small dyadic coefficients, relu, abs, max, min,
// select, sort), whose exact values stay small: with dyadic inputs every value is dyadic and
// its bit size grows about linearly with depth. Node-times-node products (`mul_fraction`) make
// bit sizes grow exponentially with multiplicative depth, so a product is only formed when both
// factors have multiplicative depth below `max_mul_depth`; depth propagates through every op,
// so products stop once the whole window has reached it (with the defaults, after a few
// thousand nodes: 5% gives about 130 products in 1e4 nodes). `exp_log_fraction` adds exp of a
// clamped value (`exp (min (max a -2) 2)`) and log of a positive one (`log (add (abs a) 1)`).
//
// Every `select` is continuous by construction: `select CMP u v u v`, `select CMP u v v u`
// (max- or min-like, both branches equal at u = v) or `select CMP u v a a`.
//
// The generator is deterministic for a given seed on every platform (its own splitmix64, no
// standard distributions).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "selgrad/program/builder.hpp"
#include "selgrad/program/literal.hpp"
#include "selgrad/program/op.hpp"
#include "selgrad/program/program.hpp"

namespace selgrad::bench {

/// Relative weights of the piecewise-affine ops (need not sum to 1; 0 disables an op).
struct OpMix {
  double add = 3;
  double sub = 2;
  double neg = 1;
  double lin = 4;
  double relu = 2;
  double abs = 1;
  double max = 2;
  double min = 2;
  double select = 1;
  double sort = 1;
};

struct RandomProgramOptions {
  std::uint32_t inputs = 8;       ///< p
  std::uint32_t nodes = 100000;   ///< m, the p inputs included
  std::uint32_t outputs = 1;      ///< q, taken from the last nodes
  std::uint32_t window = 1000;    ///< node operands come from the last `window` nodes
  OpMix mix{};
  double mul_fraction = 0.0;      ///< share of steps that try a node-times-node product
  std::uint32_t max_mul_depth = 4;  ///< products only of factors with depth < this
  double exp_log_fraction = 0.0;  ///< share of steps that emit an exp or a log group (3 nodes)
};

/// splitmix64: small, fast, and the same sequence everywhere.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, n), n > 0 (modulo bias is negligible for the small n used here).
  std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(next() % n); }
  /// Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  std::uint64_t s_;
};

namespace detail {

class RandomProgramBuilder {
 public:
  RandomProgramBuilder(std::uint64_t seed, const RandomProgramOptions& o) : rng_(seed), o_(o) {}

  Program build() {
    if (o_.inputs == 0 || o_.outputs == 0 || o_.nodes < o_.inputs + o_.outputs || o_.window == 0)
      throw std::invalid_argument("random_program: need p > 0, q > 0, window > 0, m >= p + q");
    mul_depth_.reserve(o_.nodes);
    for (std::uint32_t i = 0; i < o_.inputs; ++i) {
      b_.input("x" + std::to_string(i));
      mul_depth_.push_back(0);
    }
    while (size() < o_.nodes) step();
    for (std::uint32_t r = o_.outputs; r > 0; --r) b_.output(Arg::node(size() - r));
    return b_.build();
  }

 private:
  std::uint32_t size() const { return static_cast<std::uint32_t>(b_.size()); }
  std::uint32_t room() const { return o_.nodes - size(); }

  /// A node operand among the last `window` nodes.
  std::uint32_t pick() {
    const std::uint32_t k = size();
    return k - 1 - rng_.below(std::min(o_.window, k));
  }
  /// `count` operands, distinct when the window allows it.
  std::vector<std::uint32_t> pick_distinct(std::uint32_t count) {
    std::vector<std::uint32_t> out;
    const std::uint32_t avail = std::min(o_.window, size());
    while (out.size() < count) {
      const std::uint32_t c = pick();
      if (avail >= count && std::find(out.begin(), out.end(), c) != out.end()) continue;
      out.push_back(c);
    }
    return out;
  }

  Arg lit(const std::string& text) { return b_.literal(text); }

  std::uint32_t depth_of(const std::vector<Arg>& args) const {
    std::uint32_t d = 0;
    for (Arg a : args)
      if (a.is_node()) d = std::max(d, mul_depth_[a.index]);
    return d;
  }

  std::uint32_t emit(Op op, std::vector<Arg> args, Cmp cmp = Cmp::Lt) {
    const std::uint32_t d = depth_of(args) + (op == Op::Mul ? 1u : 0u);
    const std::string name = "n" + std::to_string(size());
    const Arg a = op == Op::Select ? b_.select(name, cmp, args[0], args[1], args[2], args[3])
                                   : b_.node(name, op, std::move(args));
    mul_depth_.push_back(d);
    return a.index;
  }

  static std::vector<Arg> as_args(const std::vector<std::uint32_t>& idx) {
    std::vector<Arg> a;
    for (auto i : idx) a.push_back(Arg::node(i));
    return a;
  }

  void step() {
    const double r = rng_.unit();
    if (r < o_.exp_log_fraction && room() >= 3) {
      const Arg a = Arg::node(pick());
      if (rng_.below(2) == 0) {  // exp of a value clamped to [-2, 2]
        const auto hi = emit(Op::Max, {a, lit("-2")});
        const auto lo = emit(Op::Min, {Arg::node(hi), lit("2")});
        emit(Op::Exp, {Arg::node(lo)});
      } else {  // log of 1 + |a| > 0
        const auto ab = emit(Op::Abs, {a});
        const auto pos = emit(Op::Add, {Arg::node(ab), lit("1")});
        emit(Op::Log, {Arg::node(pos)});
      }
      return;
    }
    if (r < o_.exp_log_fraction + o_.mul_fraction && try_mul()) return;
    affine_step();
  }

  bool try_mul() {
    for (int attempt = 0; attempt < 8; ++attempt) {
      const auto ab = pick_distinct(2);
      if (mul_depth_[ab[0]] < o_.max_mul_depth && mul_depth_[ab[1]] < o_.max_mul_depth) {
        emit(Op::Mul, as_args(ab));
        return true;
      }
    }
    return false;
  }

  void affine_step() {
    static const char* const kOffsets[] = {"0", "0", "1/8", "-1/4", "1/2", "-1"};
    static const char* const kCoefficients[] = {"1/2", "-1/2", "3/4", "-3/4", "1/4", "2", "-2", "-1"};
    const OpMix& w = o_.mix;
    const double weights[] = {w.add, w.sub, w.neg, w.lin, w.relu, w.abs, w.max, w.min, w.select, w.sort};
    double total = 0;
    for (double x : weights) total += x;
    if (!(total > 0)) throw std::invalid_argument("random_program: empty op mix");
    double at = rng_.unit() * total;
    int choice = 0;
    while (choice < 9 && (at -= weights[choice]) >= 0) ++choice;
    while (weights[choice] <= 0) --choice;  // rounding at the end of the table

    switch (choice) {
      case 0: emit(Op::Add, as_args(pick_distinct(2 + rng_.below(2)))); return;
      case 1: emit(Op::Sub, as_args(pick_distinct(2))); return;
      case 2: emit(Op::Neg, {Arg::node(pick())}); return;
      case 3: {
        std::vector<Arg> args{lit(kOffsets[rng_.below(6)])};
        const auto terms = pick_distinct(1 + rng_.below(2));
        for (auto t : terms) {
          args.push_back(lit(kCoefficients[rng_.below(8)]));
          args.push_back(Arg::node(t));
        }
        emit(Op::Lin, std::move(args));
        return;
      }
      case 4: emit(Op::Relu, {Arg::node(pick())}); return;
      case 5: emit(Op::Abs, {Arg::node(pick())}); return;
      case 6: emit(Op::Max, as_args(pick_distinct(2 + rng_.below(2)))); return;
      case 7: emit(Op::Min, as_args(pick_distinct(2 + rng_.below(2)))); return;
      case 8: {
        const auto uv = pick_distinct(2);
        const Arg u = Arg::node(uv[0]), v = Arg::node(uv[1]);
        const Cmp cmp = static_cast<Cmp>(rng_.below(4));
        switch (rng_.below(3)) {
          case 0: emit(Op::Select, {u, v, u, v}, cmp); return;
          case 1: emit(Op::Select, {u, v, v, u}, cmp); return;
          default: {
            const Arg a = Arg::node(pick());
            emit(Op::Select, {u, v, a, a}, cmp);
            return;
          }
        }
      }
      default: {
        const std::uint32_t k = 2 + rng_.below(2);
        if (room() < k) {  // no room for the group: a relu instead
          emit(Op::Relu, {Arg::node(pick())});
          return;
        }
        const auto args = as_args(pick_distinct(k));
        std::vector<std::string> names;
        for (std::uint32_t r = 0; r < k; ++r) names.push_back("n" + std::to_string(size() + r));
        b_.sort(std::move(names), args);
        mul_depth_.insert(mul_depth_.end(), k, depth_of(args));
        return;
      }
    }
  }

  SplitMix64 rng_;
  RandomProgramOptions o_;
  ProgramBuilder b_;
  std::vector<std::uint32_t> mul_depth_;
};

}  // namespace detail

/// A random program (see the file comment). Throws std::invalid_argument on bad options and
/// Error(ErrorKind::Program) if the result fails selgrad::validate (a generator bug).
inline Program random_program(std::uint64_t seed, const RandomProgramOptions& options = {}) {
  return detail::RandomProgramBuilder(seed, options).build();
}

/// A dyadic point of p coordinates k/8 with k in [-16, 16].
inline std::vector<Literal> dyadic_point(std::uint64_t seed, std::size_t p) {
  SplitMix64 rng(seed ^ 0x5eed5eed5eed5eedULL);
  std::vector<Literal> x;
  for (std::size_t i = 0; i < p; ++i) {
    const int k = static_cast<int>(rng.below(33)) - 16;
    x.push_back(*parse_literal(std::to_string(k) + "/8"));
  }
  return x;
}

}  // namespace selgrad::bench
