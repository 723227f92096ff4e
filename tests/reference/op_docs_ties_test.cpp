// Every tie the op table documents (a rule's `tie_examples`, behind the "derivative at the tie"
// column of docs/program-format.md) evaluated through the rule in exact rationals: the decision
// is a tie, and the local selection gradient is the documented one. A rule whose tie rule drifts
// from its documentation fails here (Stan's fmax documented one tie rule and coded the other).
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "selgrad/program/op_rules.hpp"
#include "selgrad/reference/scalars.hpp"

namespace selgrad {
namespace {

using reference::Rational;

std::vector<std::string> words(std::string_view s) {
  std::istringstream in{std::string(s)};
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

Rational rational(const std::string& text) { return reference::to_rational(*parse_literal(text)); }

struct ExactSigns {
  const std::vector<Rational>& v;
  Sign sign(std::uint32_t i) const { return v[i] > 0 ? Sign::Positive : (v[i] < 0 ? Sign::Negative : Sign::Zero); }
  Sign sign_diff(std::uint32_t i, std::uint32_t j) const {
    return v[i] > v[j] ? Sign::Positive : (v[i] < v[j] ? Sign::Negative : Sign::Zero);
  }
};

/// The local gradient (all ranks' rows for sort) the rule gives at the example's arguments.
template <class R>
std::vector<Rational> derivative_at(const TieExample& ex, bool& tie) {
  auto w = words(ex.at);
  Node n;
  n.op = R::info.op;
  if constexpr (R::info.op == Op::Select) {
    n.cmp = *cmp_by_name(w.front());
    w.erase(w.begin());
  }
  std::vector<Rational> v;
  for (const auto& x : w) v.push_back(rational(x));
  n.args.resize(v.size());
  std::vector<const Rational*> ptr;
  for (const auto& x : v) ptr.push_back(&x);
  ExactSigns signs{v};
  std::vector<Rational> out;
  std::vector<Rational> d(v.size());
  if constexpr (R::info.op == Op::Sort) {
    std::vector<std::uint32_t> order;
    std::vector<bool> same;
    R::order(static_cast<std::uint32_t>(v.size()), signs, order, same);
    tie = false;
    for (std::uint32_t r = 0; r < v.size(); ++r) {
      tie |= R::rank_tied(same, r);
      op_partials<Rational>(n, order[r], ptr, Rational(v[order[r]]), d);
      out.insert(out.end(), d.begin(), d.end());
    }
  } else {
    const Choice c = choose_piece(n, signs);
    tie = c.tie;
    const Rational y = op_value<Rational>(n, c.piece, ptr);
    op_partials<Rational>(n, c.piece, ptr, y, d);
    out = d;
  }
  return out;
}

TEST(OpDocs, EveryDocumentedTieDerivativeIsTheRulesDerivative) {
  std::size_t checked = 0;
  for (std::size_t i = 0; i < kOpCount; ++i) {
    rules::visit(static_cast<Op>(i), [&](auto r) {
      using R = decltype(r);
      if constexpr (R::info.selection) {
        ASSERT_GT(std::size(R::tie_examples), 0u) << R::info.name << " documents no tie";
        for (const TieExample& ex : R::tie_examples) {
          bool tie = false;
          const auto d = derivative_at<R>(ex, tie);
          std::vector<Rational> want;
          for (const auto& x : words(ex.derivative)) want.push_back(rational(x));
          EXPECT_TRUE(tie) << R::info.name << " at " << ex.at << " is documented as a tie";
          EXPECT_EQ(d, want) << R::info.name << " at " << ex.at;
          ++checked;
        }
      }
    });
  }
  EXPECT_GE(checked, 7u);
}

}  // namespace
}  // namespace selgrad
