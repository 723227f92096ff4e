// Invertibility on the convex hull of matrices (see implicit.hpp, hull_invertibility, and
// detail/hull_invertibility.hpp).
#include "selgrad/program/mutant.hpp"
#include "detail/hull_invertibility.hpp"

#include <map>

#include "detail/linear_algebra.hpp"
#include "detail/sturm.hpp"
#include "selgrad/program/error.hpp"

namespace selgrad::reference {
namespace {

using namespace detail;

constexpr std::size_t kBoxCap = 4096;
constexpr std::size_t kSegmentCap = 20000;
constexpr std::size_t kSimplexCap = 20000;

std::string idx(std::size_t i) { return "#" + std::to_string(i + 1); }

std::vector<Rational> unit_weights(std::size_t count, std::size_t i) {
  std::vector<Rational> w(count, Rational(0));
  w[i] = 1;
  return w;
}

std::vector<Rational> segment_weights(std::size_t count, std::size_t i, std::size_t j, const Rational& t) {
  std::vector<Rational> w(count, Rational(0));
  w[i] += 1 - t;
  w[j] += t;
  return w;
}

/// Fails on the segment [M_i, M_j] whose det has a root in (0, 1).
HullInvertibility segment_failure(const std::vector<Matrix<Rational>>& ms, std::size_t i, std::size_t j,
                                  const Poly& p, const std::string& why) {
  HullInvertibility h;
  h.verdict = Verdict::Fails;
  const RootLocation r = locate_root(p);
  const std::string seg = "det((1 - t) " + idx(i) + " + t " + idx(j) + ")";
  if (r.exact) {
    h.reason = why + seg + " = 0 at t = " + to_string(*r.exact) + ": that matrix of the hull is singular";
    h.witness = segment_weights(ms.size(), i, j, *r.exact);
  } else {
    h.reason = why + seg + " = 0 for some t in [" + to_string(r.lo) + ", " + to_string(r.hi) + "] (t ~ " +
               decimal(r.lo) + "): a matrix of the hull is singular";
  }
  return h;
}

/// Step 3: do all vertices of the box of seen rows (columns when `transpose`) have dets of
/// sign `sign`? nullopt past the cap.
std::optional<bool> box_test(const std::vector<Matrix<Rational>>& ms, bool transpose, int sign,
                             std::size_t& vertices) {
  const std::size_t k = ms[0].size();
  std::vector<std::vector<std::vector<Rational>>> seen(k);
  for (const auto& m : ms)
    for (std::size_t r = 0; r < k; ++r) {
      std::vector<Rational> line(k);
      for (std::size_t c = 0; c < k; ++c) line[c] = transpose ? m[c][r] : m[r][c];
      if (std::find(seen[r].begin(), seen[r].end(), line) == seen[r].end()) seen[r].push_back(std::move(line));
    }
  if (SELGRAD_MUTANT(27)) seen[k - 1].resize(1);  // mutant 27: the box keeps one line of the last row
  vertices = 1;
  for (const auto& s : seen) {
    if (vertices > kBoxCap / s.size()) return std::nullopt;
    vertices *= s.size();
  }
  std::vector<std::size_t> digit(k, 0);
  for (std::size_t v = 0; v < vertices; ++v) {
    Matrix<Rational> m(k);
    for (std::size_t r = 0; r < k; ++r) m[r] = seen[r][digit[r]];
    if (determinant(m).sign() != sign) return false;  // (transposing does not change det)
    for (std::size_t r = 0; r < k; ++r) {
      if (++digit[r] < seen[r].size()) break;
      digit[r] = 0;
    }
  }
  return true;
}

/// Step 6, k = 2: minimum of sign * det(sum w_i M_i) over the simplex, by the stationary points
/// of the quadratic form on the faces of every sub-simplex of at most 5 matrices.
HullInvertibility quadratic_form_test(const std::vector<Matrix<Rational>>& ms, int sign, bool& capped) {
  const std::size_t count = ms.size();
  // Q_ij = (a_i d_j + a_j d_i - b_i c_j - b_j c_i) / 2 for M_i = [[a_i, b_i], [c_i, d_i]], so
  // that det(sum w_i M_i) = w^T Q w.
  Matrix<Rational> q(count, std::vector<Rational>(count));
  for (std::size_t i = 0; i < count; ++i)
    for (std::size_t j = 0; j < count; ++j)
      q[i][j] = sign *
                (ms[i][0][0] * ms[j][1][1] + ms[j][0][0] * ms[i][1][1] - ms[i][0][1] * ms[j][1][0] -
                 ms[j][0][1] * ms[i][1][0]) /
                2;
  const std::size_t max_size = std::min<std::size_t>(count, 5);
  // Number of subsets of sizes 2..max_size, capped.
  Rational subsets = 0;
  for (std::size_t s = 2; s <= max_size; ++s) {
    Rational c = 1;  // the binomial coefficient (count choose s)
    for (std::size_t t = 0; t < s; ++t) c = c * static_cast<long>(count - t) / static_cast<long>(t + 1);
    subsets += c;
  }
  if (subsets > static_cast<long>(kSimplexCap)) {
    capped = true;
    return {};
  }
  HullInvertibility h;
  std::vector<std::size_t> subset;
  std::function<bool(std::size_t)> visit = [&](std::size_t next) -> bool {
    if (subset.size() >= 2 && !(SELGRAD_MUTANT(28) && subset.size() > 2)) {  // mutant 28: edges only
      // Stationary point of w^T Q_S w on { sum w = 1 }: [2 Q_S 1; 1^T 0] [w; mu] = [0; 1].
      const std::size_t s = subset.size();
      Matrix<Rational> kkt(s + 1, std::vector<Rational>(s + 1, Rational(0))), rhs(s + 1, std::vector<Rational>(1));
      for (std::size_t a = 0; a < s; ++a) {
        for (std::size_t b = 0; b < s; ++b) kkt[a][b] = 2 * q[subset[a]][subset[b]];
        kkt[a][s] = 1;
        kkt[s][a] = 1;
      }
      rhs[s][0] = 1;
      if (const auto sol = solve(kkt, rhs)) {
        bool interior = true;
        for (std::size_t a = 0; a < s; ++a) interior = interior && (*sol)[a][0] > 0;
        if (interior) {
          Rational value = 0;
          for (std::size_t a = 0; a < s; ++a)
            for (std::size_t b = 0; b < s; ++b) value += (*sol)[a][0] * q[subset[a]][subset[b]] * (*sol)[b][0];
          if (value <= 0) {
            h.verdict = Verdict::Fails;
            h.witness.assign(count, Rational(0));
            for (std::size_t a = 0; a < s; ++a) h.witness[subset[a]] = (*sol)[a][0];
            std::string at;
            for (std::size_t a = 0; a < s; ++a)
              at += (a ? ", " : "") + to_string((*sol)[a][0]) + " " + idx(subset[a]);
            h.reason = "det over the hull is the quadratic form w^T Q w in the convex weights w; at w = (" + at +
                       ") it is " + to_string(sign * value) +
                       (value == 0 ? ": that matrix of the hull is singular"
                                   : ", of the sign opposite to the dets of the matrices: the segment from it to "
                                     "any of them meets a singular matrix");
            return true;
          }
        }
      }
    }
    if (subset.size() == max_size) return false;
    for (std::size_t i = next; i < count; ++i) {
      subset.push_back(i);
      if (visit(i + 1)) return true;
      subset.pop_back();
    }
    return false;
  };
  if (visit(0)) return h;
  h.verdict = Verdict::Holds;
  h.reason = "det over the hull is the quadratic form w^T Q w in the convex weights w; its minimum times the "
             "dets' sign, over every face of every sub-simplex of at most 5 of the " +
             std::to_string(count) +
             " matrices (they cover the hull: Caratheodory in the 4-dimensional space of 2 x 2 matrices), is "
             "attained at a face's unique stationary point or a vertex, and is > 0 at all of them (exact linear "
             "solves)";
  return h;
}

}  // namespace

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Holds: return "holds";
    case Verdict::Fails: return "fails";
    case Verdict::Undecided: return "undecided";
  }
  return "?";
}

