// INV (inverse rule): for F : R^n -> R^n with selection Jacobian M at x, M^{-1} is a Jacobian of
// F^{-1} at F(x). Checked on random invertible piecewise-affine maps whose inverse is known in
// closed form, built as programs:
//   F = L_K o S_K o ... o L_1 o S_1 o L_0,   F^{-1} = L_0^{-1} o S_1^{-1} o ... o S_K^{-1} o L_K^{-1},
// n <= 3, K <= 2, L_i(z) = P_i z + c_i with P_i a random invertible rational matrix (entries
// n/d, |n| <= 3, d <= 3), and S_i coordinatewise increasing continuous piecewise-affine maps,
// each coordinate one of (slopes alpha, gamma > 0, kink at b, value k there):
//   relu:   g(t) = alpha t + (gamma - alpha) relu(t - b),
//           g^{-1}(s) = s / alpha + (1/gamma - 1/alpha) relu(s - alpha b);
//   max:    g(t) = max(alpha (t - b) + k, gamma (t - b) + k),
//           g^{-1}(s) = min((s - k) / alpha + b, (s - k) / gamma + b);
//   min:    the same with min and max exchanged;
//   select: g(t) = select CMP t b (alpha (t - b) + k) (gamma (t - b) + k),
//           g^{-1}(s) = select CMP s k ((s - k) / alpha + b) ((s - k) / gamma + b);
//   abs:    g(t) = alpha ((t - b) + a |t - b|) + k, |a| < 1,
//           g^{-1}(s) = b + (u - a |u|) / (1 - a^2), u = (s - k) / alpha;
//   identity.
// The inverse of L_i is written with the exact rational P_i^{-1}.
//
// Branches correspond: node (i, j) of F is tied at x exactly when its counterpart in F^{-1} is
// tied at F(x) (t = b iff g(t) = g(b), as g is increasing), and for relu, max, min and select the
// tie rules pick corresponding pieces on both sides (relu: the 0 piece, slopes alpha and
// 1/alpha; max / min: the first argument; select: the same comparison). So at every point without
// a tied abs, including points with ties, AD of F^{-1} at F(x) is the inverse of AD of F at x.
// A tied abs does not correspond: abs'(0) = 0 gives slope alpha in F and 1/(alpha (1 - a^2)) in
// F^{-1}; those points are classified and only the checks that do not need the correspondence run.
//
//  * INV.explicit: at kink-biased x: F^{-1}(F(x)) = x; reference::inverse_jacobian(F, x)
//    returns M^{-1} == AD of F^{-1} at F(x) exactly; over the tie closure
//    (reference::inverse_closure), no M_i is singular and the set of M_i^{-1} is the tie closure
//    of F^{-1} at F(x); and the implicit form E(u, x) = F(x) - u gives the same Jacobian by
//    reference::implicit_jacobian at (F(x), x).
//  * INV.integration: the explicit inverse satisfies P2 exactly along random segments (the
//    exact breakpoint walk of support/affine_walk.hpp, as P2.affine).
#include <algorithm>
#include <sstream>

#include "gen/rational.hpp"
#include "selgrad/program/parse.hpp"
#include "selgrad/reference/implicit.hpp"
#include "suite.hpp"
#include "support/affine_walk.hpp"
#include "support/engine.hpp"
#include "support/implicit_problem.hpp"

