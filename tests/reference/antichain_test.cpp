// H1 (the hull of the tie closure when ties do not nest) and the closure's bounds: the antichain
// LP against full enumeration on random programs, nesting detection and fallback, and closures
// far past the combination cap (20-way sorts, 20 to 50000 relus) answered or refused up front.
#include <algorithm>
#include <cstdlib>
#include <random>
#include <string>

#include "fixtures.hpp"
#include "selgrad/program/builder.hpp"
#include "selgrad/reference/convex_hull.hpp"

namespace selgrad::testing {
namespace {

using reference::ClosureRequest;
using reference::HullMethod;
using reference::tie_closure;

ClosureRequest with_hull(ClosureRequest::Hull h) {
  ClosureRequest r;
  r.hull = h;
  return r;
}

ClosureRequest past_the_cap() {
  ClosureRequest r;
  r.allow_incomplete = true;
  return r;
}

/// A random program whose ties do not nest, at the point 0: inputs x_1..x_p; every tied node
/// (relu, abs, max, min, select, or a sort run) reads affine forms of the inputs that vanish
/// at 0; the output is a random exact combination of the tied nodes plus a linear skip term.
struct RandomTies {
  std::mt19937_64 rng;
  explicit RandomTies(std::uint64_t seed) : rng(seed) {}

  std::string weight(bool nonzero) {
    std::uniform_int_distribution<long> num(-4, 4), den(1, 3);
    long n = num(rng);
    while (nonzero && n == 0) n = num(rng);
    return std::to_string(n) + "/" + std::to_string(den(rng));
  }

