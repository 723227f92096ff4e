// The golden table (tests/golden/op_ties.hpp) in the reference engine: every row exactly, in
// both modes, and in certified MPFR; the transcendental ops at rational points, enclosed.
#include "fixtures.hpp"
#include "golden/op_ties.hpp"

namespace selgrad::testing {
namespace {

using reference::evaluate_exact;
using reference::evaluate_real;

std::vector<Rational> rationals(const std::vector<const char*>& xs) {
  std::vector<Rational> v;
  for (const char* x : xs) v.push_back(q(x));
  return v;
}

reference::Matrix<Rational> rationals(const std::vector<std::vector<const char*>>& rows) {
  reference::Matrix<Rational> m;
  for (const auto& r : rows) m.push_back(rationals(r));
  return m;
}

void check_exact_and_mpfr(const golden::Row& g) {
  SCOPED_TRACE(golden::text_of(g));
  const Program p = parse_program(golden::text_of(g));
  const auto at = rationals(g.at), value = rationals(g.value);
  const auto jacobian = rationals(g.jacobian);
  const auto r = exact_both_modes(p, at);
  EXPECT_EQ(r.outputs, value);
  EXPECT_EQ(r.jacobian, jacobian);
  EXPECT_EQ(r.branches.tie_count() > 0, g.tie);
  // The MPFR instance takes the same branches, certified, and encloses the exact results.
  for (auto mode : {reference::Mode::Backward, reference::Mode::Forward}) {
    reference::Options o;
    o.mode = mode;
    const auto m = evaluate_real(p, at, o);
    EXPECT_TRUE(m.branches.all_certified());
    ASSERT_EQ(m.branches.decisions.size(), r.branches.decisions.size());
    for (std::size_t i = 0; i < r.branches.decisions.size(); ++i)
      EXPECT_EQ(m.branches.decisions[i].choice, r.branches.decisions[i].choice);
    for (std::size_t i = 0; i < value.size(); ++i) {
      EXPECT_TRUE(encloses(m.output_enclosures[i], value[i]));
      for (std::size_t j = 0; j < at.size(); ++j) {
        EXPECT_TRUE(encloses(m.jacobian_enclosures[i][j], jacobian[i][j]));
        // Dyadic inputs and small literals: the MPFR point values are exact here.
        EXPECT_EQ(m.jacobian[i][j].to_rational(), jacobian[i][j]);
      }
    }
  }
}

TEST(OpGolden, EveryRowOfTheGoldenTableExactlyAndInMpfr) {
  for (const auto& row : golden::op_ties()) check_exact_and_mpfr(row);
}

TEST(OpGolden, EveryOpHasGoldenRowsAndEverySelectionItsTieAndBothSides) {
  for (const OpInfo& info : kOpTable) {
    if (info.op == Op::Input || info.op == Op::Softplus) continue;  // softplus: see below
    std::size_t rows = 0, ties = 0, off_tie = 0;
    for (const auto* table : {&golden::op_ties(), &golden::transcendental_points()})
      for (const auto& r : *table)
        if (r.op == info.op) {
          ++rows;
          (r.tie ? ties : off_tie) += 1;
        }
    EXPECT_GT(rows, 0u) << info.name << " has no golden row";
    if (info.selection) {
      EXPECT_GT(ties, 0u) << info.name << " has no golden row at a tie";
      EXPECT_GE(off_tie, 2u) << info.name << " needs a golden row on each side of its kink";
    }
  }
}

/// Transcendental ops: no exact instance, so check the certified enclosures against known
/// closed forms at points where value and derivative are rational.
TEST(OpGolden, TranscendentalOpsAreEnclosedAtRationalPoints) {
  struct Case {
    const char* body;
    const char* at;
    const char* value;
    const char* slope;
  };
  std::vector<Case> cases;
  for (const auto& r : golden::transcendental_points())
    cases.push_back({r.body, r.at[0], r.value[0], r.jacobian[0][0]});
  cases.push_back({"y = softplus t", "-1000000", "0", "0"});
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    const Program p = parse_program(std::string("input t\n") + c.body + "\noutput y\n");
    const auto r = evaluate_real(p, {q(c.at)});
    if (std::string(c.at) == "-1000000") {
      // softplus(-1e6) = log1p(e^-1e6) and its slope sigmoid(-1e6) are in (0, e^-1e6]: positive
      // and far below 2^-1000000.
      EXPECT_EQ(r.output_enclosures[0].certified_sign(), Sign::Positive);
      EXPECT_LT(r.outputs[0].to_rational(), Rational(1) / ScalarOps<Rational>::powi(Rational(2), 1000));
      continue;
    }
    EXPECT_TRUE(encloses(r.output_enclosures[0], q(c.value)));
    EXPECT_TRUE(encloses(r.jacobian_enclosures[0][0], q(c.slope)));
    EXPECT_LT(r.jacobian_enclosures[0][0].width(), 1e-70);  // 256 bits: a few ulps of 2^-256
  }
  // softplus(0) = log 2, softplus'(0) = 1/2.
  const auto sp = evaluate_real(parse_program("input t\ny = softplus t\noutput y\n"), {q("0")});
  EXPECT_TRUE(encloses(sp.jacobian_enclosures[0][0], q("1/2")));
  EXPECT_EQ(sp.outputs[0].to_string().substr(0, 20), "6.931471805599453094");
}

}  // namespace
}  // namespace selgrad::testing