namespace selgrad::properties {
namespace {

std::string q(const Rational& r) { return reference::to_string(r); }

enum class Kind : int { Identity, Relu, Max, Min, Select, Abs, Count_ };

struct Scalar {
  Kind kind = Kind::Identity;
  Rational alpha = 1, gamma = 1, b = 0, k = 0, a = 0;
  Cmp cmp = Cmp::Lt;
};

/// One coordinate map; shrinks towards the identity.
rc::Gen<Scalar> genScalar() {
  static const Rational kSlopes[] = {1, 2, Rational(1, 2), 3, Rational(1, 3), Rational(3, 2), Rational(2, 3)};
  static const Rational kAbs[] = {Rational(1, 2), Rational(-1, 2), Rational(1, 3), Rational(-2, 3)};
  return rc::gen::apply(
      [](int kind, int ia, int ig, const Rational& b, const Rational& k, int form) {
        Scalar s;
        s.kind = static_cast<Kind>(kind);
        s.alpha = kSlopes[ia];
        s.gamma = ig == ia ? Rational(kSlopes[ia] + 1) : kSlopes[ig];
        s.b = b;
        s.k = s.kind == Kind::Relu ? Rational(s.alpha * b) : k;  // relu: g(b) = alpha b
        s.cmp = static_cast<Cmp>(form % 4);
        s.a = kAbs[form % 4];
        return s;
      },
      rc::gen::resize(100, rc::gen::inRange(0, static_cast<int>(Kind::Count_))),
      rc::gen::resize(100, rc::gen::inRange(0, 7)), rc::gen::resize(100, rc::gen::inRange(0, 7)),
      genKinkRational(), genKinkRational(), rc::gen::resize(100, rc::gen::inRange(0, 4)));
}

/// n/d with |n| <= 3, 1 <= d <= 3; shrinks towards 0.
rc::Gen<Rational> genEntry() {
  return rc::gen::apply([](int n, int d) { return Rational(n % 2 ? -(n + 1) / 2 : n / 2, d); },
                        rc::gen::resize(100, rc::gen::inRange(0, 7)), rc::gen::resize(100, rc::gen::inRange(1, 4)));
}

struct Affine {
  RationalMatrix p, inverse;
  std::vector<Rational> c;
};

rc::Gen<Affine> genAffine(std::size_t n) {
  return rc::gen::apply(
      [n](const std::vector<Rational>& entries, const std::vector<Rational>& c) {
        Affine a;
        a.p.assign(n, std::vector<Rational>(n));
        for (std::size_t i = 0; i < n; ++i)
          for (std::size_t j = 0; j < n; ++j) a.p[i][j] = entries[i * n + j];
        a.p = make_invertible(std::move(a.p));
        a.inverse = *reference::inverse(a.p);
        a.c = c;
        return a;
      },
      rc::gen::container<std::vector<Rational>>(n * n, genEntry()),
      rc::gen::container<std::vector<Rational>>(n, genKinkRational()));
}

/// Writes the .sgp lines of F and F^{-1}.
class Writer {
 public:
  explicit Writer(std::size_t n) : n_(n) {}

  /// out_j = c0_j + sum_i coef_ji in_i.
  void affine(std::ostream& os, const std::vector<std::string>& in, std::vector<std::string>& out,
              const RationalMatrix& coef, const std::vector<Rational>& c0, const std::string& prefix) {
    out.clear();
    for (std::size_t j = 0; j < n_; ++j) {
      out.push_back(prefix + std::to_string(j + 1));
      os << out.back() << " = lin " << q(c0[j]);
      for (std::size_t i = 0; i < n_; ++i) os << " " << q(coef[j][i]) << " " << in[i];
      os << "\n";
    }
  }

  /// The forward coordinate map g (inverse = false) or its inverse, from `t` into a new name.
  std::string scalar(std::ostream& os, const Scalar& s, const std::string& t, const std::string& name, bool inverse) {
    const Rational& al = s.alpha;
    const Rational& ga = s.gamma;
    switch (s.kind) {
      case Kind::Identity: return t;
      case Kind::Relu:
        if (!inverse) {
          os << name << "u = lin " << q(-s.b) << " 1 " << t << "\n";
          os << name << "r = relu " << name << "u\n";
          os << name << " = lin 0 " << q(al) << " " << t << " " << q(ga - al) << " " << name << "r\n";
        } else {
          os << name << "u = lin " << q(-al * s.b) << " 1 " << t << "\n";
          os << name << "r = relu " << name << "u\n";
          os << name << " = lin 0 " << q(1 / al) << " " << t << " " << q(1 / ga - 1 / al) << " " << name << "r\n";
        }
        return name;
      case Kind::Max:
      case Kind::Min:
      case Kind::Select: {
        // The two lines through (b, k), or their inverses through (k, b).
        if (!inverse) {
          os << name << "p = lin " << q(s.k - al * s.b) << " " << q(al) << " " << t << "\n";
          os << name << "q = lin " << q(s.k - ga * s.b) << " " << q(ga) << " " << t << "\n";
        } else {
          os << name << "p = lin " << q(s.b - s.k / al) << " " << q(1 / al) << " " << t << "\n";
          os << name << "q = lin " << q(s.b - s.k / ga) << " " << q(1 / ga) << " " << t << "\n";
        }
        if (s.kind == Kind::Select) {
          os << name << " = select " << cmp_name(s.cmp) << " " << t << " " << q(inverse ? s.k : s.b) << " " << name
             << "p " << name << "q\n";
        } else {
          const bool max = (s.kind == Kind::Max) != inverse;
          os << name << " = " << (max ? "max " : "min ") << name << "p " << name << "q\n";
        }
        return name;
      }
      case Kind::Abs:
        if (!inverse) {
          os << name << "u = lin " << q(-s.b) << " 1 " << t << "\n";
          os << name << "v = abs " << name << "u\n";
          os << name << " = lin " << q(s.k) << " " << q(al) << " " << name << "u " << q(al * s.a) << " " << name
             << "v\n";
        } else {
          const Rational d = 1 - s.a * s.a;
          os << name << "u = lin " << q(-s.k / al) << " " << q(1 / al) << " " << t << "\n";
          os << name << "v = abs " << name << "u\n";
          os << name << " = lin " << q(s.b) << " " << q(1 / d) << " " << name << "u " << q(-s.a / d) << " " << name
             << "v\n";
        }
        return name;
      case Kind::Count_: break;
    }
    return t;
  }

