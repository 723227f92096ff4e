// Tie rules in the double engine (see tie_rules.hpp).
#include "tie_rules.hpp"

#include <algorithm>
#include <vector>

#include "scalar_ops.hpp"
#include "selgrad/program/mutant.hpp"
#include "selgrad/program/op_rules.hpp"

namespace selgrad::fast::detail {
namespace {

/// A ruled node's operands at one lane, as the rules read them (rules/common.hpp).
struct LaneArgs {
  const double* U;
  std::size_t W, lane;
  const std::uint32_t* rows;
  std::size_t count;
  std::int64_t pw;
  Cmp c;
  std::size_t size() const { return count; }
  double operator[](std::size_t i) const { return U[std::size_t{rows[i]} * W + lane]; }
  std::int64_t power() const { return pw; }
  Cmp cmp() const { return c; }
};

/// Signs by comparison, as the kernels decide (a tie is equality of doubles).
struct LaneOracle {
  const LaneArgs& a;
  static Sign of(bool greater, bool less) { return greater ? Sign::Positive : (less ? Sign::Negative : Sign::Zero); }
  Sign sign(std::uint32_t i) const { return of(a[i] > 0.0, a[i] < 0.0); }
  Sign sign_diff(std::uint32_t i, std::uint32_t j) const { return of(a[i] > a[j], a[i] < a[j]); }
};

struct Sink {
  double* d;
  double& operator[](std::size_t i) const { return d[i]; }
};

}  // namespace

void apply_tie_rules(const Tape& t, double* U, std::size_t W, std::size_t lanes, std::uint32_t* piece) {
  std::vector<std::uint32_t> tied;
  std::vector<double> sum, one;
  for (std::size_t r = 0; r < t.ruled_nodes.size(); ++r) {
    const std::uint32_t k = t.ruled_nodes[r];
    const TieRule rule = t.ruled_rules[r];
    const Instr& in = t.code[k - t.p];
    const std::uint32_t* partial = t.partial.data() + in.first;
    // A partial row that is not a scratch row is the same for every piece: nothing to change.
    const auto scratch = [&](std::size_t e) { return partial[e] >= t.scratch_base && partial[e] < t.junk_row; };
    sum.assign(in.count, 0.0);
    one.assign(in.count, 0.0);
    rules::visit(in.op, [&](auto rule_type) {
      using R = decltype(rule_type);
      if constexpr (R::info.selection && R::info.op != Op::Sort && R::info.op != Op::Select) {
        for (std::size_t l = 0; l < lanes; ++l) {
          const LaneArgs a{U, W, l, t.operand.data() + in.first, in.count, in.power, in.cmp};
          LaneOracle o{a};
          const Choice c = R::decide(a, o);
          if (!c.tie) continue;
          tied = {c.piece};
          R::tied(a, c, o, tied);
          const double y = U[std::size_t{k} * W + l];
          if (rule.kind == TieRule::Kind::Weight) {
            if (rule.piece == c.piece || std::find(tied.begin(), tied.end(), rule.piece) == tied.end()) continue;
            const double w = U[(std::size_t{t.m} + rule.weight) * W + l];  // the literal's row
            Sink d{one.data()}, s{sum.data()};
            R::template partials<double>(a, rule.piece, y, d);
            R::template partials<double>(a, c.piece, y, s);
            for (std::size_t e = 0; e < in.count; ++e)
              if (scratch(e)) U[std::size_t{partial[e]} * W + l] = w * one[e] + (1.0 - w) * sum[e];
            continue;
          }
          if (rule.kind == TieRule::Kind::Piece) {
            if (std::find(tied.begin(), tied.end(), rule.piece) == tied.end()) continue;
            if (SELGRAD_MUTANT(66)) continue;  // mutant 66: Piece rules ignored
            Sink d{one.data()};
            R::template partials<double>(a, rule.piece, y, d);
            for (std::size_t e = 0; e < in.count; ++e)
              if (scratch(e)) U[std::size_t{partial[e]} * W + l] = one[e];
            if (piece) piece[std::size_t{in.selection} * W + l] = rule.piece;
            continue;
          }
          std::fill(sum.begin(), sum.end(), 0.0);
          for (std::uint32_t i : tied) {
            Sink d{one.data()};
            R::template partials<double>(a, i, y, d);
            for (std::size_t e = 0; e < in.count; ++e) sum[e] += one[e];
          }
          // Split: the mean; the sums are small integers (0/1 partials), exact in double, and the
          // division by the count rounds once (exact for 2 and 4 tied pieces).
          for (std::size_t e = 0; e < in.count; ++e)
            if (scratch(e)) U[std::size_t{partial[e]} * W + l] = sum[e] / static_cast<double>(tied.size());
        }
      }
    });
  }
}

}  // namespace selgrad::fast::detail
