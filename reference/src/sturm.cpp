// Sturm sequences over the rationals (see detail/sturm.hpp).
#include "detail/sturm.hpp"

namespace selgrad::reference::detail {

void trim(Poly& p) {
  while (!p.empty() && p.back() == 0) p.pop_back();
}

Rational eval(const Poly& p, const Rational& t) {
  Rational v = 0;
  for (std::size_t i = p.size(); i-- > 0;) v = v * t + p[i];
  return v;
}

Poly derivative(const Poly& p) {
  Poly d;
  for (std::size_t i = 1; i < p.size(); ++i) d.push_back(p[i] * static_cast<long>(i));
  return d;
}

Poly remainder(Poly a, const Poly& b) {
  trim(a);
  while (a.size() >= b.size() && !a.empty()) {
    const Rational f = a.back() / b.back();
    const std::size_t shift = a.size() - b.size();
    for (std::size_t i = 0; i < b.size(); ++i) a[shift + i] -= f * b[i];
    a.pop_back();  // the leading coefficient is now exactly 0
    trim(a);
  }
  return a;
}

std::vector<Poly> sturm_chain(Poly p) {
  trim(p);
  std::vector<Poly> chain{p};
  Poly d = derivative(p);
  trim(d);
  while (!d.empty()) {
    chain.push_back(d);
    Poly r = remainder(chain[chain.size() - 2], chain.back());
    for (auto& c : r) c = -c;
    d = std::move(r);
  }
  return chain;
}

int variations(const std::vector<Poly>& chain, const Rational& t) {
  int v = 0, last = 0;
  for (const auto& p : chain) {
    const int s = eval(p, t).sign();
    if (s == 0) continue;
    if (last != 0 && s != last) ++v;
    last = s;
  }
  return v;
}

/// The simplest rational (smallest denominator) in [lo, hi], 0 <= lo < hi.
Rational simplest_between(const Rational& lo, const Rational& hi) {
  using boost::multiprecision::mpz_int;
  const mpz_int whole = numerator(lo) / denominator(lo);  // floor, as lo >= 0
  const Rational fl(whole);
  if (fl == lo) return fl;
  if (fl + 1 <= hi) return Rational(fl + 1);
  return fl + 1 / simplest_between(1 / (hi - fl), 1 / (lo - fl));
}

/// det((1 - t) M0 + t M1) as a polynomial in t, by exact interpolation at t = 0..k.
Poly segment_det(const Matrix<Rational>& m0, const Matrix<Rational>& m1) {
  const std::size_t k = m0.size();
  Matrix<Rational> vandermonde(k + 1, std::vector<Rational>(k + 1)), values(k + 1, std::vector<Rational>(1));
  for (std::size_t s = 0; s <= k; ++s) {
    const Rational t = static_cast<long>(s);
    Matrix<Rational> m = m0;
    for (std::size_t i = 0; i < k; ++i)
      for (std::size_t j = 0; j < k; ++j) m[i][j] = (1 - t) * m0[i][j] + t * m1[i][j];
    values[s][0] = determinant(m);
    Rational power = 1;
    for (std::size_t e = 0; e <= k; ++e, power *= t) vandermonde[s][e] = power;
  }
  const auto c = solve(vandermonde, values);  // distinct nodes: never singular
  Poly p;
  for (const auto& row : *c) p.push_back(row[0]);
  trim(p);
  return p;
}

RootLocation locate_root(const Poly& p) {
  const auto chain = sturm_chain(p);
  Rational lo = 0, hi = 1;
  for (int step = 0; step < 64; ++step) {
    const Rational mid = (lo + hi) / 2;
    if (eval(p, mid) == 0) return {mid, mid, mid};
    if (variations(chain, lo) > variations(chain, mid)) hi = mid;
    else lo = mid;
  }
  const Rational s = simplest_between(lo, hi);
  if (eval(p, s) == 0) return {s, s, s};
  return {std::nullopt, lo, hi};
}

std::string decimal(const Rational& r) {
  PrecisionScope scope(64);
  return Real(r).to_string(6);
}

}  // namespace selgrad::reference::detail