HullInvertibility hull_invertibility(const std::vector<Matrix<Rational>>& ms) {
  HullInvertibility h;
  if (ms.empty()) {
    h.verdict = Verdict::Holds;
    h.reason = "no matrices: the hull is empty";
    return h;
  }
  const std::size_t k = ms[0].size();
  for (const auto& m : ms) {
    require_square(m, "hull_invertibility");
    if (m.size() != k) throw Error(ErrorKind::Usage, {}, "hull_invertibility: matrices of different sizes");
  }
  const std::size_t count = ms.size();
  // 1. Singular matrices, and dets of both signs.
  std::vector<int> signs;
  for (std::size_t i = 0; i < count; ++i) {
    signs.push_back(determinant(ms[i]).sign());
    if (signs[i] == 0) {
      h.verdict = Verdict::Fails;
      h.reason = "matrix " + idx(i) + " = " + matrix_text(ms[i]) + " is singular";
      h.witness = unit_weights(count, i);
      return h;
    }
  }
  for (std::size_t j = 1; j < count; ++j)
    if (signs[j] != signs[0]) {
      // The segment between them has a root: its det polynomial changes sign on [0, 1].
      HullInvertibility f = segment_failure(
          ms, 0, j, segment_det(ms[0], ms[j]),
          "det " + idx(0) + " and det " + idx(j) + " have opposite signs, so ");
      if (f.witness.empty()) f.witness = unit_weights(count, j);
      return f;
    }
  const int sign = signs[0];
  const std::string dets = "every matrix is nonsingular with det of sign " + std::string(sign > 0 ? "+" : "-");
  // 2. One number, or one matrix.
  if (k == 1 || count == 1) {
    h.verdict = Verdict::Holds;
    h.reason = dets + (k == 1 ? ", and the hull is an interval of numbers of that sign" : ", and the hull is that matrix");
    return h;
  }
  // 3. Row and column boxes.
  std::string box_note;
  for (bool transpose : {false, true}) {
    std::size_t vertices = 0;
    const auto ok = box_test(ms, transpose, sign, vertices);
    const char* what = transpose ? "column" : "row";
    if (ok && *ok) {
      h.verdict = Verdict::Holds;
      h.reason = dets + "; det is affine in each " + what + ", and at all " + std::to_string(vertices) +
                 " vertices of the box of seen " + what + "s (which contains the hull) it has that sign, so it has it "
                 "on the whole box";
      return h;
    }
    box_note += std::string(box_note.empty() ? "" : "; ") + "the " + what + " box " +
                (ok ? "has vertices of the other sign or singular" : "has more than " + std::to_string(kBoxCap) + " vertices");
  }
  // 4. Segments.
  const bool segments = count * (count - 1) / 2 <= kSegmentCap;
  if (segments) {
    for (std::size_t i = 0; i < count; ++i)
      for (std::size_t j = i + 1; j < count; ++j) {
        const Poly p = segment_det(ms[i], ms[j]);
        const auto chain = sturm_chain(p);
        // mutant 26: the root count is read backwards, so no segment ever fails
        if (SELGRAD_MUTANT(26) ? variations(chain, Rational(0)) < variations(chain, Rational(1))
                               : variations(chain, Rational(0)) > variations(chain, Rational(1)))
          return segment_failure(ms, i, j, p, "");
      }
    // 5. Two matrices: the hull is the segment.
    if (count == 2) {
      h.verdict = Verdict::Holds;
      h.reason = dets + "; the hull is the segment between them, and det((1 - t) #1 + t #2) has no root in [0, 1] "
                        "(Sturm sequence)";
      return h;
    }
  }
  // 6. 2 x 2 matrices: the quadratic form.
  bool capped = false;
  if (k == 2) {
    HullInvertibility q = quadratic_form_test(ms, sign, capped);
    if (!capped) {
      if (q.verdict == Verdict::Holds) q.reason = dets + "; " + q.reason;
      return q;
    }
  }
  h.verdict = Verdict::Undecided;
  h.reason = dets + "; " + box_note + "; " +
             (segments ? "no segment between two of the " + std::to_string(count) + " matrices meets a singular matrix"
                       : "the " + std::to_string(count * (count - 1) / 2) + " segments were not checked (above " +
                             std::to_string(kSegmentCap) + ")") +
             "; " +
             (k == 2 ? "the quadratic-form test has more than " + std::to_string(kSimplexCap) + " sub-simplices"
                     : "det over the hull of " + std::to_string(count) + " matrices of size " + std::to_string(k) +
                           " is a form of degree " + std::to_string(k) +
                           " in the convex weights, and whether the interior of the hull meets det = 0 is not decided");
  return h;
}

namespace detail {

/// hull_invertibility over the distinct matrices of `ms`, the witness mapped back to indices
/// of `ms` (the weight of a distinct matrix goes to its first occurrence).
HullInvertibility distinct_hull_invertibility(const std::vector<Matrix<Rational>>& ms) {
  std::vector<Matrix<Rational>> distinct;
  std::vector<std::size_t> first;
  std::map<Matrix<Rational>, std::size_t> where;
  for (std::size_t i = 0; i < ms.size(); ++i)
    if (where.emplace(ms[i], distinct.size()).second) {
      distinct.push_back(ms[i]);
      first.push_back(i);
    }
  HullInvertibility h = hull_invertibility(distinct);
  if (!h.witness.empty()) {
    std::vector<Rational> w(ms.size(), Rational(0));
    for (std::size_t j = 0; j < distinct.size(); ++j) w[first[j]] = h.witness[j];
    h.witness = std::move(w);
  }
  if (distinct.size() != ms.size())
    h.reason += " (matrices numbered among the " + std::to_string(distinct.size()) + " distinct ones)";
  return h;
}

}  // namespace detail

}  // namespace selgrad::reference