  Program program() {
    ProgramBuilder b;
    const int np = 1 + static_cast<int>(rng() % 3);
    std::vector<Arg> x;
    for (int i = 0; i < np; ++i) x.push_back(b.input());
    // An affine form c0 + sum w_i x_i; with c0 = 0 it vanishes at the point 0.
    auto form = [&](const char* c0) {
      std::vector<Arg> args{b.literal(c0)};
      for (Arg xi : x) {
        args.push_back(b.literal(weight(false)));
        args.push_back(xi);
      }
      return b.node("", Op::Lin, args);
    };
    std::vector<Arg> tied;
    const int units = 1 + static_cast<int>(rng() % 4);
    for (int u = 0; u < units; ++u) {
      switch (rng() % 6) {
        case 0: tied.push_back(b.node("", Op::Relu, {form("0")})); break;
        case 1: tied.push_back(b.node("", Op::Abs, {form("0")})); break;
        case 2: tied.push_back(b.node("", Op::Max, {form("0"), form("0"), form(rng() % 2 ? "0" : "-1")})); break;
        case 3: tied.push_back(b.node("", Op::Min, {form("0"), form("1"), form("0")})); break;
        case 4: tied.push_back(b.select("", rng() % 2 ? Cmp::Le : Cmp::Gt, form("0"), b.literal(0), form("0"), form("0"))); break;
        default: {
          std::vector<Arg> args{form("0"), form("0"), form(rng() % 2 ? "0" : "2")};
          if (rng() % 2) args.push_back(form("0"));
          for (Arg r : b.sort({}, args)) tied.push_back(r);
        }
      }
    }
    std::vector<Arg> out{b.literal(0)};
    for (Arg t : tied) {
      out.push_back(b.literal(weight(true)));
      out.push_back(t);
    }
    for (Arg xi : x) {  // the skip term decides how far the hull sits from 0
      out.push_back(b.literal(weight(false)));
      out.push_back(xi);
    }
    b.output(b.node("y", Op::Lin, out));
    return b.build();
  }
};

std::vector<Rational> zeros(const Program& p) { return std::vector<Rational>(p.p(), Rational(0)); }

TEST(H1AntichainLp, AgreesWithFullEnumerationAndTheHullOnRandomAntichainPrograms) {
  RandomTies gen(20261207);
  int answers[2] = {0, 0};
  for (int trial = 0; trial < 200; ++trial) {
    const Program p = gen.program();
    const auto x = zeros(p);
    const auto h1 = tie_closure(p, x, {}, with_hull(ClosureRequest::Hull::Antichain));
    const auto en = tie_closure(p, x, {}, with_hull(ClosureRequest::Hull::Enumeration));
    ASSERT_FALSE(h1.nesting.has_value()) << "trial " << trial;
    ASSERT_EQ(h1.hull_method, HullMethod::Antichain);
    ASSERT_EQ(en.hull_method, HullMethod::Enumeration);
    ASSERT_EQ(en.enumerated, en.combinations);
    ASSERT_EQ(*h1.zero_in_hull, *en.zero_in_hull) << "trial " << trial;
    // The primal LP over the same Jacobians gives the same answer (a third, independent check;
    // its dense LP is quadratic in the number of points, so only on the smaller closures).
    if (en.jacobians.size() <= 64) {
      std::vector<std::vector<Rational>> grads;
      for (const auto& j : en.jacobians) grads.push_back(j[0]);
      ASSERT_EQ(*en.zero_in_hull, reference::zero_in_convex_hull_primal(grads)) << "trial " << trial;
    }
    ++answers[*h1.zero_in_hull ? 1 : 0];
  }
  EXPECT_GT(answers[0], 40);
  EXPECT_GT(answers[1], 40);
}

TEST(H1AntichainLp, AutoTakesTheAntichainLpWhenTiesDoNotNest) {
  const Program p = parse_program("input a b\nr = relu a\ns = abs b\ny = add r s a\noutput y\n");
  const auto c = tie_closure(p, point({"0", "0"}));
  EXPECT_EQ(c.hull_method, HullMethod::Antichain);
  EXPECT_FALSE(c.nesting.has_value());
  EXPECT_TRUE(c.complete);
  EXPECT_EQ(c.jacobians.size(), 6u);  // (1 + {0, 1}) x {-1, 0, 1}
  EXPECT_FALSE(*c.zero_in_hull);      // the hull [1, 2] x [-1, 1] misses 0
}

TEST(H1AntichainLp, NestedTiesAreDetectedAndFallBackToEnumeration) {
  // r feeds s, both tied at 0, on the path a -> r -> s -> y.
  const Program p = parse_program("input a b\nr = relu a\nu = sub r b\ns = relu u\ny = add s a\noutput y\n");
  const auto c = tie_closure(p, point({"0", "0"}));
  ASSERT_TRUE(c.nesting.has_value());
  EXPECT_EQ(p.nodes[c.nesting->first].name, "r");
  EXPECT_EQ(p.nodes[c.nesting->second].name, "s");
  EXPECT_EQ(c.hull_method, HullMethod::Enumeration);
  EXPECT_EQ(c.enumerated, 4u);
  // J = (1 + s'(r' , ...)): s' r' for a, -s' for b: {(1,0), (1,-1), (1,0), (2,-1)}: 0 outside.
  EXPECT_FALSE(*c.zero_in_hull);
  try {
    tie_closure(p, point({"0", "0"}), {}, with_hull(ClosureRequest::Hull::Antichain));
    FAIL() << "expected an Unsupported error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
    EXPECT_NE(e.reason().find("tied node r feeds tied node s"), std::string::npos) << e.what();
  }
}

TEST(H1AntichainLp, TiesOffEveryInputOutputPathDoNotNest) {
  // c is tied but reads no input; d is tied but feeds no output: neither nests with r.
  const Program p = parse_program(
      "input a\nc = relu 0\nk = add c a\nr = relu k\nd = relu r\ny = add r a\nz = add d 0\noutput y\n");
  const auto c = tie_closure(p, point({"0"}));
  EXPECT_FALSE(c.nesting.has_value());
  EXPECT_EQ(c.hull_method, HullMethod::Antichain);
  EXPECT_EQ(c.tied_nodes.size(), 3u);
  EXPECT_FALSE(*c.zero_in_hull);  // 1 + [0, 1]
}

TEST(H1AntichainLp, MultipleOutputsHaveNoHullQuestion) {
  const Program p = parse_program("input a\nr = relu a\ns = abs a\noutput r s\n");
  const auto c = tie_closure(p, point({"0"}));
  EXPECT_EQ(c.hull_method, HullMethod::None);
  EXPECT_FALSE(c.zero_in_hull.has_value());
  EXPECT_EQ(c.jacobians.size(), 6u);
}

/// y = w2 . relu(W1 x) + c . x with integer weights and zero biases, at x = 0 where every unit
/// ties. yes: c = -w2_j W1[j] (the combination with unit j alone active gives exactly 0); no:
/// c = (M, ..., M) with M = 1 + sum_j |w2_j| max_i |W1[j][i]| (every gradient has all
/// coordinates >= 1).
Program relu_network(int n_in, int n_hidden, bool yes) {
  std::mt19937_64 rng(99);
  std::uniform_int_distribution<int> w(-3, 3);
  std::vector<std::vector<int>> w1(static_cast<std::size_t>(n_hidden), std::vector<int>(static_cast<std::size_t>(n_in)));
  std::vector<int> w2(static_cast<std::size_t>(n_hidden));
  long bound = 1;
  for (std::size_t j = 0; j < w1.size(); ++j) {
    int row_max = 0;
    for (auto& v : w1[j]) {
      v = w(rng);
      row_max = std::max(row_max, std::abs(v));
    }
    do w2[j] = w(rng);
    while (w2[j] == 0);
    bound += static_cast<long>(std::abs(w2[j])) * row_max;
  }
  ProgramBuilder b;
  std::vector<Arg> x;
  for (int i = 0; i < n_in; ++i) x.push_back(b.input());
  std::vector<Arg> out{b.literal(0)};
  for (std::size_t j = 0; j < w1.size(); ++j) {
    std::vector<Arg> h{b.literal(0)};
    for (std::size_t i = 0; i < x.size(); ++i) {
      h.push_back(b.literal(static_cast<std::int64_t>(w1[j][i])));
      h.push_back(x[i]);
    }
    out.push_back(b.literal(static_cast<std::int64_t>(w2[j])));
    out.push_back(b.node("", Op::Relu, {b.node("", Op::Lin, h)}));
  }
  for (std::size_t i = 0; i < x.size(); ++i) {
    out.push_back(b.literal(yes ? -static_cast<std::int64_t>(w2[3]) * w1[3][i] : static_cast<std::int64_t>(bound)));
    out.push_back(x[i]);
  }
  b.output(b.node("y", Op::Lin, out));
  return b.build();
}

TEST(H1AntichainLp, ReluNetworkWithEveryUnitTiedIsDecidedBothWays) {
  // 128 tied relus: 2^128 combinations, one LP with 128 bounded columns and 16 rows.
  for (bool yes : {true, false}) {
    const Program p = relu_network(16, 128, yes);
    const auto c = tie_closure(p, std::vector<Rational>(16, Rational(0)), {}, past_the_cap());
    EXPECT_EQ(c.tied_nodes.size(), 128u);
    EXPECT_EQ(c.combinations_text, "2^128");
    EXPECT_EQ(c.hull_method, HullMethod::Antichain);
    EXPECT_EQ(*c.zero_in_hull, yes);
  }
}

// ---- Past the cap ---------------------------------------------------------------------------

/// y = relu(x1) + ... + relu(xk) + s (x1 + ... + xk).
Program relu_sum(int k, const char* s) {
  std::string text = "input";
  for (int i = 0; i < k; ++i) text += " x" + std::to_string(i);
  text += "\n";
  std::string y = "y = lin 0";
  for (int i = 0; i < k; ++i) {
    text += "r" + std::to_string(i) + " = relu x" + std::to_string(i) + "\n";
    y += " 1 r" + std::to_string(i) + " " + s + " x" + std::to_string(i);
  }
  return parse_program(text + y + "\noutput y\n");
}

TEST(TieClosureBounds, TwentyReluSumIsDecidedByH1PastTheCap) {
  // 2^20 combinations; gradients s + {0, 1}^20.
  const Program plus = relu_sum(20, "1"), centred = relu_sum(20, "-1/2");
  const auto x = std::vector<Rational>(20, Rational(0));
  const auto a = tie_closure(plus, x, {}, past_the_cap());
  EXPECT_EQ(a.combinations, std::size_t{1} << 20);
  EXPECT_EQ(a.hull_method, HullMethod::Antichain);
  EXPECT_FALSE(a.complete);
  EXPECT_EQ(a.jacobians.size(), 1u);
  EXPECT_EQ(a.jacobians.front(), a.at_point.jacobian);
  EXPECT_FALSE(*a.zero_in_hull);  // every coordinate is at least 1
  EXPECT_TRUE(*tie_closure(centred, x, {}, past_the_cap()).zero_in_hull);  // [-1/2, 1/2]^20
  try {
    tie_closure(plus, x);  // the default request wants every Jacobian
    FAIL() << "expected a Resource error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Resource);
    EXPECT_NE(e.reason().find("1048576 branch combinations over 20 tied nodes"), std::string::npos) << e.what();
  }
}

/// x1..xk, y1..yk = sort x1..xk, out = lin 0 w1 y1 ... wk yk c1 x1 ... ck xk.
Program weighted_sort(int k, const std::vector<std::string>& c) {
  std::string text = "input", names, args, y = "out = lin 0";
  for (int i = 0; i < k; ++i) {
    text += " x" + std::to_string(i);
    names += " y" + std::to_string(i);
    args += " x" + std::to_string(i);
    y += " " + std::to_string(k - i) + " y" + std::to_string(i);
  }
  for (int i = 0; i < k; ++i) y += " " + c[static_cast<std::size_t>(i)] + " x" + std::to_string(i);
  return parse_program(text + "\n" + names.substr(1) + " = sort" + args + "\n" + y + "\noutput out\n");
}

TEST(TieClosureBounds, TwentyWaySortOfATiedValueIsDecidedByItsBirkhoffPolytope) {
  // All 20 values tie at 0: 20! combinations. The gradient is c + P^T w with w = (20, ..., 1),
  // so the hull is c + the permutohedron of w: it contains 0 iff -c is majorised by w.
  const int k = 20;
  const auto x = std::vector<Rational>(k, Rational(0));
  std::vector<std::string> centre(k, "-21/2"), vertex, outside;
  for (int i = 0; i < k; ++i) vertex.push_back(std::to_string(-(i + 1)));  // -c = a permutation of w
  outside = vertex;
  outside[19] = "-20001/1000";  // -c = (1, ..., 19, 20 + 1/1000 ...) with the sum kept:
  outside[0] = "-999/1000";     // the largest entry exceeds w's largest: not majorised
  const auto in1 = tie_closure(weighted_sort(k, centre), x, {}, past_the_cap());
  EXPECT_EQ(in1.combinations, std::size_t{2432902008176640000ULL});
  EXPECT_EQ(in1.hull_method, HullMethod::Antichain);
  EXPECT_TRUE(*in1.zero_in_hull);
  EXPECT_TRUE(*tie_closure(weighted_sort(k, vertex), x, {}, past_the_cap()).zero_in_hull);
  EXPECT_FALSE(*tie_closure(weighted_sort(k, outside), x, {}, past_the_cap()).zero_in_hull);
}

TEST(TieClosureBounds, TwentyWaySortWithTwentyOutputsIsRefusedBeforeEnumerating) {
  std::string text = "input t\n", names, args;
  for (int i = 0; i < 20; ++i) {
    names += " y" + std::to_string(i);
    args += " t";
  }
  const Program p = parse_program(text + names.substr(1) + " = sort" + args + "\noutput" + names + "\n");
  try {
    tie_closure(p, point({"0"}), {}, past_the_cap());  // 20 outputs: no hull, so no H1 answer
    FAIL() << "expected a Resource error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Resource);
    EXPECT_NE(e.reason().find("2432902008176640000 branch combinations over 20 tied nodes"), std::string::npos)
        << e.what();
    EXPECT_NE(e.reason().find("--closure-cap N"), std::string::npos) << e.what();
  }
}

TEST(TieClosureBounds, HugeClosureRefusalGivesTheCountInLogFormAndNamesTheCapOption) {
  std::string text = "input t\n", sum = "y = add";
  for (int i = 0; i < 50000; ++i) {
    text += "r" + std::to_string(i) + " = relu t\n";
    sum += " r" + std::to_string(i);
  }
  const Program p = parse_program(text + sum + "\noutput y\n");
  try {
    tie_closure(p, point({"0"}));
    FAIL() << "expected a Resource error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Resource);
    EXPECT_NE(e.reason().find("2^50000 branch combinations over 50000 tied nodes (r0, r1, r2, r3, ... and 49996 more)"),
              std::string::npos)
        << e.what();
    EXPECT_NE(e.reason().find("above the cap of 65536"), std::string::npos) << e.what();
    EXPECT_NE(e.reason().find("Options::max_closure_combinations; --closure-cap N"), std::string::npos) << e.what();
    EXPECT_EQ(e.where().node, "r0");
  }
  // Past the cap, H1 still answers: the derivative is sum of r_i' in [0, 50000].
  EXPECT_TRUE(*tie_closure(p, point({"0"}), {}, past_the_cap()).zero_in_hull);
}

TEST(TieClosureBounds, CountsThatAreNotPowersOfTwoAreGivenApproximately) {
  // 21 equal values in one sort: 21! (about 2^65.5) combinations, beyond 64 bits.
  std::string names, args;
  for (int i = 0; i < 21; ++i) {
    names += " y" + std::to_string(i);
    args += " t";
  }
  const Program p = parse_program("input t\n" + names.substr(1) + " = sort" + args + "\noutput" + names + "\n");
  try {
    tie_closure(p, point({"0"}));
    FAIL() << "expected a Resource error";
  } catch (const Error& e) {
    EXPECT_NE(e.reason().find("about 2^65.5 branch combinations"), std::string::npos) << e.what();
  }
}

TEST(TieClosureBounds, NestedTiesPastTheCapAreRefusedWithTheReason) {
  // 17 relus of t, summed, then one more relu of (sum - 17 t) at 0: the ties nest.
  std::string text = "input t\n", sum = "s = add";
  for (int i = 0; i < 17; ++i) {
    text += "r" + std::to_string(i) + " = relu t\n";
    sum += " r" + std::to_string(i);
  }
  const Program p = parse_program(text + sum + "\nu = lin 0 1 s -1 t\ny = relu u\noutput y\n");
  try {
    tie_closure(p, point({"0"}), {}, past_the_cap());
    FAIL() << "expected a Resource error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Resource);
    EXPECT_NE(e.reason().find("because the ties nest (tied node r0 feeds tied node y)"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace selgrad::testing