 private:
  std::size_t n_;
};

struct InverseMap {
  std::size_t n = 1;
  std::vector<Affine> layers;                ///< L_0 .. L_K
  std::vector<std::vector<Scalar>> scalars;  ///< S_1 .. S_K, n each
  std::string f, g;                          ///< F and F^{-1} as .sgp text
};

InverseMap build(std::size_t n, const std::vector<Affine>& layers, const std::vector<std::vector<Scalar>>& scalars) {
  Writer w(n);
  std::ostringstream f, g;
  std::vector<std::string> cur, next;
  f << "input";
  g << "input";
  for (std::size_t i = 0; i < n; ++i) {
    cur.push_back("x" + std::to_string(i + 1));
    f << " " << cur.back();
    g << " y" << i + 1;
  }
  f << "\n";
  g << "\n";
  const std::size_t K = scalars.size();
  for (std::size_t l = 0; l <= K; ++l) {
    w.affine(f, cur, next, layers[l].p, layers[l].c, "a" + std::to_string(l) + "_");
    cur = next;
    if (l == K) break;
    for (std::size_t j = 0; j < n; ++j)
      cur[j] = w.scalar(f, scalars[l][j], cur[j], "s" + std::to_string(l + 1) + "_" + std::to_string(j + 1), false);
  }
  f << "output";
  for (const auto& c : cur) f << " " << c;
  f << "\n";

  cur.clear();
  for (std::size_t i = 0; i < n; ++i) cur.push_back("y" + std::to_string(i + 1));
  for (std::size_t l = K + 1; l-- > 0;) {
    std::vector<Rational> c0(n, Rational(0));
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t i = 0; i < n; ++i) c0[j] -= layers[l].inverse[j][i] * layers[l].c[i];
    w.affine(g, cur, next, layers[l].inverse, c0, "b" + std::to_string(l) + "_");
    cur = next;
    if (l == 0) break;
    for (std::size_t j = 0; j < n; ++j)
      cur[j] = w.scalar(g, scalars[l - 1][j], cur[j], "t" + std::to_string(l) + "_" + std::to_string(j + 1), true);
  }
  g << "output";
  for (const auto& c : cur) g << " " << c;
  g << "\n";
  return {n, layers, scalars, f.str(), g.str()};
}

/// A random map of the family: n, K, the layers and the coordinate maps.
InverseMap genMap() {
  const auto n = static_cast<std::size_t>(*rc::gen::resize(100, rc::gen::inRange(1, 4)).as("n"));
  const auto K = static_cast<std::size_t>(*rc::gen::resize(100, rc::gen::inRange(1, 3)).as("K"));
  std::vector<Affine> layers;
  for (std::size_t l = 0; l <= K; ++l) layers.push_back(*genAffine(n));
  std::vector<std::vector<Scalar>> scalars;
  for (std::size_t l = 0; l < K; ++l) scalars.push_back(*rc::gen::container<std::vector<Scalar>>(n, genScalar()));
  InverseMap m = build(n, layers, scalars);
  RC_LOG() << "F:\n" << m.f << "F^-1:\n" << m.g;
  return m;
}

/// A kink-biased point, or, half the time, one where chosen coordinates of the first layer sit
/// at their kinks (x = L_0^{-1}(z - c_0) with z_j = b_j), so that ties are frequent.
Point genInversePoint(const InverseMap& m) {
  const Point x = *genPointNearKinks(m.n).as("x (or z)");
  const auto at_kink = *rc::gen::container<std::vector<bool>>(m.n, rc::gen::weightedElement<bool>({{2, false}, {1, true}}))
                            .as("first-layer coordinates put at their kinks");
  if (std::none_of(at_kink.begin(), at_kink.end(), [](bool b) { return b; })) return x;
  std::vector<Rational> z = x.x;
  for (std::size_t j = 0; j < m.n; ++j) {
    const Scalar& s = m.scalars[0][j];
    if (at_kink[j]) z[j] = s.b;
    z[j] -= m.layers[0].c[j];
  }
  Point out{std::vector<Rational>(m.n, Rational(0))};
  for (std::size_t i = 0; i < m.n; ++i)
    for (std::size_t j = 0; j < m.n; ++j) out.x[i] += m.layers[0].inverse[i][j] * z[j];
  RC_LOG() << "x = L_0^{-1}(z - c_0) = " << point_text(out.x) << "\n";
  return out;
}

/// The implicit form E(u, x) = F(x) - u: parameters u, unknowns x.
Program implicit_form(const InverseMap& m) {
  std::string text = m.f;
  // "input x1 .. xn" becomes "input u1 .. un x1 .. xn"; the outputs become e_j = F_j - u_j.
  std::string inputs = "input";
  for (std::size_t i = 0; i < m.n; ++i) inputs += " u" + std::to_string(i + 1);
  text.replace(0, 5, inputs);
  const auto out = text.rfind("output");
  std::istringstream outs(text.substr(out + 6));
  text.erase(out);
  std::string name, result = "output";
  for (std::size_t j = 0; outs >> name; ++j) {
    text += "e" + std::to_string(j + 1) + " = sub " + name + " u" + std::to_string(j + 1) + "\n";
    result += " e" + std::to_string(j + 1);
  }
  return parse_program(text + result + "\n");
}

std::vector<RationalMatrix> sorted(std::vector<RationalMatrix> v) {
  std::sort(v.begin(), v.end());
  return v;
}

const Register explicit_inverse(
    "INV.explicit", "M^{-1} == AD of the explicit inverse at F(x) where branches correspond; closures too", 4000, [] {
      const InverseMap map = genMap();
      const Program f = parse_program(map.f);
      const Program g = parse_program(map.g);
      const Point x = genInversePoint(map);
      log_command("grad", x.x);
      const ExactResult fx = exact(f, x.x);
      const std::vector<Rational>& y = fx.outputs;
      const ExactResult gy = exact(g, y);
      RC_LOG() << "  F(x) = " << point_text(y) << "\n";
      RC_ASSERT(gy.outputs == x.x);  // the closed form is the inverse

      bool abs_tie = false;
      for (const auto& d : fx.branches.decisions)
        abs_tie = abs_tie || (f.nodes[d.node].op == Op::Abs && d.choice.tie);
      RC_TAG(abs_tie ? "tied abs: branches do not correspond" : (fx.branches.tie_count() > 0 ? "ties correspond" : "no tie"));
      // The tie structure corresponds node for node: as many ties on both sides.
      RC_ASSERT(fx.branches.tie_count() == gy.branches.tie_count());

      reference::InverseResult inv;
      reference::InverseClosure c;
      reference::ImplicitResult imp;
      try {
        inv = reference::inverse_jacobian(f, x.x);
        c = reference::inverse_closure(f, x.x);
        imp = reference::implicit_jacobian(implicit_form(map), map.n, y, x.x);
      } catch (const Error& e) {
        if (e.kind() == ErrorKind::Resource) discard_resource(e);
        RC_FAIL(std::string("the inverse rule threw: ") + e.what());
      }
      RC_ASSERT(inv.jacobian == fx.jacobian);
      RC_ASSERT(imp.jacobian == inv.inverse);
      RC_ASSERT(c.singular.empty());
      if (!abs_tie) {
        RC_ASSERT(inv.inverse == gy.jacobian);
        std::vector<RationalMatrix> inverses;
        for (const auto& m : c.inverses) inverses.push_back(*m);
        const auto gc = closure(g, y);
        RC_ASSERT(sorted(inverses) == sorted(gc.jacobians));
      }
    });

std::vector<Rational> along(const std::vector<Rational>& x, const std::vector<Rational>& y, const Rational& t) {
  std::vector<Rational> z(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) z[i] = x[i] + t * (y[i] - x[i]);
  return z;
}

const Register inverse_integration(
    "INV.integration", "the explicit inverse: G(b) - G(a) == sum over exact pieces of length * <AD, b - a>", 3000, [] {
      const InverseMap map = genMap();
      const Program g = parse_program(map.g);
      const Segment seg = *genSegment(map.n).as("segment");
      const auto& a = seg.from.x;
      const auto& b = seg.to.x;
      log_command("grad", a);
      log_command("grad", b);
      const auto t = affine_breakpoints(g, a, b);
      RC_TAG(t.size() == 2 ? "1 piece" : (t.size() <= 4 ? "2-3 pieces" : "4+ pieces"));
      std::vector<Rational> integral(g.q(), Rational(0));
      for (std::size_t k = 0; k + 1 < t.size(); ++k) {
        const ExactResult r = exact(g, along(a, b, (t[k] + t[k + 1]) / 2));
        for (std::size_t o = 0; o < g.q(); ++o) {
          Rational slope = 0;
          for (std::size_t i = 0; i < g.p(); ++i) slope += r.jacobian[o][i] * (b[i] - a[i]);
          integral[o] += (t[k + 1] - t[k]) * slope;
        }
      }
      const ExactResult ga = exact(g, a), gb = exact(g, b);
      for (std::size_t o = 0; o < g.q(); ++o) RC_ASSERT(integral[o] == gb.outputs[o] - ga.outputs[o]);
    });

}  // namespace
}  // namespace selgrad::properties
