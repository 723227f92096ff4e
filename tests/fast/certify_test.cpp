// Certification of the double engine (fast/certify.hpp): decisions far from ties are certified,
// a near tie that rounding flips is caught, and the double gradient stays inside its rigorous
// 53-bit error bound on random programs with exp/log.
#include <random>

#include "program/program_text_gen.hpp"
#include "reference/fixtures.hpp"
#include "selgrad/fast/certify.hpp"

namespace selgrad::testing {
namespace {

TEST(Certify, DecisionsAwayFromTiesAreCertified) {
  const Program p = example("mlp.sgp");
  const std::vector<double> x = {0.1, 0.2};
  const fast::Certificate c = fast::certify(p, x);
  EXPECT_TRUE(c.all_certified());
  EXPECT_EQ(c.disagreements, 0u);
  EXPECT_TRUE(c.gradient_within_bound);
}

TEST(Certify, ExactTiesInDoubleAreCertifiedTies) {
  // relu at an exactly representable 0: the enclosure is [0, 0], so the tie itself is certified.
  const fast::Certificate c = fast::certify(example("relu2.sgp"), std::vector<double>{0.0});
  ASSERT_EQ(c.decisions.size(), 1u);
  EXPECT_TRUE(c.decisions[0].certified);
  EXPECT_TRUE(c.decisions[0].fast_tie);
  EXPECT_TRUE(c.decisions[0].agrees);
}

TEST(Certify, ANearTieFlippedByRoundingIsFlaggedAndDisagrees) {
  // c = 3x * 0.1 and d = 0.3x are equal in exact arithmetic (a tie: min takes c), but in double
  // 3 * 0.1 rounds above 0.3, so the double engine takes d.
  const Program p = parse_program("input x\na = mul x 3\nc = mul a 0.1\nd = mul x 0.3\ny = min c d\noutput y\n");
  const fast::Certificate c = fast::certify(p, std::vector<double>{1.0});
  ASSERT_EQ(c.decisions.size(), 1u);
  EXPECT_EQ(c.decisions[0].fast_piece, 1u);
  EXPECT_EQ(c.decisions[0].exact_piece, 0u);
  EXPECT_FALSE(c.decisions[0].certified);  // the enclosures of c and d overlap
  EXPECT_FALSE(c.decisions[0].agrees);
  EXPECT_EQ(c.disagreements, 1u);
  EXPECT_TRUE(c.gradient_within_bound);  // for the branch the double engine took
}

TEST(Certify, RandomExpLogProgramsStayWithinTheirErrorBound) {
  // The claim under test: every double value lies in its 53-bit enclosure (with 4 ulps of slack
  // for elementary functions), so the double Jacobian is within that enclosure of the exact
  // Jacobian of its own branches; and every disagreement with the exact decisions is at a
  // decision the certificate did not certify (a flagged near tie).
  std::mt19937_64 rng(424242);
  testgen::TextGenOptions gen;
  gen.max_statements = 12;
  std::size_t checked = 0, decisions = 0;
  for (int i = 0; i < 400 && checked < 150; ++i) {
    const Program p = parse_program(testgen::random_program_text(rng, gen));
    std::vector<double> x;
    for (std::size_t k = 0; k < p.p(); ++k) x.push_back(static_cast<double>(static_cast<int>(rng() % 41) - 20) / 8.0);
    fast::Certificate c;
    try {
      c = fast::certify(p, x);
    } catch (const Error&) {
      continue;  // a domain error at this point (in either engine): not what is tested here
    }
    if (c.underflow) continue;  // outside the certificate's error model (no subnormals in MPFR)
    ++checked;
    decisions += c.decisions.size();
    EXPECT_TRUE(c.gradient_within_bound) << print_program(p);
    for (const auto& d : c.decisions)
      if (!d.agrees) {
        EXPECT_FALSE(d.certified) << "a certified decision disagrees with the exact one\n" << print_program(p);
      }
    if (c.gradient_within_bound) {
      // Both Jacobians lie in the 53-bit enclosure; `error` measures to the far end of a 256-bit
      // enclosure of the exact one, so it may exceed error_bound by that enclosure's width.
      EXPECT_LE(c.error, c.error_bound + c.exact_width) << print_program(p);
    }
  }
  EXPECT_GT(checked, 100u);
  EXPECT_GT(decisions, 100u);
}

TEST(Certify, DecisionsDownstreamOfANearTieAreNotCertified) {
  // x = double(1/3) is just below 1/3, but the literal 1/3 rounds to the same double: the first
  // max is a near tie the double engine decides the wrong way. The second max then compares x
  // with itself in the double engine's representation ([x, x] - [x, x] = [0, 0]), which must not
  // count as certified: it depends on the uncertified decision upstream.
  const Program p = parse_program("input x1\nv2 = max x1 1/3\nv3 = max x1 v2\noutput v3\n");
  const fast::Certificate c = fast::certify(p, std::vector<double>{1.0 / 3.0});
  ASSERT_EQ(c.decisions.size(), 2u);
  EXPECT_EQ(c.certified, 0u);
  EXPECT_EQ(c.disagreements, 2u);
  for (const auto& d : c.decisions) EXPECT_FALSE(d.certified);
}

TEST(Certify, UnderflowIsReportedNotMisjudged) {
  // exp(-800) is about 1e-348: 0 in double, positive in MPFR. The certificate must say that its
  // error model does not apply rather than call the double result wrong or right.
  const Program p = parse_program("input x\ny = exp x\noutput y\n");
  const fast::Certificate c = fast::certify(p, std::vector<double>{-800.0});
  EXPECT_TRUE(c.underflow);
  const fast::Certificate normal = fast::certify(p, std::vector<double>{-7.0});
  EXPECT_FALSE(normal.underflow);
  EXPECT_TRUE(normal.gradient_within_bound);
}

}  // namespace
}  // namespace selgrad::testing
